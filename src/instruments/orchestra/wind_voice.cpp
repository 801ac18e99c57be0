// WindVoice: the four instruments' sources, resonances and breath, vibrato and envelope.
#include "instruments/orchestra/wind_voice.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/math_constants.hpp"

namespace reverie::orchestra {
namespace {

constexpr float kVibratoFadeSeconds = 0.5f;
constexpr float kPadExtraAttackSeconds = 0.8f;
constexpr float kPadExtraReleaseSeconds = 1.0f;
constexpr float kPadDetuneCents = 7.0f;
// Per instrument: output scale (a note at full dynamics and velocity peaks near -11 dBFS for
// oboe and pad, -15 dBFS for flute and clarinet, whose six-note chords would otherwise pass
// full scale; measured in tests/test_winds.cpp) and breath-noise scale.
constexpr float kScale[] = {0.19f, 0.21f, 0.21f, 0.28f};
constexpr float kBreathScale[] = {0.25f, 0.35f, 0.2f, 0.15f};

float clamp01(float x) {
  return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f;
}
int indexOf(WindInstrument instrument) {
  return std::clamp(static_cast<int>(instrument), 0, 3);
}

}  // namespace

void WindVoice::prepare(double sampleRate, std::uint64_t seed) noexcept {
  prepareShared(sampleRate, seed, kControlFrames);
}

void WindVoice::start(double frequencyHz, float velocity, const WindSettings& settings) noexcept {
  const bool fresh = !sounding_;
  velocity_ = clamp01(velocity);
  pitch_.set(dsp::playableCycles(frequencyHz, sampleRate_));
  if (fresh) {
    instrument_ = static_cast<WindInstrument>(indexOf(settings.instrument));
    const float phase = random_.uniform();
    switch (instrument_) {
      case WindInstrument::kOboe:
        saws_.setPhases(dsp::Float4{phase, 0.0f, 0.0f, 0.0f});
        laneRatios_ = dsp::broadcast(1.0f);
        reedState_ = reedTopState_ = 0.0f;
        break;
      case WindInstrument::kClarinet:  // saw(t) - saw(t + 1/2): a square, odd harmonics only
        saws_.setPhases(dsp::Float4{phase, std::fmod(phase + 0.5f, 1.0f), 0.0f, 0.0f});
        laneRatios_ = dsp::broadcast(1.0f);
        break;
      case WindInstrument::kPad:
        saws_.setPhases(dsp::Float4{phase, random_.uniform(), random_.uniform(), 0.0f});
        laneRatios_ = dsp::ratioOfCents(dsp::Float4{0.0f, kPadDetuneCents, -kPadDetuneCents, 0.0f});
        break;
      case WindInstrument::kFlute: {
        const dsp::Float4 phasor = dsp::sineOfCycles(dsp::Float4{phase + 0.25f, phase, 0.0f, 0.0f});
        fluteCos_ = phasor[0];
        fluteSin_ = phasor[1];
        break;
      }
    }
    filters_.reset();
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
  const bool pad = instrument_ == WindInstrument::kPad;
  envelope_.setAttackSeconds(settings.attackSeconds + (pad ? kPadExtraAttackSeconds : 0.0f));
  envelope_.setReleaseSeconds(settings.releaseSeconds + (pad ? kPadExtraReleaseSeconds : 0.0f));
  envelope_.gateOn();
  controlTicks_ = 0;
  tick_ = 0;
}

void WindVoice::setFilters(float f0Hz, float dynamics) noexcept {
  filterHz_ = f0Hz;
  filterDynamics_ = dynamics;
  const float d = dynamics, r = inverseRate_;
  switch (instrument_) {
    case WindInstrument::kOboe:
      // Oboe formant regions near 1.1-1.2 kHz and 2.7-3 kHz: J. Meyer, "Acoustics and the
      // Performance of Music" (5th ed., 2009), sec. 2.4. The upper one grows with dynamics.
      // The reed's tone darkens when played softly: two one-pole low-passes on the saw (12 dB
      // per octave), opening from about 800 Hz at pp to 4.7 kHz at ff with full velocity,
      // 1.9-2.7 kHz at mezzo-forte by the note's velocity. Measured against a recorded oboe
      // (bench/realism.sh oboe), one pole opening to 4.7 kHz at mf and the full-strength
      // upper formant left 5-16 kHz 20-37 dB too strong, a hiss; that formant is now 4.4 dB
      // weaker (still a bump over its neighbours).
      reedCoefficient_ =
          1.0f - std::exp(-dsp::kTwoPiF * (700.0f + (2400.0f + 1600.0f * velocity_) * d * d) * r);
      filters_.setLane(0, f0Hz * (1.0f + 1.5f * d) * r, 0.7f);
      filters_.setLane(1, 1150.0f * r, 2.8f);
      filters_.setLane(2, 2900.0f * r, 4.0f);
      filters_.setLane(3, 1400.0f * r, 1.0f);
      // Band lanes are normalised to their peak (x 1/Q), then weighted.
      filters_.setMix(
          dsp::Float4{0.05f, 0.0f, 0.0f, 0.0f},
          dsp::Float4{0.0f, 2.2f * (0.6f + 0.4f * d) / 2.8f, 1.8f * (0.1f + 0.9f * d) / 4.0f, 1.0f},
          dsp::broadcast(0.0f));
      break;
    case WindInstrument::kFlute:
      filters_.setLane(0, 2500.0f * r, 0.8f);  // breath hiss; lane 1 passes the tone through
      filters_.setMix(dsp::broadcast(0.0f), dsp::Float4{1.0f / 0.8f, 0.0f, 0.0f, 0.0f},
                      dsp::Float4{0.0f, 1.0f, 0.0f, 0.0f});
      // Overblowing harder brings up the upper partials (Fletcher & Rossing, "The Physics of
      // Musical Instruments", 2nd ed., 1998, sec. 16.10).
      harmonics_ = dsp::Float4{1.0f, 0.08f + 0.25f * d, 0.03f + 0.12f * d, 0.0f};
      break;
    case WindInstrument::kClarinet:
      filters_.setLane(0, (f0Hz * (2.0f + 5.0f * d) + 300.0f) * r, 0.75f);
      filters_.setLane(3, 1800.0f * r, 1.0f);
      filters_.setMix(dsp::Float4{1.0f, 0.0f, 0.0f, 0.0f}, dsp::Float4{0.0f, 0.0f, 0.0f, 1.0f},
                      dsp::broadcast(0.0f));
      break;
    case WindInstrument::kPad:
      filters_.setAllLanes((f0Hz * (1.5f + 2.0f * d) + 150.0f) * r, 0.6f);
      filters_.setLane(3, 900.0f * r, 0.7f);
      filters_.setMix(dsp::Float4{0.6f, 0.45f, 0.45f, 0.0f},
                      dsp::Float4{0.0f, 0.0f, 0.0f, 1.0f / 0.7f}, dsp::broadcast(0.0f));
      break;
  }
}

bool WindVoice::control(const WindSettings& s) noexcept {
  if (!envelope_.active()) return false;  // the last period faded to silence
  const float controlSeconds = kControlFrames * inverseRate_;
  const bool pad = instrument_ == WindInstrument::kPad;
  envelope_.setAttackSeconds(s.attackSeconds + (pad ? kPadExtraAttackSeconds : 0.0f));
  envelope_.setReleaseSeconds(s.releaseSeconds + (pad ? kPadExtraReleaseSeconds : 0.0f));

  const float elapsed = static_cast<float>(controlTicks_++) * controlSeconds;
  const float fadeTarget = elapsed >= s.vibratoDelaySeconds ? 1.0f : 0.0f;
  const float fadeStep = controlSeconds / kVibratoFadeSeconds;
  vibratoFade_ += std::clamp(fadeTarget - vibratoFade_, -fadeStep, fadeStep);
  vibratoPhase_ += vibratoRateScale_ * std::clamp(s.vibratoRateHz, 0.0f, 20.0f) * controlSeconds;
  vibratoPhase_ = vibratoPhase_ >= 1.0f ? vibratoPhase_ - 1.0f : vibratoPhase_;
  const float depth = std::clamp(s.vibratoCents, 0.0f, 100.0f) * vibratoFade_;
  const dsp::Float4 cents = dsp::sineOfCycles(dsp::broadcast(vibratoPhase_)) * depth;
  vibratoRatio_ = dsp::ratioOfCents(cents)[0];
  saws_.setRatios(laneRatios_ * vibratoRatio_);

  const float dynamics = clamp01(s.dynamics);
  const float loud = 0.15f + 0.85f * dynamics;
  // The envelope at the end of this period times dynamics and velocity, reached by a ramp.
  const float target = envelope_.nextBlock() * loud * loud * (0.55f + 0.45f * velocity_) *
                       kScale[indexOf(instrument_)];
  amplitude_ += amplitudeStep_ * static_cast<float>(periodFrames_);  // where the last ramp got to
  amplitudeStep_ = (target - amplitude_) / static_cast<float>(kControlFrames);
  periodFrames_ = 0;
  noiseGain_ = clamp01(s.breath) * kBreathScale[indexOf(instrument_)] * (0.4f + 0.6f * dynamics) /
               2147483648.0f;

  const float f0Hz = static_cast<float>(pitch_.cyclesPerSample() * sampleRate_);
  if (std::fabs(f0Hz - filterHz_) > 0.01f * filterHz_ ||
      std::fabs(dynamics - filterDynamics_) > 0.01f)
    setFilters(f0Hz, dynamics);
  if (instrument_ == WindInstrument::kFlute) {
    // The flute's phasor turns by its pitch each sample; renormalising here keeps it on the
    // unit circle against rounding.
    setFluteRotation(static_cast<float>(pitch_.cyclesPerSample()) * vibratoRatio_);
    const float radius = 1.5f - 0.5f * (fluteCos_ * fluteCos_ + fluteSin_ * fluteSin_);
    fluteCos_ *= radius;
    fluteSin_ *= radius;
  }
  return true;
}

void WindVoice::setFluteRotation(float cyclesPerSample) noexcept {
  const dsp::Float4 rotation =
      dsp::sineOfCycles(dsp::Float4{cyclesPerSample + 0.25f, cyclesPerSample, 0.0f, 0.0f});
  rotationCos_ = rotation[0];
  rotationSin_ = rotation[1];
}

void WindVoice::render(float* left, float* right, int frames,
                       const WindSettings& settings) noexcept {
  while (frames > 0 && sounding_) {
    if (tick_ == 0 && !beginPeriod(settings)) return;
    const int span = frames < tick_ ? frames : tick_;
    switch (instrument_) {
      case WindInstrument::kOboe:
        renderInstrument<WindInstrument::kOboe>(left, right, span);
        break;
      case WindInstrument::kFlute:
        renderInstrument<WindInstrument::kFlute>(left, right, span);
        break;
      case WindInstrument::kClarinet:
        renderInstrument<WindInstrument::kClarinet>(left, right, span);
        break;
      case WindInstrument::kPad:
        renderInstrument<WindInstrument::kPad>(left, right, span);
        break;
    }
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

template <WindInstrument kInstrument>
void WindVoice::renderInstrument(float* left, float* right, int frames) noexcept {
  if (pitch_.gliding()) return renderSpan<kInstrument, true>(left, right, frames);
  renderSpan<kInstrument, false>(left, right, frames);
}

template <WindInstrument kInstrument, bool kGliding>
void WindVoice::renderSpan(float* __restrict left, float* __restrict right, int frames) noexcept {
  // Pass 1, per sample: source and breath through the filter lanes, before gain, into a local
  // buffer (which no member can alias, so the state stays in registers).
  dsp::Float4 lanes[kControlFrames];
  dsp::SawBank& saws = saws_;
  dsp::ParallelSvf& filters = filters_;
  dsp::PitchGlide& pitch = pitch_;
  const float noiseGain = noiseGain_, second = harmonics_[1], third = harmonics_[2];
  float phasorCos = fluteCos_, phasorSin = fluteSin_;
  float reed = reedState_, reedTop = reedTopState_;
  const float reedCoefficient = reedCoefficient_;
  std::uint32_t noiseState = noise_;
  dsp::Float4 increment, inverseIncrement;  // each saw lane's, fixed while the pitch holds
  saws.increments(pitch, increment, inverseIncrement);
  for (int i = 0; i < frames; ++i) {
    if constexpr (kGliding) {
      const float base = saws.increments(pitch, increment, inverseIncrement);
      pitch.next();
      if constexpr (kInstrument == WindInstrument::kFlute) setFluteRotation(base * vibratoRatio_);
    }
    noiseState = noiseState * 1664525u + 1013904223u;  // Numerical Recipes LCG: breath
    const float noise = static_cast<float>(static_cast<std::int32_t>(noiseState)) * noiseGain;
    dsp::Float4 x;
    if constexpr (kInstrument == WindInstrument::kOboe) {
      reed += (saws.next(increment, inverseIncrement)[0] - reed) * reedCoefficient;
      reedTop += (reed - reedTop) * reedCoefficient;
      x = dsp::Float4{reedTop, reedTop, reedTop, noise};
    } else if constexpr (kInstrument == WindInstrument::kClarinet) {
      const dsp::Float4 w = saws.next(increment, inverseIncrement);
      x = dsp::Float4{w[0] - w[1], 0.0f, 0.0f, noise};
    } else if constexpr (kInstrument == WindInstrument::kPad) {
      x = saws.next(increment, inverseIncrement);
      x[3] = noise;
    } else {
      // A rotating phasor: sin, then the 2nd and 3rd partials by Chebyshev's identities,
      // sin 2a = 2 sin a cos a and sin 3a = sin a (3 - 4 sin^2 a).
      const float c = phasorCos * rotationCos_ - phasorSin * rotationSin_;
      phasorSin = phasorSin * rotationCos_ + phasorCos * rotationSin_;
      phasorCos = c;
      const float s = phasorSin;
      x = dsp::Float4{noise, s * (1.0f + 2.0f * second * c + third * (3.0f - 4.0f * s * s)), 0.0f,
                      0.0f};
    }
    lanes[i] = filters.processMixed(x);
  }
  fluteCos_ = phasorCos;
  fluteSin_ = phasorSin;
  reedState_ = reed;
  reedTopState_ = reedTop;
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
      for (int v = 0; v < live; ++v) {
        WindVoice& voice = *members[v];
        switch (voice.instrument_) {
          case WindInstrument::kOboe:
            voice.renderInstrument<WindInstrument::kOboe>(left, right, span);
            break;
          case WindInstrument::kFlute:
            voice.renderInstrument<WindInstrument::kFlute>(left, right, span);
            break;
          case WindInstrument::kClarinet:
            voice.renderInstrument<WindInstrument::kClarinet>(left, right, span);
            break;
          case WindInstrument::kPad:
            voice.renderInstrument<WindInstrument::kPad>(left, right, span);
            break;
        }
      }
    } else {
      switch (members[0]->instrument_) {
        case WindInstrument::kOboe:
          renderLanes<WindInstrument::kOboe>(members, live, left, right, span);
          break;
        case WindInstrument::kFlute:
          renderLanes<WindInstrument::kFlute>(members, live, left, right, span);
          break;
        case WindInstrument::kClarinet:
          renderLanes<WindInstrument::kClarinet>(members, live, left, right, span);
          break;
        case WindInstrument::kPad:
          renderLanes<WindInstrument::kPad>(members, live, left, right, span);
          break;
      }
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

template <WindInstrument kInstrument>
void WindVoice::renderLanes(WindVoice* const* members, int count, float* __restrict left,
                            float* __restrict right, int frames) noexcept {
  // Regroup: bank k, lane v holds voice v's filter (or oscillator) k. The per-voice values
  // become vectors across the voices; empty lanes stay silent.
  const dsp::ParallelSvf* filterOwners[4];
  const dsp::SawBank* sawOwners[4];
  dsp::ParallelSvf* filterTargets[4] = {};
  dsp::SawBank* sawTargets[4] = {};
  dsp::Float4 base = dsp::broadcast(0.01f), inverseBase = dsp::broadcast(100.0f);
  dsp::Float4 amplitude{}, step{}, first{}, panLeft{}, panRight{}, noiseGain{}, reed{}, reedTop{},
      reedCoefficient{};
  dsp::Float4 phasorCos{}, phasorSin{}, rotationCos{}, rotationSin{}, second{}, third{};
  dsp::UInt4 noiseState = {1u, 1u, 1u, 1u};
  for (int v = 0; v < 4; ++v) {
    filterOwners[v] = &kSilentFilters;
    sawOwners[v] = &kSilentSaws;
    if (v >= count) continue;
    WindVoice& m = *members[v];
    filterOwners[v] = filterTargets[v] = &m.filters_;
    sawOwners[v] = sawTargets[v] = &m.saws_;
    base[v] = static_cast<float>(m.pitch_.cyclesPerSample());
    inverseBase[v] = static_cast<float>(m.pitch_.inverse());
    amplitude[v] = m.amplitude_, step[v] = m.amplitudeStep_;
    first[v] = static_cast<float>(m.periodFrames_ + 1);
    panLeft[v] = m.panLeft_, panRight[v] = m.panRight_;
    noiseGain[v] = m.noiseGain_, noiseState[v] = m.noise_;
    reed[v] = m.reedState_, reedTop[v] = m.reedTopState_, reedCoefficient[v] = m.reedCoefficient_;
    phasorCos[v] = m.fluteCos_, phasorSin[v] = m.fluteSin_;
    rotationCos[v] = m.rotationCos_, rotationSin[v] = m.rotationSin_;
    second[v] = m.harmonics_[1], third[v] = m.harmonics_[2];
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
    dsp::Float4 y;
    if constexpr (kInstrument == WindInstrument::kOboe) {
      reed += (saws[0].next(increment[0], inverseIncrement[0]) - reed) * reedCoefficient;
      reedTop += (reed - reedTop) * reedCoefficient;
      y = ((banks[0].processMixed(reedTop) + banks[1].processMixed(reedTop)) +
           banks[2].processMixed(reedTop)) +
          banks[3].processMixed(noise);
    } else if constexpr (kInstrument == WindInstrument::kClarinet) {
      const dsp::Float4 square = saws[0].next(increment[0], inverseIncrement[0]) -
                                 saws[1].next(increment[1], inverseIncrement[1]);
      y = banks[0].processMixed(square) + banks[3].processMixed(noise);
    } else if constexpr (kInstrument == WindInstrument::kPad) {
      const dsp::Float4 a = saws[0].next(increment[0], inverseIncrement[0]);
      const dsp::Float4 b = saws[1].next(increment[1], inverseIncrement[1]);
      const dsp::Float4 c = saws[2].next(increment[2], inverseIncrement[2]);
      y = ((banks[0].processMixed(a) + banks[1].processMixed(b)) + banks[2].processMixed(c)) +
          banks[3].processMixed(noise);
    } else {
      const dsp::Float4 c = phasorCos * rotationCos - phasorSin * rotationSin;
      phasorSin = phasorSin * rotationCos + phasorCos * rotationSin;
      phasorCos = c;
      const dsp::Float4 s = phasorSin;
      y = banks[0].processMixed(noise) +
          s * (1.0f + 2.0f * second * c + third * (3.0f - 4.0f * s * s));
    }
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
    m.reedState_ = reed[v];
    m.reedTopState_ = reedTop[v];
    m.fluteCos_ = phasorCos[v], m.fluteSin_ = phasorSin[v];
  }
}

}  // namespace reverie::orchestra
