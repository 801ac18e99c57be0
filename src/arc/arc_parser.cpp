// Arc files from TOML: the top-level keys, the patch they play, [render], [music] and [theme].
#include <algorithm>
#include <sstream>

#include "arc/arc_reader.hpp"
#include "io/input_file.hpp"
#include "preset/patch_sections.hpp"
#include "preset/toml_document.hpp"
#include "reverie/node_registry.hpp"

namespace reverie {
namespace {

namespace fs = std::filesystem;
using preset::DiagnosticList;
using preset::inQuotes;

const std::vector<std::string> kTopLevelKeys = {
    "format_version", "description", "patch", "render", "music", "theme", "scene", "stingers"};
const char* const kTempoRange = "20 to 300 quarter notes per minute";
constexpr double kMinTempo = 20.0;
constexpr double kMaxTempo = 300.0;

// "file:line:col: message" of the first located problem, for quoting inside another message.
std::string quoteFirstProblem(const PresetError& error) {
  const std::vector<PresetDiagnostic>& all = error.diagnostics();
  if (all.empty()) return error.what();
  const auto located =
      std::find_if(all.begin(), all.end(), [](const auto& d) { return d.line > 0; });
  const PresetDiagnostic& first = located != all.end() ? *located : all.front();
  std::string text = first.file;
  if (first.line > 0) text += ':' + std::to_string(first.line) + ':' + std::to_string(first.column);
  text += ": " + first.message;
  if (all.size() > 1) text += " (and " + std::to_string(all.size() - 1) + " more in that file)";
  return text;
}

// A relative path is the arc's own business first: an arc and the patch beside it travel
// together, whatever folder reverie runs in; then the preset tree the arc sits in; anything
// else goes to the preset search. Returns
// nullopt with the reason in `problem` when nothing is found.
std::optional<fs::path> resolvePatch(const std::string& written, const std::string& arcSource,
                                     std::string& problem) {
  const fs::path given(written);
  const fs::path folder = fs::path(arcSource).parent_path();
  const bool besideArc = given.is_relative() && !folder.empty();
  std::error_code error;
  if (besideArc && fs::is_regular_file(folder / given, error)) return folder / given;
  // An arc in a preset tree (<tree>/arcs/) plays on that tree's patches first, so the shipped
  // arcs find theirs wherever reverie runs from, and a user's tree keeps its own.
  if (folder.filename() == "arcs" && !given.has_parent_path() && !given.has_extension()) {
    const fs::path tree = folder.parent_path();
    for (fs::recursive_directory_iterator it(tree, error), end; !error && it != end;
         it.increment(error))
      if (it->path().stem() == written && it->path().extension() == ".toml" &&
          it->path().parent_path() != folder && it->is_regular_file(error))
        return it->path();
  }
  try {
    return findPreset(written);
  } catch (const PresetError& notFound) {
    problem = notFound.diagnostics().empty() ? notFound.what() : notFound.diagnostics()[0].message;
    const bool looksLikePath = written.find('/') != std::string::npos || given.has_extension();
    if (besideArc && looksLikePath)
      problem += " (also looked beside the arc, in " + folder.string() + ")";
    return std::nullopt;
  }
}

void readPatch(const toml::table& root, arc::ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const toml::node* node = root.get("patch");
  if (node == nullptr) {
    diagnostics.add(1, 1,
                    "missing patch; add patch = \"<preset name or .toml path>\" naming the "
                    "patch the arc plays (`reverie presets` lists them)");
    return;
  }
  const std::optional<std::string> written = preset::readString(*node, "patch", diagnostics);
  if (!written) return;
  reader.arc.patchName = *written;
  std::string problem;
  const std::optional<fs::path> found = resolvePatch(*written, reader.arc.sourcePath, problem);
  if (!found) {
    diagnostics.add(node->source(), "cannot find patch " + inQuotes(*written) + ": " + problem);
    return;
  }
  const fs::path& path = *found;
  if (isArcFile(path)) {
    diagnostics.add(node->source(), "patch " + inQuotes(*written) + " (" + path.string() +
                                        ") is an arc, not a patch; name a patch with [[node]] "
                                        "tables, such as one in presets/patches");
    return;
  }
  try {
    reader.arc.patch = loadPatch(path);
    reader.patchLoaded = true;
    // The composer keeps the sections a scene plays as bits of a 64-bit mask.
    constexpr std::size_t kMaxPlayingNodes = 64;
    const std::size_t playing = reader.sectionNames().size();
    if (playing > kMaxPlayingNodes)
      diagnostics.add(node->source(), "patch " + inQuotes(*written) + " has " +
                                          std::to_string(playing) +
                                          " nodes that play (notes or the audience), more than "
                                          "the 64 an arc can direct; name a patch with at most 64");
  } catch (const PresetError& broken) {
    diagnostics.add(node->source(), "patch " + inQuotes(*written) +
                                        " does not load: " + quoteFirstProblem(broken) +
                                        "; fix the patch or name another");
  }
}

// The arc's tail lets the hall ring out; a minute is longer than any real reverberation.
void readRender(const toml::node& section, arc::ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const auto* table = section.as_table();
  if (table == nullptr) {
    diagnostics.add(section.source(),
                    "'render' must be a table ([render]), not " + preset::describeType(section));
    return;
  }
  preset::checkKeys(*table, {"tail"}, "[render]", diagnostics);
  if (const toml::node* tail = table->get("tail"))
    if (auto seconds =
            arc::readNumberIn(*tail, "[render] tail", 0.0, 60.0, "0 to 60 s", diagnostics))
      reader.arc.tailSeconds = *seconds;
}

// "N/D": N beats of 1/D notes per bar.
void readMeter(const toml::node& value, Arc& arc, DiagnosticList& diagnostics) {
  const std::optional<std::string> text = preset::readString(value, "meter", diagnostics);
  if (!text) return;
  const std::string example = "; write beats/unit such as \"4/4\", \"3/4\" or \"6/8\"";
  const std::size_t slash = text->find('/');
  int beats = 0;
  int unit = 0;
  const auto digitsOnly = [](std::string_view part) {
    return !part.empty() && part.size() <= 3 &&
           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (slash == std::string::npos || !digitsOnly(std::string_view(*text).substr(0, slash)) ||
      !digitsOnly(std::string_view(*text).substr(slash + 1))) {
    diagnostics.add(value.source(), "meter " + inQuotes(*text) + " is not a meter" + example);
    return;
  }
  beats = std::stoi(text->substr(0, slash));
  unit = std::stoi(text->substr(slash + 1));
  bool ok = true;
  if (beats < 1 || beats > 16) {
    diagnostics.add(value.source(), "meter " + inQuotes(*text) + " has " + std::to_string(beats) +
                                        " beats per bar; use 1 to 16");
    ok = false;
  }
  if (unit != 2 && unit != 4 && unit != 8 && unit != 16) {
    diagnostics.add(value.source(), "meter " + inQuotes(*text) + " has a beat unit of " +
                                        std::to_string(unit) + "; use 2, 4, 8 or 16");
    ok = false;
  }
  if (ok) {
    arc.beatsPerBar = beats;
    arc.beatUnit = unit;
  }
}

void readMusic(const toml::table& root, arc::ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  Arc& arc = reader.arc;
  const std::string tempoHint = std::string("tempo = <") + kTempoRange + ">";
  const toml::node* section = root.get("music");
  if (section == nullptr) {
    diagnostics.add(1, 1, "missing [music]; add [music] with " + tempoHint);
    return;
  }
  const auto* table = section->as_table();
  if (table == nullptr) {
    diagnostics.add(section->source(),
                    "'music' must be a table ([music]), not " + preset::describeType(*section));
    return;
  }
  preset::checkKeys(*table, {"tempo", "meter", "key", "mode", "clock"}, "[music]", diagnostics);
  if (const toml::node* tempo = table->get("tempo")) {
    if (auto value = arc::readNumberIn(*tempo, "[music] tempo", kMinTempo, kMaxTempo, kTempoRange,
                                       diagnostics))
      arc.tempo = *value;
  } else {
    diagnostics.add(table->source(), "[music] has no tempo; add " + tempoHint);
  }
  if (const toml::node* meter = table->get("meter")) readMeter(*meter, arc, diagnostics);
  if (const toml::node* key = table->get("key"))
    if (auto pitchClass = arc::readKeyName(*key, "[music] key", diagnostics))
      arc.homeKey = *pitchClass;
  if (const toml::node* mode = table->get("mode")) {
    const std::vector<std::string> modes = {"major", "minor"};
    if (auto text = preset::readString(*mode, "[music] mode", diagnostics)) {
      if (*text == "major" || *text == "minor") {
        arc.mode = *text == "major" ? Mode::kMajor : Mode::kMinor;
      } else {
        diagnostics.add(mode->source(), "[music] mode = " + inQuotes(*text) + " is not a mode" +
                                            preset::suggestion(*text, modes) + " (major or minor)");
      }
    }
  }
  // The clock: a node of the patch that plays notes, which ticks in `ticking` scenes.
  if (const toml::node* clock = table->get("clock")) {
    if (auto name = preset::readString(*clock, "[music] clock", diagnostics)) {
      const std::vector<std::string> playable = reader.sectionNames();
      if (reader.patchLoaded &&
          std::find(playable.begin(), playable.end(), *name) == playable.end()) {
        const std::string hint = preset::suggestion(*name, playable);
        diagnostics.add(clock->source(), "[music] clock = " + inQuotes(*name) +
                                             " is not a node of patch " + inQuotes(arc.patchName) +
                                             " that plays notes" +
                                             (hint.empty() ? "; name one of its sections" : hint));
      } else {
        arc.clock = *name;
      }
    }
  }
}

void readTheme(const toml::node& section, Arc& arc, DiagnosticList& diagnostics) {
  constexpr std::size_t kMaxNotes = 64;
  const auto* table = section.as_table();
  if (table == nullptr) {
    diagnostics.add(section.source(),
                    "'theme' must be a table ([theme]), not " + preset::describeType(section));
    return;
  }
  preset::checkKeys(*table, {"degrees", "beats"}, "[theme]", diagnostics);
  // Each list is read whole or not at all, so a bad entry cannot pass as a length mismatch.
  const auto readList = [&](const char* key, const char* singular, const char* range, auto readOne,
                            auto& out) {
    const toml::node* node = table->get(key);
    if (node == nullptr) return true;
    const auto* array = node->as_array();
    if (array == nullptr || array->empty() || array->size() > kMaxNotes) {
      diagnostics.add(node->source(), std::string("[theme] ") + key +
                                          " must be a list of 1 to 64 " + "numbers (" + range +
                                          ")");
      return false;
    }
    std::remove_reference_t<decltype(out)> values;
    bool ok = true;
    for (const toml::node& element : *array) {
      const auto value = readOne(element, std::string("[theme] ") + singular);
      if (value) values.push_back(*value);
      ok = ok && value.has_value();
    }
    if (ok) out = std::move(values);
    return ok;
  };
  const bool degreesOk = readList(
      "degrees", "degree", "whole scale degrees, -14 to 21; 0 is the tonic",
      [&](const toml::node& value, const std::string& what) {
        return arc::readIntegerIn(value, what, -14, 21, "-14 to 21; 0 is the tonic", diagnostics);
      },
      arc.theme.degrees);
  const bool beatsOk = readList(
      "beats", "beat length", "0.125 to 16 beats each",
      [&](const toml::node& value, const std::string& what) {
        return arc::readNumberIn(value, what, 0.125, 16.0, "0.125 to 16 beats", diagnostics);
      },
      arc.theme.beats);
  if (degreesOk && beatsOk && arc.theme.degrees.size() != arc.theme.beats.size()) {
    const toml::node* at = table->get("beats") ? table->get("beats") : table->get("degrees");
    diagnostics.add(at->source(), "[theme] has " + std::to_string(arc.theme.degrees.size()) +
                                      " degrees but " + std::to_string(arc.theme.beats.size()) +
                                      " beats; give every degree its length in beats");
  }
}

}  // namespace

namespace arc {

const NodeType* ArcReader::nodeType(std::string_view name) const {
  for (const NodeSpec& node : arc.patch.nodes)
    if (node.name == name) return findNodeType(node.type);
  return nullptr;
}

std::vector<std::string> ArcReader::nodeNames() const {
  std::vector<std::string> names;
  for (const NodeSpec& node : arc.patch.nodes) names.push_back(node.name);
  return names;
}

std::vector<std::string> ArcReader::sectionNames() const {
  std::vector<std::string> names;
  for (const NodeSpec& node : arc.patch.nodes) {
    const NodeType* type = findNodeType(node.type);
    if (type != nullptr && (type->acceptsNotes || type->role == NodeRole::kAudience))
      names.push_back(node.name);
  }
  return names;
}

std::vector<std::string> ArcReader::notePlayers() const {
  std::vector<std::string> names;
  for (const NodeSpec& node : arc.patch.nodes) {
    const NodeType* type = findNodeType(node.type);
    if (type != nullptr && type->acceptsNotes) names.push_back(node.name);
  }
  return names;
}

}  // namespace arc

Arc parseArc(std::string_view text, const std::string& sourceName) {
  DiagnosticList diagnostics(sourceName);
  Arc arc;
  arc.name = fs::path(sourceName).stem().string();
  arc.sourcePath = sourceName;
  arc.homeKey = 0;  // the format's default key is C

  const preset::DocumentTop top =
      preset::readDocumentTop(text, sourceName, "arc", kArcFormatVersion,
                              ", patch = \"...\", [music] with a tempo and at least one [[scene]]",
                              kTopLevelKeys, diagnostics);
  const toml::table& root = top.root;
  if (top.description) arc.description = *top.description;

  arc::ArcReader reader{diagnostics, arc};
  readPatch(root, reader);
  if (const toml::node* render = root.get("render")) readRender(*render, reader);
  readMusic(root, reader);
  if (const toml::node* theme = root.get("theme")) readTheme(*theme, arc, diagnostics);
  if (const toml::node* stingers = root.get("stingers")) arc::readStingers(*stingers, reader);
  if (const toml::node* scenes = root.get("scene")) {
    arc::readScenes(*scenes, reader);
  } else {
    diagnostics.add(1, 1, "no [[scene]] in arc; add at least one [[scene]] with a name and bars");
  }
  diagnostics.throwIfAny();
  return arc;
}

Arc loadArc(const std::filesystem::path& path) {
  const std::string name = path.string();
  DiagnosticList diagnostics(name);
  return parseArc(preset::readTextFile(path, "arc", diagnostics), name);
}

// Only [[scene]] tables make an arc and only [[node]] tables make a patch, so the first of
// either header decides, without parsing the TOML.
bool isArcFile(const std::filesystem::path& path) {
  std::istringstream stream;
  try {
    stream.str(io::readInputFile(path, preset::kMaxTomlFileBytes));
  } catch (const io::InputFileError&) {
    return false;  // not readable: loading it as a patch reports why
  }
  std::string line;
  while (stream && std::getline(stream, line)) {
    std::string_view rest(line);
    const auto trim = [](std::string_view text) {
      const std::size_t begin = text.find_first_not_of(" \t\r");
      if (begin == std::string_view::npos) return std::string_view();
      return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
    };
    rest = trim(rest);
    if (!rest.starts_with("[[")) continue;
    const std::size_t close = rest.find("]]");
    if (close == std::string_view::npos) continue;
    const std::string_view header = trim(rest.substr(2, close - 2));
    if (header == "scene") return true;
    if (header == "node") return false;
  }
  return false;
}

}  // namespace reverie
