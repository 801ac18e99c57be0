// "brass": the brass section's parameter indices and articulation choices, for code that drives
// them (the composer's stabs). The table beside the node checks each against its row.
#pragma once

namespace reverie::brass_parameter {

enum : int {
  kVoices,
  kPlayers,
  kDetune,
  kAttack,
  kRelease,
  kDynamics,
  kExpression,
  kBrightness,
  kVibrato,
  kVibratoRate,
  kArticulation,
  kBendRange,
  kTuning,
  kLevel,
  kBreath,
  kScoop,
  kSpread
};

/// The choices of kArticulation.
enum Articulation : int { kSustain, kStab };

}  // namespace reverie::brass_parameter
