// Cheer: contours, formant glides and the whistle's sine.
#include "instruments/audience/cheer.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/float4.hpp"

namespace reverie::audience {
namespace {

constexpr float kAttackSeconds = 0.04f, kReleaseSeconds = 0.15f;
constexpr float kWhistleGain = 0.35f;  // a whistle cuts through: kept below the voices
constexpr float kVoiceGain = 0.8f;

}  // namespace

float Cheer::Contour::at(float u) const {
  if (u < peakAt) return start * std::pow(peak / start, u / peakAt);
  return peak * std::pow(end / peak, (u - peakAt) / std::max(1e-3f, 1.0f - peakAt));
}

void Cheer::start(dsp::Random& random, float gain, float pan) noexcept {
  random_.reseed(random.next());
  place(gain, pan);
  const float pick = random_.uniform();
  kind_ = pick < 0.35f ? Kind::kWhistle : (pick < 0.7f ? Kind::kWoo : Kind::kYeah);
  const float voice = random_.uniform() < 0.5f ? 1.0f : 1.7f;  // men and women
  double seconds = 0.0;
  switch (kind_) {
    case Kind::kWhistle: {
      const float base = 1200.0f + 500.0f * random_.uniform();
      pitchHz_ = {base, base * (1.7f + 0.3f * random_.uniform()),
                  base * (0.9f + 0.3f * random_.uniform()), 0.35f};
      wolf_ = random_.uniform() < 0.4f;
      seconds = 0.5 + 0.5 * random_.uniform();
      break;
    }
    case Kind::kWoo:
    case Kind::kYeah: {
      // A "woo" from /u/ toward /o/; a "yeah" from /j/ through /e/ to /ae/, shorter.
      // Each pair: the woo's, then the yeah's. Pitch for men's voices (x1.7 for women's).
      static constexpr Contour kPitch[] = {{220.0f, 400.0f, 300.0f, 0.3f},
                                           {200.0f, 330.0f, 180.0f, 0.3f}};
      static constexpr Contour kF1[] = {{320.0f, 360.0f, 420.0f, 0.5f},
                                        {300.0f, 600.0f, 700.0f, 0.3f}};
      static constexpr Contour kF2[] = {{650.0f, 800.0f, 900.0f, 0.5f},
                                        {2200.0f, 1800.0f, 1500.0f, 0.3f}};
      static constexpr float kF2Level[] = {0.35f, 0.5f};
      static constexpr double kSeconds[] = {0.7, 0.45}, kSecondsRange[] = {0.8, 0.35};
      const int k = kind_ == Kind::kWoo ? 0 : 1;
      const Contour& pitch = kPitch[k];
      pitchHz_ = {pitch.start * voice, pitch.peak * voice * (0.9f + 0.2f * random_.uniform()),
                  pitch.end * voice, pitch.peakAt};
      f1Hz_ = kF1[k];
      f2Hz_ = kF2[k];
      f2Level_ = kF2Level[k];
      seconds = kSeconds[k] + kSecondsRange[k] * random_.uniform();
      break;
    }
  }
  length_ = static_cast<int>(seconds * sampleRate_);
  elapsed_ = 0;
  envelope_ = 0.0f;
  f1_.reset();
  f2_.reset();
  f3_.reset();
  voice_.reset(random_.uniform());
  whistlePhase_ = 0.0f;
  f3_.set(dsp::resonatorCoefficients(static_cast<float>(2600.0 / sampleRate_),
                                     static_cast<float>(200.0 / sampleRate_), 0.15f));
  active_ = true;
}

void Cheer::control() noexcept {
  const float u = static_cast<float>(elapsed_) / static_cast<float>(length_);
  const float inverseRate = static_cast<float>(1.0 / sampleRate_);
  cycles_ = pitchHz_.at(u) * inverseRate;
  gate_ = wolf_ && u > 0.35f && u < 0.47f ? 0.0f : 1.0f;  // the wolf whistle's breath
  if (kind_ == Kind::kWhistle) return;
  f1_.set(dsp::resonatorCoefficients(f1Hz_.at(u) * inverseRate, 90.0f * inverseRate, 1.0f));
  f2_.set(dsp::resonatorCoefficients(f2Hz_.at(u) * inverseRate, 120.0f * inverseRate, f2Level_));
}

void Cheer::render(float* left, float* right, int frames) noexcept {
  const float attackStep = 1.0f / (kAttackSeconds * static_cast<float>(sampleRate_));
  const float releaseFrames = kReleaseSeconds * static_cast<float>(sampleRate_);
  for (int i = 0; i < frames && active_; ++i) {
    if (elapsed_ % kControlFrames == 0) control();
    // Linear attack, then a linear fade over the last kReleaseSeconds; gaps ramp in 2 ms.
    const float remaining = static_cast<float>(length_ - elapsed_);
    const float target = std::min(gate_, remaining / releaseFrames);
    envelope_ += std::clamp(target - envelope_, -attackStep * 10.0f, attackStep);
    float y = 0.0f;
    if (kind_ == Kind::kWhistle) {
      whistlePhase_ += cycles_;
      if (whistlePhase_ >= 1.0f) whistlePhase_ -= 1.0f;
      const float breath = 0.03f * random_.bipolar();
      y = kWhistleGain * (dsp::sineOfCycles(dsp::broadcast(whistlePhase_))[0] + breath);
    } else {
      const float source = voice_.next(dsp::Waveform::kSaw, cycles_) + 0.1f * random_.bipolar();
      y = kVoiceGain * (f1_.process(source) + f2_.process(source) + f3_.process(source));
    }
    y *= envelope_;
    add(left, right, i, y);
    if (++elapsed_ >= length_) active_ = false;
  }
}

}  // namespace reverie::audience
