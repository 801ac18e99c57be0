// Whisper: noise through a moving F2 and a sibilant band, in syllables.
#include "instruments/audience/whisper.hpp"

#include <algorithm>
#include <cmath>

namespace reverie::audience {
namespace {

constexpr double kFadeSeconds = 0.08;

}  // namespace

void Whisper::start(dsp::Random& random, float gain, float pan) noexcept {
  random_.reseed(random.next());
  place(gain, pan);
  length_ = remaining_ = static_cast<int>((1.0 + 1.5 * random_.uniform()) * sampleRate_);
  const float inverseRate = static_cast<float>(1.0 / sampleRate_);
  const float hissHz = 4000.0f + 3000.0f * random_.uniform();
  hiss_.set(dsp::resonatorCoefficients(hissHz * inverseRate, 2500.0f * inverseRate, 1.0f));
  voice_.reset();
  hiss_.reset();
  syllablePhase_ = 0.0f;
  newSyllable();
  active_ = true;
}

void Whisper::newSyllable() noexcept {
  const float inverseRate = static_cast<float>(1.0 / sampleRate_);
  syllableStep_ = (4.0f + 2.0f * random_.uniform()) * inverseRate;
  syllableLevel_ = random_.uniform() < 0.2f ? 0.0f : 0.5f + 0.5f * random_.uniform();
  hissLevel_ = random_.uniform() < 0.3f ? 1.0f : 0.2f;
  // Whispered formants sit a little above voiced ones (Tartter 1991).
  const float f2Hz = 1400.0f + 1200.0f * random_.uniform();
  voice_.set(dsp::resonatorCoefficients(f2Hz * inverseRate, 350.0f * inverseRate, 1.0f));
}

void Whisper::render(float* left, float* right, int frames) noexcept {
  const float fadeFrames = static_cast<float>(kFadeSeconds * sampleRate_);
  for (int i = 0; i < frames && active_; ++i) {
    syllablePhase_ += syllableStep_;
    if (syllablePhase_ >= 1.0f) {
      syllablePhase_ -= 1.0f;
      newSyllable();
    }
    const float arch = 4.0f * syllablePhase_ * (1.0f - syllablePhase_);
    const float elapsed = static_cast<float>(length_ - remaining_);
    const float phrase =
        std::min({1.0f, elapsed / fadeFrames, static_cast<float>(remaining_) / fadeFrames});
    const float n = random_.bipolar();
    const float y =
        (voice_.process(n) + hissLevel_ * hiss_.process(n)) * syllableLevel_ * arch * phrase;
    add(left, right, i, y);
    if (--remaining_ <= 0) active_ = false;
  }
}

}  // namespace reverie::audience
