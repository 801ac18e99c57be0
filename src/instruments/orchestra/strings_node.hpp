// "strings": the string section's parameter indices, for code that drives its parameters (the
// composer's tremolo). The table beside the node checks each against its row.
#pragma once

namespace reverie::strings_parameter {

enum : int {
  kVoices,
  kEnsemble,
  kDetune,
  kVibrato,
  kVibratoRate,
  kVibratoDelay,
  kAttack,
  kRelease,
  kDynamics,
  kExpression,
  kTremolo,
  kTremoloRate,
  kGlide,
  kBrightness,
  kSpread,
  kBowNoise,
  kBendRange,
  kTuning,
  kLevel
};

}  // namespace reverie::strings_parameter
