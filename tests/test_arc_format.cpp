// Arc files: every broken arc in the corpus fails with located one-line errors, valid arcs read
// back exactly (lengths in seconds as whole bars, curves, keys, defaults, automation), and the
// patch is found by name, beside the arc, or reported where the arc names it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>

#include "reverie/arc.hpp"
#include "reverie/node_registry.hpp"
#include "support/command.hpp"
#include "support/preset_errors.hpp"

namespace fs = std::filesystem;

using namespace reverie;

namespace {

const fs::path kCorpus = fs::path(REVERIE_TEST_DATA_DIR) / "broken_arcs";
const fs::path kPresets = fs::path(REVERIE_SOURCE_DIR) / "presets";

/// Puts the source tree's presets on the search path for one test, as `reverie` sees them
/// when installed, and restores the variable afterwards.
struct SourcePresets {
  std::optional<std::string> previous;
  SourcePresets() {
    if (const char* old = std::getenv("REVERIE_PRESET_PATH")) previous = old;
    ::setenv("REVERIE_PRESET_PATH", kPresets.c_str(), 1);
  }
  ~SourcePresets() {
    if (previous) {
      ::setenv("REVERIE_PRESET_PATH", previous->c_str(), 1);
    } else {
      ::unsetenv("REVERIE_PRESET_PATH");
    }
  }
};

using test::diagnosticsOf;
using test::expectation;

const char* const kHead = "format_version = 1\npatch = \"full-orchestra\"\n";

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

int choiceIndex(std::string_view type, std::string_view id, std::string_view choice) {
  const NodeType* nodeType = findNodeType(type);
  const auto& choices = nodeType->parameters[findParameter(nodeType->parameters, id)].choices;
  return static_cast<int>(std::find(choices.begin(), choices.end(), choice) - choices.begin());
}

void checkCurve(const Curve& curve, float from, float to, CurveShape shape) {
  CHECK(curve.from == doctest::Approx(from));
  CHECK(curve.to == doctest::Approx(to));
  CHECK(curveShapeName(curve.shape) == curveShapeName(shape));
}

}  // namespace

TEST_CASE("arc format: every broken arc fails with its expected, located, one-line errors") {
  const SourcePresets presets;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 30);

  for (const fs::path& file : files) {
    INFO("arc: ", file.string());
    const std::string expected = expectation(file);
    REQUIRE_FALSE(expected.empty());
    const std::string text = test::readText(file);
    const auto lineCount = std::count(text.begin(), text.end(), '\n') + 1;
    std::string what;
    const std::vector<PresetDiagnostic> diagnostics = diagnosticsOf([&] { loadArc(file); }, &what);
    REQUIRE_FALSE(diagnostics.empty());
    std::string joined;
    for (const PresetDiagnostic& diagnostic : diagnostics) {
      const std::string line = diagnostic.format();
      INFO("diagnostic: ", line);
      CHECK(diagnostic.file == file.string());
      CHECK(diagnostic.line >= 1);
      CHECK(diagnostic.line <= lineCount);
      CHECK(diagnostic.column >= 1);
      CHECK(line.rfind(file.string() + ":" + std::to_string(diagnostic.line) + ":" +
                           std::to_string(diagnostic.column) + ": error: ",
                       0) == 0);
      CHECK(std::none_of(line.begin(), line.end(),
                         [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
      joined += (joined.empty() ? "" : "\n") + line;
    }
    CHECK(what == joined);
    CHECK_MESSAGE(what.find(expected) != std::string::npos, "expected '", expected, "' in:\n",
                  what);
  }
}

TEST_CASE("arc format: an arc with several mistakes reports every one, in file order") {
  const SourcePresets presets;
  std::string what;
  const auto diagnostics = diagnosticsOf([] { loadArc(kCorpus / "several_errors.toml"); }, &what);
  CHECK(diagnostics.size() == 4);
  for (const char* part : {"'bars' = 0 is out of range", "'tension' = 2 is out of range",
                           "unknown texture 'fanfare'", "section 'organ' is not a node"})
    CHECK_MESSAGE(what.find(part) != std::string::npos, part);
  CHECK(std::is_sorted(diagnostics.begin(), diagnostics.end(), [](const auto& a, const auto& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  }));
}

TEST_CASE("arc format: a newer format_version is the only error reported") {
  const SourcePresets presets;
  const auto diagnostics = diagnosticsOf([] { loadArc(kCorpus / "format_version_too_new.toml"); });
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].line == 2);
}

TEST_CASE("arc format: a missing arc file is one error without a position") {
  const fs::path missing = kCorpus / "no_such_arc.toml";
  const auto diagnostics = diagnosticsOf([&] { loadArc(missing); });
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].line == 0);
  CHECK(diagnostics[0].format() ==
        missing.string() + ": error: cannot open arc: No such file or directory");
}

TEST_CASE("arc format: a patch that cannot be found or loaded is reported at the patch key") {
  const SourcePresets presets;
  const std::string rest = "\n[music]\ntempo = 92\n[[scene]]\nname = \"a\"\nbars = 2\n";

  std::string what;
  const auto unknown = diagnosticsOf(
      [&] { parseArc("format_version = 1\npatch = \"full-orchestr\"" + rest, "night.toml"); },
      &what);
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].line == 2);
  CHECK(unknown[0].column == 9);
  CHECK(what.find("did you mean 'full-orchestra'?") != std::string::npos);
  CHECK(what.find(kPresets.string()) != std::string::npos);  // the folders searched
  CHECK(what.find("REVERIE_PRESET_PATH") != std::string::npos);

  // The patch's own first error, with its position, travels inside the arc's one line.
  const auto broken = diagnosticsOf([] { loadArc(kCorpus / "patch_broken.toml"); }, &what);
  REQUIRE(broken.size() == 1);
  CHECK(broken[0].line == 3);
  const std::string quoted = (kCorpus / "patches/broken-patch.toml").string() +
                             ":7:21: 'cutoff' = 90000 Hz is out of range for synth";
  CHECK_MESSAGE(what.find(quoted) != std::string::npos, what);

  // Nothing about sections or automation follows: there is no patch to check them against.
  const auto quiet = diagnosticsOf([&] {
    parseArc(
        "format_version = 1\npatch = \"no-such-patch\"" + rest +
            "sections = [\"anything\"]\n[[scene.automate]]\ntarget = \"x.y\"\nfrom = 0\nto = 1\n",
        "night.toml");
  });
  CHECK(quiet.size() == 1);
}

TEST_CASE("arc format: a relative patch path is taken from the arc's folder first") {
  const SourcePresets presets;
  const test::ScratchFolder folder;
  const std::string patch = test::readText(kPresets / "patches/first-light.toml");
  write(folder / "arcs/patches/local.toml", patch);
  write(folder / "patches/shared.toml", patch);
  const std::string rest = "\n[music]\ntempo = 92\n[[scene]]\nname = \"a\"\nbars = 2\n";
  write(folder / "arcs/beside.toml", "format_version = 1\npatch = \"patches/local.toml\"" + rest);
  write(folder / "arcs/above.toml",
        "format_version = 1\npatch = \"../patches/shared.toml\"" + rest);
  write(folder / "arcs/loop.toml", "format_version = 1\npatch = \"beside.toml\"" + rest);
  write(folder / "arcs/lost.toml", "format_version = 1\npatch = \"patches/gone.toml\"" + rest);

  const Arc beside = loadArc(folder / "arcs/beside.toml");
  CHECK(beside.patchName == "patches/local.toml");
  CHECK(beside.patch.sourcePath == (folder / "arcs/patches/local.toml").string());
  CHECK(beside.patch.name == "local");
  CHECK_FALSE(beside.patch.nodes.empty());
  CHECK(loadArc(folder / "arcs/above.toml").patch.name == "shared");

  std::string what;
  const auto arcAsPatch = diagnosticsOf([&] { loadArc(folder / "arcs/loop.toml"); }, &what);
  REQUIRE(arcAsPatch.size() == 1);
  CHECK(what.find("is an arc, not a patch") != std::string::npos);

  const auto lost = diagnosticsOf([&] { loadArc(folder / "arcs/lost.toml"); }, &what);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].line == 2);
  CHECK(what.find("cannot find patch 'patches/gone.toml'") != std::string::npos);
  CHECK(what.find("also looked beside the arc, in " + (folder / "arcs").string()) !=
        std::string::npos);
}

TEST_CASE("arc format: a valid arc reads back every value it sets") {
  const SourcePresets presets;
  const std::string text = std::string(kHead) + R"(description = "A storm at sea"

[render]
tail = 4.5

[music]
tempo = 90
meter = "3/4"
key = "D"
mode = "minor"

[theme]
degrees = [0, 2, 4, -3]
beats = [1, 0.5, 0.5, 2]

[[scene]]
name = "calm"
bars = 8
tension = { from = 0.1, to = 0.4, shape = "s-curve" }
dynamics = 0.3
density = { from = 0.2, to = 0.5 }
sections = ["strings", "winds", "audience"]
texture = ["chorale", "murmur"]

[[scene]]
name = "storm"
seconds = 20.0
tempo = 120
key = "F#"
brightness = { from = 0.5, to = 1, shape = "exp" }
texture = ["tremolo", "stabs"]

[[scene.automate]]
target = "hall.mix"
from = 0.3
to = 0.6
shape = "s-curve"

[[scene.automate]]
target = "brass.articulation"
from = "sustain"
to = "stab"

[[scene]]
name = "after"
bars = 2
transpose = -5
texture = "silence"
)";
  const Arc arc = parseArc(text, "arcs/sea-storm.toml");
  CHECK(arc.name == "sea-storm");
  CHECK(arc.sourcePath == "arcs/sea-storm.toml");
  CHECK(arc.description == "A storm at sea");
  CHECK(arc.patchName == "full-orchestra");
  CHECK(arc.patch.name == "full-orchestra");
  CHECK(arc.patch.nodes.size() == 9);
  CHECK(arc.tailSeconds == 4.5);
  CHECK(arc.tempo == 90.0);
  CHECK(arc.beatsPerBar == 3);
  CHECK(arc.beatUnit == 4);
  CHECK(arc.homeKey == 2);
  CHECK(arc.mode == Mode::kMinor);
  CHECK(arc.theme.degrees == std::vector<int>{0, 2, 4, -3});
  CHECK(arc.theme.beats == std::vector<double>{1.0, 0.5, 0.5, 2.0});
  REQUIRE(arc.scenes.size() == 3);

  const Scene& calm = arc.scenes[0];
  CHECK(calm.name == "calm");
  CHECK(calm.line == 18);
  CHECK(calm.bars == 8);
  CHECK(calm.tempo == 90.0);
  checkCurve(calm.tension, 0.1f, 0.4f, CurveShape::kSCurve);
  checkCurve(calm.dynamics, 0.3f, 0.3f, CurveShape::kHold);
  checkCurve(calm.density, 0.2f, 0.5f, CurveShape::kLinear);
  checkCurve(calm.brightness, 0.5f, 0.5f, CurveShape::kHold);
  CHECK(calm.transpose == 0);
  CHECK(calm.sections == std::vector<std::string>{"strings", "winds", "audience"});
  CHECK(calm.textures == std::vector<Texture>{Texture::kChorale, Texture::kMurmur});
  CHECK(calm.automation.empty());

  const Scene& storm = arc.scenes[1];
  CHECK(storm.tempo == 120.0);
  CHECK(storm.bars == 13);      // 3/4 at 120: 1.5 s a bar, 20 s is 13.3 bars
  CHECK(storm.transpose == 4);  // F# is four semitones above D
  checkCurve(storm.brightness, 0.5f, 1.0f, CurveShape::kExponential);
  CHECK(storm.sections ==
        std::vector<std::string>{"strings", "winds", "brass", "choir", "timpani"});
  CHECK(storm.textures == std::vector<Texture>{Texture::kTremolo, Texture::kStabs});
  REQUIRE(storm.automation.size() == 2);
  CHECK(storm.automation[0].node == "hall");
  CHECK(storm.automation[0].parameter == "mix");
  checkCurve(storm.automation[0].curve, 0.3f, 0.6f, CurveShape::kSCurve);
  CHECK(storm.automation[1].node == "brass");
  CHECK(storm.automation[1].parameter == "articulation");
  // A choice by name is stored as its index and held: it cannot glide between choices.
  checkCurve(storm.automation[1].curve,
             static_cast<float>(choiceIndex("brass", "articulation", "sustain")),
             static_cast<float>(choiceIndex("brass", "articulation", "stab")), CurveShape::kHold);
  CHECK(storm.automation[1].curve.to != storm.automation[1].curve.from);

  CHECK(arc.scenes[2].transpose == -5);
  CHECK(arc.scenes[2].textures == std::vector<Texture>{Texture::kSilence});
}

TEST_CASE("arc format: what an arc leaves out takes the documented defaults") {
  const SourcePresets presets;
  const Arc arc =
      parseArc(std::string(kHead) + "[music]\ntempo = 72\n[[scene]]\nname = \"only\"\nbars = 3\n",
               "plain.toml");
  CHECK(arc.description.empty());
  CHECK(arc.tailSeconds == 6.0);
  CHECK(arc.beatsPerBar == 4);
  CHECK(arc.beatUnit == 4);
  CHECK(arc.homeKey == 0);
  CHECK(arc.mode == Mode::kMajor);
  CHECK(arc.theme.degrees == Theme().degrees);
  CHECK(arc.theme.beats == Theme().beats);
  REQUIRE(arc.scenes.size() == 1);
  const Scene& scene = arc.scenes[0];
  CHECK(scene.tempo == 72.0);
  CHECK(scene.bars == 3);
  for (const Curve* curve : {&scene.tension, &scene.dynamics, &scene.density, &scene.brightness})
    checkCurve(*curve, 0.5f, 0.5f, CurveShape::kHold);
  CHECK(scene.transpose == 0);
  // Every node that plays notes, in the patch's order; the audience and the hall do not.
  CHECK(scene.sections ==
        std::vector<std::string>{"strings", "winds", "brass", "choir", "timpani"});
  CHECK(scene.textures == std::vector<Texture>{Texture::kChorale});
  CHECK(scene.automation.empty());
}

TEST_CASE("arc format: a length in seconds becomes the nearest whole bar, at least one") {
  const SourcePresets presets;
  struct Case {
    double tempo;
    const char* meter;
    double seconds;
    int bars;
  };
  // Bar length = beats * 60 / tempo * 4 / unit, worked by hand for each case.
  const Case cases[] = {
      {60, "4/4", 20.0, 5},      // 4 s bars
      {60, "4/4", 21.9, 5},      // 5.475 bars
      {60, "4/4", 22.1, 6},      // 5.525 bars
      {120, "4/4", 0.2, 1},      // a tenth of a bar is still one bar
      {90, "6/8", 30.0, 15},     // 2 s bars
      {300, "7/16", 3.5, 10},    // 0.35 s bars
      {20, "2/2", 3600.0, 300},  // 12 s bars
  };
  for (const Case& c : cases) {
    INFO("tempo ", c.tempo, " meter ", c.meter, " seconds ", c.seconds);
    const Arc arc = parseArc(
        std::string(kHead) + "[music]\ntempo = " + std::to_string(c.tempo) + "\nmeter = \"" +
            c.meter + "\"\n[[scene]]\nname = \"s\"\nseconds = " + std::to_string(c.seconds) + "\n",
        "seconds.toml");
    REQUIRE(arc.scenes.size() == 1);
    CHECK(arc.scenes[0].bars == c.bars);
    const Timeline timeline(arc, 48000.0);
    const double barSeconds = timeline.spans()[0].barSeconds;
    if (c.bars > 1) CHECK(std::abs(c.bars * barSeconds - c.seconds) <= barSeconds / 2);
  }
  // A scene's own tempo sets its bar length: the same 16 s at 60 and at 120 is 4 and 8 bars.
  const Arc two = parseArc(std::string(kHead) +
                               "[music]\ntempo = 60\n[[scene]]\nname = \"slow\"\nseconds = 16\n"
                               "[[scene]]\nname = \"fast\"\nseconds = 16\ntempo = 120\n",
                           "tempi.toml");
  CHECK(two.scenes[0].bars == 4);
  CHECK(two.scenes[1].bars == 8);
}

TEST_CASE("arc format: a scene's key is stored as its distance above the home key") {
  const SourcePresets presets;
  std::string text = std::string(kHead) + "[music]\ntempo = 100\nkey = \"Eb\"\n";
  const std::pair<const char*, int> keys[] = {{"\"Eb\"", 0}, {"\"E\"", 1},  {"\"D\"", 11},
                                              {"\"A#\"", 7}, {"\"Gb\"", 3}, {"\"C\"", 9}};
  int index = 0;
  for (const auto& [key, offset] : keys)
    text += "[[scene]]\nname = \"k" + std::to_string(index++) + "\"\nbars = 1\nkey = " + key + "\n";
  text += "[[scene]]\nname = \"down\"\nbars = 1\ntranspose = -24\n";
  text += "[[scene]]\nname = \"up\"\nbars = 1\ntranspose = 24\n";
  const Arc arc = parseArc(text, "keys.toml");
  CHECK(arc.homeKey == 3);
  REQUIRE(arc.scenes.size() == 8);
  for (std::size_t i = 0; i < 6; ++i) {
    INFO("key ", keys[i].first);
    CHECK(arc.scenes[i].transpose == keys[i].second);
  }
  CHECK(arc.scenes[6].transpose == -24);
  CHECK(arc.scenes[7].transpose == 24);
}

TEST_CASE("arc format: isArcFile tells arcs from patches by their tables") {
  const test::ScratchFolder folder;
  write(folder / "arc.toml",
        std::string(kHead) + "[music]\ntempo = 60\n  [[ scene ]]\nname = \"a\"\n");
  write(folder / "binary.toml", std::string("\x89PNG\r\n\x1a\n\0\0[[", 12));
  write(folder / "commented.toml", "# [[scene]] is how arcs start\n[[node]]\nname = \"out\"\n");
  CHECK(isArcFile(folder / "arc.toml"));
  CHECK(isArcFile(kCorpus / "several_errors.toml"));
  CHECK_FALSE(isArcFile(kPresets / "patches/full-orchestra.toml"));
  CHECK_FALSE(isArcFile(folder / "commented.toml"));
  CHECK_FALSE(isArcFile(folder / "binary.toml"));
  CHECK_FALSE(isArcFile(folder / "missing.toml"));
  CHECK_FALSE(isArcFile(folder.path()));
}
