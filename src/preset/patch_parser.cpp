// Patch presets from TOML: the file, its format version and its top-level keys.
#include <algorithm>

#include "preset/patch_sections.hpp"
#include "preset/toml_document.hpp"

namespace reverie {
namespace {

using preset::DiagnosticList;

const std::vector<std::string> kTopLevelKeys = {"format_version", "description", "render", "node",
                                                "connect",        "score",       "map"};

}  // namespace

namespace preset {

// Limits are generous but finite: a typo of 30000 for 30 should not render for eight hours.
void readRender(const toml::node& section, PatchReader& reader) {
  constexpr double kMaxLengthSeconds = 3600.0;
  constexpr double kMaxTailSeconds = 600.0;
  DiagnosticList& diagnostics = reader.diagnostics;
  const auto* table = section.as_table();
  if (table == nullptr) {
    diagnostics.add(section.source(),
                    "'render' must be a table ([render]), not " + describeType(section));
    return;
  }
  checkKeys(*table, {"length", "tail"}, "[render]", diagnostics);
  if (const toml::node* length = table->get("length")) {
    const std::optional<double> seconds =
        readNumber(*length, "[render] length", "seconds, above 0 and at most 3600", diagnostics);
    if (seconds && (*seconds <= 0.0 || *seconds > kMaxLengthSeconds)) {
      diagnostics.add(length->source(), "[render] length = " + formatNumber(*seconds) +
                                            " s is out of range (above 0 and at most 3600 s)");
    } else if (seconds) {
      reader.patch.lengthSeconds = *seconds;
    }
  }
  if (const toml::node* tail = table->get("tail")) {
    const std::optional<double> seconds =
        readNumber(*tail, "[render] tail", "seconds, 0 to 600", diagnostics);
    if (seconds && (*seconds < 0.0 || *seconds > kMaxTailSeconds)) {
      diagnostics.add(tail->source(), "[render] tail = " + formatNumber(*seconds) +
                                          " s is out of range (0 to 600 s)");
    } else if (seconds) {
      reader.patch.tailSeconds = *seconds;
    }
  }
}

std::vector<std::string> PatchReader::nodeNames() const {
  std::vector<std::string> names;
  for (const auto& [name, declared] : nodes) names.push_back(name);
  return names;
}

}  // namespace preset

Patch parsePatch(std::string_view text, const std::string& sourceName) {
  DiagnosticList diagnostics(sourceName);
  Patch patch;
  patch.name = std::filesystem::path(sourceName).stem().string();
  patch.sourcePath = sourceName;

  const preset::DocumentTop top =
      preset::readDocumentTop(text, sourceName, "preset", kPresetFormatVersion,
                              " and at least one [[node]]", kTopLevelKeys, diagnostics);
  const toml::table& root = top.root;
  patch.formatVersion = top.formatVersion;
  if (top.description) patch.description = *top.description;

  preset::PatchReader reader{diagnostics, patch, {}};
  if (const toml::node* render = root.get("render")) preset::readRender(*render, reader);
  if (const toml::node* nodes = root.get("node")) {
    preset::readNodes(*nodes, reader);
    // Without an output node the patch renders silence; say so rather than write a mute file.
    const bool allTypesKnown = std::all_of(reader.nodes.begin(), reader.nodes.end(),
                                           [](const auto& n) { return n.second.type != nullptr; });
    const bool hasOutput = std::any_of(reader.nodes.begin(), reader.nodes.end(), [](const auto& n) {
      return n.second.type && n.second.type->isOutput;
    });
    if (allTypesKnown && !reader.nodes.empty() && !hasOutput)
      diagnostics.add(nodes->source(),
                      "no output node, so nothing would be heard; add a [[node]] "
                      "with type = \"output\" and connect to its left and right");
  } else {
    diagnostics.add(1, 1,
                    "no [[node]] in preset; add at least one [[node]] with a name and a type");
  }
  if (const toml::node* connections = root.get("connect"))
    preset::readConnections(*connections, reader);
  if (const toml::node* score = root.get("score")) preset::readScore(*score, reader);
  if (const toml::node* maps = root.get("map")) preset::readMaps(*maps, reader);

  diagnostics.throwIfAny();
  std::stable_sort(
      patch.score.begin(), patch.score.end(),
      [](const ScoreEntry& a, const ScoreEntry& b) { return a.atSeconds < b.atSeconds; });
  return patch;
}

Patch loadPatch(const std::filesystem::path& path) {
  const std::string name = path.string();
  DiagnosticList diagnostics(name);
  return parsePatch(preset::readTextFile(path, "preset", diagnostics), name);
}

}  // namespace reverie
