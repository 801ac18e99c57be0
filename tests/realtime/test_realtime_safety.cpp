// The audio thread stays wait-free while another thread edits the graph: no allocation, no
// lock, and a running tone passes through every plan swap untouched.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "realtime/alloc_trap.hpp"
#include "reverie/engine.hpp"

using namespace reverie;

namespace {

constexpr double kRate = 48000.0;
constexpr int kBlock = 64;

struct TonePatch {
  NodeId tone, mixer, out;
};

// A steady sine into the output, plus a mixer whose four channels are muted (exactly zero) and
// also feed the output: edits hang nodes off the mixer without touching what is heard.
TonePatch buildTonePatch(Graph& graph) {
  TonePatch p;
  p.tone = graph.add("oscillator", "tone");
  graph.setParameter(p.tone, "frequency", 440.0f);
  graph.setParameter(p.tone, "level", -12.0f);
  p.mixer = graph.add("mixer", "mixer");
  for (int c = 1; c <= 4; ++c) graph.setParameter(p.mixer, "level" + std::to_string(c), -96.0f);
  p.out = graph.add("output", "out");
  graph.connect({p.tone, 0}, {p.out, 0});
  graph.connect({p.tone, 0}, {p.out, 1});
  graph.connect({p.mixer, 0}, {p.out, 0});
  graph.connect({p.mixer, 1}, {p.out, 1});
  return p;
}

// Renders on a second thread, flagged as the audio thread, until told to stop.
struct AudioThread {
  Engine& engine;
  std::vector<float> recorded;
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> frames{0};
  std::thread thread;

  AudioThread(Engine& e, std::size_t capacity) : engine(e), recorded(capacity) {}
  void start() {
    thread = std::thread([this] {
      // The live period, and now and then a long block as an offline render uses, which a
      // parallel engine renders in parts (RenderPlan::kPartFrames).
      constexpr int kSizes[] = {kBlock, kBlock, kBlock, 1024, kBlock, 600};
      float left[1024], right[1024];
      float* out[] = {left, right};
      std::size_t written = 0, blocks = 0;
      test::setAudioThread(true);
      while (!stop.load(std::memory_order_acquire)) {
        const int size = kSizes[blocks++ % std::size(kSizes)];
        engine.process(out, size);
        for (int i = 0; i < size && written < recorded.size(); ++i) recorded[written++] = left[i];
        frames.store(written, std::memory_order_release);
      }
      test::setAudioThread(false);
    });
  }
  void join() {
    stop.store(true, std::memory_order_release);
    thread.join();
  }
};

}  // namespace

TEST_CASE("the trap notices an allocation and a lock on the audio thread") {
  test::resetViolations();
  std::thread([] {
    test::setAudioThread(true);
    // Explicit operator calls: the compiler may elide a new-expression, never these.
    void* block = ::operator new(64);
    ::operator delete(block);
    std::mutex mutex;
    mutex.lock();
    mutex.unlock();
    test::setAudioThread(false);
  }).join();
  CHECK(test::allocationViolations() >= 2);
  if (test::trapsLibc()) CHECK(test::lockViolations() >= 1);
  test::resetViolations();
}

namespace {

/// 1,200 random graph edits (plans swapped while the audio thread renders), with `threads`
/// rendering each block: the audio thread and its workers never allocate or lock, and the tone
/// underneath comes out sample for sample as it does alone.
void graphEditsWhileRendering(int threads, bool offline = false) {
  EngineConfig config;
  config.sampleRate = kRate;
  config.maxBlockFrames = 4096;
  config.seed = 7;
  config.threads = threads;
  config.offline = offline;
  config.onWorkerStart = [] { test::setAudioThread(true); };
  Engine engine(config);
  Graph& graph = engine.graph();
  const TonePatch patch = buildTonePatch(graph);
  engine.commit();

  AudioThread audio(engine, static_cast<std::size_t>(kRate * 120));
  test::resetViolations();
  audio.start();

  std::mt19937 random(1234);
  std::vector<NodeId> extras;
  const char* types[] = {"oscillator", "noise",   "gain",     "synth", "echo",  "envelope",
                         "shimmer",    "crystal", "strings",  "brass", "winds", "timpani",
                         "choir",      "tuning",  "audience", "hall",  "chorus"};
  int edits = 0, commits = 0;
  while (edits < 1200) {
    const int action = static_cast<int>(random() % 5);
    if (action == 0 || extras.size() < 3) {  // add a node and hang it on the muted mixer
      const char* type = types[random() % std::size(types)];
      const NodeId id = graph.add(type);
      const Node& node = graph.node(id);
      if (!node.type().inputs.empty() && !extras.empty())
        graph.connect({extras[random() % extras.size()], 0}, {id, 0});
      if (!node.type().outputs.empty())
        graph.connect({id, 0}, {patch.mixer, static_cast<int>(random() % 4)});
      extras.push_back(id);
      engine.commit();
      ++commits;
      // Notes too, so voice allocation and stealing run under the trap.
      if (node.type().acceptsNotes)
        for (int n = 0; n < 1 + static_cast<int>(random() % 40); ++n)
          engine.send(
              id, {0, EventType::kNoteOn, 0, static_cast<std::uint16_t>(30 + random() % 70), 0.8f});
    } else if (action == 1) {  // remove one
      const std::size_t which = random() % extras.size();
      graph.remove(extras[which]);
      extras.erase(extras.begin() + static_cast<long>(which));
      engine.commit();
      ++commits;
    } else if (action == 2) {  // reconnect one to another mixer channel
      const NodeId id = extras[random() % extras.size()];
      if (!graph.node(id).type().outputs.empty()) {
        for (int c = 0; c < 4; ++c) graph.disconnect({id, 0}, {patch.mixer, c});
        graph.connect({id, 0}, {patch.mixer, static_cast<int>(random() % 4)});
        engine.commit();
        ++commits;
      }
    } else {  // parameter changes, sent as messages
      const NodeId id = extras[random() % extras.size()];
      const Node& node = graph.node(id);
      if (!node.parameters().empty()) {
        const int index = static_cast<int>(random() % node.parameters().size());
        const ParameterDescriptor& d = node.parameters()[static_cast<std::size_t>(index)];
        graph.setParameter(
            id, index,
            d.minimum + (d.maximum - d.minimum) * static_cast<float>(random() % 1000) / 1000.0f);
      }
      graph.setParameter(patch.mixer, "pan" + std::to_string(1 + random() % 4),
                         static_cast<float>(random() % 200) / 100.0f - 1.0f);
    }
    ++edits;
    if (edits % 8 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  // Let the last plan reach the audio thread.
  const std::size_t until = audio.frames.load() + 48000;
  while (audio.frames.load() < until && audio.frames.load() < audio.recorded.size())
    std::this_thread::yield();
  audio.join();
  engine.collectGarbage();

  const EngineStats stats = engine.stats();
  MESSAGE("edits: " << edits << ", commits: " << commits << ", plan swaps: " << stats.planSwaps
                    << ", frames: " << audio.frames.load());
  MESSAGE("threads " << threads << ", allocations on the audio thread and workers: "
                     << test::allocationViolations() << ", locks: " << test::lockViolations()
                     << " (libc trapped: " << test::trapsLibc() << ")");
  CHECK(edits >= 1000);
  CHECK(stats.planSwaps >= 100);
  CHECK(test::allocationViolations() == 0);
  CHECK(test::lockViolations() == 0);

  // The tone, rendered alone, must come out sample for sample the same: every muted branch
  // adds exactly zero, so any difference is a glitch from a swap.
  Engine reference({kRate, 4096, 7});
  buildTonePatch(reference.graph());
  reference.commit();
  const std::size_t frames = audio.frames.load();
  std::vector<float> expected(frames), right(frames);
  float* out[] = {expected.data(), right.data()};
  reference.process(out, static_cast<int>(std::min<std::size_t>(frames, 4096)));
  for (std::size_t done = 4096; done < frames; done += 4096) {
    float* at[] = {expected.data() + done, right.data() + done};
    reference.process(at, static_cast<int>(std::min<std::size_t>(4096, frames - done)));
  }
  std::size_t mismatches = 0;
  double worstStep = 0.0;
  for (std::size_t i = 0; i < frames; ++i) {
    if (audio.recorded[i] != expected[i]) ++mismatches;
    if (i >= 100)  // after the tone's own onset
      worstStep =
          std::max(worstStep, std::fabs(static_cast<double>(audio.recorded[i]) -
                                        2.0 * audio.recorded[i - 1] + audio.recorded[i - 2]));
  }
  // A 440 Hz sine at amplitude a has |second difference| <= a * (2 pi f / fs)^2.
  const double amplitude = std::pow(10.0, -12.0 / 20.0);
  const double bound = amplitude * std::pow(2.0 * M_PI * 440.0 / kRate, 2.0) * 1.01 + 1e-6;
  MESSAGE("samples differing from the undisturbed tone: "
          << mismatches << " of " << frames << "; largest second difference " << worstStep
          << " (sine bound " << bound << ")");
  CHECK(frames > 48000);
  CHECK(mismatches == 0);
  CHECK(worstStep <= bound);
}

}  // namespace

TEST_CASE("1,000+ graph edits while rendering: no allocation, no lock, no discontinuity") {
  graphEditsWhileRendering(1);
}

TEST_CASE("graph edits while two threads render each block: no allocation, lock or glitch") {
  graphEditsWhileRendering(2);
}

TEST_CASE("graph edits while two threads render offline (workers spin, never yield): the same") {
  graphEditsWhileRendering(2, true);
}
