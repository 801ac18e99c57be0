// StringVoice: the ensemble of saws, its vibrato, tremolo, body filter and bow envelope.
#include "instruments/orchestra/string_voice.hpp"

#include <algorithm>
#include <cmath>

namespace reverie::orchestra {
namespace {

// One note at full dynamics and velocity peaks near -11 dBFS (measured in tests/test_strings.cpp).
constexpr float kOutputScale = 0.22f;
constexpr float kVibratoFadeSeconds = 0.5f;
constexpr float kBodyQ = 0.9f;  // a gentle peak at the body filter's corner

float clamp01(float x) {
  return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f;
}

}  // namespace

void StringVoice::prepare(double sampleRate, std::uint64_t seed) noexcept {
  prepareShared(sampleRate, seed, kControlFrames);
}

void StringVoice::start(double frequencyHz, float velocity,
                        const StringSettings& settings) noexcept {
  const bool fresh = !sounding_;
  velocity_ = clamp01(velocity);
  pitch_.set(dsp::playableCycles(frequencyHz, sampleRate_));
  if (fresh) {
    players_ = std::clamp(settings.players, 1, kMaxPlayers);
    dsp::Float4 phases{};
    for (int p = 0; p < kMaxPlayers; ++p) {
      const bool playing = p < players_;
      position_[p] = playing && players_ > 1
                         ? static_cast<float>(p) / static_cast<float>(players_ - 1) - 0.5f
                         : 0.0f;
      playerGain_[p] = playing ? 1.0f / std::sqrt(static_cast<float>(players_)) : 0.0f;
      phases[p] = random_.uniform();
      vibratoPhase_[p] = random_.uniform();
      vibratoRateScale_[p] = 1.0f + 0.06f * random_.bipolar();  // players never vibrate in step
      panJitter_[p] = 0.15f * random_.bipolar();
    }
    saws_.setPhases(phases);
    body_.reset();
    vibratoFade_ = 0.0f;
    tremoloPhase_ = 0.0f;
    bodyCutoff_ = -1.0f;
    placedSpread_ = -1.0f;
    amplitude_ = amplitudeStep_ = 0.0f;
    periodFrames_ = 0;
  }
  sounding_ = true;
  attackScale_ = settings.attackScale;
  envelope_.setAttackSeconds(settings.attackSeconds * attackScale_);
  envelope_.setReleaseSeconds(settings.releaseSeconds);
  envelope_.gateOn();
  controlTicks_ = 0;
  tick_ = 0;
}

void StringVoice::placePlayers(float spread) noexcept {
  placedSpread_ = spread;
  const float width = clamp01(spread);
  for (int p = 0; p < kMaxPlayers; ++p) {
    const float pan = std::clamp(width * (2.0f * position_[p] + panJitter_[p]), -1.0f, 1.0f);
    const float angle = (pan + 1.0f) * 0.785398163f;  // constant-power pan law
    panLeft_[p] = std::cos(angle) * playerGain_[p];
    panRight_[p] = std::sin(angle) * playerGain_[p];
  }
}

bool StringVoice::control(const StringSettings& s) noexcept {
  if (!envelope_.active()) return false;  // the last period faded to silence
  const float controlSeconds = kControlFrames * inverseRate_;
  envelope_.setAttackSeconds(s.attackSeconds * attackScale_);
  envelope_.setReleaseSeconds(s.releaseSeconds);

  // Vibrato: held back for the delay, then faded in; each player at its own rate and phase.
  const float elapsed = static_cast<float>(controlTicks_++) * controlSeconds;
  const float fadeTarget = elapsed >= s.vibratoDelaySeconds ? 1.0f : 0.0f;
  const float fadeStep = controlSeconds / kVibratoFadeSeconds;
  vibratoFade_ += std::clamp(fadeTarget - vibratoFade_, -fadeStep, fadeStep);
  vibratoPhase_ += vibratoRateScale_ * (std::clamp(s.vibratoRateHz, 0.0f, 20.0f) * controlSeconds);
  vibratoPhase_ = vibratoPhase_ >= 1.0f ? vibratoPhase_ - 1.0f : vibratoPhase_;
  const float detune = std::clamp(s.detuneCents, 0.0f, 100.0f);
  const float depth = std::clamp(s.vibratoCents, 0.0f, 100.0f) * vibratoFade_;
  saws_.setRatios(dsp::ratioOfCents(position_ * detune + dsp::sineOfCycles(vibratoPhase_) * depth));

  // Loudness: the envelope at the end of this period times dynamics and velocity, reached by
  // a linear ramp across the period.
  const float dynamics = clamp01(s.dynamics);
  const float loud = 0.15f + 0.85f * dynamics;
  const float target =
      envelope_.nextBlock() * loud * loud * (0.55f + 0.45f * velocity_) * kOutputScale;
  amplitude_ += amplitudeStep_ * static_cast<float>(periodFrames_);  // where the last ramp got to
  amplitudeStep_ = (target - amplitude_) / static_cast<float>(kControlFrames);
  periodFrames_ = 0;

  // The body opens with dynamics (a harder, faster bow) and with the note's pitch.
  const float f0Hz = static_cast<float>(pitch_.cyclesPerSample() * sampleRate_);
  const float cutoffHz =
      f0Hz * (1.0f + 2.5f * dynamics) + (400.0f + 5000.0f * clamp01(s.brightness)) *
                                            (0.25f + 0.75f * dynamics) * (0.8f + 0.2f * velocity_);
  const float cutoff = cutoffHz * inverseRate_;
  if (std::fabs(cutoff - bodyCutoff_) > 0.01f * bodyCutoff_) {
    body_.setAllLanes(cutoff, kBodyQ);
    bodyCutoff_ = cutoff;
  }

  tremoloStep_ = std::clamp(s.tremoloRateHz, 0.0f, 50.0f) * inverseRate_;
  tremoloDepth_ = clamp01(s.tremoloDepth);
  noiseGain_ = 0.08f * clamp01(s.bowNoise) / 2147483648.0f;
  if (s.spread != placedSpread_) placePlayers(s.spread);
  return true;
}

void StringVoice::render(float* left, float* right, int frames,
                         const StringSettings& settings) noexcept {
  while (frames > 0 && sounding_) {
    if (tick_ == 0) {
      if (!control(settings)) {
        sounding_ = false;
        amplitude_ = amplitudeStep_ = 0.0f;
        periodFrames_ = 0;
        return;
      }
      tick_ = kControlFrames;
    }
    const int span = frames < tick_ ? frames : tick_;
    const bool gliding = pitch_.gliding(), tremolo = tremoloDepth_ > 0.0f;
    if (gliding && tremolo)
      renderSpan<true, true>(left, right, span);
    else if (gliding)
      renderSpan<true, false>(left, right, span);
    else if (tremolo)
      renderSpan<false, true>(left, right, span);
    else
      renderSpan<false, false>(left, right, span);
    tick_ -= span;
    periodFrames_ += span;
    left += span;
    right += span;
    frames -= span;
  }
}

template <bool kGliding, bool kTremolo>
void StringVoice::renderSpan(float* __restrict left, float* __restrict right, int frames) noexcept {
  // Pass 1, per sample: the players through the body, before gain, one lane each, into a local
  // buffer (which no member can alias, so the state stays in registers).
  dsp::Float4 lanes[kControlFrames];
  dsp::SawBank& saws = saws_;
  dsp::ParallelSvf& body = body_;
  dsp::PitchGlide& pitch = pitch_;
  const float noiseGain = noiseGain_, tremoloDepth = tremoloDepth_, tremoloStep = tremoloStep_;
  float tremoloPhase = tremoloPhase_;
  std::uint32_t noiseState = noise_;
  dsp::Float4 increment, inverseIncrement;  // each saw lane's, fixed while the pitch holds
  saws.increments(pitch, increment, inverseIncrement);
  for (int i = 0; i < frames; ++i) {
    if constexpr (kGliding) {
      saws.increments(pitch, increment, inverseIncrement);
      pitch.next();
    }
    noiseState = noiseState * 1664525u + 1013904223u;  // Numerical Recipes LCG: rosin noise
    const float noise = static_cast<float>(static_cast<std::int32_t>(noiseState)) * noiseGain;
    dsp::Float4 y = body.processMixed(saws.next(increment, inverseIncrement) + noise);
    if constexpr (kTremolo) {
      // Each stroke: a parabola arch u, sharpened to u (2 - u), so strokes bite and part.
      tremoloPhase += tremoloStep;
      tremoloPhase = tremoloPhase >= 1.0f ? tremoloPhase - 1.0f : tremoloPhase;
      const float u = 4.0f * tremoloPhase * (1.0f - tremoloPhase);
      y *= 1.0f - tremoloDepth + tremoloDepth * u * (2.0f - u);
    }
    lanes[i] = y;
  }
  tremoloPhase_ = tremoloPhase;
  noise_ = noiseState;

  // Pass 2, four samples at a time: pan the players and ramp the gain. The ramp is a function
  // of the sample's place in the control period, so any split of the span gives equal samples.
  const dsp::Float4 panLeft = panLeft_, panRight = panRight_;
  const float start = amplitude_, step = amplitudeStep_;
  const float first = static_cast<float>(periodFrames_ + 1);
  int i = 0;
  for (; i + 4 <= frames; i += 4) {
    const dsp::Float4 ramp =
        start + step * (first + static_cast<float>(i) + dsp::Float4{0.0f, 1.0f, 2.0f, 3.0f});
    dsp::store4(left + i, dsp::load4(left + i) + dsp::weightedLaneSums(lanes + i, panLeft) * ramp);
    dsp::store4(right + i,
                dsp::load4(right + i) + dsp::weightedLaneSums(lanes + i, panRight) * ramp);
  }
  for (; i < frames; ++i) {
    const float ramp = start + step * (first + static_cast<float>(i));
    left[i] += dsp::weightedLaneSum(lanes[i], panLeft) * ramp;
    right[i] += dsp::weightedLaneSum(lanes[i], panRight) * ramp;
  }
}

}  // namespace reverie::orchestra
