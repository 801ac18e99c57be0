// String-machine ensemble: three delay taps swept by a slow and a fast LFO, 120 degrees apart.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dsp/control_grid.hpp"
#include "dsp/float4.hpp"
#include "dsp/lfo_sine.hpp"

namespace reverie::dsp {

/// The ensemble of the Solina / ARP String Ensemble and the Roland RS-series string machines:
/// one delay line read at three taps, each tap's delay swept by the sum of a slow "chorus" LFO
/// (~0.6 Hz) and a fast "vibrato" LFO (~6 Hz), with the three taps' LFO phases 120 degrees apart
/// so their pitch deviations never all agree (Dattorro, "Effect Design Part 2: Delay-Line
/// Modulation and Chorus", JAES 45(10), 1997, treats the chorus as such a modulated tap).
/// Fractional delays are read by third-order Lagrange interpolation (flat to 0.1 dB up to
/// 6 kHz and 1 dB at 12 kHz at 48 kHz, so high notes do not wobble in level at the LFO rate).
/// The modulation is periodic, so the average pitch is the input's.
///
/// The LFOs and the pan gains are evaluated on a 16-frame grid counted from `init`, and the
/// delays and gains move linearly between grid points, so the output does not depend on block
/// size. The three taps run side by side in the lanes of one vector (the fourth lane is silent).
class EnsembleChorus {
 public:
  static constexpr int kTaps = 3;
  static constexpr int kControlFrames = 16;

  /// Control thread: allocates for delays up to `maxDelayFrames`.
  void init(int maxDelayFrames) {
    int size = 4;
    while (size < maxDelayFrames + 4) size *= 2;
    line_.assign(2 * static_cast<std::size_t>(size), 0.0f);  // the ring and its mirror
    mask_ = static_cast<std::uint32_t>(size - 1);
    maxDelay_ = static_cast<float>(maxDelayFrames);
    grid_.reset();
    reset();
  }

  void reset() {
    std::fill(line_.begin(), line_.end(), 0.0f);
    write_ = 0;
    slowPhase_ = fastPhase_ = 0;
    started_ = false;
  }

  /// The sweep: centre delay and the two LFO depths in frames (peak), rates in cycles per
  /// sample. Read at the next grid point.
  void setSweep(float centreFrames, float slowDepthFrames, float fastDepthFrames,
                float slowCyclesPerSample, float fastCyclesPerSample) {
    centre_ = centreFrames;
    slowDepth_ = slowDepthFrames;
    fastDepth_ = fastDepthFrames;
    slowIncrement_ = phaseIncrement(slowCyclesPerSample);
    fastIncrement_ = phaseIncrement(fastCyclesPerSample);
  }

  /// Each tap's gain into the left and right outputs. Read at the next grid point.
  void setPan(const float (&left)[kTaps], const float (&right)[kTaps]) {
    panLeft_ = Float4{left[0], left[1], left[2], 0.0f};
    panRight_ = Float4{right[0], right[1], right[2], 0.0f};
  }

  /// Audio thread: mono input in, the panned sum of the three taps out.
  void render(const float* in, float* wetLeft, float* wetRight, int frames) {
    grid_.forEachSpan(frames, [&](int done, int span, bool onGrid) {
      if (onGrid) updateSweep();
      renderSpan(in + done, wetLeft + done, wetRight + done, span);
    });
  }

 private:
  // Third-order Lagrange weights of the window (delays whole+2, whole+1, whole, whole-1) as
  // cubic polynomials in the fraction f: w = kC0 + f (kC1 + f (kC2 + f kC3)).
  static constexpr Float4 kC0 = {0.0f, 0.0f, 1.0f, 0.0f};
  static constexpr Float4 kC1 = {-1.0f / 6.0f, 1.0f, -0.5f, -1.0f / 3.0f};
  static constexpr Float4 kC2 = {0.0f, 0.5f, -1.0f, 0.5f};
  static constexpr Float4 kC3 = {1.0f / 6.0f, -0.5f, 0.5f, -1.0f / 6.0f};

  static std::uint32_t phaseIncrement(float cyclesPerSample) {
    return static_cast<std::uint32_t>(std::clamp(cyclesPerSample, 0.0f, 0.01f) * 4294967296.0f);
  }

  void renderSpan(const float* in, float* wetLeft, float* wetRight, int frames) {
    // The state in locals: the line's stores cannot alias them, so they stay in registers.
    float* const line = line_.data();
    const std::uint32_t mask = mask_;
    std::uint32_t write = write_;
    Float4 delay = delay_, gainLeft = gainLeft_, gainRight = gainRight_;
    const Float4 delayStep = delayStep_, gainLeftStep = gainLeftStep_,
                 gainRightStep = gainRightStep_;
    const std::uint32_t size = mask + 1u;
    for (int n = 0; n < frames; ++n) {
      // Written twice, a ring's length apart, so every four-sample window is contiguous.
      const float x = std::fabs(in[n]) <= 1e6f ? in[n] : 0.0f;  // a NaN would ring forever
      line[write & mask] = x;
      line[(write & mask) + size] = x;
      const Int4 whole = __builtin_convertvector(delay, Int4);
      const Float4 fraction = delay - __builtin_convertvector(whole, Float4);
      Float4 left{}, right{};
      for (int k = 0; k < kTaps; ++k) {
        // The window holds the samples at delay whole+2, whole+1, whole, whole-1; third-order
        // Lagrange weights for them as polynomials in the fraction (exactly {0, 0, 1, 0} at 0).
        const float f = fraction[k];
        const Float4 weights = kC0 + f * (kC1 + f * (kC2 + f * kC3));
        Float4 window;
        std::memcpy(&window, line + ((write - static_cast<std::uint32_t>(whole[k]) - 2u) & mask),
                    sizeof window);
        const Float4 weighted = window * weights;
        left += weighted * gainLeft[k];
        right += weighted * gainRight[k];
      }
      // Lane sums of both at once (a fixed order: the result never depends on the block).
      sumByHalves(left, right, wetLeft[n], wetRight[n]);
      delay += delayStep;
      gainLeft += gainLeftStep;
      gainRight += gainRightStep;
      ++write;
    }
    write_ = write;
    delay_ = delay;
    gainLeft_ = gainLeft;
    gainRight_ = gainRight;
  }

  void updateSweep() {
    // Keep every tap inside the line, with a frame of headroom for the interpolator's taps.
    const float depth = slowDepth_ + fastDepth_;
    const float centre = std::max(std::min(centre_, maxDelay_ - 3.0f - depth), 1.0f + depth);
    slowPhase_ += slowIncrement_ * static_cast<std::uint32_t>(kControlFrames);
    fastPhase_ += fastIncrement_ * static_cast<std::uint32_t>(kControlFrames);
    Float4 target{};
    for (int k = 0; k < kTaps; ++k) {
      const std::uint32_t offset = static_cast<std::uint32_t>(k) * 1431655765u;  // k * 2^32 / 3
      target[k] = std::clamp(centre + slowDepth_ * lfoSine(slowPhase_ + offset) +
                                 fastDepth_ * lfoSine(fastPhase_ + offset),
                             1.0f, maxDelay_ - 3.0f);
    }
    target[3] = target[0];  // the silent lane reads somewhere valid
    // Each ramp starts from the last target exactly, so rounding never accumulates.
    if (!started_) {
      delayTarget_ = target;
      gainLeftTarget_ = panLeft_;
      gainRightTarget_ = panRight_;
      started_ = true;
    }
    constexpr float kInverse = 1.0f / static_cast<float>(kControlFrames);
    delay_ = delayTarget_;
    delayTarget_ = target;
    delayStep_ = (target - delay_) * kInverse;
    gainLeft_ = gainLeftTarget_;
    gainLeftTarget_ = panLeft_;
    gainLeftStep_ = (panLeft_ - gainLeft_) * kInverse;
    gainRight_ = gainRightTarget_;
    gainRightTarget_ = panRight_;
    gainRightStep_ = (panRight_ - gainRight_) * kInverse;
  }

  std::vector<float> line_;
  std::uint32_t mask_ = 0, write_ = 0;
  ControlGrid grid_{kControlFrames};
  float maxDelay_ = 4.0f;
  float centre_ = 0.0f, slowDepth_ = 0.0f, fastDepth_ = 0.0f;
  std::uint32_t slowIncrement_ = 0, fastIncrement_ = 0, slowPhase_ = 0, fastPhase_ = 0;
  Float4 delay_{}, delayTarget_{}, delayStep_{};
  Float4 panLeft_{}, panRight_{};
  Float4 gainLeft_{}, gainLeftTarget_{}, gainLeftStep_{};
  Float4 gainRight_{}, gainRightTarget_{}, gainRightStep_{};
  bool started_ = false;
};

}  // namespace reverie::dsp
