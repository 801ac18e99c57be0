// `reverie bench`'s live figures: LiveRenderer::render timed block by block.
#include "cli/bench_live.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/bench_renders.hpp"
#include "cli/patch_render.hpp"
#include "live/live_renderer.hpp"

namespace reverie::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct CallbackTimes {
  double worst = 0.0, p999 = 0.0, median = 0.0;  // fractions of the period, after the first
  double start = 0.0;                            // the first block: every voice's note-on at once
  int workers = 0, realtimeWorkers = 0;          // as the engine counted them at the end
};

/// The live callback (LiveRenderer::render: MIDI drained and translated, the engine run) timed
/// block by block on `threads` threads, a controller every few blocks: 32 crystal voices of 32
/// modes into a shimmer, or with `orchestra` 128 crystal voices of 64 modes (two nodes) beside the
/// full orchestra playing a chord (its sections, hall and audience applauding).
CallbackTimes callbackTimes(int frames, int threads = 1, const Patch* orchestra = nullptr,
                            bool paced = false) {
  EngineConfig config{48000.0, 4096, 1};
  config.threads = threads;
  Engine engine(config);
  Graph& graph = engine.graph();
  const NodeId crystal = graph.add("crystal");
  graph.setParameter(crystal, "t60", 60.0f);
  graph.setParameter(crystal, "level", -30.0f);
  const NodeId halo = graph.add("shimmer");
  graph.connect({crystal, 0}, {halo, 0});
  graph.connect({crystal, 1}, {halo, 1});
  std::vector<NodeEvent> start;
  // On the stage, two crystals of 64 voices (MIDI channels 1 and 2), keys 0 to 63 on a harmonic
  // series: all 64 modes of every voice under Nyquist, as in the crystal figures above.
  NodeId second = kInvalidNode;
  if (orchestra != nullptr) {
    second = graph.add("crystal");
    for (const NodeId c : {crystal, second}) {
      graph.setParameter(c, "t60", 60.0f);
      graph.setParameter(c, "level", -30.0f);
      graph.setParameter(c, "voices", 64.0f);
      graph.setParameter(c, "modes", 64.0f);
      graph.setParameter(c, "geometry", 0.0f);
    }
    graph.connect({second, 0}, {halo, 0});
    graph.connect({second, 1}, {halo, 1});
    const auto ids = buildGraph(*orchestra, graph);
    start = orchestraStart(engine, *orchestra, ids);
    for (const NodeSpec& spec : orchestra->nodes)
      if (spec.type == "output") {
        graph.connect({halo, 0}, {ids.at(spec.name), 0});
        graph.connect({halo, 1}, {ids.at(spec.name), 1});
      }
  } else {
    const NodeId out = graph.add("output");
    graph.connect({halo, 0}, {out, 0});
    graph.connect({halo, 1}, {out, 1});
  }
  engine.commit();
  live::LiveRenderer renderer(engine, 1, {});
  live::Routing routing;
  routing.targets[0][0] = {crystal, -1};
  routing.counts[0] = 1;
  if (second != kInvalidNode) {
    routing.targets[1][0] = {second, -1};
    routing.counts[1] = 1;
  }
  renderer.setRouting(routing);
  std::vector<float> left(static_cast<std::size_t>(frames)), right(left.size());
  float* channels[] = {left.data(), right.data()};
  const double periodNanos = frames * 1e9 / 48000.0;
  auto nowNanos = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
  };
  if (!start.empty()) engine.process(channels, frames, start);
  if (second != kInvalidNode) {
    for (std::uint8_t status : {0x90, 0x91})
      for (int key = 0; key < 64; ++key)
        renderer.receive(0, {nowNanos() - 1'000'000, {status, static_cast<std::uint8_t>(key), 90}});
  } else {
    for (int key = 40; key < 72; ++key)
      renderer.receive(0, {nowNanos() - 1'000'000, {0x90, static_cast<std::uint8_t>(key), 90}});
  }
  const int blocks = static_cast<int>(20.0 * 48000.0 / frames);  // 20 s of audio
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(blocks));
  const auto first = Clock::now();
  for (int i = 0; i < blocks; ++i) {
    if (i % 8 == 0)
      renderer.receive(0, {nowNanos() - 1'000'000, {0xB0, 74, static_cast<std::uint8_t>(i % 128)}});
    if (paced)  // a block a period, as a sound card asks for them
      std::this_thread::sleep_until(
          first + std::chrono::nanoseconds(static_cast<std::int64_t>(i * periodNanos)));
    const auto start = Clock::now();
    renderer.render(channels, frames, nowNanos());
    times.push_back(secondsSince(start) * 1e9 / periodNanos);
  }
  // The first block starts every voice at once (their modes designed: a burst no playing
  // brings); it is reported on its own, the figures are of the blocks after it.
  const double firstTime = times.front();
  times.erase(times.begin());
  std::sort(times.begin(), times.end());
  const EngineStats stats = engine.stats();
  return {times.back(),
          times[static_cast<std::size_t>(0.999 * static_cast<double>(times.size() - 1))],
          times[times.size() / 2],
          firstTime,
          stats.workers,
          stats.realtimeWorkers};
}

/// Runs `measure` on a thread of its own at SCHED_FIFO 10, as JACK runs its process thread (the
/// engine's workers then take the same priority); on an ordinary thread where the system
/// refuses it. Returns what `measure` returned, and whether the thread was realtime.
template <class Measure>
auto onRealtimeThread(Measure&& measure, bool& realtime) {
  decltype(measure()) result{};
  std::thread thread([&] {
    sched_param param{};
    param.sched_priority = 10;
    realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
    result = measure();
  });
  thread.join();
  return result;
}

}  // namespace

std::vector<NodeEvent> orchestraStart(Engine& engine, const Patch& patch,
                                      const std::map<std::string, NodeId>& ids) {
  std::vector<NodeEvent> start;
  constexpr int kChord[] = {50, 57, 62, 66, 69, 74};  // D major, six notes
  for (const NodeSpec& spec : patch.nodes) {
    const NodeId id = ids.at(spec.name);
    Node& node = engine.graph().node(id);
    if (spec.type == "audience") {
      engine.graph().setParameter(id, "applause", 1.0f);
      engine.graph().setParameter(id, "cheers", 0.5f);
    }
    for (const char* swell : {"dynamics", "expression"})
      if (findParameter(node.parameters(), swell) >= 0)
        engine.graph().setParameter(id, swell, 1.0f);
    if (!node.type().acceptsNotes) continue;
    if (spec.type == "timpani") {
      engine.graph().setParameter(id, "pattern", 1.0f);  // a roll, restruck all the time
      start.push_back({id, {0, EventType::kNoteOn, 0, 45, 0.9f}});
      continue;
    }
    for (int key : kChord)
      start.push_back({id, {0, EventType::kNoteOn, 0, static_cast<std::uint16_t>(key), 0.8f}});
  }
  return start;
}

void benchLiveCallbacks() {
  for (int frames : {64, 256}) {
    const CallbackTimes t = callbackTimes(frames);
    std::printf(
        "live callback, %4d frames, 32 crystal voices + shimmer: worst %.1f%%, 99.9th percentile "
        "%.1f%%, median %.1f%% of the %.2f ms period (the block starting the 32 notes: %.0f%%)\n",
        frames, t.worst * 100.0, t.p999 * 100.0, t.median * 100.0, frames / 48.0, t.start * 100.0);
  }
  {
    const Patch orchestra = loadPatch(findPreset("full-orchestra"));
    const int cores = benchCores();
    for (int threads : {1, std::min(cores, 2)}) {
      if (threads == 2 && cores < 2) break;
      const CallbackTimes t = callbackTimes(64, threads, &orchestra);
      std::printf(
          "live callback, 64 frames, 128 crystal voices x 64 modes + the full orchestra, %d "
          "thread%s: worst %.1f%%, 99.9th percentile %.1f%%, median %.1f%% of the 1.33 ms period "
          "(the block starting the 128 notes: %.0f%%)\n",
          threads, threads == 1 ? "" : "s", t.worst * 100.0, t.p999 * 100.0, t.median * 100.0,
          t.start * 100.0);
      // As it runs live: a block each 1.33 ms, not back to back, on a realtime thread.
      bool realtime = false;
      const CallbackTimes paced =
          onRealtimeThread([&] { return callbackTimes(64, threads, &orchestra, true); }, realtime);
      std::printf(
          "  the same paced a block a period, %d thread%s, %s (%d of %d workers at it): worst "
          "%.1f%%, 99.9th percentile %.1f%%, median %.1f%%\n",
          threads, threads == 1 ? "" : "s",
          realtime ? "SCHED_FIFO 10" : "ordinary priority (realtime refused)",
          paced.realtimeWorkers, paced.workers, paced.worst * 100.0, paced.p999 * 100.0,
          paced.median * 100.0);
    }
  }
}

}  // namespace reverie::cli
