// Rendering a loaded patch offline, block by block into a sink: shared by `render` and `bench`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "reverie/engine.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/preset.hpp"

namespace reverie::cli {

class StemFiles;

/// Receives the render in order, a block of interleaved stereo frames at a time, the limiter's
/// latency already removed (the first frame is the piece's first).
using BlockSink = std::function<void(const float* interleaved, std::size_t frames)>;

struct PatchRender {
  double seconds = 0.0;
  double realtimeFactor = 0.0;  ///< audio seconds per second of wall time
  int threads = 1;              ///< threads that rendered each block
};

/// The longest render `reverie render` accepts unless --max-length raises it: a day. Renders
/// stream to their file in constant memory, so this is not about memory but against a typo
/// costing hours of CPU and tens of GB of disk. An endless stream (--length inf) has no limit.
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
/// the file at a time. Renders are bit-identical in any block size; this one is for speed: on
/// threads, four parts of RenderPlan::kPartFrames a block, so the hall and the master bus wait
/// at the end of a block for a quarter of it rather than a half (the-performance on two
/// threads 3-5% faster than in blocks of 1024, the same on one).
constexpr int kRenderBlockFrames = 2048;

/// How a render shows its progress on stderr: the bar's label, or nothing.
struct RenderProgress {
  bool show = false;
  std::string label = "rendering";
};

/// The engine an offline render runs: kRenderBlockFrames, and `threads` (0: freeCores()).
EngineConfig renderEngineConfig(double sampleRate, std::uint64_t seed, int threads);

/// Renders `seconds` of the patch with `config`'s rate, seed and threads into `sink`, block by
/// block (kRenderBlockFrames); infinite `seconds` renders until interrupted or the sink throws.
/// Throws RuntimeFailure if interrupted (Ctrl-C).
/// With `stems`, the stems are written in the same pass (see cli/stem_files.hpp).
/// `sinkBehind`: the sink runs on a thread of its own, a batch behind the render. False for a
/// sink that can block without end (a pipe whose reader stalls), so that Ctrl-C still reaches
/// the blocked write on the rendering thread.
PatchRender renderPatch(const Patch& patch, const EngineConfig& config, double seconds,
                        const RenderProgress& progress, const BlockSink& sink,
                        StemFiles* stems = nullptr, bool sinkBehind = true);

/// Renders `seconds` of a committed engine driven by `events`; the same contract as renderPatch.
/// The engine's largest block must be at least kRenderBlockFrames.
PatchRender renderEvents(Engine& engine, std::vector<ScheduledEvent> events, double seconds,
                         const RenderProgress& progress, const BlockSink& sink,
                         StemFiles* stems = nullptr, bool sinkBehind = true);

}  // namespace reverie::cli
