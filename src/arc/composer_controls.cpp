// The composer's continuous controls (composer_node.hpp): dynamics, expression and brightness
// for every section, the strings' tremolo, the heartbeat's rate, the brass's articulation, the
// audience, and the scene's automation, on a 10 ms grid of absolute frames.
#include <algorithm>
#include <cmath>

#include "arc/composer_node.hpp"
#include "instruments/orchestra/brass_node.hpp"

namespace reverie::arc {
namespace {

// The brass's articulations, as its parameter's values.
constexpr float kSustained = static_cast<float>(brass_parameter::kSustain);
constexpr float kStabbed = static_cast<float>(brass_parameter::kStab);
constexpr float kHeldBreathMurmur = 0.02f;  // the audience's murmur in a silence: room tone

}  // namespace

/// Swells into the phrase end: up over most of the phrase, back down across its last beat.
float ComposerNode::swell(std::uint64_t frame) const noexcept {
  const double phraseSeconds = barSeconds_ * kPhraseBars;
  const double t =
      std::fmod(static_cast<double>(frame - std::min(frame, sceneStart_)) / info().sampleRate,
                phraseSeconds) /
      phraseSeconds;
  const double rise = 0.88;
  const double env = t < rise ? std::pow(t / rise, 1.5) : (1.0 - t) / (1.0 - rise);
  return static_cast<float>(0.6 + 0.4 * env);
}

/// A cadence breathes with its phrases: each opens in full on the tonic, softens through the
/// subdominant into the dominant (breathing in) and grows again into the cadence's tonic, a
/// little above the scene's dynamics, so a triumph is loud yet not flat and its loudest chords
/// are the tonic. Short phrases breathe in pairs, so every breath lasts 8 s or more.
float ComposerNode::breath(std::uint64_t frame) const noexcept {
  const double phrase = barSeconds_ * kPhraseBars;
  const double breathSeconds = phrase * std::max(1.0, std::ceil(8.0 / phrase - 1e-9));
  const double t =
      std::fmod(static_cast<double>(frame - std::min(frame, sceneStart_)) / info().sampleRate,
                breathSeconds) /
      breathSeconds;
  const double u = t < 0.45 ? 1.0 - t / 0.45 : std::min(1.0, (t - 0.45) / 0.3);
  const double env = u * u * (3.0 - 2.0 * u);
  return static_cast<float>(0.6 + 0.5 * env);
}

void ComposerNode::control(std::uint64_t frame) noexcept {
  if (rolling_ && frame >= rollEnd_) endRoll(frame);
  if (ended_) return;
  const SceneProgram& p = program();
  const Scene& s = sceneData();
  const double x = scenePosition(frame);
  const float tension = tensionAt(frame);
  const float d = std::min(1.0f, s.dynamics.valueAt(x) * (p.has(Texture::kSwell)     ? swell(frame)
                                                          : p.has(Texture::kCadence) ? breath(frame)
                                                                                     : 1.0f));
  const float brightness = s.brightness.valueAt(x);
  const float cheer = cheerAt(frame), swelling = stingerSwellAt(frame);
  for (std::size_t i = 0; i < script_->sections.size(); ++i) {
    const SectionBinding& b = script_->sections[i];
    SentControls& sent = notes_.sent(i);
    const bool plays = p.plays(static_cast<int>(i));
    // A swell stinger carries the strings from soft to full, whatever the scene has them do.
    if (b.role == NodeRole::kStrings && swelling > 0.0f)
      notes_.sendController(frame, b.node, 11, swelling, sent.cc11);
    switch (b.role) {
      case NodeRole::kTimpani:
        if (plays && p.has(Texture::kHeartbeat)) {
          // The heart pounds with tension, not with the orchestra's dynamics.
          notes_.sendController(frame, b.node, 11, 0.45f + 0.55f * tension, sent.cc11);
          notes_.sendController(frame, b.node, 1, 0.3f + 0.6f * tension, sent.cc1);
          break;
        }
        [[fallthrough]];
      case NodeRole::kStrings:
      case NodeRole::kWinds:
      case NodeRole::kPad:
      case NodeRole::kBrass:
      case NodeRole::kChoir:
        if (!plays) break;
        if (swelling <= 0.0f || b.role != NodeRole::kStrings)
          notes_.sendController(frame, b.node, 11, 0.3f + 0.7f * d, sent.cc11);
        notes_.sendController(frame, b.node, 1,
                              std::clamp(0.6f * d + 0.4f * brightness, 0.0f, 1.0f), sent.cc1);
        break;
      case NodeRole::kCrystal:
      case NodeRole::kShards:
      case NodeRole::kBowedCrystal:
        if (plays) notes_.sendController(frame, b.node, 74, brightness, sent.cc74);
        break;
      default:
        break;
    }
    if (b.role == NodeRole::kStrings) {
      const bool tremolo = plays && p.has(Texture::kTremolo);
      notes_.sendParameter(frame, b.node, b.tremolo, tremolo ? 0.15f + 0.35f * tension : 0.0f,
                           sent.tremolo);
      notes_.sendParameter(frame, b.node, b.tremoloRate, 6.0f + 10.0f * tension, sent.tremoloRate);
    }
    if (b.role == NodeRole::kTimpani && plays && p.has(Texture::kHeartbeat))
      notes_.sendParameter(frame, b.node, b.heartRate, 55.0f + 95.0f * tension, sent.heartRate);
    if (b.role == NodeRole::kBrass && plays)
      notes_.sendParameter(frame, b.node, b.articulation,
                           p.has(Texture::kStabs) ? kStabbed : kSustained, sent.articulation);
    if (b.role == NodeRole::kAudience) {
      const bool murmur = plays && p.has(Texture::kMurmur);
      const bool applause = plays && p.has(Texture::kApplause);
      const float level = s.dynamics.valueAt(x);
      // In a silence the hall is never dead: the held breath of the crowd, barely a stir.
      const float stir = p.has(Texture::kSilence) ? kHeldBreathMurmur : 0.0f;
      notes_.sendParameter(frame, b.node, b.murmur, murmur ? 0.15f + 0.55f * (1.0f - level) : stir,
                           sent.murmur);
      // A cheer stinger lifts the hall over whatever it does.
      notes_.sendParameter(frame, b.node, b.applause,
                           std::max(applause ? level : 0.0f, 0.8f * cheer), sent.applause);
      notes_.sendParameter(
          frame, b.node, b.cheers,
          std::max(applause ? std::clamp((level - 0.55f) * 2.2f, 0.0f, 1.0f) : 0.0f, cheer),
          sent.cheers);
      // While the music plays (or the hall applauds) nobody coughs or whispers.
      notes_.sendParameter(frame, b.node, b.coughs, murmur ? b.coughRate : 0.0f, sent.coughs);
      notes_.sendParameter(frame, b.node, b.whispers, murmur ? b.whisperRate : 0.0f, sent.whispers);
    }
  }
  for (std::size_t a = 0; a < p.automation.size(); ++a) {
    const AutomationBinding& binding = p.automation[a];
    notes_.sendParameter(frame, binding.node, binding.parameter, binding.curve.valueAt(x),
                         notes_.sentAutomation(a));
  }
}

}  // namespace reverie::arc
