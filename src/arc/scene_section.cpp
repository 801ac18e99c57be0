// [[scene]] entries: length, tempo, the four curves, key, sections, textures and automation.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "arc/arc_reader.hpp"
#include "preset/patch_sections.hpp"

namespace reverie::arc {
namespace {

using preset::DiagnosticList;
using preset::inQuotes;
using preset::joinNames;

const std::vector<std::string> kSceneKeys = {"name",     "bars",      "seconds",       "tempo",
                                             "tension",  "dynamics",  "density",       "brightness",
                                             "key",      "transpose", "sections",      "texture",
                                             "automate", "hold",      "hold_max_bars", "exit"};
const std::vector<std::string> kCurveKeys = {"from", "to", "shape"};
constexpr int kMaxBars = kMaxSceneBars;
constexpr double kMaxSceneSeconds = 3600.0;
constexpr float kDefaultCurveValue = 0.5f;

/// A plain number is held for the whole scene; a table moves from one value to another.
std::optional<Curve> readCurve(const toml::node& value, const std::string& what,
                               DiagnosticList& diagnostics) {
  const char* const range = "0 to 1";
  if (const auto* table = value.as_table()) {
    preset::checkKeys(*table, kCurveKeys, what, diagnostics);
    Curve curve;
    bool ok = true;
    for (const char* key : {"from", "to"}) {
      const toml::node* end = table->get(key);
      if (end == nullptr) {
        diagnostics.add(table->source(), what + " has no " + key +
                                             "; write { from = 0.2, to = 0.6 }, or a plain "
                                             "number for a held value");
        ok = false;
        continue;
      }
      const auto number = readNumberIn(*end, what + " " + key, 0.0, 1.0, range, diagnostics);
      if (number)
        (std::string_view(key) == "from" ? curve.from : curve.to) = static_cast<float>(*number);
      ok = ok && number.has_value();
    }
    if (const toml::node* shape = table->get("shape")) {
      const auto read = readCurveShape(*shape, what, diagnostics);
      if (read) curve.shape = *read;
      ok = ok && read.has_value();
    }
    return ok ? std::optional<Curve>(curve) : std::nullopt;
  }
  if (!value.is_number()) {
    diagnostics.add(value.source(), what + " must be a number (" + range +
                                        ") or a table { from = ..., to = ..., shape = ... }, "
                                        "not " +
                                        preset::describeType(value));
    return std::nullopt;
  }
  const auto number = readNumberIn(value, what, 0.0, 1.0, range, diagnostics);
  if (!number) return std::nullopt;
  const auto held = static_cast<float>(*number);
  return Curve{held, held, CurveShape::kHold};
}

struct LocatedName {
  std::string name;
  const toml::node* where;
};

// A list of names in quotes; one name alone may be written without the brackets. Entries that
// are not strings are reported and left out, so the others are still checked.
std::optional<std::vector<LocatedName>> readNameList(const toml::node& value, std::string_view what,
                                                     std::string_view example,
                                                     DiagnosticList& diagnostics) {
  if (const auto* text = value.as_string()) return std::vector<LocatedName>{{text->get(), &value}};
  const auto* array = value.as_array();
  if (array == nullptr) {
    diagnostics.add(value.source(), "'" + std::string(what) + "' must be a list of names, e.g. " +
                                        std::string(example) + ", not " +
                                        preset::describeType(value));
    return std::nullopt;
  }
  std::vector<LocatedName> names;
  for (const toml::node& element : *array) {
    const auto name =
        preset::readString(element, "each of '" + std::string(what) + "'", diagnostics);
    if (name) names.push_back({*name, &element});
  }
  return names;
}

bool listedBefore(const std::vector<LocatedName>& names, const LocatedName& name,
                  std::string_view what, DiagnosticList& diagnostics) {
  const auto first = std::find_if(names.begin(), names.end(), [&](const LocatedName& other) {
    return other.name == name.name;
  });
  if (first->where == name.where) return false;
  diagnostics.add(name.where->source(),
                  std::string(what) + " " + inQuotes(name.name) + " is listed twice; remove one");
  return true;
}

void readSections(const toml::node& value, Scene& scene, ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const auto names = readNameList(value, "sections", "[\"strings\", \"brass\"]", diagnostics);
  if (!names) return;
  const std::vector<std::string> playable = reader.sectionNames();
  const std::string patch = inQuotes(reader.arc.patchName);
  for (const LocatedName& section : *names) {
    if (listedBefore(*names, section, "section", diagnostics)) continue;
    if (!reader.patchLoaded) continue;  // its failure is reported; nothing to check against
    const NodeType* type = reader.nodeType(section.name);
    const std::string quoted = inQuotes(section.name);
    if (type == nullptr) {
      const std::string hint = preset::suggestion(section.name, playable);
      diagnostics.add(section.where->source(),
                      "section " + quoted + " is not a node of patch " + patch +
                          (hint.empty() ? "; its sections: " + joinNames(playable) : hint));
    } else if (std::find(playable.begin(), playable.end(), section.name) == playable.end()) {
      diagnostics.add(section.where->source(),
                      "section " + quoted + " is " + preset::withArticle(type->name) +
                          " node, which plays no notes; name sections that do (" +
                          joinNames(playable) + ")");
    } else {
      scene.sections.push_back(section.name);
    }
  }
}

void readTextures(const toml::node& value, Scene& scene, DiagnosticList& diagnostics) {
  std::vector<std::string> known;
  for (const TextureInfo& info : textureTable()) known.emplace_back(info.name);
  const auto names = readNameList(value, "texture", "[\"tremolo\", \"stabs\"]", diagnostics);
  if (!names) return;
  if (names->empty()) {
    diagnostics.add(value.source(),
                    "'texture' is empty; name at least one, e.g. [\"chorale\"], "
                    "or [\"silence\"] for a scene that plays nothing new");
    return;
  }
  for (const LocatedName& texture : *names) {
    if (listedBefore(*names, texture, "texture", diagnostics)) continue;
    const auto& table = textureTable();
    const auto info = std::find_if(table.begin(), table.end(),
                                   [&](const TextureInfo& i) { return i.name == texture.name; });
    if (info != table.end()) {
      scene.textures.push_back(info->texture);
      continue;
    }
    const std::string hint = preset::suggestion(texture.name, known);
    diagnostics.add(texture.where->source(),
                    "unknown texture " + inQuotes(texture.name) +
                        (hint.empty() ? "; textures: " + joinNames(known) : hint));
  }
}

// Exactly one of bars and seconds; seconds become the nearest whole bar at this scene's tempo,
// since the timeline puts every scene on a bar line.
void readLength(const toml::table& table, const std::string& place, Scene& scene,
                ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const toml::node* bars = table.get("bars");
  const toml::node* seconds = table.get("seconds");
  const std::string barsRange = "1 to " + std::to_string(kMaxBars) + " bars";
  if (bars != nullptr && seconds != nullptr) {
    diagnostics.add(seconds->source(),
                    place + " has both bars and seconds; keep one (seconds are rounded to bars)");
    return;
  }
  if (bars == nullptr && seconds == nullptr) {
    diagnostics.add(table.source(), place + " has no length; add bars = <" + barsRange +
                                        "> or seconds = <above 0, at most 3600>");
    return;
  }
  if (bars != nullptr) {
    if (auto count = readIntegerIn(*bars, "'bars'", 1, kMaxBars, barsRange, diagnostics))
      scene.bars = *count;
    return;
  }
  const char* const range = "above 0 and at most 3600 s";
  const auto length = preset::readNumber(*seconds, "'seconds'", range, diagnostics);
  if (!length) return;
  if (*length <= 0.0 || *length > kMaxSceneSeconds) {
    diagnostics.add(seconds->source(), "'seconds' = " + preset::formatNumber(*length) +
                                           " is out of range (" + range + ")");
    return;
  }
  const double count = std::max(1.0, std::round(*length / barSeconds(reader.arc, scene)));
  if (count > kMaxBars) {
    diagnostics.add(seconds->source(), "'seconds' = " + preset::formatNumber(*length) + " is " +
                                           preset::formatNumber(count) +
                                           " bars at this tempo and meter; a scene has " +
                                           barsRange);
    return;
  }
  scene.bars = static_cast<int>(count);
}

void readKey(const toml::table& table, const std::string& place, Scene& scene, ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const toml::node* key = table.get("key");
  const toml::node* transpose = table.get("transpose");
  if (key != nullptr && transpose != nullptr) {
    diagnostics.add(transpose->source(),
                    place +
                        " has both key and transpose; keep one (key = \"F#\" names the "
                        "scene's key, transpose = 6 shifts the home key)");
    return;
  }
  if (key != nullptr) {
    if (auto pitchClass = readKeyName(*key, "'key'", diagnostics))
      scene.transpose = (*pitchClass - reader.arc.homeKey + 12) % 12;
  } else if (transpose != nullptr) {
    if (auto semitones =
            readIntegerIn(*transpose, "'transpose'", -24, 24, "-24 to 24 semitones", diagnostics))
      scene.transpose = *semitones;
  }
}

void readScene(const toml::table& table, ArcReader& reader,
               std::map<std::string, int, std::less<>>& firstLines) {
  DiagnosticList& diagnostics = reader.diagnostics;
  Scene scene;
  scene.line = static_cast<int>(table.source().begin.line);
  const std::optional<std::string> name = preset::readEntryName(table, "scene", diagnostics);
  const std::string place = name ? "scene " + inQuotes(*name) : "[[scene]]";
  preset::checkKeys(table, kSceneKeys, place, diagnostics);
  if (name) {
    scene.name = *name;
    const auto [first, inserted] = firstLines.try_emplace(*name, scene.line);
    if (!inserted)
      diagnostics.add(table.get("name")->source(),
                      "duplicate scene name " + inQuotes(*name) + " (first used on line " +
                          std::to_string(first->second) + "); give each [[scene]] its own name");
  }

  scene.tempo = reader.arc.tempo;
  if (const toml::node* tempo = table.get("tempo"))
    if (auto value = readNumberIn(*tempo, "'tempo'", 20.0, 300.0,
                                  "20 to 300 quarter notes per minute", diagnostics))
      scene.tempo = *value;
  readLength(table, place, scene, reader);
  readSceneCues(table, place, scene, diagnostics);

  const std::pair<const char*, Curve*> curves[] = {{"tension", &scene.tension},
                                                   {"dynamics", &scene.dynamics},
                                                   {"density", &scene.density},
                                                   {"brightness", &scene.brightness}};
  for (const auto& [key, curve] : curves) {
    *curve = Curve{kDefaultCurveValue, kDefaultCurveValue, CurveShape::kHold};
    if (const toml::node* value = table.get(key))
      if (auto read = readCurve(*value, "'" + std::string(key) + "'", diagnostics)) *curve = *read;
  }
  readKey(table, place, scene, reader);

  if (const toml::node* sections = table.get("sections"))
    readSections(*sections, scene, reader);
  else
    scene.sections = reader.notePlayers();
  if (const toml::node* textures = table.get("texture"))
    readTextures(*textures, scene, diagnostics);
  else
    scene.textures = {Texture::kChorale};
  if (const toml::node* automate = table.get("automate"))
    for (const toml::table* entry : preset::tablesOf(*automate, "scene.automate", diagnostics))
      readAutomation(*entry, scene, reader);
  reader.arc.scenes.push_back(std::move(scene));
}

}  // namespace

void readScenes(const toml::node& section, ArcReader& reader) {
  const std::vector<const toml::table*> tables =
      preset::tablesOf(section, "scene", reader.diagnostics);
  if (const auto* array = section.as_array(); array != nullptr && array->empty())
    reader.diagnostics.add(section.source(),
                           "'scene' is empty; add at least one [[scene]] with "
                           "a name and bars");
  std::map<std::string, int, std::less<>> firstLines;
  for (const toml::table* table : tables) readScene(*table, reader, firstLines);
}

}  // namespace reverie::arc
