// Preset files: every broken preset in the corpus fails with located one-line errors, valid
// patches parse into the right graph and score, and presets are found by name.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "preset/did_you_mean.hpp"
#include "reverie/node_registry.hpp"
#include "reverie/preset.hpp"
#include "support/preset_errors.hpp"

namespace fs = std::filesystem;
using namespace reverie;

namespace {

const fs::path kCorpus = fs::path(REVERIE_TEST_DATA_DIR) / "broken_presets";

std::string readText(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

using test::diagnosticsOf;
using test::expectation;

std::vector<PresetDiagnostic> diagnosticsOfText(const std::string& text) {
  return diagnosticsOf([&] { parsePatch(text, "inline.toml"); });
}

int parameterIndex(std::string_view type, std::string_view id) {
  return findParameter(findNodeType(type)->parameters, id);
}

int choiceIndex(std::string_view type, std::string_view id, std::string_view choice) {
  const auto& choices = findNodeType(type)->parameters[parameterIndex(type, id)].choices;
  return static_cast<int>(std::find(choices.begin(), choices.end(), choice) - choices.begin());
}

const char* const kValidPatch = R"(format_version = 1
description = "Saw lead and a little hiss"

[render]
length = 6.5
tail = 1.0

[[node]]
name = "lead"
type = "synth"
[node.params]
waveform = "saw"
cutoff = 1800.0
resonance = 0
voices = 4

[[node]]
name = "hiss"
type = "noise"
params = { colour = 1, level = -40 }

[[node]]
name = "out"
type = "output"

[[connect]]
from = "lead.left"
to = "out.left"

[[connect]]
from = "lead.right"
to = "out.right"

[[connect]]
from = "hiss.out"
to = "out.left"

[[score]]
at = 2.0
node = "lead"
param = "cutoff"
value = 400

[[score]]
at = 0.0
node = "lead"
note = "C4"
velocity = 0.5
length = 1.5

[[score]]
at = 0.0
node = "lead"
note = "F#3"

[[score]]
at = 1.0
node = "lead"
note = 67
)";

/// A fresh folder under the system temp folder, removed afterwards.
struct TempFolder {
  fs::path path;
  explicit TempFolder(const std::string& name)
      : path(fs::temp_directory_path() /
             ("reverie-preset-test-" + std::to_string(::getpid()) + "-" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative, std::ios::binary) << text;
  }
};

/// Sets an environment variable for one test and restores it afterwards.
struct ScopedEnvironment {
  std::string name;
  std::optional<std::string> previous;
  ScopedEnvironment(std::string variable, const std::string& value) : name(std::move(variable)) {
    if (const char* old = std::getenv(name.c_str())) previous = old;
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (previous) {
      ::setenv(name.c_str(), previous->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
};

}  // namespace

TEST_CASE("preset: every broken preset fails with its expected, located, one-line errors") {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 24);

  for (const fs::path& file : files) {
    INFO("preset: ", file.string());
    const std::string expected = expectation(file);
    REQUIRE_FALSE(expected.empty());
    const std::string text = readText(file);
    const auto lineCount = std::count(text.begin(), text.end(), '\n') + 1;
    std::string what;
    const std::vector<PresetDiagnostic> diagnostics =
        diagnosticsOf([&] { loadPatch(file); }, &what);
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
      CHECK(line.size() > file.string().size() + 20);
      CHECK(std::none_of(line.begin(), line.end(),
                         [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
      joined += (joined.empty() ? "" : "\n") + line;
    }
    CHECK(what == joined);
    CHECK_MESSAGE(what.find(expected) != std::string::npos, "expected '", expected, "' in:\n",
                  what);
  }
}

TEST_CASE("preset: a file with several mistakes reports every one, in file order") {
  std::string what;
  const auto diagnostics = diagnosticsOf([] { loadPatch(kCorpus / "several_errors.toml"); }, &what);
  CHECK(diagnostics.size() == 6);
  for (const char* part : {"unknown node type 'sinth'", "'frequency' = -20 Hz is out of range",
                           "'waveform' = 'squre' is not a choice for oscillator; did you mean "
                           "'square'?",
                           "connection to unknown node 'nowhere'", "'at' = -1 s is negative",
                           "note 200 is out of range"})
    CHECK_MESSAGE(what.find(part) != std::string::npos, part);
  CHECK(std::is_sorted(diagnostics.begin(), diagnostics.end(), [](const auto& a, const auto& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  }));
}

TEST_CASE("preset: a missing file is one error without a position") {
  const fs::path missing = kCorpus / "no_such_preset.toml";
  const auto diagnostics = diagnosticsOf([&] { loadPatch(missing); });
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].line == 0);
  CHECK(diagnostics[0].format() ==
        missing.string() + ": error: cannot open preset: No such file or directory");
}

TEST_CASE("preset: errors point at the value or key the user wrote") {
  const auto range = diagnosticsOfText(
      "format_version = 1\n[[node]]\nname = \"lead\"\ntype = \"synth\"\nparams = { cutoff = 90000 "
      "}\n[[node]]\nname = \"out\"\ntype = \"output\"\n");
  REQUIRE(range.size() == 1);
  CHECK(range[0].line == 5);
  CHECK(range[0].column == 21);
  CHECK(range[0].format() ==
        "inline.toml:5:21: error: 'cutoff' = 90000 Hz is out of range for "
        "synth (20 to 20000 Hz)");

  const auto key = diagnosticsOfText(
      "format_version = 1\n[[node]]\nname = \"lead\"\ntype = \"synth\"\n  tpye = 3\n"
      "[[node]]\nname = \"out\"\ntype = \"output\"\n");
  REQUIRE(key.size() == 1);
  CHECK(key[0].line == 5);
  CHECK(key[0].column == 3);
  CHECK(key[0].message == "unknown key 'tpye' in [[node]] 'lead'; did you mean 'type'?");
}

TEST_CASE("preset: a newer format_version is the only error reported") {
  const auto diagnostics =
      diagnosticsOf([] { loadPatch(kCorpus / "format_version_too_new.toml"); });
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].line == 2);
}

TEST_CASE("preset: a valid patch parses into nodes, parameters, connections and a sorted score") {
  const Patch patch = parsePatch(kValidPatch, "presets/patches/saw_lead.toml");
  CHECK(patch.name == "saw_lead");
  CHECK(patch.sourcePath == "presets/patches/saw_lead.toml");
  CHECK(patch.formatVersion == 1);
  CHECK(patch.description == "Saw lead and a little hiss");
  CHECK(patch.lengthSeconds == 6.5);
  CHECK(patch.tailSeconds == 1.0);

  REQUIRE(patch.nodes.size() == 3);
  CHECK(patch.nodes[0].name == "lead");
  CHECK(patch.nodes[0].type == "synth");
  using Values = std::vector<std::pair<std::string, float>>;
  CHECK(patch.nodes[0].parameters ==
        Values{{"waveform", static_cast<float>(choiceIndex("synth", "waveform", "saw"))},
               {"cutoff", 1800.0f},
               {"resonance", 0.0f},
               {"voices", 4.0f}});
  CHECK(patch.nodes[1].parameters == Values{{"colour", 1.0f}, {"level", -40.0f}});
  CHECK(patch.nodes[2].type == "output");
  CHECK(patch.nodes[2].parameters.empty());

  using Wires = std::vector<std::pair<std::string, std::string>>;
  CHECK(patch.connections ==
        Wires{{"lead.left", "out.left"}, {"lead.right", "out.right"}, {"hiss.out", "out.left"}});

  REQUIRE(patch.score.size() == 4);
  CHECK(patch.score[0].kind == ScoreEntry::Kind::kNote);
  CHECK(patch.score[0].key == 60);
  CHECK(patch.score[0].velocity == 0.5f);
  CHECK(patch.score[0].lengthSeconds == 1.5);
  CHECK(patch.score[1].key == 54);  // same time: file order kept
  CHECK(patch.score[1].velocity == 0.8f);
  CHECK(patch.score[1].lengthSeconds == 1.0);
  CHECK(patch.score[2].atSeconds == 1.0);
  CHECK(patch.score[2].key == 67);
  CHECK(patch.score[3].kind == ScoreEntry::Kind::kParameter);
  CHECK(patch.score[3].atSeconds == 2.0);
  CHECK(patch.score[3].node == "lead");
  CHECK(patch.score[3].parameter == "cutoff");
  CHECK(patch.score[3].value == 400.0f);
}

TEST_CASE("preset: note names follow scientific pitch (C4 = 60) and choices take an index") {
  const std::string head =
      "format_version = 1\n[[node]]\nname = \"lead\"\ntype = \"synth\"\n"
      "params = { waveform = 2 }\n[[node]]\nname = \"out\"\ntype = \"output\"\n";
  std::string text = head;
  for (const char* note :
       {"\"C-1\"", "\"Bb2\"", "\"bb2\"", "\"Cb4\"", "\"A4\"", "\"G9\"", "0", "127"})
    text += std::string("[[score]]\nat = 0\nnode = \"lead\"\nnote = ") + note + "\n";
  const Patch patch = parsePatch(text, "notes.toml");
  CHECK(patch.nodes[0].parameters[0].second == 2.0f);
  std::vector<int> keys;
  for (const ScoreEntry& entry : patch.score) keys.push_back(entry.key);
  CHECK(keys == std::vector<int>{0, 46, 46, 59, 69, 127, 0, 127});

  const auto tooHigh =
      diagnosticsOfText(head + "[[score]]\nat = 0\nnode = \"lead\"\nnote = \"G#9\"\n");
  REQUIRE(tooHigh.size() == 1);
  CHECK(tooHigh[0].message.find("out of range") != std::string::npos);
}

TEST_CASE("preset: buildGraph adds the nodes, values and connections, or nothing at all") {
  const Patch patch = parsePatch(kValidPatch, "saw_lead.toml");
  Graph graph;
  const auto ids = buildGraph(patch, graph);
  REQUIRE(ids.size() == 3);
  CHECK(graph.size() == 3);
  CHECK(graph.connections().size() == 3);
  const Node& lead = graph.node(ids.at("lead"));
  CHECK(lead.parameterTarget(parameterIndex("synth", "cutoff")) == 1800.0f);
  CHECK(lead.parameterTarget(parameterIndex("synth", "voices")) == 4.0f);
  CHECK(graph.entry(ids.at("hiss")).name == "hiss");

  Graph busy;
  busy.add("output", "out");
  CHECK_THROWS_AS(buildGraph(patch, busy), GraphError);
  CHECK(busy.size() == 1);
  CHECK(busy.connections().empty());
}

TEST_CASE("preset: didYouMean suggests the closest name within a third of the word") {
  const std::vector<std::string> parameters = {"frequency", "waveform", "detune", "level"};
  CHECK(didYouMean("frequncy", parameters) == "frequency");
  CHECK(didYouMean("wavefrom", parameters) == "waveform");
  CHECK(didYouMean("Level", parameters) == "level");
  CHECK(didYouMean("lvl", parameters) == "level");
  CHECK(didYouMean("gian", {"gain", "mixer"}) == "gain");
  CHECK(didYouMean("pan", {"pan1", "pan2"}) == "pan1");
  CHECK(didYouMean("level2", {"level1", "level2", "level3"}) == "level2");
  CHECK(didYouMean("resonnance", {"resonance", "release"}) == "resonance");
  CHECK(didYouMean("xyz", parameters).empty());
  CHECK(didYouMean("abcdef", {"uvwxyz"}).empty());
  CHECK(didYouMean("frequency", {}).empty());
  // A third of 12 letters is 4: four edits still match, five do not.
  CHECK(didYouMean("oscillatorXY", {"oscillat"}) == "oscillat");
  CHECK(didYouMean("oscillatorXYZ", {"oscillat"}).empty());
  std::vector<std::string> types;
  for (const NodeType* type : nodeTypes()) types.emplace_back(type->name);
  CHECK(didYouMean("oscilator", types) == "oscillator");
}

TEST_CASE("preset: findPreset uses paths as given and searches REVERIE_PRESET_PATH by name") {
  const TempFolder first("first");
  const TempFolder second("second");
  const std::string patch = "format_version = 1\n[[node]]\nname = \"out\"\ntype = \"output\"\n";
  first.write("patches/glass_bell.toml", "description = \"First bell\"\n" + patch);
  second.write("patches/glass_bell.toml", "description = \"Second bell\"\n" + patch);
  second.write("patches/deep/low_drone.toml", patch);
  const ScopedEnvironment environment("REVERIE_PRESET_PATH",
                                      first.path.string() + "::" + second.path.string());

  const auto folders = presetSearchPath();
  REQUIRE(folders.size() >= 3);
  CHECK(folders[0] == first.path);
  CHECK(folders[1] == second.path);
  CHECK(folders[2] == fs::path("presets"));

  CHECK(findPreset("glass_bell") == first.path / "patches/glass_bell.toml");
  CHECK(findPreset("patches/glass_bell") == first.path / "patches/glass_bell.toml");
  CHECK(findPreset("low_drone") == second.path / "patches/deep/low_drone.toml");
  const fs::path explicitPath = second.path / "patches/glass_bell.toml";
  CHECK(findPreset(explicitPath.string()) == explicitPath);
  CHECK(loadPatch(findPreset("glass_bell")).description == "First bell");

  std::string what;
  const auto unknown = diagnosticsOf([] { findPreset("glass_bel"); }, &what);
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].line == 0);
  CHECK(what.find("did you mean 'glass_bell'?") != std::string::npos);
  CHECK(what.find(first.path.string()) != std::string::npos);
  CHECK(what.find(second.path.string()) != std::string::npos);

  const fs::path missing = first.path / "nothing_here.toml";
  const auto absent = diagnosticsOf([&] { findPreset(missing.string()); }, &what);
  REQUIRE(absent.size() == 1);
  CHECK(what == missing.string() + ": error: cannot open preset: No such file or directory");
}

TEST_CASE("preset: listPresets reads descriptions, kinds, overrides and broken files") {
  const TempFolder first("list-first");
  const TempFolder second("list-second");
  first.write("patches/list_bell.toml", "format_version = 1\ndescription = \"First bell\"\n");
  first.write("arcs/list_night.toml",
              "description = \"A night arc\"\n[[scene]]\nname = \"dusk\"\n");
  second.write("patches/list_bell.toml", "description = \"Second bell\"\n");
  second.write("instruments/list_broken.toml", "description = \"never read\n[[node\n");
  second.write("instruments/notes.txt", "not a preset");
  const ScopedEnvironment environment("REVERIE_PRESET_PATH",
                                      first.path.string() + ":" + second.path.string());

  const std::vector<PresetInfo> presets = listPresets();
  CHECK(std::is_sorted(presets.begin(), presets.end(), [](const auto& a, const auto& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.name < b.name;
  }));
  std::map<std::string, PresetInfo> byName;
  for (const PresetInfo& info : presets) {
    CHECK(byName.count(info.name) == 0);
    byName[info.name] = info;
  }
  REQUIRE(byName.count("list_bell") == 1);
  CHECK(byName["list_bell"].kind == "patches");
  CHECK(byName["list_bell"].description == "First bell");
  CHECK(byName["list_bell"].path == first.path / "patches/list_bell.toml");
  REQUIRE(byName.count("list_night") == 1);
  CHECK(byName["list_night"].kind == "arcs");
  CHECK(byName["list_night"].description == "A night arc");
  REQUIRE(byName.count("list_broken") == 1);
  CHECK(byName["list_broken"].kind == "instruments");
  CHECK(byName["list_broken"].description.rfind("(broken: line ", 0) == 0);
  CHECK(byName["list_broken"].description.find('\n') == std::string::npos);
  CHECK(byName.count("notes") == 0);
}
