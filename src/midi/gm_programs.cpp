// General MIDI programs as reverie presets (gm_programs.hpp). The table is documented in
// README.md ("General MIDI files"); a change here changes what users hear, so change both.
#include "midi/gm_programs.hpp"

#include <algorithm>
#include <array>

namespace reverie::midi {
namespace {

/// A GM family of eight programs: its preset, or none (empty) and the family whose preset
/// plays it instead.
struct Family {
  std::string_view name;
  std::string_view preset;
  int closest = -1;  ///< family index, when preset is empty
};

constexpr std::array<Family, 16> kFamilies = {{
    {"piano", "singing-bowl"},                   // 0-7: struck and ringing
    {"chromatic percussion", "spiral-crystal"},  // 8-15: bells and bars
    {"organ", "wind-pads"},                      // 16-23: sustained, breathing
    {"guitar", "", 0},                           // 24-31: plucked, as the piano family
    {"bass", "", 5},                             // 32-39: low lines, as the strings
    {"strings", "strings"},                      // 40-47
    {"ensemble", "strings"},                     // 48-55
    {"brass", "brass"},                          // 56-63
    {"reed", "oboe"},                            // 64-71
    {"pipe", "oboe"},                            // 72-79
    {"synth lead", "ice-violin"},                // 80-87: a singing, bowed lead
    {"synth pad", "ensemble"},                   // 88-95
    {"synth effects", "mirror-shards"},          // 96-103
    {"ethnic", "", 1},                           // 104-111: as chromatic percussion, but see below
    {"percussive", "", 1},                       // 112-119: as chromatic percussion, but see below
    {"sound effects", "", 12},  // 120-127: as synth effects (the applause preset plays no notes)
}};

/// Programs a preset matches more closely than their family's.
struct Program {
  int program;
  std::string_view preset;
};

constexpr Program kPrograms[] = {
    {10, "water-drop"},         // music box
    {11, "singing-bowl"},       // vibraphone
    {12, "water-drop"},         // marimba
    {13, "water-drop"},         // xylophone
    {14, "singing-bowl"},       // tubular bells
    {15, "mirror-shards"},      // dulcimer
    {44, "string-tremolo"},     // tremolo strings
    {46, "singing-bowl"},       // orchestral harp
    {47, "timpani"},            // timpani
    {50, "ensemble"},           // synth strings 1
    {51, "ensemble"},           // synth strings 2
    {52, "choir"},              // choir aahs
    {53, "choir"},              // voice oohs
    {54, "choir"},              // synth voice
    {55, "brass-stabs"},        // orchestra hit
    {88, "glass-harmonica"},    // new age pad
    {91, "choir"},              // choir pad
    {108, "water-drop"},        // kalimba
    {109, "oboe"},              // bagpipe
    {110, "clockwork-violin"},  // fiddle
    {111, "oboe"},              // shanai
    {112, "water-drop"},        // tinkle bell
    {113, "singing-bowl"},      // agogo
    {114, "singing-bowl"},      // steel drums
    {116, "timpani"},           // taiko drum
    {117, "timpani"},           // melodic tom
    {118, "timpani"},           // synth drum
    {119, "mirror-shards"},     // reverse cymbal
};

}  // namespace

GmPreset gmPreset(int program) {
  program = std::clamp(program, 0, 127);
  const Family& family = kFamilies[static_cast<std::size_t>(program / 8)];
  for (const Program& p : kPrograms)
    if (p.program == program) return {p.preset, family.name, true};
  if (!family.preset.empty()) return {family.preset, family.name, true};
  return {kFamilies[static_cast<std::size_t>(family.closest)].preset, family.name, false};
}

GmUse gmUse(const MidiFile& file) {
  GmUse use;
  std::array<int, 16> bank{};
  std::array<bool, 16> drumsNow{};
  for (int c = 0; c < 16; ++c) drumsNow[static_cast<std::size_t>(c)] = isDrumChannel(c + 1, 0);
  std::array<bool, 16> drumsHeard{};
  for (const TimedMessage& timed : file.events) {
    const Message& m = timed.message;
    const auto c = static_cast<std::size_t>(m.channel());
    if (m.kind() == 0xB0 && (m.data1 & 0x7F) == 0) bank[c] = m.data2 & 0x7F;
    if (m.kind() == 0xC0) {
      drumsNow[c] = isDrumChannel(static_cast<int>(c) + 1, bank[c]);
      if (!drumsNow[c]) use.programs.push_back(m.data1 & 0x7F);
    }
    if (m.kind() == 0x90 && (m.data2 & 0x7F) > 0 && drumsNow[c]) drumsHeard[c] = true;
  }
  std::sort(use.programs.begin(), use.programs.end());
  use.programs.erase(std::unique(use.programs.begin(), use.programs.end()), use.programs.end());
  for (int c = 0; c < 16; ++c)
    if (drumsHeard[static_cast<std::size_t>(c)]) use.drumChannels.push_back(c + 1);
  return use;
}

std::vector<std::string> gmApproximations(const GmUse& use) {
  std::vector<std::string> lines;
  for (int program : use.programs) {
    const GmPreset choice = gmPreset(program);
    if (choice.exact) continue;
    const Family& family = kFamilies[static_cast<std::size_t>(program / 8)];
    lines.push_back("program " + std::to_string(program) + " (" + std::string(choice.family) +
                    ") has no close preset: " + std::string(choice.preset) +
                    " plays it (closest family: " +
                    std::string(kFamilies[static_cast<std::size_t>(family.closest)].name) + ")");
  }
  return lines;
}

}  // namespace reverie::midi
