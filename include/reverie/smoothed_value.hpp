// A parameter value that ramps linearly to its target, stepped once per sample.
#pragma once

namespace reverie {

/// Linear ramp with a fixed time; steps per sample, so results do not depend on block size.
class SmoothedValue {
 public:
  void setRampFrames(int frames) { rampFrames_ = frames < 1 ? 1 : frames; }
  void setImmediate(float value) {
    current_ = target_ = value;
    step_ = 0.0f;
    remaining_ = 0;
  }
  void setTarget(float value) {
    target_ = value;
    if (rampFrames_ <= 1) return setImmediate(value);
    remaining_ = rampFrames_;
    step_ = (target_ - current_) / static_cast<float>(rampFrames_);
  }
  /// Advances one sample and returns the new value.
  float next() {
    if (remaining_ == 0) return current_;
    if (--remaining_ == 0) {
      current_ = target_;
    } else {
      current_ += step_;
    }
    return current_;
  }
  float current() const { return current_; }
  float target() const { return target_; }
  bool isRamping() const { return remaining_ != 0; }

 private:
  float current_ = 0.0f;
  float target_ = 0.0f;
  float step_ = 0.0f;
  int remaining_ = 0;
  int rampFrames_ = 1;
};

}  // namespace reverie
