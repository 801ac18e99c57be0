// Babble: talkers' syllables, pitch and vowels at the control rate; their voices four at a time.
#include "instruments/audience/babble.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/formant_resonator.hpp"
#include "dsp/lane_mixdown.hpp"

namespace reverie::audience {
namespace {

using dsp::Float4;

// Peterson & Barney (1952), Table II: average F1 and F2 of ten American English vowels
// (heed, hid, head, had, hod, hawed, hood, who'd, hud, heard), men and women.
constexpr float kMenF1[] = {270, 390, 530, 660, 730, 570, 440, 300, 640, 490};
constexpr float kMenF2[] = {2290, 1990, 1840, 1720, 1090, 840, 1020, 870, 1190, 1350};
constexpr float kWomenF1[] = {310, 430, 610, 860, 850, 590, 470, 370, 760, 500};
constexpr float kWomenF2[] = {2790, 2480, 2330, 2050, 1220, 920, 1160, 950, 1400, 1640};
constexpr int kVowels = 10;

// Murmur 1 with 12 talkers reads about -30 dBFS RMS.
constexpr float kTalkerGain = 0.25f;
constexpr float kF1BandwidthHz = 110.0f, kF2BandwidthHz = 160.0f;
constexpr float kF2Level = 0.5f;
constexpr float kPauseChance = 0.2f;
constexpr float kGlideShare = 0.1f;  // of the way to the syllable's pitch, per tick

}  // namespace

void Babble::prepare(double sampleRate, std::uint64_t seed) {
  sampleRate_ = sampleRate;
  random_.reseed(seed);
  for (int t = 0; t < kMaxTalkers; ++t) {
    Talker& k = talkers_[t];
    k = Talker{};
    k.female = random_.uniform() < 0.5f;
    k.basePitchHz =
        k.female ? 180.0f + 70.0f * random_.uniform() : 95.0f + 55.0f * random_.uniform();
    k.pitchHz = k.pitchTargetHz = k.basePitchHz;
    k.seat = random_.bipolar();
    newSyllable(t, false);
    k.syllablePhase = random_.uniform();  // talkers never in step
  }
  for (int q = 0; q < kQuads; ++q) {
    noise_[q].seed(random_);
    phase_[q] = in1_[q] = in2_[q] = amplitude_[q] = amplitudeStep_[q] = dsp::broadcast(0.0f);
    f1Out1_[q] = f1Out2_[q] = f2Out1_[q] = f2Out2_[q] = dsp::broadcast(0.0f);
  }
  activeQuads_ = 0;
}

void Babble::newSyllable(int talker, bool speaking) noexcept {
  Talker& k = talkers_[talker];
  const float tickSeconds = static_cast<float>(kTickFrames / sampleRate_);
  k.syllableStep = (3.0f + 3.0f * random_.uniform()) * tickSeconds;
  k.syllableLevel =
      speaking && random_.uniform() >= kPauseChance ? 0.4f + 0.6f * random_.uniform() : 0.0f;
  // Intonation: each syllable somewhere within +-4 semitones of the talker's own pitch.
  k.pitchTargetHz = k.basePitchHz * std::exp2(4.0f * random_.bipolar() / 12.0f);
  const int vowel = static_cast<int>(random_.next() % kVowels);
  const float f1 =
      (k.female ? kWomenF1[vowel] : kMenF1[vowel]) * (1.0f + 0.08f * random_.bipolar());
  const float f2 =
      (k.female ? kWomenF2[vowel] : kMenF2[vowel]) * (1.0f + 0.08f * random_.bipolar());
  const float inverseRate = static_cast<float>(1.0 / sampleRate_);
  const dsp::ResonatorCoefficients r1 =
      dsp::resonatorCoefficients(f1 * inverseRate, kF1BandwidthHz * inverseRate, 1.0f);
  const dsp::ResonatorCoefficients r2 =
      dsp::resonatorCoefficients(f2 * inverseRate, kF2BandwidthHz * inverseRate, kF2Level);
  const int q = talker / 4, lane = talker % 4;
  f1Gain_[q][lane] = r1.gain;
  f1A1_[q][lane] = r1.a1;
  f1A2_[q][lane] = r1.a2;
  f2Gain_[q][lane] = r2.gain;
  f2A1_[q][lane] = r2.a1;
  f2A2_[q][lane] = r2.a2;
  // Vowels are voiced; the consonants around them hiss.
  voiced_[q][lane] = 0.6f + 0.4f * random_.uniform();
  unvoiced_[q][lane] = 0.15f + 0.35f * random_.uniform();
}

void Babble::control(float murmur, float size, float spread) noexcept {
  const int talking = 4 + static_cast<int>(std::lround(8.0f * std::clamp(size, 0.0f, 1.0f)));
  const float gain = kTalkerGain * std::clamp(murmur, 0.0f, 1.0f);
  const float width = std::clamp(spread, 0.0f, 1.0f);
  if (gain == 0.0f && activeQuads_ == 0) return;  // hushed: the talkers wait where they are
  const float inverseRate = static_cast<float>(1.0 / sampleRate_);
  int lastActive = -1;
  for (int q = 0; q < kQuads; ++q) {
    Float4 target{}, seat{};
    for (int lane = 0; lane < 4; ++lane) {
      const int t = q * 4 + lane;
      Talker& k = talkers_[t];
      k.syllablePhase += k.syllableStep;
      if (k.syllablePhase >= 1.0f) {
        k.syllablePhase -= 1.0f;
        newSyllable(t, t < talking && gain > 0.0f);
      }
      const float arch = 4.0f * k.syllablePhase * (1.0f - k.syllablePhase);
      target[lane] = gain * k.syllableLevel * arch;
      k.pitchHz += (k.pitchTargetHz - k.pitchHz) * kGlideShare;
      cycles_[q][lane] = k.pitchHz * inverseRate;
      seat[lane] = k.seat;
    }
    for (int lane = 0; lane < 4; ++lane)  // a ramp that ended at zero stays there exactly
      if (target[lane] == 0.0f && std::fabs(amplitude_[q][lane]) < 1e-6f)
        amplitude_[q][lane] = 0.0f;
    amplitudeStep_[q] = (target - amplitude_[q]) * (1.0f / kTickFrames);
    const Float4 angle = (seat * width + 1.0f) * 0.125f;  // constant power: a quarter turn
    panLeft_[q] = dsp::sineOfCycles(angle + 0.25f);
    panRight_[q] = dsp::sineOfCycles(angle);
    bool sounding = false;
    for (int lane = 0; lane < 4; ++lane)
      sounding = sounding || target[lane] > 0.0f || amplitude_[q][lane] != 0.0f;
    if (sounding) lastActive = q;
  }
  activeQuads_ = lastActive + 1;
}

void Babble::render(float* left, float* right, int frames) noexcept {
  Float4 sumLeft[kTickFrames], sumRight[kTickFrames];
  for (int i = 0; i < frames; ++i) sumLeft[i] = sumRight[i] = dsp::broadcast(0.0f);
  for (int q = 0; q < activeQuads_; ++q) {
    // State and coefficients in locals: nothing written in the loop can alias them.
    Float4 phase = phase_[q], in1 = in1_[q], in2 = in2_[q], amplitude = amplitude_[q];
    Float4 a1 = f1Out1_[q], a2 = f1Out2_[q], b1 = f2Out1_[q], b2 = f2Out2_[q];
    dsp::NoiseQuad noise = noise_[q];
    const Float4 cycles = cycles_[q], voiced = voiced_[q], unvoiced = unvoiced_[q];
    const Float4 g1 = f1Gain_[q], c1 = f1A1_[q], d1 = f1A2_[q], g2 = f2Gain_[q], c2 = f2A1_[q],
                 d2 = f2A2_[q];
    const Float4 step = amplitudeStep_[q], panLeft = panLeft_[q], panRight = panRight_[q];
    for (int i = 0; i < frames; ++i) {
      // A zero-mean parabola, 6 (t^2 - t + 1/6): harmonics fall as 1/k^2.
      const Float4 buzz = 6.0f * (phase * phase - phase) + 1.0f;
      const Float4 next = phase + cycles;
      phase = next >= 1.0f ? next - 1.0f : next;
      const Float4 x = voiced * buzz + unvoiced * noise.next();
      const Float4 difference = x - in2;
      in2 = in1;
      in1 = x;
      const Float4 y1 = g1 * difference + c1 * a1 + d1 * a2;
      const Float4 y2 = g2 * difference + c2 * b1 + d2 * b2;
      a2 = a1;
      a1 = y1;
      b2 = b1;
      b1 = y2;
      const Float4 y = (y1 + y2) * amplitude;
      amplitude += step;
      sumLeft[i] += y * panLeft;
      sumRight[i] += y * panRight;
    }
    noise_[q] = noise;
    phase_[q] = phase;
    in1_[q] = in1;
    in2_[q] = in2;
    amplitude_[q] = amplitude;
    f1Out1_[q] = a1;
    f1Out2_[q] = a2;
    f2Out1_[q] = b1;
    f2Out2_[q] = b2;
  }
  dsp::addLaneSums(sumLeft, sumRight, left, right, frames);
}

}  // namespace reverie::audience
