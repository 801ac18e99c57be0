// ADSR envelope: linear attack, exponential decay and release, stepped per sample.
#pragma once

#include <cmath>

namespace reverie::dsp {

class AdsrEnvelope {
 public:
  enum class Stage { kIdle, kAttack, kDecay, kSustain, kRelease };

  /// Times in samples; sustain level 0..1. Safe to call while the envelope runs.
  void setTimes(float attackFrames, float decayFrames, float sustainLevel, float releaseFrames) {
    attackStep_ = attackFrames < 1.0f ? 1.0f : 1.0f / attackFrames;
    // Exponential segments reach 1/e^5 (-43 dB) of the distance in the given time.
    decayCoef_ = coefficient(decayFrames);
    releaseCoef_ = coefficient(releaseFrames);
    sustain_ = sustainLevel;
  }
  /// Starts the attack from the current level, so a re-trigger never clicks.
  void gateOn() { stage_ = Stage::kAttack; }
  void gateOff() {
    if (stage_ != Stage::kIdle) stage_ = Stage::kRelease;
  }
  /// Sets the level to zero at once (a stolen voice's fade is handled by the caller).
  void reset() {
    stage_ = Stage::kIdle;
    level_ = 0.0f;
  }
  Stage stage() const { return stage_; }
  bool isActive() const { return stage_ != Stage::kIdle; }
  float level() const { return level_; }

  float next() {
    switch (stage_) {
      case Stage::kIdle:
        break;
      case Stage::kAttack:
        level_ += attackStep_;
        if (level_ >= 1.0f) {
          level_ = 1.0f;
          stage_ = Stage::kDecay;
        }
        break;
      case Stage::kDecay:
        level_ = sustain_ + (level_ - sustain_) * decayCoef_;
        if (level_ - sustain_ < 1e-5f) {
          level_ = sustain_;
          stage_ = Stage::kSustain;
        }
        break;
      case Stage::kSustain:
        level_ = sustain_;
        break;
      case Stage::kRelease:
        level_ *= releaseCoef_;
        if (level_ < 1e-5f) {  // -100 dB
          level_ = 0.0f;
          stage_ = Stage::kIdle;
        }
        break;
    }
    return level_;
  }

 private:
  static float coefficient(float frames) { return frames < 1.0f ? 0.0f : std::exp(-5.0f / frames); }
  Stage stage_ = Stage::kIdle;
  float level_ = 0.0f;
  float attackStep_ = 1.0f;
  float decayCoef_ = 0.0f;
  float releaseCoef_ = 0.0f;
  float sustain_ = 1.0f;
};

}  // namespace reverie::dsp
