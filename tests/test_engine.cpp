// Engine behaviour measured on rendered samples: timing, block-size invariance, determinism,
// compile, smoothing and the master bus.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "engine/render_plan.hpp"
#include "reverie/engine.hpp"
#include "reverie/node_registry.hpp"
#include "support/engine_render.hpp"

using namespace reverie;
using test::note;
using test::noteOff;
using test::parameterChange;

namespace {

// A synth, noise and an echo: notes, randomness, smoothing, delay lines, summed inputs.
struct BusyPatch {
  NodeId synth, noise, echo, out;
  std::vector<ScheduledEvent> score;
};

BusyPatch buildBusyPatch(Engine& engine) {
  Graph& g = engine.graph();
  BusyPatch p;
  p.synth = g.add("synth", "synth");
  g.setParameter(p.synth, "drift", 12.0f);
  g.setParameter(p.synth, "spread", 0.8f);
  p.noise = g.add("noise", "noise");
  g.setParameter(p.noise, "level", -40.0f);
  p.echo = g.add("echo", "echo");
  p.out = g.add("output", "out");
  g.connect("synth.left", "echo.left");
  g.connect("synth.right", "echo.right");
  g.connect("noise.out", "echo.left");
  g.connect("echo.left", "out.left");
  g.connect("echo.right", "out.right");
  const int cutoff = findParameter(g.node(p.synth).parameters(), "cutoff");
  for (int i = 0; i < 24; ++i) {
    const std::uint64_t at = static_cast<std::uint64_t>(i) * 3001 + 17;
    p.score.push_back(note(at, p.synth, 48 + (i * 7) % 24, 0.5f + 0.02f * static_cast<float>(i)));
    p.score.push_back(noteOff(at + 9000, p.synth, 48 + (i * 7) % 24));
    p.score.push_back(
        parameterChange(at + 1500, p.synth, cutoff, 400.0f + 300.0f * static_cast<float>(i % 9)));
  }
  engine.commit();
  return p;
}

test::Stereo renderBusy(std::uint64_t seed, const std::function<int()>& blockSize) {
  Engine engine({48000.0, 4096, seed});
  BusyPatch patch = buildBusyPatch(engine);
  return test::renderBlocks(engine, patch.score, 48000 * 2, blockSize);
}

// Emits a fixed pattern of hostile values to test the master bus.
constexpr std::string_view kHostileOutputs[] = {"out"};
class HostileNode final : public Node {
 public:
  static const NodeType type;
  HostileNode() : Node(type) {}
  bool sawFlushToZero = true;

 protected:
  void render(const float* const*, float* const* out, int frames) noexcept override {
#if defined(__x86_64__)
    if ((__builtin_ia32_stmxcsr() & 0x8040u) != 0x8040u) sawFlushToZero = false;
#endif
    for (int i = 0; i < frames; ++i, ++n_) {
      const float values[] = {4.0f * std::sin(0.05f * static_cast<float>(n_)), NAN, INFINITY,
                              -1e30f};
      out[0][i] = values[n_ % 97 == 0 ? 1 + (n_ / 97) % 3 : 0];
    }
  }

 private:
  long n_ = 0;
};
const NodeType HostileNode::type{"hostile", "test", {}, kHostileOutputs, {}, false, false, nullptr};

}  // namespace

TEST_CASE("a note placed at frame k of a block starts exactly at frame k") {
  for (int block : {1, 7, 64, 512, 4096}) {
    for (int k : {0, block / 2, block - 1}) {
      Engine engine({48000.0, 4096, 1});
      Graph& g = engine.graph();
      const NodeId synth = g.add("synth", "synth");
      g.setParameter(synth, "waveform", 3.0f);  // triangle: non-zero from its first sample
      g.setParameter(synth, "attack", 0.0f);
      g.setParameter(synth, "cutoff", 20000.0f);
      const NodeId out = g.add("output", "out");
      g.connect({synth, 0}, {out, 0});
      g.connect({synth, 1}, {out, 1});
      engine.commit();
      const std::uint64_t at =
          3ull * static_cast<std::uint64_t>(block) + static_cast<std::uint64_t>(k);
      const test::Stereo audio =
          test::renderBlocks(engine, {note(at, synth, 69, 1.0f)}, at + 6000, [&] { return block; });
      std::size_t first = 0;
      while (first < audio.left.size() && audio.left[first] == 0.0f) ++first;
      CAPTURE(block);
      CAPTURE(k);
      CHECK(first == at + static_cast<std::uint64_t>(engine.latencyFrames()));
    }
  }
}

TEST_CASE("blocks of 64, 1024 and random sizes render the same samples") {
  const test::Stereo a = renderBusy(5, [] { return 64; });
  const test::Stereo b = renderBusy(5, [] { return 1024; });
  std::mt19937 random(99);
  const test::Stereo c = renderBusy(5, [&] { return 1 + static_cast<int>(random() % 4096); });
  double energy = 0.0;
  for (float x : a.left) energy += static_cast<double>(x) * x;
  CHECK(energy > 1.0);  // it is not silence that matches
  CHECK(a.left == b.left);
  CHECK(a.right == b.right);
  CHECK(a.left == c.left);
  CHECK(a.right == c.right);
}

TEST_CASE("the same seed renders the same samples; another seed does not") {
  const test::Stereo a = renderBusy(11, [] { return 256; });
  const test::Stereo b = renderBusy(11, [] { return 256; });
  const test::Stereo c = renderBusy(12, [] { return 256; });
  CHECK(a.left == b.left);
  CHECK(a.right == b.right);
  CHECK(a.left != c.left);
}

TEST_CASE("compile orders nodes, reuses buffers and rejects cycles") {
  Engine engine({48000.0, 64, 1});
  Graph& g = engine.graph();
  NodeId previous = g.add("oscillator", "osc");
  for (int i = 0; i < 1000; ++i) {
    const NodeId gain = g.add("gain");
    g.connect({previous, 0}, {gain, 0});
    previous = gain;
  }
  const NodeId out = g.add("output", "out");
  g.connect({previous, 0}, {out, 0});
  const std::unique_ptr<RenderPlan> plan = compile(g, 64);
  CHECK(plan->steps.size() == 1002);
  CHECK(plan->steps.front().id == g.find("osc"));
  CHECK(plan->steps.back().id == out);
  CHECK(plan->bufferCount <= 3);  // silence + two alternating buffers for the whole chain

  // A loop back to the oscillator's gain is a cycle, named in the error.
  const NodeId first = g.find("gain#2");
  g.connect({previous, 0}, {first, 0});
  CHECK_THROWS_WITH_AS(compile(g, 64), doctest::Contains("cycle"), GraphError);
  CHECK_THROWS_AS(engine.commit(), GraphError);
}

TEST_CASE("several connections into one input are summed; an unconnected input is silent") {
  Engine engine({48000.0, 256, 1});
  Graph& g = engine.graph();
  const NodeId a = g.add("oscillator", "a");
  const NodeId b = g.add("oscillator", "b");
  g.setParameter(a, "level", -12.0f);
  g.setParameter(b, "level", -12.0f);
  const NodeId out = g.add("output", "out");
  g.connect({a, 0}, {out, 0});
  g.connect({b, 0}, {out, 0});  // identical sines: double the amplitude
  engine.commit();
  const test::Stereo audio = test::renderBlocks(engine, {}, 4800, [] { return 256; });
  float peakLeft = 0.0f, peakRight = 0.0f;
  for (std::size_t i = 0; i < audio.left.size(); ++i) {
    peakLeft = std::max(peakLeft, std::fabs(audio.left[i]));
    peakRight = std::max(peakRight, std::fabs(audio.right[i]));
  }
  CHECK(peakLeft == doctest::Approx(2.0 * std::pow(10.0, -12.0 / 20.0)).epsilon(0.01));
  CHECK(peakRight == 0.0f);
}

TEST_CASE("parameter changes ramp over the smoothing time instead of stepping") {
  Engine engine({48000.0, 512, 1});
  Graph& g = engine.graph();
  const NodeId osc = g.add("oscillator", "osc");
  g.setParameter(osc, "waveform", 2.0f);  // square: level is visible in every sample
  g.setParameter(osc, "frequency", 50.0f);
  g.setParameter(osc, "level", 0.0f);
  const NodeId gain = g.add("gain", "gain");
  const NodeId out = g.add("output", "out");
  g.connect({osc, 0}, {gain, 0});
  g.connect({gain, 0}, {out, 0});
  engine.commit();
  const test::Stereo audio = test::renderBlocks(engine, {parameterChange(10000, gain, 0, -40.0f)},
                                                14000, [] { return 512; });
  const int latency = engine.latencyFrames();
  auto level = [&](std::size_t frame) {
    return std::fabs(audio.left[frame + static_cast<std::size_t>(latency)]);
  };
  const double ceiling = std::pow(10.0, engine.config().ceilingDb / 20.0);
  CHECK(level(9990) > 0.9 * ceiling);
  CHECK(level(10000 + 480) < 0.9 * ceiling);  // halfway down the 20 ms ramp
  CHECK(level(10000 + 480) > 0.02);
  CHECK(level(10000 + 1200) == doctest::Approx(0.01).epsilon(0.05));  // settled at -40 dB
}

TEST_CASE("sample rates 22,050-192,000 Hz and blocks 1-4096 frames; others refused") {
  for (double rate : {22050.0, 44100.0, 96000.0, 192000.0}) CHECK_NOTHROW(Engine({rate, 4096, 1}));
  CHECK_THROWS_AS(Engine({22049.0, 4096, 1}), std::invalid_argument);
  CHECK_THROWS_AS(Engine({192001.0, 4096, 1}), std::invalid_argument);
  CHECK_THROWS_AS(Engine({48000.0, 0, 1}), std::invalid_argument);
  CHECK_THROWS_AS(Engine({48000.0, 4097, 1}), std::invalid_argument);

  // A host block larger than the engine's maximum is rendered in pieces, seamlessly.
  Engine small({48000.0, 64, 1}), large({48000.0, 4096, 1});
  for (Engine* e : {&small, &large}) {
    const NodeId osc = e->graph().add("oscillator", "osc");
    const NodeId out = e->graph().add("output", "out");
    e->graph().connect({osc, 0}, {out, 0});
    e->commit();
  }
  const test::Stereo a = test::renderBlocks(small, {}, 10000, [] { return 1000; });
  const test::Stereo b = test::renderBlocks(large, {}, 10000, [] { return 4096; });
  CHECK(a.left == b.left);
}

TEST_CASE("the master bus never emits NaN, Inf or a sample beyond the ceiling") {
  Engine engine({48000.0, 512, 1});
  Graph& g = engine.graph();
  auto hostile = std::make_unique<HostileNode>();
  HostileNode* probe = hostile.get();
  const NodeId h = g.add(std::move(hostile), "hostile");
  const NodeId out = g.add("output", "out");
  g.connect({h, 0}, {out, 0});
  g.connect({h, 0}, {out, 1});
  engine.commit();
  const test::Stereo audio = test::renderBlocks(engine, {}, 48000, [] { return 512; });
  const float ceiling = std::pow(10.0f, engine.config().ceilingDb / 20.0f);
  float peak = 0.0f;
  bool finite = true;
  for (float x : audio.left) {
    finite = finite && std::isfinite(x);
    peak = std::max(peak, std::fabs(x));
  }
  CHECK(finite);
  CHECK(peak <= ceiling);
  CHECK(peak > 0.5f * ceiling);  // limited, not muted
  CHECK(engine.stats().nonFiniteSamples > 0);
  CHECK(probe->sawFlushToZero);
}

namespace {

// A generator that records the outside clock each block it generates.
class ClockWatcher final : public Node {
 public:
  static inline std::vector<Transport> seen;
  ClockWatcher();
  void render(const float* const*, float* const*, int) noexcept override {}
  void generate(int, EventSink& sink) noexcept override { seen.push_back(sink.transport()); }
};

const NodeType kClockWatcherType{
    .name = "test_clock_watcher",
    .description = "records EventSink::transport per block (test only)",
    .create = []() -> std::unique_ptr<Node> { return std::make_unique<ClockWatcher>(); },
    .generatesEvents = true,
};
ClockWatcher::ClockWatcher() : Node(kClockWatcherType) {}

}  // namespace

TEST_CASE("the outside clock reaches generators at each chunk's first frame and moves on") {
  if (findNodeType(kClockWatcherType.name) == nullptr) registerNodeType(kClockWatcherType);
  ClockWatcher::seen.reserve(16);  // generate() records without allocating
  Engine engine({48000.0, 256, 1});
  engine.graph().add("test_clock_watcher", "watch");
  engine.graph().add("output", "out");
  engine.commit();
  std::vector<float> left(1000), right(1000);
  float* out[] = {left.data(), right.data()};

  ClockWatcher::seen.clear();
  engine.process(out, 1000);  // nothing leads: the arc's own time
  REQUIRE(ClockWatcher::seen.size() == 4);
  CHECK_FALSE(ClockWatcher::seen[0].external);

  // 120 bpm at 48 kHz: a beat is 24,000 frames, a 256-frame chunk 256/24000 of a beat.
  Transport rolling{.external = true, .rolling = true, .beat = 8.0, .beatsPerMinute = 120.0};
  engine.setTransport(rolling);
  ClockWatcher::seen.clear();
  engine.process(out, 1000);  // chunks of 256, 256, 256, 232
  REQUIRE(ClockWatcher::seen.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(ClockWatcher::seen[i].external);
    CHECK(ClockWatcher::seen[i].beat == doctest::Approx(8.0 + 256.0 * i / 24000.0).epsilon(1e-12));
  }
  // The next call without a new setting carries on from the frame after the last.
  ClockWatcher::seen.clear();
  engine.process(out, 100);
  REQUIRE(ClockWatcher::seen.size() == 1);
  CHECK(ClockWatcher::seen[0].beat == doctest::Approx(8.0 + 1000.0 / 24000.0).epsilon(1e-12));

  // Stopped, the clock stays where it is.
  engine.setTransport({.external = true, .rolling = false, .beat = 40.0});
  ClockWatcher::seen.clear();
  engine.process(out, 1000);
  REQUIRE(ClockWatcher::seen.size() == 4);
  for (const Transport& t : ClockWatcher::seen) CHECK(t.beat == 40.0);
}
