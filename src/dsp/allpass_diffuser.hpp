// A chain of Schroeder allpass filters: smears a signal in time without colouring its spectrum.
#pragma once

#include <algorithm>
#include <array>
#include <vector>

namespace reverie::dsp {

/// Schroeder, "Natural Sounding Artificial Reverberation" (JAES 1962): each stage
/// H(z) = (-g + z^-D) / (1 - g z^-D) has a flat magnitude response and an echo train decaying
/// by g per D frames; stages with mutually prime D interleave their echoes into a dense blur.
template <int kStages>
class AllpassDiffuser {
 public:
  /// Control thread: allocates each stage for its length at size 1 (in frames; mutually prime
  /// lengths keep the echoes from lining up). `gain` is g, 0..0.9.
  void init(const std::array<int, kStages>& maxLengthFrames, float gain);
  /// Clears the delay lines; keeps the lengths.
  void reset();
  /// Audio thread: scales every length by `size` (0..1). Scaling keeps the lengths' ratios,
  /// so the echoes stay interleaved at every size.
  void setSize(float size);
  /// Audio thread: one sample in, one diffused sample out.
  float process(float x);
  /// Audio thread: `frames` samples in place, stage by stage: the same samples as process()
  /// on each in turn, while frames <= shortestDelay() (no stage reads what it wrote among them).
  void process(float* x, int frames);
  /// The shortest stage's delay, in whole frames, at the current size.
  int shortestDelay() const;

 private:
  struct Stage {
    std::vector<float> line;
    int write = 0;
    int maxLength = 1;
    // The delay, set with the size: whole frames and the fraction of one more.
    int whole = 1;
    float frac = 0.0f;
    void setDelay(float frames) {
      whole = static_cast<int>(frames);
      frac = frames - static_cast<float>(whole);
    }
    float process(float x, float gain) {
      const int size = static_cast<int>(line.size());
      // Fractional delay by linear interpolation, so a moving size glides instead of clicking.
      // Its weights are convex, so |g| < 1 still bounds the recursion: the stage stays stable.
      int a = write - whole;
      if (a < 0) a += size;
      const int b = a == 0 ? size - 1 : a - 1;
      const float delayed =
          line[static_cast<std::size_t>(a)] +
          frac * (line[static_cast<std::size_t>(b)] - line[static_cast<std::size_t>(a)]);
      const float v = x + gain * delayed;
      line[static_cast<std::size_t>(write)] = v;
      write = write + 1 == size ? 0 : write + 1;
      return delayed - gain * v;
    }
  };
  std::array<Stage, kStages> stages_;
  float gain_ = 0.6f;
};

// ---- implementation ----

template <int kStages>
void AllpassDiffuser<kStages>::init(const std::array<int, kStages>& maxLengthFrames, float gain) {
  gain_ = std::clamp(gain, 0.0f, 0.9f);
  for (int i = 0; i < kStages; ++i) {
    Stage& stage = stages_[static_cast<std::size_t>(i)];
    stage.maxLength = std::max(maxLengthFrames[static_cast<std::size_t>(i)], 2);
    stage.line.assign(static_cast<std::size_t>(stage.maxLength) + 2, 0.0f);
    stage.setDelay(static_cast<float>(stage.maxLength));
  }
  reset();
}

template <int kStages>
void AllpassDiffuser<kStages>::reset() {
  for (Stage& stage : stages_) {
    std::fill(stage.line.begin(), stage.line.end(), 0.0f);
    stage.write = 0;
  }
}

template <int kStages>
void AllpassDiffuser<kStages>::setSize(float size) {
  size = std::clamp(size, 0.0f, 1.0f);
  for (Stage& stage : stages_)
    stage.setDelay(std::max(1.0f, size * static_cast<float>(stage.maxLength)));
}

template <int kStages>
float AllpassDiffuser<kStages>::process(float x) {
  for (Stage& stage : stages_) x = stage.process(x, gain_);
  return x;
}

template <int kStages>
void AllpassDiffuser<kStages>::process(float* x, int frames) {
  for (Stage& stage : stages_)
    for (int i = 0; i < frames; ++i) x[i] = stage.process(x[i], gain_);
}

template <int kStages>
int AllpassDiffuser<kStages>::shortestDelay() const {
  int shortest = stages_[0].whole;
  for (const Stage& stage : stages_) shortest = std::min(shortest, stage.whole);
  return shortest;
}

}  // namespace reverie::dsp
