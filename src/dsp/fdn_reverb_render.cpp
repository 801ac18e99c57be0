// The FDN reverb's per-frame signal path: pre-delay, diffusion, the lines read (modulated ones by
// cubic Lagrange interpolation), absorption, the Hadamard feedback and the output taps.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "dsp/fdn_reverb.hpp"
#include "dsp/float4.hpp"

namespace reverie::dsp {
namespace {

constexpr int kLines = FdnReverb::kLines;
// Input: left and right enter every line, with orthogonal sign patterns (two Walsh rows), so
// both sides reach every line and a mono source still excites all of them.
constexpr float kInputGain = 0.25f;
constexpr float kInLeft[kLines] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
constexpr float kInRight[kLines] = {1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1};
// Output: two orthogonal sign vectors (tapRight = tapLeft times a balanced +-1 pattern, so their
// dot product is 0) that are not Hadamard rows, so neither output equals one line's input.
// Lines carrying uncorrelated signals then give uncorrelated left and right outputs.
constexpr float kOutputGain = 0.25f;
constexpr float kTapLeft[kLines] = {1, 1, -1, 1, -1, -1, 1, -1, 1, -1, 1, 1, -1, 1, 1, -1};
constexpr float kTapRight[kLines] = {1, -1, -1, 1, 1, -1, -1, 1, -1, -1, 1, -1, -1, -1, -1, -1};
// The 16x16 Hadamard matrix divided by 4 is orthogonal: energy-preserving feedback.
constexpr float kMatrixScale = 0.25f;
// Added at the diffusers' input: a DC offset at -400 dBFS keeps every state of the network far
// above the denormal range during silence, whether or not the host flushes denormals.
constexpr float kAntiDenormal = 1e-20f;

}  // namespace

void FdnReverb::render(const float* inLeft, const float* inRight, float* wetLeft, float* wetRight,
                       int frames) {
  grid_.forEachSpan(frames, [&](int done, int span, bool onGrid) {
    if (onGrid) updateControls();
    renderSpan(inLeft + done, inRight + done, wetLeft + done, wetRight + done, span);
  });
}

void FdnReverb::readInput(const float* source, int channel, float* out, int frames) {
  // Pre-delay: written first, so 0 frames passes the input straight through.
  float* const ring = memory_.data() + predelayOffset_ + channel * (predelayMask_ + 1);
  const std::uint32_t mask = static_cast<std::uint32_t>(predelayMask_);
  for (int n = 0; n < frames; ++n) {
    // A NaN or Inf from upstream would circulate forever; drop it.
    const float x = source[n];
    ring[(write_ + static_cast<std::uint32_t>(n)) & mask] = std::fabs(x) <= 1e6f ? x : 0.0f;
  }
  float predelay = predelayFrames_;
  int remaining = predelayRemaining_;
  for (int n = 0; n < frames; ++n) {
    if (remaining > 0) predelay = --remaining == 0 ? predelayTarget_ : predelay + predelayStep_;
    const int whole = static_cast<int>(predelay);
    const std::uint32_t at =
        write_ + static_cast<std::uint32_t>(n) - static_cast<std::uint32_t>(whole);
    const float a = ring[at & mask], b = ring[(at - 1u) & mask];
    out[n] = a + (predelay - static_cast<float>(whole)) * (b - a) + kAntiDenormal;
  }
  if (channel == 1) {
    predelayFrames_ = predelay;
    predelayRemaining_ = remaining;
  }
}

void FdnReverb::diffuse(float* x, int channel, int frames) {
  // Schroeder allpasses (-g + z^-D) / (1 - g z^-D); D is longer than a block, so each stage
  // runs over the block before the next, and reads never meet the block's own writes.
  float* const memory = memory_.data();
  const float g = diffusionGain_;
  for (const Allpass& stage : diffusers_[static_cast<std::size_t>(channel)]) {
    float* const ring = memory + stage.offset;
    const std::uint32_t mask = static_cast<std::uint32_t>(stage.mask);
    const std::uint32_t writeAt = write_ & mask;
    const std::uint32_t readAt = (write_ - static_cast<std::uint32_t>(stage.length)) & mask;
    const std::uint32_t span = static_cast<std::uint32_t>(frames);
    if (writeAt + span <= mask + 1u && readAt + span <= mask + 1u) {
      const float* const read = ring + readAt;
      float* const written = ring + writeAt;
      for (int n = 0; n < frames; ++n) {
        const float delayed = read[n];
        const float v = x[n] + g * delayed;
        written[n] = v;
        x[n] = delayed - g * v;
      }
    } else {
      for (int n = 0; n < frames; ++n) {
        const std::uint32_t at = static_cast<std::uint32_t>(n);
        const float delayed = ring[(readAt + at) & mask];
        const float v = x[n] + g * delayed;
        ring[(writeAt + at) & mask] = v;
        x[n] = delayed - g * v;
      }
    }
  }
}

void FdnReverb::readLines(float (*lineMajor)[kBlockFrames], float (*modulated)[4], int frames) {
  const float* const memory = memory_.data();
  const bool gliding = glideRemaining_ > 0;
  alignas(16) float glide[kLines][kBlockFrames];  // per-frame lengths while gliding
  Float4 mod = load4(modFrames_.data());
  const Float4 modStep = load4(modStep_.data());
  for (int n = 0; n < frames; ++n) {
    if (glideRemaining_ > 0) {
      // Each length is computed from the glide's start, not accumulated: rounding in 48000
      // additions would leave it frames short of its target, and the last step would click.
      const float progress =
          static_cast<float>(glideFrames_ - --glideRemaining_) / static_cast<float>(glideFrames_);
      for (int i = 0; i < kLines; ++i) {
        const std::size_t s = static_cast<std::size_t>(i);
        lengthFrames_[s] = lengthStart_[s] + (lengthTarget_[s] - lengthStart_[s]) * progress;
      }
      if (glideRemaining_ == 0) lengthFrames_ = lengthTarget_;  // whole frames again, exactly
      for (int i = kModulatedLines; i < kLines; ++i)
        glide[i][n] = lengthFrames_[static_cast<std::size_t>(i)];
    }
    // The four modulated lines at once: third-order Lagrange interpolation, fraction and
    // weights computed for the four lanes together. In its central interval its magnitude
    // response never exceeds 1 (Laakso, Valimaki, Karjalainen & Laine, "Splitting the unit
    // delay", IEEE Signal Processing Magazine 13(1), 1996), so the loop stays passive; its loss
    // is under 0.1 dB below 6 kHz at 48 kHz.
    mod += modStep;
    const Float4 length = load4(lengthFrames_.data()) + mod;
    const Int4 whole = __builtin_convertvector(length, Int4);
    const Float4 f = length - __builtin_convertvector(whole, Float4);
    Float4 xm1, x0, x1, x2;
    for (int k = 0; k < kModulatedLines; ++k) {
      const float* const ring = memory + lineOffset_[static_cast<std::size_t>(k)];
      const std::uint32_t mask = static_cast<std::uint32_t>(lineMask_[static_cast<std::size_t>(k)]);
      const std::uint32_t at =
          write_ + static_cast<std::uint32_t>(n) - static_cast<std::uint32_t>(whole[k]);
      xm1[k] = ring[(at + 1u) & mask];
      x0[k] = ring[at & mask];
      x1[k] = ring[(at - 1u) & mask];
      x2[k] = ring[(at - 2u) & mask];
    }
    const Float4 fm1 = f - 1.0f, fm2 = f - 2.0f, fp1 = f + 1.0f;
    const Float4 value = (-f * fm1 * fm2 * (1.0f / 6.0f)) * xm1 + (fp1 * fm1 * fm2 * 0.5f) * x0 +
                         (-fp1 * f * fm2 * 0.5f) * x1 + (fp1 * f * fm1 * (1.0f / 6.0f)) * x2;
    store4(modulated[n], value);
  }
  store4(modFrames_.data(), mod);

  for (int i = kModulatedLines; i < kLines; ++i) {
    const std::size_t s = static_cast<std::size_t>(i);
    const float* const ring = memory + lineOffset_[s];
    const std::uint32_t mask = static_cast<std::uint32_t>(lineMask_[s]);
    float* const out = lineMajor[i - kModulatedLines];
    if (gliding) {
      for (int n = 0; n < frames; ++n) {
        const float length = glide[i][n];
        const int whole = static_cast<int>(length);
        const std::uint32_t at =
            write_ + static_cast<std::uint32_t>(n) - static_cast<std::uint32_t>(whole);
        const float a = ring[at & mask], b = ring[(at - 1u) & mask];
        out[n] = a + (length - static_cast<float>(whole)) * (b - a);
      }
    } else {
      // At rest the length is a whole number of frames: a plain copy, split where it wraps.
      const std::uint32_t first = (write_ - static_cast<std::uint32_t>(lengthFrames_[s])) & mask;
      const int before = static_cast<int>(
          std::min<std::uint32_t>(static_cast<std::uint32_t>(frames), mask + 1u - first));
      const float* const head = ring + first;
      for (int n = 0; n < before; ++n) out[n] = head[n];
      for (int n = before; n < frames; ++n) out[n] = ring[n - before];
    }
  }
}

void FdnReverb::renderSpan(const float* inLeft, const float* inRight, float* wetLeft,
                           float* wetRight, int frames) {
  alignas(16) float in[2][kBlockFrames];
  readInput(inLeft, 0, in[0], frames);
  readInput(inRight, 1, in[1], frames);
  diffuse(in[0], 0, frames);
  diffuse(in[1], 1, frames);

  // Lines in two layouts: by line (rows of frames) where they meet the rings, by frame (four
  // vectors of four lines) for the filters and the matrix; 4x4 transposes convert.
  constexpr int kRows = kLines - kModulatedLines;
  alignas(16) float lineMajor[kLines][kBlockFrames];
  alignas(16) float frameMajor[kBlockFrames][kLines];
  alignas(16) float modulatedLines[kBlockFrames][4];
  readLines(lineMajor, modulatedLines, frames);
  const int quads = (frames + 3) / 4;
  for (int r = 0; r < kRows; ++r)
    for (int n = frames; n < quads * 4; ++n) lineMajor[r][n] = 0.0f;
  for (int m = 0; m < quads; ++m) {
    for (int group = 0; group < kRows / 4; ++group) {
      Float4 a = load4(&lineMajor[4 * group][4 * m]), b = load4(&lineMajor[4 * group + 1][4 * m]);
      Float4 c = load4(&lineMajor[4 * group + 2][4 * m]),
             d = load4(&lineMajor[4 * group + 3][4 * m]);
      transpose(a, b, c, d);
      const int q = group + 1;
      store4(&frameMajor[4 * m][4 * q], a);
      store4(&frameMajor[4 * m + 1][4 * q], b);
      store4(&frameMajor[4 * m + 2][4 * q], c);
      store4(&frameMajor[4 * m + 3][4 * q], d);
    }
    for (int s = 0; s < 4; ++s) store4(&frameMajor[4 * m + s][0], load4(modulatedLines[4 * m + s]));
  }

  // Per frame: absorption shelves, output taps, Hadamard feedback, input.
  Float4 b0[4], b1[4], a1[4], x1[4], y1[4], b0Step[4], b1Step[4], a1Step[4];
  for (int q = 0; q < 4; ++q) {
    const std::size_t s = static_cast<std::size_t>(4 * q);
    b0[q] = load4(&shelf_[kB0][s]);
    b1[q] = load4(&shelf_[kB1][s]);
    a1[q] = load4(&shelf_[kA1][s]);
    b0Step[q] = load4(&shelfStep_[kB0][s]);
    b1Step[q] = load4(&shelfStep_[kB1][s]);
    a1Step[q] = load4(&shelfStep_[kA1][s]);
    x1[q] = load4(&x1_[s]);
    y1[q] = load4(&y1_[s]);
  }
  auto frameLoop = [&](auto ramping) {
    for (int n = 0; n < frames; ++n) {
      Float4 y[4];
      for (int q = 0; q < 4; ++q) {
        if constexpr (decltype(ramping)::value) {
          b0[q] += b0Step[q];
          b1[q] += b1Step[q];
          a1[q] += a1Step[q];
        }
        const Float4 x = load4(&frameMajor[n][4 * q]);
        y[q] = b0[q] * x + b1[q] * x1[q] - a1[q] * y1[q];
        x1[q] = x;
        y1[q] = y[q];
      }
      const Float4 left = load4(&kTapLeft[0]) * y[0] + load4(&kTapLeft[4]) * y[1] +
                          load4(&kTapLeft[8]) * y[2] + load4(&kTapLeft[12]) * y[3];
      const Float4 right = load4(&kTapRight[0]) * y[0] + load4(&kTapRight[4]) * y[1] +
                           load4(&kTapRight[8]) * y[2] + load4(&kTapRight[12]) * y[3];
      float sumLeft, sumRight;
      sumByHalves(left, right, sumLeft, sumRight);
      wetLeft[n] = sumLeft * kOutputGain;
      wetRight[n] = sumRight * kOutputGain;
      // H16 = H4 (across the four vectors) x H4 (across lanes, by a transpose). The transpose
      // is not undone: the result is a row permutation of H16, just as orthogonal.
      const Float4 p = y[0] + y[1], r = y[0] - y[1], s = y[2] + y[3], t = y[2] - y[3];
      Float4 e0 = p + s, e1 = r + t, e2 = p - s, e3 = r - t;
      transpose(e0, e1, e2, e3);
      const Float4 u = e0 + e1, v = e0 - e1, g = e2 + e3, h = e2 - e3;
      const Float4 feedback[4] = {u + g, v + h, u - g, v - h};
      const Float4 inL = Float4{} + in[0][n], inR = Float4{} + in[1][n];
      for (int q = 0; q < 4; ++q)
        store4(&frameMajor[n][4 * q], kMatrixScale * feedback[q] +
                                          load4(&kInLeft[4 * q]) * (kInputGain * inL) +
                                          load4(&kInRight[4 * q]) * (kInputGain * inR));
    }
  };
  if (shelfRamping_) {
    frameLoop(std::true_type{});
  } else {
    frameLoop(std::false_type{});
  }
  for (int q = 0; q < 4; ++q) {
    const std::size_t s = static_cast<std::size_t>(4 * q);
    store4(&shelf_[kB0][s], b0[q]);
    store4(&shelf_[kB1][s], b1[q]);
    store4(&shelf_[kA1][s], a1[q]);
    store4(&x1_[s], x1[q]);
    store4(&y1_[s], y1[q]);
  }

  // Back to rows, and into the rings, split where each wraps.
  for (int m = 0; m < quads; ++m)
    for (int q = 0; q < 4; ++q) {
      Float4 a = load4(&frameMajor[4 * m][4 * q]), b = load4(&frameMajor[4 * m + 1][4 * q]);
      Float4 c = load4(&frameMajor[4 * m + 2][4 * q]), d = load4(&frameMajor[4 * m + 3][4 * q]);
      transpose(a, b, c, d);
      store4(&lineMajor[4 * q][4 * m], a);
      store4(&lineMajor[4 * q + 1][4 * m], b);
      store4(&lineMajor[4 * q + 2][4 * m], c);
      store4(&lineMajor[4 * q + 3][4 * m], d);
    }
  float* const memory = memory_.data();
  for (int i = 0; i < kLines; ++i) {
    const std::size_t s = static_cast<std::size_t>(i);
    float* const ring = memory + lineOffset_[s];
    const std::uint32_t mask = static_cast<std::uint32_t>(lineMask_[s]);
    const std::uint32_t first = write_ & mask;
    const int before = static_cast<int>(
        std::min<std::uint32_t>(static_cast<std::uint32_t>(frames), mask + 1u - first));
    float* const head = ring + first;
    const float* const row = lineMajor[i];
    for (int n = 0; n < before; ++n) head[n] = row[n];
    for (int n = before; n < frames; ++n) ring[n - before] = row[n];
  }
  write_ += static_cast<std::uint32_t>(frames);
}

}  // namespace reverie::dsp
