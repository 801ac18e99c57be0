// Brass and timpani on the audio thread: random notes, controllers, bend, patterns and
// parameter changes render with no allocation and no lock.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "realtime/alloc_trap.hpp"
#include "reverie/engine.hpp"

using namespace reverie;

TEST_CASE("brass and timpani: 20 s of random play, no allocation or lock on the audio thread") {
  Engine engine({48000.0, 512, 3});
  Graph& graph = engine.graph();
  const NodeId brass = graph.add("brass", "brass");
  const NodeId timpani = graph.add("timpani", "timpani");
  const NodeId out = graph.add("output", "out");
  for (NodeId node : {brass, timpani}) {
    graph.connect({node, 0}, {out, 0});
    graph.connect({node, 1}, {out, 1});
  }
  engine.commit();

  // Everything is decided up front (allocating), then rendered on this thread flagged as audio.
  std::mt19937 random(99);
  std::vector<std::vector<NodeEvent>> blocks(20 * 48000 / 512);
  for (std::vector<NodeEvent>& block : blocks) {
    const int count = static_cast<int>(random() % 6);
    for (int e = 0; e < count; ++e) {
      const NodeId node = random() % 2 ? brass : timpani;
      const std::uint32_t frame = static_cast<std::uint32_t>(random() % 512);
      const float value = static_cast<float>(random() % 1000) / 1000.0f;
      const auto key = static_cast<std::uint16_t>(28 + random() % 70);
      const std::size_t parameters = graph.node(node).parameters().size();
      switch (random() % 6) {
        case 0:
        case 1:
          block.push_back({node, {frame, EventType::kNoteOn, 0, key, 0.2f + 0.8f * value}});
          break;
        case 2:
          block.push_back({node, {frame, EventType::kNoteOff, 0, key, 0.0f}});
          break;
        case 3:
          block.push_back({node, {frame, EventType::kPitchBend, 0, 0, 2.0f * value - 1.0f}});
          break;
        case 4:
          block.push_back({node,
                           {frame, EventType::kControlChange, 0,
                            static_cast<std::uint16_t>(random() % 2 ? 1 : 11), value}});
          break;
        default: {
          const auto index = static_cast<std::uint16_t>(random() % parameters);
          const ParameterDescriptor& d = graph.node(node).parameters()[index];
          block.push_back({node,
                           {frame, EventType::kParameter, 0, index,
                            d.minimum + (d.maximum - d.minimum) * value}});
        }
      }
    }
    std::sort(block.begin(), block.end(),
              [](const NodeEvent& a, const NodeEvent& b) { return a.event.frame < b.event.frame; });
  }
  float left[512], right[512];
  float* output[] = {left, right};
  test::resetViolations();
  test::setAudioThread(true);
  float peak = 0.0f;
  for (const std::vector<NodeEvent>& block : blocks) {
    engine.process(output, 512, block);
    for (float x : left) peak = x > peak ? x : peak;  // (no call that could allocate)
  }
  test::setAudioThread(false);
  MESSAGE("peak " << peak << "; allocations on the audio thread: " << test::allocationViolations()
                  << ", locks: " << test::lockViolations()
                  << " (libc trapped: " << test::trapsLibc() << ")");
  CHECK(test::allocationViolations() == 0);
  CHECK(test::lockViolations() == 0);
  CHECK(engine.stats().nonFiniteSamples == 0);
  CHECK(peak > 0.01f);  // the sections did play
}
