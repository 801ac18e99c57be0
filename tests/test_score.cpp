// Score scheduling: ramps written in a patch become smooth, sample-accurate parameter glides.
#include <doctest/doctest.h>

#include <cmath>

#include "reverie/engine.hpp"
#include "reverie/preset.hpp"
#include "reverie/score.hpp"
#include "support/engine_render.hpp"
#include "support/sample_statistics.hpp"

using namespace reverie;

TEST_CASE("score: a ramp glides a parameter from where it stood, and the level follows it") {
  const Patch patch = parsePatch(R"(format_version = 1
[[node]]
name = "tone"
type = "synth"
params = { waveform = "sine", level = -40.0, attack = 0.0, sustain = 1.0, detune = 0.0 }
[[node]]
name = "out"
type = "output"
[[connect]]
from = "tone.left"
to = "out.left"
[[score]]
at = 0.0
node = "tone"
note = "A4"
length = 5.0
[[score]]
at = 1.0
node = "tone"
param = "level"
value = -10.0
ramp = 2.0
)",
                                 "ramp.toml");
  constexpr double kRate = 48000.0;
  Engine engine({kRate, 512, 1});
  const auto ids = buildGraph(patch, engine.graph());
  engine.commit();
  std::vector<ScheduledEvent> events = scheduleScore(patch, ids, engine.graph(), kRate);

  // The ramp arrives as steps every 5 ms, rising monotonically and ending on the value at 3 s.
  std::vector<const ScheduledEvent*> steps;
  for (const ScheduledEvent& e : events)
    if (e.event.type == EventType::kParameter) steps.push_back(&e);
  REQUIRE(steps.size() == 400);
  for (std::size_t i = 1; i < steps.size(); ++i) {
    CHECK(steps[i]->frame > steps[i - 1]->frame);
    CHECK(steps[i]->event.value > steps[i - 1]->event.value);
  }
  CHECK(steps.back()->frame == 3 * 48000);
  CHECK(steps.back()->event.value == -10.0f);
  CHECK(steps.front()->event.value == doctest::Approx(-39.925f));

  // The rendered level walks the same straight line in dB.
  const std::size_t latency = static_cast<std::size_t>(engine.latencyFrames());
  const test::Stereo audio = test::renderBlocks(
      engine, events, static_cast<std::size_t>(4.0 * kRate) + latency, [] { return 512; });
  auto levelAt = [&](double seconds) {
    const std::size_t start = latency + static_cast<std::size_t>((seconds - 0.05) * kRate);
    return test::rmsDb(audio.left, start, start + static_cast<std::size_t>(0.1 * kRate));
  };
  const double before = levelAt(0.5), quarter = levelAt(1.5), half = levelAt(2.0),
               after = levelAt(3.5);
  MESSAGE("level before, at 1/4, 1/2 of the ramp and after (dB): "
          << before << ", " << quarter << ", " << half << ", " << after);
  CHECK(quarter - before == doctest::Approx(7.5).epsilon(0.05));
  CHECK(half - before == doctest::Approx(15.0).epsilon(0.05));
  CHECK(after - before == doctest::Approx(30.0).epsilon(0.05));
}
