// "timpani": the kettledrums' parameter indices and stroke patterns, for code that drives them
// (the composer's rolls and heartbeat). The table beside the node checks each against its row.
#pragma once

namespace reverie::timpani_parameter {

enum : int {
  kVoices,
  kPattern,
  kRollRate,
  kHeartRate,
  kHardness,
  kT60,
  kDynamics,
  kExpression,
  kBendRange,
  kTuning,
  kLevel,
  kPosition,
  kRelease,
  kJitter
};

/// The choices of kPattern: what a held key plays.
enum class Pattern { kSingle = 0, kRoll = 1, kHeartbeat = 2 };

}  // namespace reverie::timpani_parameter
