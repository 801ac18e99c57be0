// `reverie bench`'s live figures: the callback a sound card or JACK calls, timed block by block
// on one thread and on two, back to back and paced a block a period on a realtime thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "reverie/engine.hpp"
#include "reverie/preset.hpp"

namespace reverie::cli {

/// A six-note chord on every section of `patch` built into `engine` (its nodes `ids`), the
/// timpani rolling and the audience applauding at full enthusiasm, every swell up: the events
/// that start it.
std::vector<NodeEvent> orchestraStart(Engine& engine, const Patch& patch,
                                      const std::map<std::string, NodeId>& ids);

/// Prints the live callback's figures: 32 crystal voices into a shimmer at 64 and 256 frames,
/// and 128 crystal voices beside the full orchestra at 64 frames on one thread and two, back to
/// back and paced at SCHED_FIFO 10.
void benchLiveCallbacks();

}  // namespace reverie::cli
