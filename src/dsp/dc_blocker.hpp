// DC blocker: a steep high-pass far below the music, for sources whose output carries an
// offset or sub-audio drift (a struck membrane's thump repeated a few times a second) that no
// loudspeaker should be asked to move.
#pragma once

#include <cmath>

namespace reverie::dsp {

/// Fourth-order Butterworth high-pass: two trapezoidal SVF stages (Zavalishin, "The Art of VA
/// Filter Design", ch. 4; Simper's form) with damping 2 cos(pi/8) and 2 cos(3 pi/8). At a
/// cutoff of fc it passes 2 fc with -0.03 dB and leaves fc/2 24 dB down: a one-pole blocker
/// would need its corner an octave into the music to do as much.
class DcBlocker {
 public:
  /// cutoff in cycles per sample (a few hertz over the sample rate). Control thread.
  void setCutoff(double cyclesPerSample) {
    const double g = std::tan(3.14159265358979323846 * cyclesPerSample);
    constexpr double kDamping[2] = {1.8477590650225735, 0.7653668647301796};
    for (int s = 0; s < 2; ++s) {
      Stage& stage = stages_[s];
      stage.k = static_cast<float>(kDamping[s]);
      stage.a1 = static_cast<float>(1.0 / (1.0 + g * (g + kDamping[s])));
      stage.a2 = static_cast<float>(g / (1.0 + g * (g + kDamping[s])));
      stage.a3 = static_cast<float>(g * g / (1.0 + g * (g + kDamping[s])));
    }
  }
  void reset() {
    for (Stage& stage : stages_) stage.ic1 = stage.ic2 = 0.0f;
  }
  float process(float x) {
    for (Stage& s : stages_) {
      const float v3 = x - s.ic2;
      const float v1 = s.a1 * s.ic1 + s.a2 * v3;
      const float v2 = s.ic2 + s.a2 * s.ic1 + s.a3 * v3;
      s.ic1 = 2.0f * v1 - s.ic1;
      s.ic2 = 2.0f * v2 - s.ic2;
      x = x - s.k * v1 - v2;  // the high-pass output
    }
    return x;
  }

 private:
  struct Stage {
    float k = 2.0f, a1 = 1.0f, a2 = 0.0f, a3 = 0.0f;
    float ic1 = 0.0f, ic2 = 0.0f;
  };
  Stage stages_[2];
};

}  // namespace reverie::dsp
