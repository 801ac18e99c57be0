// Four independent white-noise generators, one per SIMD lane.
#pragma once

#include <cstdint>

#include "dsp/float4.hpp"
#include "dsp/random.hpp"

namespace reverie::dsp {

/// xorshift32 (Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14), 2003) in each lane: six
/// integer operations for four samples, uniform in [-1, 1).
class NoiseQuad {
 public:
  /// Seeds every lane from `random` (xorshift's state must never be zero).
  void seed(Random& random) {
    for (int lane = 0; lane < 4; ++lane) state_[lane] = random.next() | 1u;
  }
  Float4 next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return __builtin_convertvector(reinterpret_cast<Int4>(state_), Float4) * (1.0f / 2147483648.0f);
  }

 private:
  UInt4 state_ = {1u, 2u, 3u, 4u};
};

}  // namespace reverie::dsp
