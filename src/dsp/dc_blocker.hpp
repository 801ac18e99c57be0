// DC blocker: a steep high-pass far below the music, for sources whose output carries an
// offset or sub-audio drift (a struck membrane's thump repeated a few times a second) that no
// loudspeaker should be asked to move.
#pragma once

#include "dsp/svf.hpp"

namespace reverie::dsp {

/// Fourth-order Butterworth high-pass: two trapezoidal SVF stages (Zavalishin, "The Art of VA
/// Filter Design", ch. 4; Simper's form) with damping 2 cos(pi/8) and 2 cos(3 pi/8). At a
/// cutoff of fc it passes 2 fc with -0.03 dB and leaves fc/2 24 dB down: a one-pole blocker
/// would need its corner an octave into the music to do as much.
class DcBlocker {
 public:
  /// cutoff in cycles per sample (a few hertz over the sample rate). Control thread.
  void setCutoff(double cyclesPerSample) {
    constexpr float kDamping[2] = {1.8477590650225735f, 0.7653668647301796f};
    for (int s = 0; s < 2; ++s)
      stages_[s].setDamping(static_cast<float>(cyclesPerSample), kDamping[s]);
  }
  void reset() {
    for (Svf& stage : stages_) stage.reset();
  }
  float process(float x) {
    for (Svf& stage : stages_) x = stage.highPass(x);
    return x;
  }

 private:
  Svf stages_[2];
};

}  // namespace reverie::dsp
