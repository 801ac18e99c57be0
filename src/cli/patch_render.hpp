// Rendering a loaded patch offline into memory: shared by `render` and `bench`.
#pragma once

#include <cstdint>
#include <vector>

#include "reverie/offline_clock.hpp"
#include "reverie/preset.hpp"

namespace reverie::cli {

struct PatchRender {
  std::vector<float> interleaved;  ///< stereo, the limiter's latency already removed
  double seconds = 0.0;
  double realtimeFactor = 0.0;     ///< audio seconds per second of wall time
};

/// Renders `seconds` of the patch at `sampleRate` with `seed`. Shows progress on stderr if
/// `showProgress`; throws RuntimeFailure if interrupted (Ctrl-C).
PatchRender renderPatch(const Patch& patch, double sampleRate, std::uint64_t seed, double seconds,
                        bool showProgress);

/// Renders `seconds` of a committed engine driven by `events`; the same contract as renderPatch.
/// The engine's largest block must be at least 1024 frames.
PatchRender renderEvents(Engine& engine, std::vector<ScheduledEvent> events, double seconds, bool showProgress);

}  // namespace reverie::cli
