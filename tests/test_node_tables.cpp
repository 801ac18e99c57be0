// Node tables: the shared rows have one range everywhere, every type says its role, bend
// range and MPE parameter, and what the composer drives lands on the rows it means.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "arc/composer.hpp"
#include "instruments/audience/audience_node.hpp"
#include "instruments/orchestra/brass_node.hpp"
#include "instruments/orchestra/strings_node.hpp"
#include "instruments/orchestra/timpani_node.hpp"
#include "reverie/node_registry.hpp"
#include "reverie/parameter_rows.hpp"
#include "reverie/preset.hpp"
#include "support/direct_node_render.hpp"
#include "support/node_render.hpp"
#include "support/sample_statistics.hpp"

namespace reverie {
namespace {

bool sameRange(const ParameterDescriptor& row, const ParameterDescriptor& shared) {
  return row.unit == shared.unit && row.minimum == shared.minimum &&
         row.maximum == shared.maximum && row.isChoice() == shared.isChoice();
}

std::string where(const NodeType& type, const ParameterDescriptor& row) {
  return std::string(type.name) + "." + std::string(row.id);
}

}  // namespace

TEST_CASE("node tables: every shared row has the one range its factory gives") {
  int levels = 0, shared = 0;
  for (const NodeType* type : nodeTypes()) {
    for (const ParameterDescriptor& row : type->parameters) {
      INFO(where(*type, row));
      // Every level, whatever its id (a mixer's level1..level4), is -96..+12 dB.
      if (row.unit == "dB" && std::string_view(row.id).starts_with("level")) {
        CHECK(sameRange(row, rows::level(0.0f)));
        ++levels;
      }
      const ParameterDescriptor sharedRows[] = {
          rows::tuning(),       rows::dynamics(""),      rows::expression(),
          rows::brightness(""), rows::mix(0.0f),         rows::voices(row.maximum, 1.0f),
          rows::waveform(0.0f), rows::vibratoDelay(0.0f)};
      for (const ParameterDescriptor& sharedRow : sharedRows) {
        if (row.id != sharedRow.id) continue;
        CHECK(sameRange(row, sharedRow));
        ++shared;
      }
      if (row.id == "tuning") CHECK(row.defaultValue == 440.0f);
      if (row.id == "expression") CHECK(row.defaultValue == 1.0f);
      if (row.id == "bend_range") {
        CHECK(row.unit == "semitones");
        CHECK(row.minimum == 0.0f);
        CHECK(row.defaultValue == 2.0f);
        ++shared;
      }
    }
  }
  MESSAGE(levels << " level rows and " << shared << " other shared rows checked");
  CHECK(levels >= 16);
}

TEST_CASE("node tables: bend range and MPE are the type's fields, and name those rows") {
  int benders = 0, mpe = 0;
  for (const NodeType* type : nodeTypes()) {
    INFO(type->name);
    const int bendRow = findParameter(type->parameters, "bend_range");
    const int mpeRow = findParameter(type->parameters, "mpe");
    CHECK(type->bendRangeParameter == bendRow);
    CHECK(type->mpeParameter == mpeRow);
    if (type->mpeParameter >= 0) {
      const ParameterDescriptor& row =
          type->parameters[static_cast<std::size_t>(type->mpeParameter)];
      REQUIRE(row.isChoice());
      CHECK(row.clamp(NodeType::kMpeLowerZone) == NodeType::kMpeLowerZone);
      CHECK(row.choices[static_cast<std::size_t>(NodeType::kMpeLowerZone)] == "lower");
    }
    benders += type->bendRangeParameter >= 0;
    mpe += type->mpeParameter >= 0;
  }
  MESSAGE(benders << " types take a bend range, " << mpe << " take MPE");
  CHECK(benders >= 6);
  CHECK(mpe >= 1);
}

TEST_CASE("node tables: every type has a role, and a role choice covers every choice") {
  for (const NodeType* type : nodeTypes()) {
    INFO(type->name);
    CHECK(type->role != NodeRole::kClock);  // the arc names its clock; no type is one
    // A note player is played (chords at the least); a node that plays none is not, unless
    // it is driven by its parameters (the audience).
    if (type->acceptsNotes) CHECK(type->role != NodeRole::kOther);
    if (!type->acceptsNotes)
      CHECK((type->role == NodeRole::kOther || type->role == NodeRole::kAudience));
    if (type->roleParameter >= 0) {
      const ParameterDescriptor& row =
          type->parameters[static_cast<std::size_t>(type->roleParameter)];
      REQUIRE(row.isChoice());
      CHECK(type->roleByChoice.size() == row.choices.size());
      CHECK(type->roleFor(row.defaultValue) == type->role);
    }
  }
}

TEST_CASE(
    "node tables: the composer finds roles from the patch's choices and drives the rows "
    "it means") {
  Arc arc;
  struct Entry {
    const char *name, *type, *params;
  };
  const Entry entries[] = {{"oboe", "winds", ""},
                           {"pad", "winds", "instrument = \"pad\""},
                           {"glass", "crystal", ""},
                           {"bowed", "crystal", "exciter = \"bow\""},
                           {"shards", "crystal", "exciter = \"shatter\""},
                           {"strings", "strings", ""},
                           {"brass", "brass", ""},
                           {"drums", "timpani", ""},
                           {"crowd", "audience", "coughs = 7, whispers = 3"},
                           {"keys", "synth", ""},
                           {"room", "hall", ""},
                           {"out", "output", ""}};
  std::string text = "format_version = 1\n";
  for (const Entry& e : entries)
    text += std::string("[[node]]\nname = \"") + e.name + "\"\ntype = \"" + e.type + "\"\n" +
            (*e.params != 0 ? std::string("params = { ") + e.params + " }\n" : "");
  arc.patch = parsePatch(text, "roles.toml");
  Graph graph;
  const auto ids = buildGraph(arc.patch, graph);
  const auto script = arc::makeComposerScript(arc, graph, ids);
  std::map<std::string, const arc::SectionBinding*> bound;
  for (const arc::SectionBinding& b : script->sections) bound[b.name] = &b;

  const std::map<std::string, NodeRole> expected = {
      {"oboe", NodeRole::kWinds},     {"pad", NodeRole::kPad},
      {"glass", NodeRole::kCrystal},  {"bowed", NodeRole::kBowedCrystal},
      {"shards", NodeRole::kShards},  {"strings", NodeRole::kStrings},
      {"brass", NodeRole::kBrass},    {"drums", NodeRole::kTimpani},
      {"crowd", NodeRole::kAudience}, {"keys", NodeRole::kKeys}};
  CHECK(bound.size() == expected.size());  // the hall and the output are not played
  for (const auto& [name, role] : expected) {
    INFO(name);
    REQUIRE(bound.count(name) == 1);
    CHECK(bound[name]->role == role);
  }
  // The indices the composer drives name the rows it means, in the types of those roles.
  const auto rowOf = [&](const std::string& name, int index) {
    const Node& node = graph.node(ids.at(name));
    REQUIRE(index >= 0);
    REQUIRE(static_cast<std::size_t>(index) < node.parameters().size());
    return std::string(node.parameters()[static_cast<std::size_t>(index)].id);
  };
  CHECK(rowOf("strings", bound["strings"]->tremolo) == "tremolo");
  CHECK(rowOf("strings", bound["strings"]->tremoloRate) == "tremolo_rate");
  CHECK(rowOf("brass", bound["brass"]->articulation) == "articulation");
  CHECK(rowOf("drums", bound["drums"]->pattern) == "pattern");
  CHECK(rowOf("drums", bound["drums"]->heartRate) == "heart_rate");
  for (const auto& [index, id] : {std::pair{bound["crowd"]->murmur, "murmur"},
                                  {bound["crowd"]->applause, "applause"},
                                  {bound["crowd"]->cheers, "cheers"},
                                  {bound["crowd"]->coughs, "coughs"},
                                  {bound["crowd"]->whispers, "whispers"}})
    CHECK(rowOf("crowd", index) == id);
  // The audience's rates as the patch set them.
  CHECK(bound["crowd"]->coughRate == 7.0f);
  CHECK(bound["crowd"]->whisperRate == 3.0f);
  // Other roles drive none of them.
  CHECK(bound["oboe"]->tremolo == -1);
  CHECK(bound["keys"]->articulation == -1);
}

TEST_CASE("node tables: the one level range is heard: +6 dB on a synth, +12 dB on strings") {
  constexpr double kRate = 48000.0;
  const auto play = [&](std::string_view type, float levelDb) {
    auto node = test::makeNode(type, kRate, {{"level", levelDb}});
    return test::renderNodeDirect(*node, {test::noteAt(0, 57, 0.8f)},
                                  static_cast<std::size_t>(kRate), [] { return 256; });
  };
  const std::size_t from = static_cast<std::size_t>(0.5 * kRate), to = 2 * from;
  // The synth's level went to 0 dB before: +6 dB now sounds 18 dB over its -12 dB default.
  const double synthRise = test::rmsDb(play("synth", 6.0f).left, from, to) -
                           test::rmsDb(play("synth", -12.0f).left, from, to);
  // A section's level reaches down to -96 dB (silence) and up to +12 dB.
  const test::Stereo loud = play("strings", 12.0f), plain = play("strings", 0.0f);
  const double stringsRise = test::rmsDb(loud.left, from, to) - test::rmsDb(plain.left, from, to);
  const float silent = test::peakAbs(play("strings", -96.0f).left);
  MESSAGE("synth +6 dB vs -12 dB: " << synthRise << " dB; strings +12 vs 0 dB: " << stringsRise
                                    << " dB; strings at -96 dB peak " << silent);
  CHECK(synthRise == doctest::Approx(18.0).epsilon(0.0005));
  CHECK(stringsRise == doctest::Approx(12.0).epsilon(0.0005));
  CHECK(silent == 0.0f);
}

}  // namespace reverie
