// renderPatch: build the graph, schedule the score, and run the offline clock.
#include "cli/patch_render.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "cli/interrupt.hpp"
#include "cli/progress_bar.hpp"
#include "reverie/engine.hpp"
#include "reverie/errors.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/score.hpp"

namespace reverie::cli {
namespace {

constexpr int kBlockFrames = 1024;

std::string formatSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

}  // namespace

PatchRender renderPatch(const Patch& patch, double sampleRate, std::uint64_t seed, double seconds,
                        bool showProgress) {
  Engine engine({sampleRate, kBlockFrames, seed});
  const std::map<std::string, NodeId> ids = buildGraph(patch, engine.graph());
  engine.commit();
  OfflineClock clock(engine, scheduleScore(patch, ids, engine.graph(), sampleRate));

  const std::size_t frames = static_cast<std::size_t>(std::llround(seconds * sampleRate));
  const std::size_t latency = static_cast<std::size_t>(engine.latencyFrames());
  PatchRender result;
  result.seconds = static_cast<double>(frames) / sampleRate;
  result.interleaved.assign(frames * 2, 0.0f);
  std::vector<float> left(kBlockFrames), right(kBlockFrames);
  ProgressBar progress("rendering", showProgress);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t rendered = 0; rendered < frames + latency;) {
    if (interrupted()) throw RuntimeFailure("interrupted: nothing was written");
    const int block = static_cast<int>(std::min<std::size_t>(kBlockFrames, frames + latency - rendered));
    clock.render(left.data(), right.data(), block);
    for (int i = 0; i < block; ++i, ++rendered) {
      if (rendered < latency) continue;  // the limiter's look-ahead: keep the file aligned
      result.interleaved[2 * (rendered - latency)] = left[static_cast<std::size_t>(i)];
      result.interleaved[2 * (rendered - latency) + 1] = right[static_cast<std::size_t>(i)];
    }
    progress.update(static_cast<double>(rendered) / static_cast<double>(frames + latency),
                    formatSeconds(static_cast<double>(rendered) / sampleRate) + " of " + formatSeconds(seconds));
  }
  progress.finish();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.realtimeFactor = result.seconds / std::max(elapsed, 1e-9);
  return result;
}

}  // namespace reverie::cli
