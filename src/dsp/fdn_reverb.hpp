// A 16-line feedback delay network reverb with frequency-dependent decay (Jot & Chaigne 1991).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "dsp/control_grid.hpp"

namespace reverie::dsp {

/// Stereo in, stereo wet out. Structure (Jot & Chaigne, "Digital delay networks for designing
/// artificial reverberators", AES 90th Convention 1991; Jot, "An analysis/synthesis approach to
/// real-time artificial reverberation", ICASSP 1992):
///   pre-delay -> Schroeder allpass diffusion (per channel) -> 16 delay lines of mutually prime
///   lengths -> per-line absorption shelf -> 16x16 Hadamard feedback matrix (orthogonal, applied
///   as H4 x H4 in 32 adds) -> back into the lines, with the input.
/// Each line's absorption makes the loss proportional to its length, so every recirculation
/// path decays at the same dB per second: g_i = 10^(-3 d_i / T60) with d_i and T60 in frames.
///
/// Control values may be set at any time; the caller must set them at the same absolute frames
/// whatever its block size (the hall node sets them on a fixed 32-frame grid), and `render`
/// steps everything per frame, so the output does not depend on how blocks are split.
class FdnReverb {
 public:
  static constexpr int kLines = 16;
  /// Lines 0..3 have gently modulated lengths, read by cubic Lagrange interpolation; the
  /// others settle on whole frames at rest and are read exactly.
  static constexpr int kModulatedLines = 4;
  static constexpr int kDiffuserStages = 4;

  /// Control thread: allocates every line for the largest size at this sample rate.
  void init(double sampleRate, double maxPredelaySeconds);
  /// Clears every line and filter; keeps lengths and coefficients.
  void reset();

  /// Low/mid-frequency decay `t60Frames` (60 dB), high-frequency decay t60Frames * hfRatio
  /// above about `crossoverCyclesPerSample` (the shelf's midpoint).
  void setDecay(float t60Frames, float hfRatio, float crossoverCyclesPerSample);
  /// Room size 0..1 scales every line (0.2x to 1x). Lengths glide to their new prime values
  /// over `glideFrames` (0 = at once), so a size change bends pitch briefly instead of clicking.
  void setSize(float size, int glideFrames);
  /// Pre-delay in frames (fractional); reached by a per-frame ramp over the next 32 frames.
  void setPredelay(float frames);
  /// Allpass diffusion 0..1 (allpass gain 0..0.75).
  void setDiffusion(float amount);
  /// Depth of the delay-length modulation 0..1 (0 to 8 frames at 48 kHz).
  void setModulation(float amount);

  /// Audio thread: `frames` frames in, wet stereo out (no dry signal).
  void render(const float* inLeft, const float* inRight, float* wetLeft, float* wetRight,
              int frames);

 private:
  /// Control grid and processing block: decay, LFOs and the runaway check are updated every
  /// kBlockFrames frames (counted from init), and every delay is longer than a block, so a
  /// block's reads never need its own writes and each stage runs over the block at once.
  static constexpr int kBlockFrames = 32;
  void updateControls();
  void updateCoefficients();
  void updateModulation();
  void renderSpan(const float* inLeft, const float* inRight, float* wetLeft, float* wetRight,
                  int frames);
  void readInput(const float* source, int channel, float* out, int frames);
  void diffuse(float* x, int channel, int frames);
  void readLines(float (*lineMajor)[kBlockFrames], float (*modulated)[4], int frames);

  struct Allpass {
    int offset = 0, mask = 0, length = 1;
  };

  double sampleRate_ = 48000.0;
  std::vector<float> memory_;            // every line, diffuser and pre-delay, one allocation
  std::vector<std::uint8_t> composite_;  // sieve: composite_[n] != 0 when n is not prime
  std::uint32_t write_ = 0;              // frames written since reset, shared by every ring
  ControlGrid grid_{kBlockFrames};       // frames rendered since init: the control grid

  // Delay lines (structure of arrays, one entry per line).
  std::array<int, kLines> lineOffset_{};
  std::array<int, kLines> lineMask_{};
  alignas(16) std::array<float, kLines> lengthFrames_{};  // current, gliding
  alignas(16) std::array<float, kLines> lengthStart_{};
  alignas(16) std::array<float, kLines> lengthTarget_{};
  int glideRemaining_ = 0, glideFrames_ = 1;
  float maxLengthFrames_ = 0.0f;
  // Absorption shelves y = b0 x + b1 x1 - a1 y1: coefficients (b0, b1, a1 by line), their
  // targets and per-frame steps while they glide, and the filter states.
  using Coefficients = std::array<std::array<float, kLines>, 3>;
  enum { kB0, kB1, kA1 };  // the rows of a Coefficients
  alignas(16) Coefficients shelf_{}, shelfTarget_{}, shelfStep_{};
  alignas(16) std::array<float, kLines> x1_{}, y1_{};
  bool shelfValid_ = false, shelfRamping_ = false;
  // Modulation of lines 0..3, interpolated per frame between grid points.
  std::array<std::uint32_t, kModulatedLines> lfoPhase_{};
  std::array<std::uint32_t, kModulatedLines> lfoIncrement_{};
  alignas(16) std::array<float, kModulatedLines> modFrames_{}, modTarget_{}, modStep_{};
  float modDepthFrames_ = 0.0f;
  float modMaxFrames_ = 8.0f;

  // Input stage.
  std::array<std::array<Allpass, kDiffuserStages>, 2> diffusers_{};
  float diffusionGain_ = 0.5f;
  int predelayOffset_ = 0, predelayMask_ = 0;  // two rings, left then right
  float predelayFrames_ = 0.0f, predelayTarget_ = 0.0f, predelayStep_ = 0.0f;
  int predelayRemaining_ = 0;

  // Decay design inputs, and whether coefficients must be recomputed.
  float t60Frames_ = 96000.0f, hfRatio_ = 1.0f, crossover_ = 0.125f;
  bool coefficientsDirty_ = true;
};

}  // namespace reverie::dsp
