// The composer's notes (composer_node.hpp): each bar's chord and how every section voices it,
// the theme's lead, the crystal's improvisation, the timpani, the shatters, the clock's ticks
// and the brass's stabs, at ticks of the 16th-note grid.
#include <algorithm>
#include <cmath>

#include "arc/composer_node.hpp"
#include "arc/composer_roles.hpp"
#include "instruments/orchestra/timpani_node.hpp"

namespace reverie::arc {
namespace {

// The timpani's stroke patterns, as its parameter's values.
constexpr float kSinglePattern = static_cast<float>(timpani_parameter::Pattern::kSingle);
constexpr float kRollPattern = static_cast<float>(timpani_parameter::Pattern::kRoll);
constexpr float kHeartbeatPattern = static_cast<float>(timpani_parameter::Pattern::kHeartbeat);

}  // namespace

void ComposerNode::startBar(std::uint64_t frame, int bar) noexcept {
  const SceneProgram& p = program();
  const Scene& s = sceneData();
  const float tension = tensionAt(frame);
  const std::size_t sections = script_->sections.size();
  if (p.has(Texture::kSilence)) {
    if (bar == 0)
      for (std::size_t i = 0; i < sections; ++i) releaseSection(frame, static_cast<int>(i));
    return;
  }
  const int phraseBar = bar % kPhraseBars;
  if (phraseBar == 0) startPhrase();
  // The theme starts with a phrase, if the phrase has room for it.
  const double themeBars = script_->arc.theme.totalBeats() / script_->arc.beatsPerBar;
  if (p.has(Texture::kTheme) && p.lead >= 0 && phraseBar == 0 &&
      s.bars - bar >= std::ceil(themeBars) - 1e-9)
    // A vamp's phrases count on, so each states the theme its own way.
    theme_.start(script_->arc, tension, tickIndex_ / ticksPerBar_ / kPhraseBars, tickIndex_,
                 ticksPerBeat_, leadBase(binding(p.lead).role), random_);
  // The chord of this bar: by plan in a cadence, on the tonic where the theme is first
  // stated, else chosen by tension.
  if (p.has(Texture::kCadence)) {
    chord_ = cadence_.chord(bar, s.bars, false, chooser_);
  } else if (bar == 0 && p.has(Texture::kTheme) && tension < 0.6f) {
    chooser_.reset(script_->arc.mode);
    chord_ = chooser_.tonic();
  } else if (!(harmonicRhythm_ == HarmonicRhythm::kTwoBars && phraseBar % 2 == 1 &&
               tension < 0.6f)) {
    chord_ = chooser_.next(tension, random_, theme_.melodyAt(tickIndex_));
  }
  voiceSections(frame);

  for (std::size_t i = 0; i < sections; ++i) {
    const int section = static_cast<int>(i);
    if (!p.plays(section)) continue;
    switch (binding(section).role) {
      case NodeRole::kTimpani:
        timpaniBar(frame, section, bar, phraseBar);
        break;
      case NodeRole::kTuning:
        if (bar == 0 && p.has(Texture::kTuning)) notes_.noteOn(frame, section, 69, 0.7f);
        break;
      case NodeRole::kCrystal:
      case NodeRole::kBowedCrystal:
        // The drop falls after a bar of silence; where the crystal improvises (a waking) it
        // falls on every bar line, softer as the dynamics fade, so the scene never goes silent.
        if (p.has(Texture::kDrop) &&
            (p.has(Texture::kImprovise) || bar == std::min(1, s.bars - 1))) {
          notes_.noteOn(frame, section, dropKey(), 0.25f + 0.5f * dynamicsAt(frame));
        }
        break;
      case NodeRole::kShards:
        // The first shatter opens the scene; panic shatters again and again.
        if (p.has(Texture::kShatter) && (bar == 0 || random_.uniform() < 2.0f * (tension - 0.5f)))
          shatter(frame, section, random_, 0.4f + 0.5f * dynamicsAt(frame));
        break;
      default:
        break;
    }
  }
}

/// Each phrase is voiced and harmonised afresh: how every section spaces its chords, how
/// fast the harmony moves (a chord a bar, two, or one for two calm bars) and, in a cadence,
/// which plan of chords it follows.
void ComposerNode::startPhrase() noexcept {
  const SceneProgram& p = program();
  for (std::size_t i = 0; i < script_->sections.size(); ++i)
    if (p.playsChords(static_cast<int>(i)))
      voicing_[i] = static_cast<std::uint8_t>(random_.next() % (2 * kVoicings));
  const float rhythm = random_.uniform();
  harmonicRhythm_ = rhythm < 0.5f    ? HarmonicRhythm::kBar
                    : rhythm < 0.75f ? HarmonicRhythm::kHalfBar
                                     : HarmonicRhythm::kTwoBars;
  if (p.has(Texture::kCadence)) cadence_.startPhrase(random_);
}

/// A calm chord in section `i`'s voicing for this phrase: open from three heights, close at
/// the top of its range, or open over the chord's third (not the tonic). Close thirds stay
/// high: low in the range they would rub, as orchestrators know.
int ComposerNode::voiceCalm(std::size_t i, std::array<std::uint8_t, 16>& keys) const noexcept {
  const SectionBinding& b = script_->sections[i];
  // Half the voicings carry the bass an octave up, where the section's range has room.
  const int bassLow =
      voicing_[i] >= kVoicings && b.bassLow + 12 < b.low ? b.bassLow + 12 : b.bassLow;
  switch (voicing_[i] % kVoicings) {
    case 1:
      return voiceOpen(chord_, tonic_, bassLow, b.low, b.high + 5, keys);
    case 2:
      return voiceOpen(chord_, tonic_, bassLow, b.low + 5, b.high + 5, keys);
    case 3:
      return voiceChord(chord_, tonic_, bassLow, std::max(b.low, b.high - 11), b.high, keys);
    case 4:  // IV, ii, vi over their thirds; dominants keep their root below, the key clear
      if (chord_.function == 1 || chord_.function == 3 || chord_.function == 5)
        return voiceOpen(firstInversion(chord_), tonic_, bassLow, b.low - 7, b.high + 5, keys);
      [[fallthrough]];
    default:
      return voiceOpen(chord_, tonic_, bassLow, b.low - 7, b.high + 5, keys);
  }
}

void ComposerNode::voiceSections(std::uint64_t frame) noexcept {
  const SceneProgram& p = program();
  const float tension = tensionAt(frame);
  const float velocity = 0.35f + 0.55f * dynamicsAt(frame);
  // Consonant or calm chords stand in the phrase's voicing; in the panic, harsh chords crush
  // together into one octave at the top of the section's range, where semitones grind.
  const bool harsh = harshIntervals(chord_) > 0;
  for (std::size_t i = 0; i < script_->sections.size(); ++i) {
    const int section = static_cast<int>(i);
    if (!p.playsChords(section)) continue;
    const SectionBinding& b = script_->sections[i];
    int low = b.low;
    if (harsh && tension > 0.7f) low = std::max(low, b.high - 12);
    std::array<std::uint8_t, 16> keys{};
    const int count = !harsh || tension < 0.5f
                          ? voiceCalm(i, keys)
                          : voiceChord(chord_, tonic_, b.bassLow, low, b.high, keys);
    Key128 next;
    for (int k = 0; k < count; ++k) next.set(keys[static_cast<std::size_t>(k)]);
    Key128& held = chordHeld_[i];
    for (int key = 0; key < 128; ++key) {
      if (held.test(key) && !next.test(key)) notes_.noteOff(frame, section, key);
    }
    for (int key = 0; key < 128; ++key) {
      if (next.test(key) && !held.test(key)) notes_.noteOn(frame, section, key, velocity);
    }
    held = next;
  }
}

void ComposerNode::timpaniBar(std::uint64_t frame, int section, int bar, int phraseBar) noexcept {
  const SceneProgram& p = program();
  const SectionBinding& b = binding(section);
  const int tonicKey = timpaniTonic();
  const float d = dynamicsAt(frame);
  if (p.has(Texture::kHeartbeat)) {
    if (bar == 0) {
      notes_.setParameter(frame, b.node, b.pattern, kHeartbeatPattern);
      notes_.noteOn(frame, section, tonicKey, 0.4f + 0.5f * d);
    }
    return;
  }
  if (p.has(Texture::kRoll)) {
    if (phraseBar == kPhraseBars - 1) {
      notes_.setParameter(frame, b.node, b.pattern, kRollPattern);
      const int key = (chord_.bass() + tonic_) % 12 == (tonic_ + 7) % 12
                          ? tonicKey + 7 - (tonicKey + 7 > 50 ? 12 : 0)
                          : tonicKey;
      notes_.noteOn(frame, section, key, 0.3f + 0.6f * d);
      notes_.scheduleOff(frame + framesOf(barSeconds_ * 0.98), section, key);
    }
    return;
  }
  if (p.has(Texture::kChorale) && phraseBar == 0) {
    notes_.setParameter(frame, b.node, b.pattern, kSinglePattern);
    notes_.noteOn(frame, section, tonicKey, 0.3f + 0.6f * d);
    notes_.scheduleOff(frame + framesOf(barSeconds_), section, tonicKey);
  }
}

void ComposerNode::shatter(std::uint64_t frame, int section, dsp::Random& random,
                           float velocity) noexcept {
  const int notes = 2 + static_cast<int>(random.next() % 3);
  for (int n = 0; n < notes; ++n) {
    const int pitch = chord_.pitches[static_cast<std::size_t>(
        random.next() % static_cast<std::uint32_t>(std::max(1, chord_.count)))];
    const int key = 72 + (tonic_ + pitch) % 12 + 12 * static_cast<int>(random.next() % 2);
    notes_.noteOn(frame, section, key, velocity);
    notes_.scheduleOff(frame + framesOf(barSeconds_), section, key);
  }
}

void ComposerNode::music(std::uint64_t frame, int inBar) noexcept {
  const SceneProgram& p = program();
  if (p.has(Texture::kSilence)) return;
  const Scene& s = sceneData();
  const double x = scenePosition(frame);
  const float tension = tensionAt(frame);
  const float density = s.density.valueAt(x);
  const float d = s.dynamics.valueAt(x);

  // A second chord in the bar when the music is dense, or the phrase moves in half bars.
  if (inBar == ticksPerBar_ / 2 && ticksPerBar_ >= 8 &&
      (density > 0.6f || harmonicRhythm_ == HarmonicRhythm::kHalfBar) &&
      !p.has(Texture::kCadence)) {
    chord_ = chooser_.next(tension, random_, theme_.melodyAt(tickIndex_));
    voiceSections(frame);
  } else if (inBar == ticksPerBar_ / 2 && ticksPerBar_ >= 8 && p.has(Texture::kCadence)) {
    chord_ = cadence_.chord(musicBar_, s.bars, true, chooser_);
    voiceSections(frame);
  }

  if (p.lead >= 0)
    if (const ThemeNote* note = theme_.noteStartingAt(tickIndex_)) {
      const int key = leadBase(binding(p.lead).role) + tonic_ + note->semitones;
      const float accent = inBar % ticksPerBeat_ == 0 ? 0.1f : 0.0f;
      notes_.noteOn(frame, p.lead, key, std::min(1.0f, 0.45f + 0.45f * d + accent));
      notes_.scheduleOff(frame + framesOf(note->ticks * tickSeconds_ * 0.92), p.lead, key);
    }

  for (std::size_t i = 0; i < script_->sections.size(); ++i) {
    const int section = static_cast<int>(i);
    if (!p.plays(section)) continue;
    const NodeRole role = script_->sections[i].role;
    if ((role == NodeRole::kCrystal || role == NodeRole::kBowedCrystal) &&
        p.has(Texture::kImprovise) && inBar % 2 == 0)
      improvise(frame, section, density, d, tension);
    if (role == NodeRole::kClock && p.has(Texture::kTicking) && inBar % 2 == 0)
      tickTock(frame, section, inBar);
    if (role == NodeRole::kBrass && p.has(Texture::kStabs)) stab(frame, section, inBar, tension, d);
  }
}

/// The crystal improvising on the theme and the chord: calm, it arpeggiates the chord; as
/// tension rises it walks the theme and steps between its notes.
void ComposerNode::improvise(std::uint64_t frame, int section, float density, float dynamics,
                             float tension) noexcept {
  if (random_.uniform() > 0.05f + 0.8f * density) return;
  const Theme& theme = script_->arc.theme;
  const float chordShare = 0.9f - 0.65f * std::clamp(tension, 0.0f, 1.0f);
  const float choice = random_.uniform();
  int semitones;
  if (choice < chordShare || theme.degrees.empty()) {
    const int pitch = chord_.pitches[static_cast<std::size_t>(
        random_.next() % static_cast<std::uint32_t>(std::max(1, chord_.count)))];
    semitones = pitch + 12 * static_cast<int>(random_.next() % 2);
  } else if (choice < chordShare + (1.0f - chordShare) * 0.55f) {
    improviserStep_ = (improviserStep_ + 1) % static_cast<int>(theme.degrees.size());
    improviserDegree_ = theme.degrees[static_cast<std::size_t>(improviserStep_)];
    semitones = degreeSemitones(script_->arc.mode, improviserDegree_);
  } else {
    improviserDegree_ =
        std::clamp(improviserDegree_ + static_cast<int>(random_.next() % 5) - 2, -3, 12);
    semitones = degreeSemitones(script_->arc.mode, improviserDegree_);
  }
  const NodeRole role = binding(section).role;
  const int base = leadBase(role);
  // A bowed soloist keeps to two octaves above its base; a struck crystal may ring higher.
  const int key = std::clamp(base + tonic_ + semitones, base - 12,
                             base + (role == NodeRole::kBowedCrystal ? 24 : 36));
  const int ticks = 2 + static_cast<int>(random_.next() % 6);
  notes_.noteOn(frame, section, key, 0.3f + 0.55f * dynamics * (0.7f + 0.3f * random_.uniform()));
  notes_.scheduleOff(frame + framesOf(ticks * tickSeconds_), section, key);
}

/// The clock's escapement: a tick on every eighth note, alternately on the key's fifth high in
/// the seventh octave and a fourth below, the bar's first a little stronger; short and dry.
void ComposerNode::tickTock(std::uint64_t frame, int section, int inBar) noexcept {
  const int tick = 96 + (tonic_ + 7) % 12;
  const int key = (inBar / 2) % 2 == 0 ? tick : tick - 5;
  const float d = dynamicsAt(frame);
  notes_.noteOn(frame, section, key, (inBar == 0 ? 0.55f : 0.4f) * (0.7f + 0.6f * d));
  notes_.scheduleOff(frame + std::max<std::uint64_t>(1, framesOf(0.05)), section, key);
}

/// Brass stabs: on the beat, then off the beat, then on 16ths as tension climbs.
void ComposerNode::stab(std::uint64_t frame, int section, int inBar, float tension,
                        float dynamics) noexcept {
  float chance = 0.0f;
  if (inBar % ticksPerBeat_ == 0)
    chance = 0.4f + 0.6f * tension;
  else if (inBar % 2 == 0)
    chance = 0.8f * tension;
  else
    chance = std::max(0.0f, tension - 0.6f) * 1.5f;
  if (random_.uniform() >= chance) return;
  std::array<std::uint8_t, 16> keys{};
  const int count = voiceChord(chord_, tonic_, 45, 57, 72, keys);
  const float velocity = std::min(1.0f, 0.55f + 0.4f * dynamics + (inBar == 0 ? 0.1f : 0.0f));
  const std::uint64_t length = framesOf(tickSeconds_ * 1.8);
  for (int k = 0; k < count && k < 6; ++k) {
    notes_.noteOn(frame, section, keys[static_cast<std::size_t>(k)], velocity);
    notes_.scheduleOff(frame + std::max<std::uint64_t>(1, length), section,
                       keys[static_cast<std::size_t>(k)]);
  }
}

}  // namespace reverie::arc
