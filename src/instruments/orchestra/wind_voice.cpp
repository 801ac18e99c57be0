// WindVoice: what every wind note shares (vibrato, envelope, breath, the render loops); each
// instrument's own parts come from its strategy (wind_instruments.hpp).
#include "instruments/orchestra/wind_voice.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/math_constants.hpp"

namespace reverie::orchestra {
namespace {

constexpr float kVibratoFadeSeconds = 0.5f;

float clamp01(float x) {
  return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f;
}

}  // namespace

template <class Instrument>
constexpr WindStrategy WindVoice::strategyOf() noexcept {
  using I = Instrument;
  return {I::kInstrument,          I::kScale,      I::kBreathScale, I::kExtraAttackSeconds,
          I::kExtraReleaseSeconds, &I::begin,      &I::setFilters,  &I::control,
          &renderInstrument<I>,    &renderLanes<I>};
}

const WindStrategy WindVoice::kStrategies[4] = {
    strategyOf<winds::Oboe>(), strategyOf<winds::Flute>(), strategyOf<winds::Clarinet>(),
    strategyOf<winds::Pad>()};

void WindVoice::prepare(double sampleRate, std::uint64_t seed) noexcept {
  prepareShared(sampleRate, seed, kControlFrames);
}

void WindVoice::start(double frequencyHz, float velocity, const WindSettings& settings) noexcept {
  const bool fresh = !sounding_;
  velocity_ = clamp01(velocity);
  pitch_.set(dsp::playableCycles(frequencyHz, sampleRate_));
  if (fresh) {
    strategy_ = &kStrategies[std::clamp(static_cast<int>(settings.instrument), 0, 3)];
    strategy_->begin(tone_, random_.uniform(), random_);
    tone_.filters.reset();
    vibratoPhase_ = random_.uniform();
    vibratoRateScale_ = 1.0f + 0.05f * random_.bipolar();
    vibratoFade_ = 0.0f;
    const float angle = (0.35f * random_.bipolar() + 1.0f) * 0.785398163f;  // constant-power pan
    panLeft_ = std::cos(angle);
    panRight_ = std::sin(angle);
    filterHz_ = filterDynamics_ = -1.0f;
    amplitude_ = amplitudeStep_ = 0.0f;
    periodFrames_ = 0;
  }
  sounding_ = true;
  filterDynamics_ = -1.0f;  // the oboe's reed follows each note's velocity: recompute
  firstPeriod_ = 0;
  envelope_.setAttackSeconds(settings.attackSeconds + strategy_->extraAttackSeconds);
  envelope_.setReleaseSeconds(settings.releaseSeconds + strategy_->extraReleaseSeconds);
  envelope_.gateOn();
  controlTicks_ = 0;
  tick_ = 0;
}

bool WindVoice::control(const WindSettings& s) noexcept {
  if (!envelope_.active()) return false;  // the last period faded to silence
  const float controlSeconds = kControlFrames * inverseRate_;
  envelope_.setAttackSeconds(s.attackSeconds + strategy_->extraAttackSeconds);
  envelope_.setReleaseSeconds(s.releaseSeconds + strategy_->extraReleaseSeconds);

  const float elapsed = static_cast<float>(controlTicks_++) * controlSeconds;
  const float fadeTarget = elapsed >= s.vibratoDelaySeconds ? 1.0f : 0.0f;
  const float fadeStep = controlSeconds / kVibratoFadeSeconds;
  vibratoFade_ += std::clamp(fadeTarget - vibratoFade_, -fadeStep, fadeStep);
  vibratoPhase_ += vibratoRateScale_ * std::clamp(s.vibratoRateHz, 0.0f, 20.0f) * controlSeconds;
  vibratoPhase_ = vibratoPhase_ >= 1.0f ? vibratoPhase_ - 1.0f : vibratoPhase_;
  const float depth = std::clamp(s.vibratoCents, 0.0f, 100.0f) * vibratoFade_;
  const dsp::Float4 cents = dsp::sineOfCycles(dsp::broadcast(vibratoPhase_)) * depth;
  vibratoRatio_ = dsp::ratioOfCents(cents)[0];
  tone_.saws.setRatios(tone_.laneRatios * vibratoRatio_);

  const float dynamics = clamp01(s.dynamics);
  const float loud = 0.15f + 0.85f * dynamics;
  // The envelope at the end of this period times dynamics and velocity, reached by a ramp.
  const float target =
      envelope_.nextBlock() * loud * loud * (0.55f + 0.45f * velocity_) * strategy_->scale;
  amplitude_ += amplitudeStep_ * static_cast<float>(periodFrames_);  // where the last ramp got to
  amplitudeStep_ = (target - amplitude_) / static_cast<float>(kControlFrames);
  periodFrames_ = 0;
  noiseGain_ =
      clamp01(s.breath) * strategy_->breathScale * (0.4f + 0.6f * dynamics) / 2147483648.0f;

  const float f0Hz = static_cast<float>(pitch_.cyclesPerSample() * sampleRate_);
  if (std::fabs(f0Hz - filterHz_) > 0.01f * filterHz_ ||
      std::fabs(dynamics - filterDynamics_) > 0.01f) {
    filterHz_ = f0Hz;
    filterDynamics_ = dynamics;
    strategy_->setFilters(tone_, f0Hz, dynamics, inverseRate_, velocity_);
  }
  strategy_->control(tone_, static_cast<float>(pitch_.cyclesPerSample()) * vibratoRatio_);
  return true;
}

void WindVoice::render(float* left, float* right, int frames,
                       const WindSettings& settings) noexcept {
  while (frames > 0 && sounding_) {
    if (tick_ == 0 && !beginPeriod(settings)) return;
    const int span = frames < tick_ ? frames : tick_;
    strategy_->render(*this, left, right, span);
    tick_ -= span;
    periodFrames_ += span;
    left += span;
    right += span;
    frames -= span;
  }
}

bool WindVoice::beginPeriod(const WindSettings& settings) noexcept {
  if (!control(settings)) {
    sounding_ = false;
    amplitude_ = amplitudeStep_ = 0.0f;
    periodFrames_ = 0;
    return false;
  }
  tick_ = firstPeriod_ > 0 ? std::min(firstPeriod_, kControlFrames) : kControlFrames;
  firstPeriod_ = 0;
  return true;
}

void WindVoice::updateIfDue(const WindSettings& settings) noexcept {
  if (sounding_ && tick_ == 0) beginPeriod(settings);
}

template <class Instrument>
void WindVoice::renderInstrument(WindVoice& voice, float* left, float* right, int frames) noexcept {
  if (voice.pitch_.gliding()) return voice.renderSpan<Instrument, true>(left, right, frames);
  voice.renderSpan<Instrument, false>(left, right, frames);
}

template <class Instrument, bool kGliding>
void WindVoice::renderSpan(float* __restrict left, float* __restrict right, int frames) noexcept {
  // Pass 1, per sample: source and breath through the filter lanes, before gain, into a local
  // buffer (which no member can alias, so the state stays in registers).
  dsp::Float4 lanes[kControlFrames];
  dsp::SawBank& saws = tone_.saws;
  dsp::ParallelSvf& filters = tone_.filters;
  dsp::PitchGlide& pitch = pitch_;
  const float noiseGain = noiseGain_;
  typename Instrument::One source(tone_);
  std::uint32_t noiseState = noise_;
  dsp::Float4 increment, inverseIncrement;  // each saw lane's, fixed while the pitch holds
  saws.increments(pitch, increment, inverseIncrement);
  for (int i = 0; i < frames; ++i) {
    if constexpr (kGliding) {
      const float base = saws.increments(pitch, increment, inverseIncrement);
      pitch.next();
      Instrument::glide(tone_, base * vibratoRatio_);
    }
    noiseState = noiseState * 1664525u + 1013904223u;  // Numerical Recipes LCG: breath
    const float noise = static_cast<float>(static_cast<std::int32_t>(noiseState)) * noiseGain;
    lanes[i] = filters.processMixed(source.next(saws, increment, inverseIncrement, noise, tone_));
  }
  source.store(tone_);
  noise_ = noiseState;

  // Pass 2, four samples at a time: the lanes summed, the gain ramped (as a function of the
  // sample's place in the control period, so any split of the span gives equal samples), panned.
  const float start = amplitude_, step = amplitudeStep_;
  const float first = static_cast<float>(periodFrames_ + 1);
  const dsp::Float4 ones = dsp::broadcast(1.0f);
  int i = 0;
  for (; i + 4 <= frames; i += 4) {
    const dsp::Float4 ramp =
        start + step * (first + static_cast<float>(i) + dsp::Float4{0.0f, 1.0f, 2.0f, 3.0f});
    const dsp::Float4 y = dsp::weightedLaneSums(lanes + i, ones) * ramp;
    dsp::store4(left + i, dsp::load4(left + i) + y * panLeft_);
    dsp::store4(right + i, dsp::load4(right + i) + y * panRight_);
  }
  for (; i < frames; ++i) {
    const float y =
        dsp::weightedLaneSum(lanes[i], ones) * (start + step * (first + static_cast<float>(i)));
    left[i] += y * panLeft_;
    right[i] += y * panRight_;
  }
}

namespace {

// What an empty lane of a group runs: silent filters and harmless oscillators.
constexpr dsp::ParallelSvf kSilentFilters{};
constexpr dsp::SawBank kSilentSaws{};

}  // namespace

void WindVoice::renderGroup(WindVoice* const* voices, int count, float* left, float* right,
                            int frames, const WindSettings& settings) noexcept {
  while (frames > 0) {
    WindVoice* members[4] = {};
    int live = 0, span = frames;
    bool gliding = false;
    for (int v = 0; v < count && v < 4; ++v) {
      WindVoice& voice = *voices[v];
      if (!voice.sounding_ || (voice.tick_ == 0 && !voice.beginPeriod(settings))) continue;
      members[live++] = &voice;
      span = std::min(span, voice.tick_);
      gliding = gliding || voice.pitch_.gliding();
    }
    if (live == 0) return;
    if (gliding) {  // rare (pitch bend during a glide): one by one
      for (int v = 0; v < live; ++v) members[v]->strategy_->render(*members[v], left, right, span);
    } else {
      members[0]->strategy_->renderLanes(members, live, left, right, span);
    }
    for (int v = 0; v < live; ++v) {
      members[v]->tick_ -= span;
      members[v]->periodFrames_ += span;
    }
    left += span;
    right += span;
    frames -= span;
  }
}

template <class Instrument>
void WindVoice::renderLanes(WindVoice* const* members, int count, float* __restrict left,
                            float* __restrict right, int frames) noexcept {
  // Regroup: bank k, lane v holds voice v's filter (or oscillator) k. The per-voice values
  // become vectors across the voices; empty lanes stay silent.
  const dsp::ParallelSvf* filterOwners[4];
  const dsp::SawBank* sawOwners[4];
  dsp::ParallelSvf* filterTargets[4] = {};
  dsp::SawBank* sawTargets[4] = {};
  dsp::Float4 base = dsp::broadcast(0.01f), inverseBase = dsp::broadcast(100.0f);
  dsp::Float4 amplitude{}, step{}, first{}, panLeft{}, panRight{}, noiseGain{};
  typename Instrument::Lanes source{};
  dsp::UInt4 noiseState = {1u, 1u, 1u, 1u};
  for (int v = 0; v < 4; ++v) {
    filterOwners[v] = &kSilentFilters;
    sawOwners[v] = &kSilentSaws;
    if (v >= count) continue;
    WindVoice& m = *members[v];
    filterOwners[v] = filterTargets[v] = &m.tone_.filters;
    sawOwners[v] = sawTargets[v] = &m.tone_.saws;
    base[v] = static_cast<float>(m.pitch_.cyclesPerSample());
    inverseBase[v] = static_cast<float>(m.pitch_.inverse());
    amplitude[v] = m.amplitude_, step[v] = m.amplitudeStep_;
    first[v] = static_cast<float>(m.periodFrames_ + 1);
    panLeft[v] = m.panLeft_, panRight[v] = m.panRight_;
    noiseGain[v] = m.noiseGain_, noiseState[v] = m.noise_;
    source.load(v, m.tone_);
  }
  dsp::ParallelSvf banks[4];
  dsp::ParallelSvf::regroup(filterOwners, banks);
  dsp::SawBank saws[4];
  dsp::SawBank::regroup(sawOwners, saws);
  dsp::Float4 increment[3], inverseIncrement[3];
  for (int k = 0; k < 3; ++k) {
    increment[k] = saws[k].ratios() * base;
    inverseIncrement[k] = saws[k].inverseRatios() * inverseBase;
  }

  // Pass 1, per sample: each voice's instrument, the sum of its filter lanes, before gain.
  dsp::Float4 lanes[kControlFrames];
  for (int i = 0; i < frames; ++i) {
    noiseState = noiseState * 1664525u + 1013904223u;  // the same LCG as one voice, per lane
    const dsp::Float4 noise =
        __builtin_convertvector(reinterpret_cast<dsp::Int4>(noiseState), dsp::Float4) * noiseGain;
    const dsp::Float4 y = source.next(saws, banks, increment, inverseIncrement, noise);
    lanes[i] = y * (amplitude + step * (first + static_cast<float>(i)));
  }

  // Pass 2, four samples at a time: pan each voice and sum them.
  int i = 0;
  for (; i + 4 <= frames; i += 4) {
    dsp::store4(left + i, dsp::load4(left + i) + dsp::weightedLaneSums(lanes + i, panLeft));
    dsp::store4(right + i, dsp::load4(right + i) + dsp::weightedLaneSums(lanes + i, panRight));
  }
  for (; i < frames; ++i) {
    left[i] += dsp::weightedLaneSum(lanes[i], panLeft);
    right[i] += dsp::weightedLaneSum(lanes[i], panRight);
  }

  dsp::ParallelSvf::restoreStates(banks, filterTargets);
  dsp::SawBank::restorePhases(saws, sawTargets);
  for (int v = 0; v < count; ++v) {
    WindVoice& m = *members[v];
    m.noise_ = noiseState[v];
    source.store(v, m.tone_);
  }
}

}  // namespace reverie::orchestra
