// VoiceQuad: the choir's singers, glottal source, breath and formant filters, four voices at once.
#include "instruments/orchestra/choir_voice.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/math_constants.hpp"

namespace reverie::orchestra::choir {
namespace {

using dsp::Float4;

// One voice of three singers at full dynamics, velocity and expression, "ah", peaks near
// -9 dBFS at level 0 dB (measured in tests/test_choir.cpp).
constexpr float kOutputScale = 0.73f;
// Aspiration noise 6 dB under the voiced sound at breath = 1 (a very breathy voice), 22 dB
// under at the default 0.15 (measured through the formants at A3).
constexpr float kBreathScale = 1.65f;
constexpr float kVibratoOnsetSeconds = 0.15f;  // singers settle the pitch, then vibrate
constexpr float kVibratoFadeSeconds = 0.5f;
constexpr float kJitterCornerHz = 6.0f;  // flutter, not drift: it averages out within a note
constexpr float kSilenceSeconds = 0.005f;
constexpr float kEndLevel = 1e-4f;  // -80 dB: the voice has ended
// Source brightness: the glottal low-pass corner rises from 350 Hz (pp) over 3.5 octaves (ff).
constexpr float kDarkestHz = 350.0f;
constexpr float kBrightnessCents = 4200.0f;
constexpr float kMaxCycles = 0.45f;  // PolyBLEP needs the singers below Nyquist

Float4 clamp01(Float4 x) {
  return dsp::min(dsp::max(x, dsp::broadcast(0.0f)), dsp::broadcast(1.0f));
}

}  // namespace

void VoiceQuad::prepare(double sampleRate, std::uint64_t seed) {
  *this = VoiceQuad{};
  sampleRate_ = static_cast<float>(sampleRate);
  random_.reseed(seed);
  noise_.seed(random_);
  jitterNoise_.seed(random_);
  const double tickSeconds = kControlFrames / sampleRate;
  // Jitter: uniform noise through a one-pole low-pass at the control rate, scaled so its RMS
  // is the jitter setting: Var(j) = s^2 / (3 (1 - a^2)) for j <- a j + s u, u uniform in [-1, 1).
  const double pole = std::exp(-2.0 * dsp::kPiTo15Digits * kJitterCornerHz * tickSeconds);
  jitterPole_ = static_cast<float>(pole);
  jitterScale_ = static_cast<float>(std::sqrt(3.0 * (1.0 - pole * pole)));
  silencePerTick_ = static_cast<float>(1.0 - std::exp(-6.91 * tickSeconds / kSilenceSeconds));
}

void VoiceQuad::start(int lane, double cyclesPerSample, float velocity, int singers,
                      float panPosition) noexcept {
  velocity_[lane] = std::clamp(velocity, 0.0f, 1.0f);
  held_[lane] = true;
  silencing_[lane] = false;
  if (active_[lane]) return setPitch(lane, cyclesPerSample);  // still sounding: carry on from here
  active_[lane] = true;
  const int count = std::clamp(singers, 1, kMaxSingers);
  singerCount_[lane] = count;
  for (int k = 0; k < kMaxSingers; ++k) {
    const bool sings = k < count;
    position_[k][lane] =
        count > 1 ? -1.0f + 2.0f * static_cast<float>(k) / static_cast<float>(count - 1) : 0.0f;
    singerGain_[k][lane] = sings ? 1.0f / std::sqrt(static_cast<float>(count)) : 0.0f;
    phase_[k][lane] = random_.uniform();  // singers never start in phase
    vibratoPhase_[k][lane] = random_.uniform();
    vibratoRateScale_[k][lane] = 1.0f + 0.07f * random_.bipolar();  // nor vibrate in step
    jitter_[k][lane] = 0.0f;
  }
  for (int f = 0; f < kFormantCount; ++f) y1_[f][lane] = y2_[f][lane] = 0.0f;
  in1_[lane] = in2_[lane] = glottal_[lane] = 0.0f;
  envelope_[lane] = amplitude_[lane] = amplitudeStep_[lane] = 0.0f;
  ageSeconds_[lane] = 0.0f;
  panPosition_[lane] = std::clamp(panPosition, -1.0f, 1.0f);
  setPitch(lane, cyclesPerSample);
}

void VoiceQuad::setPitch(int lane, double cyclesPerSample) noexcept {
  const float base = std::clamp(static_cast<float>(cyclesPerSample), 1e-5f, kMaxCycles);
  baseCycles_[lane] = base;
  // The exact pitch at once; vibrato and jitter join at the next control tick.
  for (int k = 0; k < kMaxSingers; ++k) {
    cycles_[k][lane] = base;
    inverseCycles_[k][lane] = 1.0f / base;
  }
}

void VoiceQuad::setFormants(int lane,
                            const dsp::ResonatorCoefficients (&formants)[kFormantCount]) noexcept {
  for (int f = 0; f < kFormantCount; ++f) {
    gain_[f][lane] = formants[f].gain;
    a1_[f][lane] = formants[f].a1;
    a2_[f][lane] = formants[f].a2;
  }
}

void VoiceQuad::release(int lane) noexcept {
  held_[lane] = false;
}

void VoiceQuad::silence(int lane) noexcept {
  held_[lane] = false;
  silencing_[lane] = true;
}

void VoiceQuad::control(const ChoirSettings& s) noexcept {
  const float tickSeconds = static_cast<float>(kControlFrames) / sampleRate_;

  // Envelope: a one-pole rise while held, an exponential fall once released.
  Float4 target{}, step{};
  for (int lane = 0; lane < kLanes; ++lane) {
    target[lane] = held_[lane] ? 1.0f : 0.0f;
    step[lane] =
        held_[lane] ? s.attackPerTick : (silencing_[lane] ? silencePerTick_ : s.releasePerTick);
  }
  envelope_ += (target - envelope_) * step;
  int singers = 1;
  for (int lane = 0; lane < kLanes; ++lane) {
    if (active_[lane] && !held_[lane] && envelope_[lane] < kEndLevel) {
      active_[lane] = false;
      envelope_[lane] = 0.0f;
    }
    if (active_[lane]) singers = std::max(singers, singerCount_[lane]);
  }
  singers_ = singers;

  // Pitch: symmetric detune about the note, vibrato after its onset, and jitter.
  ageSeconds_ += tickSeconds;
  const Float4 fade = clamp01((ageSeconds_ - kVibratoOnsetSeconds) * (1.0f / kVibratoFadeSeconds));
  const Float4 depth = fade * std::clamp(s.vibratoCents, 0.0f, 200.0f);
  const float detune = std::clamp(s.detuneCents, 0.0f, 100.0f);
  const float vibratoStep = std::clamp(s.vibratoRateHz, 0.0f, 20.0f) * tickSeconds;
  const float jitterGain = jitterScale_ * std::clamp(s.jitterCents, 0.0f, 50.0f);
  for (int k = 0; k < singers; ++k) {
    const Float4 phase = vibratoPhase_[k] + vibratoRateScale_[k] * vibratoStep;
    vibratoPhase_[k] = phase >= 1.0f ? phase - 1.0f : phase;
    jitter_[k] = jitter_[k] * jitterPole_ + jitterNoise_.next() * jitterGain;
    const Float4 cents =
        position_[k] * detune + dsp::sineOfCycles(vibratoPhase_[k]) * depth + jitter_[k];
    const Float4 cycles =
        dsp::min(baseCycles_ * dsp::ratioOfCents(cents), dsp::broadcast(kMaxCycles));
    cycles_[k] = cycles;
    inverseCycles_[k] = 1.0f / cycles;
  }

  // Brightness: the source's low-pass opens with dynamics (and a little with velocity).
  const float dynamics = std::clamp(s.dynamics, 0.0f, 1.0f);
  const Float4 brightness = dynamics * (0.8f + 0.2f * velocity_);
  const Float4 w =
      (dsp::kTwoPiF * kDarkestHz / sampleRate_) * dsp::ratioOfCents(brightness * kBrightnessCents);
  glottalCoefficient_ = w / (1.0f + w);  // one-pole 1 - e^-w, to first order in w
  breath_ = dsp::broadcast(kBreathScale * std::clamp(s.breath, 0.0f, 1.0f));

  // Loudness for the next tick: dynamics (as the strings), velocity, expression and level.
  const float loud = 0.15f + 0.85f * dynamics;
  const Float4 amplitude = envelope_ * (0.55f + 0.45f * velocity_) *
                           (loud * loud * s.expressionGain * s.levelGain * kOutputScale);
  amplitudeStep_ = (amplitude - amplitude_) * (1.0f / static_cast<float>(kControlFrames));

  // Constant-power placement: position x spread, a quarter turn between the two sides.
  const Float4 angle =
      (clamp01((panPosition_ * std::clamp(s.spread, 0.0f, 1.0f) + 1.0f) * 0.5f)) * 0.25f;
  panLeft_ = dsp::sineOfCycles(angle + 0.25f);
  panRight_ = dsp::sineOfCycles(angle);
}

void VoiceQuad::render(Float4* left, Float4* right, int frames) noexcept {
  // State and coefficients in locals: nothing written through left/right can alias them.
  const Float4 zero = dsp::broadcast(0.0f);
  const int singers = singers_;
  Float4 glottal = glottal_, in1 = in1_, in2 = in2_, amplitude = amplitude_;
  dsp::NoiseQuad noise = noise_;
  const Float4 glottalCoefficient = glottalCoefficient_, breath = breath_, step = amplitudeStep_;
  const Float4 panLeft = panLeft_, panRight = panRight_;
  Float4 phase[kMaxSingers], cycles[kMaxSingers], inverse[kMaxSingers], singerGain[kMaxSingers];
  for (int k = 0; k < kMaxSingers; ++k) {
    phase[k] = phase_[k];
    cycles[k] = cycles_[k];
    inverse[k] = inverseCycles_[k];
    singerGain[k] = singerGain_[k];
  }
  Float4 y1[kFormantCount], y2[kFormantCount], gain[kFormantCount], a1[kFormantCount],
      a2[kFormantCount];
  for (int f = 0; f < kFormantCount; ++f) {
    y1[f] = y1_[f];
    y2[f] = y2_[f];
    gain[f] = gain_[f];
    a1[f] = a1_[f];
    a2[f] = a2_[f];
  }
  for (int i = 0; i < frames; ++i) {
    Float4 source = zero;
    for (int k = 0; k < singers; ++k) {
      // PolyBLEP saw: the two-sample polynomial residual around the wrap, without branches.
      const Float4 t = phase[k], dt = cycles[k];
      const Float4 after = t * inverse[k];
      const Float4 before = (t - 1.0f) * inverse[k];
      Float4 saw = t + t - 1.0f;
      saw -= t < dt ? after + after - after * after - 1.0f : zero;
      saw -= t > 1.0f - dt ? before * before + before + before + 1.0f : zero;
      const Float4 next = t + dt;
      phase[k] = next >= 1.0f ? next - 1.0f : next;
      source += saw * singerGain[k];
    }
    // Breath joins before the low-pass, so the whole voice darkens when sung softly.
    glottal += glottalCoefficient * (source + breath * noise.next() - glottal);
    const Float4 difference = glottal - in2;  // the resonators' shared zeros at z = +-1
    in2 = in1;
    in1 = glottal;
    Float4 y = zero;
    for (int f = 0; f < kFormantCount; ++f) {
      const Float4 v = gain[f] * difference + a1[f] * y1[f] + a2[f] * y2[f];
      y2[f] = y1[f];
      y1[f] = v;
      y += v;
    }
    y *= amplitude;
    amplitude += step;
    left[i] += y * panLeft;
    right[i] += y * panRight;
  }
  for (int k = 0; k < kMaxSingers; ++k) phase_[k] = phase[k];
  noise_ = noise;
  glottal_ = glottal;
  in1_ = in1;
  in2_ = in2;
  amplitude_ = amplitude;
  for (int f = 0; f < kFormantCount; ++f) {
    y1_[f] = y1[f];
    y2_[f] = y2[f];
  }
}

}  // namespace reverie::orchestra::choir
