// Test helper: a minute of random playing for a node's safety test, the same for every node.
#pragma once

#include <span>
#include <vector>

#include "reverie/parameter.hpp"
#include "support/direct_node_render.hpp"

namespace reverie::test {

struct RandomPlayOptions {
  double seconds = 60.0;
  double stepSeconds = 0.01;  ///< one event this often
  double sampleRate = 48000.0;
  unsigned seed = 77;
  bool notes = true;  ///< false for effects and the audience: parameters only
  /// Parameter values land anywhere in their range and this fraction of it beyond each edge.
  float outOfRange = 0.2f;
};

/// Seeded random events: notes on and off at any key and velocity, pitch bend, channel and
/// polyphonic pressure, CC1, CC11 and CC64 (and, one time in eight, all sound or notes off,
/// so voices pile up to the polyphony between clear-outs), and any parameter at any value.
std::vector<TimedEvent> randomPlay(std::span<const ParameterDescriptor> parameters,
                                   const RandomPlayOptions& options = {});

}  // namespace reverie::test
