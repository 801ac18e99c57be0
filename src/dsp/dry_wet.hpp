// The blend of an effect's dry input with its wet output.
#pragma once

namespace reverie::dsp {

/// `dry` and `wet` blended by `mix` (0 dry, 1 wet). At mix 0 the result is exactly `dry`, bit
/// for bit, whatever `wet` holds (a ringing tail, a feedback loop), so an effect turned fully
/// dry leaves its input untouched.
inline float blendDryWet(float dry, float wet, float mix) {
  return mix == 0.0f ? dry : dry * (1.0f - mix) + wet * mix;
}

}  // namespace reverie::dsp
