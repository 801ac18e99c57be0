// The composer on the audio thread: a whole arc performed, with live tension and scene
// changes from controllers, without one allocation or lock.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "realtime/alloc_trap.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"

using namespace reverie;

TEST_CASE(
    "arc: the-performance performed on the audio thread, steered live, with no allocation or "
    "lock") {
  const Arc arc = loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/the-performance.toml");
  Engine engine({48000.0, 256, 4});
  const arc::ArcNodes nodes = arc::buildArc(arc, engine.graph());
  // Live controls as `reverie play --arc` wires them: CC1 takes the tension, CC67 moves on.
  Node& composer = engine.graph().node(nodes.composer);
  composer.mapController(1, arc::composer_parameter::kLiveTension, 0.0f, 1.0f);
  engine.graph().setParameter(nodes.composer, arc::composer_parameter::kAdvanceController, 67.0f);
  engine.commit();

  constexpr int kBlock = 256;
  const int blocks = static_cast<int>(std::lround(arc::arcSeconds(arc) * 48000.0 / kBlock));
  // The events are made before the audio thread starts (the vector allocates).
  std::vector<std::vector<NodeEvent>> live(static_cast<std::size_t>(blocks));
  for (int b = 0; b < blocks; b += 20) {
    const float wheel = 0.5f + 0.5f * std::sin(static_cast<float>(b) * 0.01f);
    live[static_cast<std::size_t>(b)].push_back(
        {nodes.composer, {3, EventType::kControlChange, 0, 1, wheel}});
  }
  // Halfway, the player takes the tension; later the pedal cuts two scenes short.
  live[static_cast<std::size_t>(blocks / 2)].push_back(
      {nodes.composer,
       {0, EventType::kParameter, 0, arc::composer_parameter::kTensionSource, 1.0f}});
  for (int at : {blocks * 6 / 10, blocks * 7 / 10}) {
    live[static_cast<std::size_t>(at)].push_back(
        {nodes.composer, {10, EventType::kControlChange, 0, 67, 1.0f}});
    live[static_cast<std::size_t>(at + 40)].push_back(
        {nodes.composer, {10, EventType::kControlChange, 0, 67, 0.0f}});
  }

  float left[kBlock], right[kBlock];
  float* output[] = {left, right};
  double energy = 0.0;
  int endedAt = -1;
  test::resetViolations();
  test::setAudioThread(true);
  for (int b = 0; b < blocks; ++b) {
    engine.process(output, kBlock, live[static_cast<std::size_t>(b)]);
    for (int i = 0; i < kBlock; ++i) energy += static_cast<double>(left[i]) * left[i];
    if (endedAt < 0 && arc::composerScene(composer) == static_cast<int>(arc.scenes.size()))
      endedAt = b;
  }
  test::setAudioThread(false);
  const int scene = arc::composerScene(composer);
  MESSAGE((blocks * kBlock / 48000)
          << " s performed; allocations on the audio thread: " << test::allocationViolations()
          << ", locks: " << test::lockViolations()
          << "; events dropped: " << engine.stats().droppedEvents << "; composer at scene " << scene
          << " of " << arc.scenes.size());
  CHECK(test::allocationViolations() == 0);
  CHECK(test::lockViolations() == 0);
  CHECK(engine.stats().droppedEvents == 0);
  CHECK(engine.stats().nonFiniteSamples == 0);
  CHECK(energy > 1.0);
  // Cut two scenes short, the arc ended well before its scripted end.
  const double scriptedEnd = static_cast<double>(Timeline(arc, 48000.0).totalFrames()) / 48000.0;
  const double ended = endedAt * kBlock / 48000.0;
  MESSAGE("the arc ended at " << ended << " s; scripted end " << scriptedEnd << " s");
  CHECK(scene == static_cast<int>(arc.scenes.size()));
  CHECK(endedAt > 0);
  CHECK(ended < scriptedEnd - 5.0);
}
