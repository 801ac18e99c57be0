// What the composer asks of a section by its role: where it voices chords, whether it plays a
// scene's chords, whether it may lead the theme and in which register.
#pragma once

#include "reverie/arc.hpp"
#include "reverie/node.hpp"

namespace reverie::arc {

/// Where a section voices chords: the bass at or above `bassLow`, the other tones in
/// [low, high]; bassLow = 0 for a role that plays no chords.
struct ChordRange {
  int bassLow = 0, low = 0, high = 0;
};
ChordRange chordRangeOf(NodeRole role);

/// Whether a section of `role` plays `scene`'s chords: in a chorale; strings in a tremolo too;
/// brass not when it stabs.
bool playsChords(NodeRole role, const Scene& scene);

/// Whether a section of `role` may state the theme (the first such section of a scene does).
bool mayLead(NodeRole role);

/// The lowest key of the register a lead of `role` states the theme in.
int leadBase(NodeRole role);

}  // namespace reverie::arc
