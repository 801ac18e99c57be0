// Ebur128Meter: the libebur128 calls and their error checks.
#include "io/ebur128_meter.hpp"

#include <cmath>
#include <string>

#include "reverie/errors.hpp"

namespace reverie::io {

Ebur128Meter::Ebur128Meter(int channels, long sampleRate, int mode)
    : state_(ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(sampleRate),
                          mode)) {
  if (state_ == nullptr) {
    throw RuntimeFailure("cannot measure loudness at " + std::to_string(sampleRate) +
                         " Hz (libebur128 refused it; try 48000)");
  }
}

void Ebur128Meter::add(const float* interleaved, std::size_t frames, const char* failure) {
  if (ebur128_add_frames_float(state_, interleaved, frames) != EBUR128_SUCCESS) {
    throw RuntimeFailure(failure);
  }
}

double Ebur128Meter::integratedLufs() const {
  double lufs = -HUGE_VAL;
  ebur128_loudness_global(state_, &lufs);
  return lufs;
}

double Ebur128Meter::shortTermLufs() const {
  double lufs = -HUGE_VAL;
  ebur128_loudness_shortterm(state_, &lufs);
  return lufs;
}

double Ebur128Meter::truePeak(int channel) const {
  double value = 0.0;
  ebur128_true_peak(state_, static_cast<unsigned>(channel), &value);
  return value;
}

double Ebur128Meter::samplePeak(int channel) const {
  double value = 0.0;
  ebur128_sample_peak(state_, static_cast<unsigned>(channel), &value);
  return value;
}

}  // namespace reverie::io
