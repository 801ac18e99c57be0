// Cough: bursts, their two-phase envelopes, and the throat's resonances.
#include "instruments/audience/cough.hpp"

#include <cmath>

namespace reverie::audience {
namespace {

constexpr float kTailLevel = 0.45f;  // the intermediate phase against the explosive one
constexpr float kEndLevel = 1e-4f;

float decayPerSample(double seconds, double sampleRate) {
  return static_cast<float>(std::exp(-1.0 / (seconds * sampleRate)));
}

}  // namespace

void Cough::start(dsp::Random& random, float gain, float pan) noexcept {
  noise_.reseed(random.next());
  const float inverseRate = static_cast<float>(1.0 / sampleRate_);
  const float throatHz = 350.0f + 300.0f * random.uniform();
  const float mouthHz = 1200.0f + 1200.0f * random.uniform();
  throat_.set(
      dsp::resonatorCoefficients(throatHz * inverseRate, 0.5f * throatHz * inverseRate, 1.0f));
  mouth_.set(
      dsp::resonatorCoefficients(mouthHz * inverseRate, 0.4f * mouthHz * inverseRate, 0.45f));
  throat_.reset();
  mouth_.reset();
  buzzStep_ = (120.0f + 130.0f * random.uniform()) * inverseRate;
  blastDecayA_ = decayPerSample(0.025 + 0.015 * random.uniform(), sampleRate_);
  blastDecayB_ = decayPerSample(0.0008, sampleRate_);
  tailDecayA_ = decayPerSample(0.08 + 0.07 * random.uniform(), sampleRate_);
  tailDecayB_ = decayPerSample(0.03, sampleRate_);
  place(gain, pan);
  burstGain_ = 1.0f;
  burstsLeft_ = 1 + static_cast<int>(random.next() % 3);
  blastA_ = blastB_ = tailA_ = tailB_ = 0.0f;
  untilNextBurst_ = 0;
  active_ = true;
  // Later bursts come after 250-400 ms, a little weaker each time.
  spacingFrames_ = static_cast<int>((0.25 + 0.15 * random.uniform()) * sampleRate_);
}

void Cough::startBurst() noexcept {
  // Added to both terms of each difference, so a burst over the last one's tail is seamless.
  blastA_ += burstGain_;
  blastB_ += burstGain_;
  tailA_ += kTailLevel * burstGain_;
  tailB_ += kTailLevel * burstGain_;
  burstGain_ *= 0.75f;
  --burstsLeft_;
  untilNextBurst_ = spacingFrames_;
}

void Cough::render(float* left, float* right, int frames) noexcept {
  for (int i = 0; i < frames && active_; ++i) {
    if (untilNextBurst_ == 0 && burstsLeft_ > 0) startBurst();
    if (untilNextBurst_ > 0) --untilNextBurst_;
    blastA_ *= blastDecayA_;
    blastB_ *= blastDecayB_;
    tailA_ *= tailDecayA_;
    tailB_ *= tailDecayB_;
    const float blast = blastA_ - blastB_, tail = tailA_ - tailB_;
    buzzPhase_ += buzzStep_;
    if (buzzPhase_ >= 1.0f) buzzPhase_ -= 1.0f;
    const float buzz = 6.0f * (buzzPhase_ * buzzPhase_ - buzzPhase_) + 1.0f;
    const float source = noise_.bipolar() * (blast + 0.6f * tail) + 0.5f * buzz * tail;
    const float y = throat_.process(source) + mouth_.process(source);
    add(left, right, i, y);
    if (burstsLeft_ == 0 && untilNextBurst_ == 0 && blastA_ + tailA_ < kEndLevel) active_ = false;
  }
}

}  // namespace reverie::audience
