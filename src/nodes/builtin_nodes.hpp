// The node types reverie ships with, for the registry.
#pragma once

#include <vector>

#include "dsp/decibels.hpp"
#include "reverie/node.hpp"

namespace reverie {

extern const NodeType kOscillatorType;
extern const NodeType kEnvelopeType;
extern const NodeType kGainType;
extern const NodeType kMixerType;
extern const NodeType kSynthType;
extern const NodeType kNoiseType;
extern const NodeType kEchoType;
extern const NodeType kOutputType;
extern const NodeType kShimmerType;
extern const NodeType kCrystalType;
extern const NodeType kStringsType;
extern const NodeType kBrassType;
extern const NodeType kWindsType;
extern const NodeType kTimpaniType;
extern const NodeType kChoirType;
extern const NodeType kAudienceType;
extern const NodeType kTuningType;
extern const NodeType kHallType;
extern const NodeType kChorusType;
extern const NodeType kComposerType;

inline std::vector<const NodeType*> builtinNodeTypes() {
  return {&kOscillatorType, &kEnvelopeType, &kGainType,   &kMixerType,   &kSynthType,
          &kNoiseType,      &kEchoType,     &kOutputType, &kShimmerType, &kCrystalType,
          &kStringsType,    &kBrassType,    &kWindsType,  &kTimpaniType, &kChoirType,
          &kAudienceType,   &kTuningType,   &kHallType,   &kChorusType,  &kComposerType};
}

// Node files convert their level parameters with the dsp/ helper under its short name.
using dsp::decibelsToGain;

}  // namespace reverie
