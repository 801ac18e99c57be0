// A render call cut into spans at the points of a fixed sample grid, so work done "every N
// samples" (settings, sweeps, pitch steps) lands on the same samples whatever the block size.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

namespace reverie::dsp {

class ControlGrid {
 public:
  explicit ControlGrid(int periodFrames) : period_(periodFrames) {}

  /// Starts counting again (prepare, or the start of a scene).
  void reset() { clock_ = 0; }
  /// Frames since the last grid point (0 on one).
  int phase() const { return static_cast<int>(clock_ % static_cast<std::uint64_t>(period_)); }
  bool onGrid() const { return phase() == 0; }
  /// The next span: up to the next grid point, and no more than `remaining`.
  int span(int remaining) const {
    const int toGrid = period_ - phase();
    return remaining < toGrid ? remaining : toGrid;
  }
  void advance(int frames) { clock_ += static_cast<std::uint64_t>(frames); }
  /// Frames counted since the last reset (inside forEachSpan: up to the span's start).
  std::uint64_t elapsed() const { return clock_; }

  /// Cuts a block of `frames` at the grid points: `body(done, span, onGrid)` for each span in
  /// turn (`done` frames into the block, `onGrid` when it starts on a grid point), advancing
  /// past each.
  template <class Body>
  void forEachSpan(int frames, Body&& body) {
    for (int done = 0; done < frames;) {
      const bool starts = onGrid();
      const int length = span(frames - done);
      body(done, length, starts);
      advance(length);
      done += length;
    }
  }

 private:
  int period_;
  std::uint64_t clock_ = 0;
};

/// Steps slow controls through one span of a grid: every ramping one by a frame, then `apply`
/// on a grid point (it reads them there), then the rest of the span. A control not ramping now
/// cannot start within a render call (events split the block), so each steps once per frame.
/// `parameter(i)` gives control i's smoothed value.
template <class Parameter, class Apply>
void stepControls(std::span<const int> controls, int span, bool onGrid, Parameter&& parameter,
                  Apply&& apply) noexcept {
  for (int p : controls)
    if (parameter(p).isRamping()) parameter(p).next();
  if (onGrid) apply();
  for (int p : controls)
    if (parameter(p).isRamping())
      for (int j = 1; j < span; ++j) parameter(p).next();
}

/// Steps every ramping control through the span, for a node that reads its controls on the
/// grid point before the span's first step. `parameter(i)` gives control i's smoothed value.
template <class Parameter>
void stepRamps(std::span<const int> controls, int span, Parameter&& parameter) noexcept {
  for (int p : controls)
    for (int j = 0; j < span && parameter(p).isRamping(); ++j) parameter(p).next();
}

/// The values of a smoothed `value` over the next `frames` frames, one step per frame.
template <class Smoothed>
void stepInto(Smoothed& value, float* into, int frames) noexcept {
  if (!value.isRamping()) return std::fill(into, into + frames, value.current());
  for (int j = 0; j < frames; ++j) into[j] = value.next();
}

}  // namespace reverie::dsp
