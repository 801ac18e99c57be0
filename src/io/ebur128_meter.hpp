// One libebur128 meter, owned: opened with its rate check, fed, read and destroyed in one place.
#pragma once

#include <ebur128.h>

#include <cstddef>

namespace reverie::io {

/// A libebur128 state for `channels` interleaved channels at a whole sample rate, measuring
/// what `mode` asks (EBUR128_MODE_* bits). Destroyed with the object; neither copied nor moved.
class Ebur128Meter {
 public:
  /// Throws RuntimeFailure when libebur128 refuses the rate (or runs out of memory).
  Ebur128Meter(int channels, long sampleRate, int mode);
  ~Ebur128Meter() { ebur128_destroy(&state_); }
  Ebur128Meter(const Ebur128Meter&) = delete;
  Ebur128Meter& operator=(const Ebur128Meter&) = delete;

  /// Feeds `frames` interleaved frames; throws RuntimeFailure with `failure` if libebur128
  /// cannot (it allocates as the history grows).
  void add(const float* interleaved, std::size_t frames, const char* failure);

  /// Gated integrated loudness (EBUR128_MODE_I); -inf when no block passes the gates.
  double integratedLufs() const;
  /// Short-term (3 s) loudness of what was added last (EBUR128_MODE_S).
  double shortTermLufs() const;
  /// Linear peaks of one channel so far (EBUR128_MODE_TRUE_PEAK / EBUR128_MODE_SAMPLE_PEAK).
  double truePeak(int channel) const;
  double samplePeak(int channel) const;

 private:
  ebur128_state* state_ = nullptr;
};

}  // namespace reverie::io
