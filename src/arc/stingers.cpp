// The stingers, scene exits and quantise points an arc, a cue file and OSC name: one table each.
#include "reverie/arc.hpp"

namespace reverie {
namespace {

constexpr StingerInfo kStingers[] = {
    {Stinger::kShatter, "shatter", "the crystal shatter sections burst into shards on chord tones"},
    {Stinger::kDrop, "drop", "the crystal drops one note on the key's fifth, left to ring"},
    {Stinger::kCheer, "cheer", "the audience cheers and applauds for three seconds"},
    {Stinger::kStab, "stab", "the brass stabs the chord that sounds, short and accented"},
    {Stinger::kSwell, "swell", "the strings swell on the chord that sounds across one bar"},
    {Stinger::kRoll, "roll", "the timpani roll on the tonic across one bar"},
};
static_assert(std::size(kStingers) == kStingerCount);

}  // namespace

std::span<const StingerInfo> stingerTable() {
  return kStingers;
}

std::optional<Stinger> stingerNamed(std::string_view name) {
  for (const StingerInfo& info : kStingers)
    if (info.name == name) return info.stinger;
  return std::nullopt;
}

std::string_view sceneExitName(SceneExit exit) {
  constexpr std::string_view kNames[] = {"bar", "beat", "phrase"};  // in SceneExit's order
  return kNames[static_cast<std::size_t>(exit)];
}

std::string_view quantiseName(Quantise quantise) {
  constexpr std::string_view kNames[] = {"beat", "bar", "now"};  // in Quantise's order
  return kNames[static_cast<std::size_t>(quantise)];
}

}  // namespace reverie
