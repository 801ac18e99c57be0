// renderPatch: build the graph, schedule the score, and run the offline clock.
#include "cli/patch_render.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "cli/interrupt.hpp"
#include "cli/progress_bar.hpp"
#include "cli/stem_files.hpp"
#include "engine/free_cores.hpp"
#include "reverie/engine.hpp"
#include "reverie/errors.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/score.hpp"

namespace reverie::cli {
namespace {

/// Hands the render's batches to the sink on a thread of its own, one batch behind, so the
/// render goes on while the last batch is metered, encoded and written (on two threads, a
/// MIDI file's render otherwise waited a sixth of its time for the FLAC encoder). The sink
/// sees the same batches in the same order. Signals stay with the rendering thread, which
/// notices them between blocks; what the sink throws comes back at the next batch or at the end.
class SinkBehind {
 public:
  explicit SinkBehind(const BlockSink& sink) : sink_(sink) {
    // The thread inherits this mask: interrupts go to the rendering thread.
    sigset_t block, old;
    sigemptyset(&block);
    for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&block, signal);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    thread_ = std::thread([this] { run(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  ~SinkBehind() {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      idle_.wait(lock, [this] { return data_ == nullptr; });
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  SinkBehind(const SinkBehind&) = delete;
  SinkBehind& operator=(const SinkBehind&) = delete;

  /// Waits for the batch before, then hands this one over; `data` must stay as it is until the
  /// next call to hand() or finish() returns.
  void hand(const float* data, std::size_t frames) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      idle_.wait(lock, [this] { return data_ == nullptr; });
      rethrow();
      data_ = data;
      frames_ = frames;
    }
    wake_.notify_one();
  }
  /// Waits for the last batch to be through the sink.
  void finish() {
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [this] { return data_ == nullptr; });
    rethrow();
  }

 private:
  void rethrow() {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return data_ != nullptr || stop_; });
      if (data_ == nullptr) return;
      const float* data = data_;
      const std::size_t frames = frames_;
      lock.unlock();
      try {
        if (!error_) sink_(data, frames);
      } catch (...) {
        lock.lock();
        error_ = std::current_exception();
        lock.unlock();
      }
      lock.lock();
      data_ = nullptr;
      idle_.notify_one();
    }
  }

  const BlockSink& sink_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  const float* data_ = nullptr;
  std::size_t frames_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

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

EngineConfig renderEngineConfig(double sampleRate, std::uint64_t seed, int threads) {
  EngineConfig config;
  config.sampleRate = sampleRate;
  config.maxBlockFrames = kRenderBlockFrames;
  config.seed = seed;
  config.threads = threads > 0 ? threads : freeCores();
  config.offline = true;
  return config;
}

PatchRender renderPatch(const Patch& patch, const EngineConfig& config, double seconds,
                        const RenderProgress& progress, const BlockSink& sink, StemFiles* stems,
                        bool sinkBehind) {
  Engine engine(config);
  const std::map<std::string, NodeId> ids = buildGraph(patch, engine.graph());
  engine.commit();
  return renderEvents(engine, scheduleScore(patch, ids, engine.graph(), config.sampleRate), seconds,
                      progress, sink, stems, sinkBehind);
}

PatchRender renderEvents(Engine& engine, std::vector<ScheduledEvent> events, double seconds,
                         const RenderProgress& progress, const BlockSink& sink, StemFiles* stems,
                         bool sinkBehind) {
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
  // Blocks are handed on a batch at a time: fewer, larger writes and meter calls. Two batches:
  // one fills while the sink takes the other.
  constexpr std::size_t kBatchFrames = 16 * kRenderBlockFrames;
  std::vector<float> batches[2] = {std::vector<float>(2 * kBatchFrames),
                                   std::vector<float>(2 * kBatchFrames)};
  int filling = 0;
  std::optional<SinkBehind> behind;
  if (sinkBehind) behind.emplace(sink);
  std::size_t held = 0;
  std::uint64_t done = 0;
  while (done < frames) {
    if (interrupted()) throw RuntimeFailure("interrupted: nothing was written");
    const auto count = static_cast<int>(std::min<std::uint64_t>(kRenderBlockFrames, frames - done));
    float* batch = batches[filling].data();
    clock.renderInterleaved(batch + 2 * held, count);
    if (stems != nullptr) stems->drain();
    held += static_cast<std::size_t>(count);
    done += static_cast<std::uint64_t>(count);
    if (held == kBatchFrames || done == frames) {
      if (behind) {
        behind->hand(batch, held);
      } else {
        sink(batch, held);
      }
      filling = 1 - filling;
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
  if (behind) behind->finish();
  bar.finish();
  PatchRender result;
  result.threads = engine.config().threads;
  result.seconds = static_cast<double>(done) / sampleRate;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.realtimeFactor = result.seconds / std::max(elapsed, 1e-9);
  return result;
}

}  // namespace reverie::cli
