// A render call cut into spans at the points of a fixed sample grid, so work done "every N
// samples" (settings, sweeps, pitch steps) lands on the same samples whatever the block size.
#pragma once

#include <cstdint>

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

 private:
  int period_;
  std::uint64_t clock_ = 0;
};

}  // namespace reverie::dsp
