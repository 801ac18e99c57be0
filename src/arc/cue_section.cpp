// What an arc says about cues: a scene's hold, hold_max_bars and exit, and [stingers] (where
// each stinger lands when fired).
#include <algorithm>

#include "arc/arc_reader.hpp"
#include "preset/patch_sections.hpp"

namespace reverie::arc {
namespace {

using preset::DiagnosticList;
using preset::inQuotes;

/// One of `names` (in the enum's order) as its index, or nullopt after reporting it.
std::optional<int> readNamed(const toml::node& value, const std::string& what,
                             const std::vector<std::string>& names, DiagnosticList& diagnostics) {
  const auto text = preset::readString(value, what, diagnostics);
  if (!text) return std::nullopt;
  const auto at = std::find(names.begin(), names.end(), *text);
  if (at != names.end()) return static_cast<int>(at - names.begin());
  diagnostics.add(value.source(), what + " = " + inQuotes(*text) + " is not one of " +
                                      preset::joinNames(names) + preset::suggestion(*text, names));
  return std::nullopt;
}

const std::vector<std::string>& exitNames() {
  static const std::vector<std::string> names = {std::string(sceneExitName(SceneExit::kBar)),
                                                 std::string(sceneExitName(SceneExit::kBeat)),
                                                 std::string(sceneExitName(SceneExit::kPhrase))};
  return names;
}

const std::vector<std::string>& quantiseNames() {
  static const std::vector<std::string> names = {std::string(quantiseName(Quantise::kBeat)),
                                                 std::string(quantiseName(Quantise::kBar)),
                                                 std::string(quantiseName(Quantise::kNow))};
  return names;
}

}  // namespace

void readSceneCues(const toml::table& table, const std::string& place, Scene& scene,
                   DiagnosticList& diagnostics) {
  if (const toml::node* hold = table.get("hold")) {
    if (const auto* flag = hold->as_boolean())
      scene.hold = flag->get();
    else
      diagnostics.add(hold->source(),
                      place + " hold must be true or false, not " + preset::describeType(*hold));
  }
  if (const toml::node* most = table.get("hold_max_bars")) {
    if (auto bars = readIntegerIn(*most, "'hold_max_bars'", 1, kMaxSceneBars,
                                  "1 to " + std::to_string(kMaxSceneBars) + " bars", diagnostics)) {
      if (!scene.hold)
        diagnostics.add(most->source(), place +
                                            " has hold_max_bars but does not hold; add hold = "
                                            "true, or drop hold_max_bars");
      else if (scene.bars > 0 && *bars < scene.bars)
        diagnostics.add(most->source(),
                        place + " hold_max_bars = " + std::to_string(*bars) + " is less than its " +
                            std::to_string(scene.bars) +
                            " bars; a held scene lasts at least its bars, so give " +
                            std::to_string(scene.bars) + " or more");
      else
        scene.holdMaxBars = *bars;
    }
  }
  if (const toml::node* exit = table.get("exit"))
    if (auto index = readNamed(*exit, place + " exit", exitNames(), diagnostics))
      scene.exit = static_cast<SceneExit>(*index);
}

void readStingers(const toml::node& section, ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const auto* table = section.as_table();
  if (table == nullptr) {
    diagnostics.add(section.source(), "'stingers' must be a table ([stingers]), not " +
                                          preset::describeType(section));
    return;
  }
  std::vector<std::string> keys = {"quantise"};
  for (const StingerInfo& info : stingerTable()) keys.emplace_back(info.name);
  preset::checkKeys(*table, keys, "[stingers]", diagnostics);
  Quantise fallback = Quantise::kBeat;
  if (const toml::node* all = table->get("quantise"))
    if (auto index = readNamed(*all, "[stingers] quantise", quantiseNames(), diagnostics))
      fallback = static_cast<Quantise>(*index);
  for (const StingerInfo& info : stingerTable()) {
    const auto at = static_cast<std::size_t>(info.stinger);
    reader.arc.stingerQuantise[at] = fallback;
    const toml::node* own = table->get(info.name);
    if (own == nullptr) continue;
    const std::string what = "[stingers] " + std::string(info.name);
    // "now", or { quantise = "now", note = 24, cc = 80 } with the MIDI that fires it live.
    const auto* entry = own->as_table();
    if (entry == nullptr) {
      if (auto index = readNamed(*own, what, quantiseNames(), diagnostics))
        reader.arc.stingerQuantise[at] = static_cast<Quantise>(*index);
      continue;
    }
    preset::checkKeys(*entry, {"quantise", "note", "cc"}, what, diagnostics);
    if (const toml::node* quantise = entry->get("quantise"))
      if (auto index = readNamed(*quantise, what + " quantise", quantiseNames(), diagnostics))
        reader.arc.stingerQuantise[at] = static_cast<Quantise>(*index);
    if (const toml::node* note = entry->get("note"))
      if (auto key =
              readIntegerIn(*note, what + " note", 0, 127, "a MIDI key, 0 to 127", diagnostics))
        reader.arc.stingerNote[at] = *key;
    if (const toml::node* cc = entry->get("cc"))
      if (auto number =
              readIntegerIn(*cc, what + " cc", 0, 127, "a MIDI controller, 0 to 127", diagnostics))
        reader.arc.stingerController[at] = *number;
  }
}

}  // namespace reverie::arc
