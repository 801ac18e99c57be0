// renderPatch: build the graph, schedule the score, and run the offline clock.
#include "cli/patch_render.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/interrupt.hpp"
#include "cli/progress_bar.hpp"
#include "cli/stem_files.hpp"
#include "reverie/engine.hpp"
#include "reverie/errors.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/score.hpp"

namespace reverie::cli {
namespace {

std::string formatSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

/// "90000 s (25.0 hours)": seconds as given, and hours once they are long.
std::string formatDuration(double seconds) {
  char text[64];
  if (seconds >= 3600.0) {
    std::snprintf(text, sizeof text, "%.10g s (%.1f hours)", seconds, seconds / 3600.0);
  } else {
    std::snprintf(text, sizeof text, "%.10g s", seconds);
  }
  return text;
}

}  // namespace

void checkRenderLength(const RenderLength& render, double maxSeconds) {
  if (!(maxSeconds >= 1.0 && maxSeconds <= kHighestMaxRenderSeconds))
    throw InputError("--max-length " + formatDuration(maxSeconds) +
                     " is out of range; give 1 to 10000000 seconds");
  const std::string limit = "longer than the limit of " + formatDuration(maxSeconds);
  const std::string raise = "raise the limit with --max-length SECONDS";
  // Written as !(x <= limit) so that a NaN is refused too.
  if (!(render.sourceSeconds <= maxSeconds))
    throw InputError(render.source + " lasts " + formatDuration(render.sourceSeconds) + ", " +
                     limit + "; if it really is that long, " + raise);
  const double total = render.lengthSeconds + render.tailSeconds;
  if (!(total <= maxSeconds))
    throw InputError("length " + formatSeconds(render.lengthSeconds) + " plus tail " +
                     formatSeconds(render.tailSeconds) + " make a render of " +
                     formatDuration(total) + ", " + limit + "; shorten --length or --tail, or " +
                     raise);
}

int idleCores() {
  const int cores = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 64);
  // A worker on a core that another program keeps busy is preempted while it holds a step the
  // render waits for: count only the cores the last minute's load leaves free.
  double load = 0.0;
  if (getloadavg(&load, 1) != 1 || !std::isfinite(load)) return cores;
  return std::clamp(cores - static_cast<int>(std::lround(load)), 1, cores);
}

EngineConfig renderEngineConfig(double sampleRate, std::uint64_t seed, int threads) {
  EngineConfig config;
  config.sampleRate = sampleRate;
  config.maxBlockFrames = kRenderBlockFrames;
  config.seed = seed;
  config.threads = threads > 0 ? threads : idleCores();
  config.offline = true;
  return config;
}

PatchRender renderPatch(const Patch& patch, const EngineConfig& config, double seconds,
                        const RenderProgress& progress, const BlockSink& sink, StemFiles* stems) {
  Engine engine(config);
  const std::map<std::string, NodeId> ids = buildGraph(patch, engine.graph());
  engine.commit();
  return renderEvents(engine, scheduleScore(patch, ids, engine.graph(), config.sampleRate), seconds,
                      progress, sink, stems);
}

PatchRender renderEvents(Engine& engine, std::vector<ScheduledEvent> events, double seconds,
                         const RenderProgress& progress, const BlockSink& sink, StemFiles* stems) {
  const double sampleRate = engine.config().sampleRate;
  OfflineClock clock(engine, std::move(events));
  // The stems are the bus before the limiter, so they keep the frames its look-ahead delays.
  if (stems != nullptr) stems->start(engine);
  // However the render ends, the stems stop watching the engine before it goes.
  const std::unique_ptr<StemFiles, void (*)(StemFiles*)> watching(
      stems, [](StemFiles* files) { files->stop(); });

  const bool endless = std::isinf(seconds);
  const std::uint64_t frames = endless ? ~std::uint64_t{0} : framesForSeconds(seconds, sampleRate);
  ProgressBar bar(progress.label, progress.show);
  const auto start = std::chrono::steady_clock::now();
  // The limiter's look-ahead delays everything; render past it so the output starts at frame 0.
  std::vector<float> lookAhead(2 * static_cast<std::size_t>(engine.latencyFrames()));
  clock.renderInterleaved(lookAhead.data(), engine.latencyFrames());
  if (stems != nullptr) stems->drain();
  // Blocks are handed on a batch at a time: fewer, larger writes and meter calls.
  constexpr std::size_t kBatchFrames = 16 * kRenderBlockFrames;
  std::vector<float> batch(2 * kBatchFrames);
  std::size_t held = 0;
  std::uint64_t done = 0;
  while (done < frames) {
    if (interrupted()) throw RuntimeFailure("interrupted: nothing was written");
    const auto count = static_cast<int>(std::min<std::uint64_t>(kRenderBlockFrames, frames - done));
    clock.renderInterleaved(batch.data() + 2 * held, count);
    if (stems != nullptr) stems->drain();
    held += static_cast<std::size_t>(count);
    done += static_cast<std::uint64_t>(count);
    if (held == kBatchFrames || done == frames) {
      sink(batch.data(), held);
      held = 0;
    }
    const double doneSeconds = static_cast<double>(done) / sampleRate;
    if (endless) {
      bar.update(std::fmod(doneSeconds / 60.0, 1.0), formatSeconds(doneSeconds) + " (endless)");
    } else {
      bar.update(static_cast<double>(done) / static_cast<double>(frames),
                 formatSeconds(doneSeconds) + " of " + formatSeconds(seconds));
    }
  }
  bar.finish();
  PatchRender result;
  result.seconds = static_cast<double>(done) / sampleRate;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.realtimeFactor = result.seconds / std::max(elapsed, 1e-9);
  return result;
}

}  // namespace reverie::cli
