// Attack and release of a sustained (bowed or blown) note: two cascaded one-poles, stepped
// a block at a time in closed form so a voice interpolates its gain between block ends.
#pragma once

#include <cmath>

namespace reverie::dsp {

/// The cascade starts with zero slope (no click) and rises in an S, the way a bow or breath
/// swells; it restarts from wherever it is. A cascade of two one-poles with time constant tau
/// answers a step with 1 - (1 + x) e^-x, x = t / tau: 95% at x = 4.74; its release falls as
/// (1 + x) e^-x: -60 dB at x = 9.23. Per sample, u = e1 - target and v = e2 - target obey
/// u' = q u, v' = q v + c q u (q = 1 - c), so after N samples u = q^N u and
/// v = q^N (v + N c u): one block costs what one sample does.
class SwellEnvelope {
 public:
  /// Control thread: the sample rate and the block length nextBlock() steps.
  void setSampleRate(float sampleRate, int blockFrames) {
    sampleRate_ = sampleRate;
    blockFrames_ = blockFrames;
    fast_ = coefficients(9.23f, 0.005f);
    attackSeconds_ = releaseSeconds_ = -1.0f;
  }
  /// Cheap when the time has not changed.
  void setAttackSeconds(float seconds) {
    if (seconds == attackSeconds_) return;
    attackSeconds_ = seconds;
    attack_ = coefficients(4.74f, seconds);
  }
  void setReleaseSeconds(float seconds) {
    if (seconds == releaseSeconds_) return;
    releaseSeconds_ = seconds;
    release_ = coefficients(9.23f, seconds);
  }
  void gateOn() { stage_ = Stage::kAttack; }
  void gateOff() {
    if (stage_ == Stage::kAttack) stage_ = Stage::kRelease;
  }
  /// Down to -60 dB within 5 ms (all sound off).
  void fastRelease() {
    if (stage_ != Stage::kIdle) stage_ = Stage::kFast;
  }
  void reset() {
    stage_ = Stage::kIdle;
    first_ = level_ = 0.0f;
  }
  bool active() const { return stage_ != Stage::kIdle; }
  bool held() const { return stage_ == Stage::kAttack; }
  float level() const { return level_; }

  /// Advances one block and returns the level at its end; goes idle under -80 dB.
  float nextBlock() {
    if (stage_ == Stage::kIdle) return 0.0f;
    const float target = stage_ == Stage::kAttack ? 1.0f : 0.0f;
    const Step& step =
        stage_ == Stage::kAttack ? attack_ : (stage_ == Stage::kRelease ? release_ : fast_);
    const float u = first_ - target, v = level_ - target;
    first_ = target + step.decay * u;
    level_ = target + step.decay * (v + step.blockGain * u);
    if (target == 0.0f && level_ < 1e-4f && first_ < 1e-4f) reset();
    return level_;
  }

 private:
  enum class Stage { kIdle, kAttack, kRelease, kFast };
  struct Step {
    float decay = 0.0f;      // q^N
    float blockGain = 0.0f;  // N c
  };
  // x time constants in `seconds`: q = e^(-x / frames).
  Step coefficients(float x, float seconds) const {
    const double frames = static_cast<double>(seconds) * sampleRate_;
    if (frames <= x) return {};
    const double q = std::exp(-x / frames);
    return {static_cast<float>(std::pow(q, blockFrames_)),
            static_cast<float>(blockFrames_ * (1.0 - q))};
  }
  Stage stage_ = Stage::kIdle;
  float first_ = 0.0f, level_ = 0.0f;
  Step attack_, release_, fast_;
  float attackSeconds_ = -1.0f, releaseSeconds_ = -1.0f;
  float sampleRate_ = 48000.0f;
  int blockFrames_ = 32;
};

}  // namespace reverie::dsp
