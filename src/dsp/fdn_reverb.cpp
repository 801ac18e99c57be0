// A 16-line feedback delay network reverb with frequency-dependent decay (Jot & Chaigne 1991):
// its design (line lengths, decay shelves, modulation, the control grid); the per-frame signal
// path is in fdn_reverb_render.cpp.
#include "dsp/fdn_reverb.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/lfo_sine.hpp"
#include "dsp/math_constants.hpp"

namespace reverie::dsp {
namespace {

constexpr int kLines = FdnReverb::kLines;

// Line lengths at size 1 and 48 kHz (29 to 100 ms), spread geometrically (ratio ~1.085) and
// reordered so the four modulated lines (first) span the range. The lengths in use are the
// nearest distinct primes to these times the size and rate scale, so they stay mutually prime.
constexpr float kBaseLengths[kLines] = {4801, 3187, 2111, 1523, 1399, 1657, 1789, 1949,
                                        2293, 2489, 2707, 2939, 3457, 3761, 4073, 4423};
constexpr float kMinScale = 0.2f;  // size 0: 6 to 20 ms, a small room
// Allpass lengths at 48 kHz (4.4 to 16 ms), prime; the right side's differ so the two sides
// enter the network decorrelated.
constexpr int kDiffuserLengths[2][FdnReverb::kDiffuserStages] = {{211, 337, 509, 743},
                                                                 {223, 353, 541, 769}};
constexpr float kMaxDiffusionGain = 0.75f;
constexpr float kMaxModulationFrames = 8.0f;  // at 48 kHz: +-0.17 ms, well under a cent
// LFO rates (Hz), incommensurate so the modulated lines never line up.
constexpr double kLfoHz[FdnReverb::kModulatedLines] = {0.43, 0.61, 0.79, 0.97};
// A state beyond this means something upstream went wrong; the network restarts silent.
constexpr float kRunawayLimit = 1e8f;

int powerOfTwoAtLeast(int n) {
  int size = 1;
  while (size < n) size *= 2;
  return size;
}

}  // namespace

void FdnReverb::init(double sampleRate, double maxPredelaySeconds) {
  sampleRate_ = sampleRate;
  const double rateScale = sampleRate / 48000.0;
  modMaxFrames_ = static_cast<float>(kMaxModulationFrames * rateScale);
  maxLengthFrames_ = 0.0f;
  int total = 0;
  for (int i = 0; i < kLines; ++i) {
    // Room for the prime above the largest length, the modulation and the cubic's taps.
    const double longest = kBaseLengths[i] * rateScale;
    maxLengthFrames_ = std::max(maxLengthFrames_, static_cast<float>(longest));
    const int size = powerOfTwoAtLeast(static_cast<int>(longest + 256.0 + modMaxFrames_ + 8.0));
    lineOffset_[static_cast<std::size_t>(i)] = total;
    lineMask_[static_cast<std::size_t>(i)] = size - 1;
    total += size;
  }
  for (int c = 0; c < 2; ++c)
    for (int s = 0; s < kDiffuserStages; ++s) {
      Allpass& stage = diffusers_[static_cast<std::size_t>(c)][static_cast<std::size_t>(s)];
      stage.length = std::max(1, static_cast<int>(std::lround(kDiffuserLengths[c][s] * rateScale)));
      const int size = powerOfTwoAtLeast(stage.length + 1);
      stage.offset = total;
      stage.mask = size - 1;
      total += size;
    }
  // The pre-delay rings take a block of writes before its reads: room for both.
  const int predelaySize = powerOfTwoAtLeast(
      static_cast<int>(std::max(0.0, maxPredelaySeconds) * sampleRate) + kBlockFrames + 4);
  predelayOffset_ = total;
  predelayMask_ = predelaySize - 1;
  total += 2 * predelaySize;
  memory_.assign(static_cast<std::size_t>(total), 0.0f);

  // Sieve of Eratosthenes up to past the longest line, for the prime lengths.
  const std::size_t sieveSize = static_cast<std::size_t>(maxLengthFrames_) + 256;
  composite_.assign(sieveSize, 0);
  composite_[0] = composite_[1] = 1;
  for (std::size_t p = 2; p * p < sieveSize; ++p)
    if (composite_[p] == 0)
      for (std::size_t m = p * p; m < sieveSize; m += p) composite_[m] = 1;

  for (int k = 0; k < kModulatedLines; ++k)
    lfoIncrement_[static_cast<std::size_t>(k)] =
        static_cast<std::uint32_t>(std::lround(kLfoHz[k] / sampleRate * 4294967296.0));
  grid_.reset();
  reset();
  setSize(1.0f, 0);
  coefficientsDirty_ = true;
  shelfValid_ = shelfRamping_ = false;  // the first design applies at once
}

void FdnReverb::reset() {
  std::fill(memory_.begin(), memory_.end(), 0.0f);
  x1_.fill(0.0f);
  y1_.fill(0.0f);
  write_ = 0;
  // Quadrature-spread LFO phases, the same on every reset: renders repeat exactly.
  for (int k = 0; k < kModulatedLines; ++k)
    lfoPhase_[static_cast<std::size_t>(k)] = static_cast<std::uint32_t>(k) * 0x40000000u;
  modFrames_.fill(0.0f);
  modTarget_.fill(0.0f);
  modStep_.fill(0.0f);
}

void FdnReverb::setDecay(float t60Frames, float hfRatio, float crossoverCyclesPerSample) {
  t60Frames = std::max(t60Frames, 1.0f);
  hfRatio = std::clamp(hfRatio, 0.01f, 1.0f);
  crossoverCyclesPerSample = std::clamp(crossoverCyclesPerSample, 1e-4f, 0.45f);
  if (t60Frames == t60Frames_ && hfRatio == hfRatio_ && crossoverCyclesPerSample == crossover_)
    return;
  t60Frames_ = t60Frames;
  hfRatio_ = hfRatio;
  crossover_ = crossoverCyclesPerSample;
  coefficientsDirty_ = true;
}

void FdnReverb::setSize(float size, int glideFrames) {
  const float scale = kMinScale + (1.0f - kMinScale) * std::clamp(size, 0.0f, 1.0f);
  const float rateScale = static_cast<float>(sampleRate_ / 48000.0);
  const int sieveSize = static_cast<int>(composite_.size());
  std::array<int, kLines> chosen{};
  for (int i = 0; i < kLines; ++i) {
    // The nearest prime not already taken: distinct primes are mutually prime.
    const int wanted =
        std::max(5, static_cast<int>(std::lround(kBaseLengths[i] * rateScale * scale)));
    int length = wanted;
    for (int step = 0; step < sieveSize; ++step) {
      const int candidate = wanted + ((step & 1) != 0 ? (step + 1) / 2 : -(step / 2));
      if (candidate < 2 || candidate >= sieveSize) continue;
      if (composite_[static_cast<std::size_t>(candidate)] != 0) continue;
      if (std::find(chosen.begin(), chosen.begin() + i, candidate) != chosen.begin() + i) continue;
      length = candidate;
      break;
    }
    // Never shorter than a block plus the modulation and the interpolator's reach (a block's
    // reads must not need its own writes), never past the ring.
    const int shortest = kBlockFrames + static_cast<int>(modMaxFrames_) + 4;
    const int longest =
        lineMask_[static_cast<std::size_t>(i)] - static_cast<int>(modMaxFrames_) - 4;
    length = std::clamp(length, shortest, longest);
    chosen[static_cast<std::size_t>(i)] = length;
    lengthTarget_[static_cast<std::size_t>(i)] = static_cast<float>(length);
  }
  if (glideFrames <= 0) {
    lengthFrames_ = lengthTarget_;
    glideRemaining_ = 0;
  } else {
    lengthStart_ = lengthFrames_;
    glideFrames_ = glideFrames;
    glideRemaining_ = glideFrames;
  }
  coefficientsDirty_ = true;
}

void FdnReverb::setPredelay(float frames) {
  predelayTarget_ =
      std::clamp(frames, 0.0f, static_cast<float>(predelayMask_ + 1 - kBlockFrames - 4));
  if (predelayTarget_ == predelayFrames_) return;
  predelayStep_ = (predelayTarget_ - predelayFrames_) / static_cast<float>(kBlockFrames);
  predelayRemaining_ = kBlockFrames;
}

void FdnReverb::setDiffusion(float amount) {
  diffusionGain_ = kMaxDiffusionGain * std::clamp(amount, 0.0f, 1.0f);
}

void FdnReverb::setModulation(float amount) {
  modDepthFrames_ = modMaxFrames_ * std::clamp(amount, 0.0f, 1.0f);
}

void FdnReverb::updateCoefficients() {
  // Jot (1992): a line of d frames needs loss 10^(-3 d / T60) for a decay of 60 dB per T60.
  // Here the loss is a first-order shelf whose gain is G_dc = 10^(-3 d / T60) at low
  // frequencies and G_ny = 10^(-3 d / (T60 hfRatio)) at Nyquist (Jot's absorption filter, as a
  // shelf rather than his one-pole low-pass so the decay below the crossover stays at T60).
  // Analog prototype G_ny (s + wc sqrt(r)) / (s + wc / sqrt(r)), r = G_dc / G_ny, mapped by the
  // bilinear transform prewarped at the crossover: t = tan(pi fc).
  const double log2PerFrame = -3.0 * std::log2(10.0) / static_cast<double>(t60Frames_);
  const double t = std::tan(kPi * static_cast<double>(crossover_));
  const double hfExponent = 1.0 / static_cast<double>(hfRatio_);
  for (int i = 0; i < kLines; ++i) {
    const double d = static_cast<double>(lengthFrames_[static_cast<std::size_t>(i)]);
    const double nyquistGain = std::exp2(log2PerFrame * d * hfExponent);
    const double sqrtRatio = std::exp2(0.5 * log2PerFrame * d * (1.0 - hfExponent));  // >= 1
    const double norm = 1.0 / (1.0 + t / sqrtRatio);
    const std::size_t s = static_cast<std::size_t>(i);
    shelfTarget_[kB0][s] = static_cast<float>(nyquistGain * (1.0 + t * sqrtRatio) * norm);
    shelfTarget_[kB1][s] = static_cast<float>(nyquistGain * (t * sqrtRatio - 1.0) * norm);
    shelfTarget_[kA1][s] = static_cast<float>((t / sqrtRatio - 1.0) * norm);
  }
  coefficientsDirty_ = false;
  if (!shelfValid_) {
    shelf_ = shelfTarget_;
    shelfValid_ = true;
    return;
  }
  // The coefficients glide to their new values over the next block, a step per frame: a
  // sudden change of decay then moves the loop gain smoothly (the gain of a first-order
  // section is monotonic along a straight path between two stable sections).
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < kLines; ++i) {
      const std::size_t s = static_cast<std::size_t>(i);
      shelfStep_[c][s] = (shelfTarget_[c][s] - shelf_[c][s]) * (1.0f / kBlockFrames);
    }
  shelfRamping_ = true;
}

void FdnReverb::updateModulation() {
  // The offsets move linearly from their value now to the LFO's value one grid step ahead.
  for (int k = 0; k < kModulatedLines; ++k) {
    const std::size_t s = static_cast<std::size_t>(k);
    modFrames_[s] = modTarget_[s];  // re-anchored each step: rounding never accumulates
    lfoPhase_[s] += lfoIncrement_[s] * static_cast<std::uint32_t>(kBlockFrames);
    modTarget_[s] = modDepthFrames_ * lfoSine(lfoPhase_[s]);
    modStep_[s] = (modTarget_[s] - modFrames_[s]) * (1.0f / static_cast<float>(kBlockFrames));
  }
}

void FdnReverb::updateControls() {
  bool runaway = false;
  for (int i = 0; i < kLines; ++i)
    runaway = runaway || !(std::fabs(y1_[static_cast<std::size_t>(i)]) < kRunawayLimit);
  if (runaway) reset();
  if (shelfRamping_) {
    shelf_ = shelfTarget_;  // exactly, after a block of steps
    shelfRamping_ = false;
  }
  if (glideRemaining_ > 0 || coefficientsDirty_) updateCoefficients();
  updateModulation();
}

}  // namespace reverie::dsp
