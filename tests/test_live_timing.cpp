// Live MIDI timing inside the engine: messages stamped with arrival times land at frames that
// keep their spacing, however late or early the audio callbacks come.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "live/live_renderer.hpp"
#include "reverie/engine.hpp"
#include "support/onsets.hpp"

using namespace reverie;

namespace {

constexpr double kRate = 48000.0;

struct TimingRun {
  std::vector<double> arrivals, onsets;  // seconds
  std::uint64_t dropped = 0;
};

/// Notes arrive every `spacing` seconds; callbacks of `period` frames come on time plus a
/// uniform jitter of up to +-`jitterMs`. Returns arrival times and measured onsets.
TimingRun runLive(int period, double jitterMs, double spacing, int notes) {
  Engine engine({kRate, 4096, 1});
  Graph& g = engine.graph();
  const NodeId synth = g.add("synth", "tone");
  for (auto [id, value] : {std::pair{"waveform", 2.0f},
                           {"attack", 0.0f},
                           {"release", 0.003f},
                           {"cutoff", 20000.0f},
                           {"detune", 0.0f},
                           {"level", -12.0f},
                           {"sustain", 1.0f}})
    g.setParameter(synth, id, value);
  const NodeId out = g.add("output", "out");
  g.connect({synth, 0}, {out, 0});
  g.connect({synth, 1}, {out, 1});
  engine.commit();

  live::LiveRenderer renderer(engine, 1, {});
  live::Routing routing;
  routing.targets[0][0] = {synth, -1};
  routing.counts[0] = 1;
  renderer.setRouting(routing);

  TimingRun run;
  std::vector<live::IncomingMidi> pending;
  const std::int64_t start = 1'000'000'000;  // an arbitrary steady-clock origin
  for (int i = 0; i < notes; ++i) {
    const double at = 0.05 + i * spacing;
    run.arrivals.push_back(at);
    const auto nanos = start + static_cast<std::int64_t>(at * 1e9);
    pending.push_back({nanos, {0x90, 72, 100}});
    pending.push_back({nanos + 10'000'000, {0x80, 72, 0}});
  }
  std::mt19937 random(5);
  std::uniform_real_distribution<double> jitter(-jitterMs * 1e6, jitterMs * 1e6);
  const std::size_t totalFrames = static_cast<std::size_t>((0.2 + notes * spacing) * kRate);
  std::vector<float> left(totalFrames + static_cast<std::size_t>(period)), right(left.size());
  std::size_t next = 0;
  for (std::size_t done = 0; done < totalFrames; done += static_cast<std::size_t>(period)) {
    const auto callback =
        start + static_cast<std::int64_t>(static_cast<double>(done) / kRate * 1e9 + jitter(random));
    // The MIDI thread has delivered whatever arrived before this callback began.
    while (next < pending.size() && pending[next].arrivalNanos < callback)
      renderer.receive(0, pending[next++]);
    float* channels[] = {left.data() + done, right.data() + done};
    renderer.render(channels, period, callback);
  }
  // Sharp onsets: the first sample above -40 dBFS after 20 ms below it.
  long lastLoud = -1'000'000;
  for (std::size_t i = 0; i < totalFrames; ++i) {
    if (std::fabs(left[i]) < 0.01f) continue;
    if (static_cast<long>(i) - lastLoud > static_cast<long>(0.02 * kRate))
      run.onsets.push_back(static_cast<double>(i) / kRate);
    lastLoud = static_cast<long>(i);
  }
  run.dropped = renderer.droppedMessages();
  return run;
}

}  // namespace

TEST_CASE(
    "live timing: MIDI placed by arrival time keeps its spacing within 1 ms despite callback "
    "jitter") {
  for (int period : {64, 256, 1024}) {
    for (double jitterMs : {0.0, 1.0, 3.0}) {
      const TimingRun run = runLive(period, jitterMs, 0.0371, 60);
      CAPTURE(period);
      CAPTURE(jitterMs);
      REQUIRE(run.onsets.size() == run.arrivals.size());
      double worst = 0.0, latency = 0.0;
      for (std::size_t i = 1; i < run.onsets.size(); ++i) {
        const double error =
            (run.onsets[i] - run.onsets[i - 1]) - (run.arrivals[i] - run.arrivals[i - 1]);
        worst = std::max(worst, std::fabs(error));
      }
      for (std::size_t i = 0; i < run.onsets.size(); ++i)
        latency += (run.onsets[i] - run.arrivals[i]) / static_cast<double>(run.onsets.size());
      MESSAGE(period << "-frame blocks, callback jitter +-" << jitterMs
                     << " ms: worst spacing error " << worst * 1000.0 << " ms, mean latency "
                     << latency * 1000.0
                     << " ms (a block, the jitter margin and the limiter's look-ahead)");
      CHECK(worst <= 0.001);
      CHECK(run.dropped == 0);
    }
  }
}
