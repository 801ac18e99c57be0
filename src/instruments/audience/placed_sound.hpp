// What the audience's one-off sounds (a cough, a whisper, a cheer) share: a sample rate, a
// place in the stereo field, and whether the sound still plays.
#pragma once

#include <cmath>

namespace reverie::audience {

class PlacedSound {
 public:
  /// Control thread.
  void prepare(double sampleRate) { sampleRate_ = sampleRate; }
  bool active() const noexcept { return active_; }

 protected:
  /// Audio thread, at the start: the sound's `gain`, placed at `pan` (-1..1) at constant power.
  void place(float gain, float pan) noexcept {
    const float angle = (pan + 1.0f) * 0.785398163f;
    gainLeft_ = gain * std::cos(angle);
    gainRight_ = gain * std::sin(angle);
  }
  /// Adds sample `y` at frame `i` of the outputs, placed.
  void add(float* left, float* right, int i, float y) const noexcept {
    left[i] += y * gainLeft_;
    right[i] += y * gainRight_;
  }

  double sampleRate_ = 48000.0;
  bool active_ = false;

 private:
  float gainLeft_ = 0.0f, gainRight_ = 0.0f;
};

}  // namespace reverie::audience
