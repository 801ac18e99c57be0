// Rendering a loaded patch offline into memory: shared by `render` and `bench`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reverie/offline_clock.hpp"
#include "reverie/preset.hpp"

namespace reverie::cli {

struct PatchRender {
  std::vector<float> interleaved;  ///< stereo, the limiter's latency already removed
  double seconds = 0.0;
  double realtimeFactor = 0.0;  ///< audio seconds per second of wall time
};

/// The longest render `reverie render` accepts unless --max-length raises it: a day. Renders are
/// held in memory, so the check comes before any audio is allocated.
inline constexpr double kDefaultMaxRenderSeconds = 24.0 * 3600.0;
/// The most --max-length may be raised to (115 days), so frame counts stay far from overflow.
inline constexpr double kHighestMaxRenderSeconds = 1e7;

/// How long a render would be, for checkRenderLength.
struct RenderLength {
  std::string source;          ///< "MIDI file 'song.mid'", "arc 'x'", "preset 'x'"
  double sourceSeconds = 0.0;  ///< its own length: a MIDI file's last event, an arc's scenes
  double lengthSeconds = 0.0;  ///< to render before the tail (--length, or the source's)
  double tailSeconds = 0.0;    ///< to render after it (--tail, or the source's)
};

/// Throws InputError naming the length and --max-length when the source itself, or the render
/// (length plus tail), is longer than `maxSeconds` or not a number of seconds at all, or when
/// `maxSeconds` itself is not 1 to kHighestMaxRenderSeconds.
void checkRenderLength(const RenderLength& render, double maxSeconds);

/// The block an offline render runs in: the engine's largest block, and the frames written to
/// the file at a time. Renders are bit-identical in any block size; this one is for speed.
constexpr int kRenderBlockFrames = 1024;

/// Renders `seconds` of the patch at `sampleRate` with `seed`. Shows progress on stderr if
/// `showProgress`; throws RuntimeFailure if interrupted (Ctrl-C).
PatchRender renderPatch(const Patch& patch, double sampleRate, std::uint64_t seed, double seconds,
                        bool showProgress);

/// Renders `seconds` of a committed engine driven by `events`; the same contract as renderPatch.
/// The engine's largest block must be at least kRenderBlockFrames.
PatchRender renderEvents(Engine& engine, std::vector<ScheduledEvent> events, double seconds,
                         bool showProgress);

}  // namespace reverie::cli
