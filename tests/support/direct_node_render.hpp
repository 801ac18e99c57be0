// Test helper: render one node on its own (no engine, no master limiter) with a chosen pattern
// of block sizes, so a test hears the node's raw output.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "dsp/denormals.hpp"
#include "reverie/node.hpp"
#include "support/engine_render.hpp"

namespace reverie::test {

/// An event for a node rendered on its own, at an absolute frame.
struct TimedEvent {
  std::uint64_t frame = 0;
  Event event;
};

inline TimedEvent noteAt(std::uint64_t frame, int key, float velocity) {
  return {frame, {0, EventType::kNoteOn, 0, static_cast<std::uint16_t>(key), velocity}};
}
inline TimedEvent noteOffAt(std::uint64_t frame, int key) {
  return {frame, {0, EventType::kNoteOff, 0, static_cast<std::uint16_t>(key), 0.0f}};
}
inline TimedEvent controllerAt(std::uint64_t frame, int controller, float value) {
  return {frame, {0, EventType::kControlChange, 0, static_cast<std::uint16_t>(controller), value}};
}
inline TimedEvent parameterAt(std::uint64_t frame, int index, float value) {
  return {frame, {0, EventType::kParameter, 0, static_cast<std::uint16_t>(index), value}};
}

/// Renders `frames` frames of a prepared node with no inputs and two outputs, splitting the
/// run into blocks of `blockSize()` frames and handing each block its events (stable order).
/// Denormals are flushed as the engine flushes them.
inline Stereo renderNodeDirect(Node& node, std::vector<TimedEvent> events, std::size_t frames,
                               const std::function<int()>& blockSize) {
  dsp::ScopedFlushDenormals flush;
  std::stable_sort(events.begin(), events.end(),
                   [](const TimedEvent& a, const TimedEvent& b) { return a.frame < b.frame; });
  Stereo out{std::vector<float>(frames), std::vector<float>(frames)};
  std::vector<Event> blockEvents;
  std::size_t next = 0;
  for (std::size_t done = 0; done < frames;) {
    const std::size_t block =
        std::min<std::size_t>(static_cast<std::size_t>(std::max(1, blockSize())), frames - done);
    blockEvents.clear();
    for (; next < events.size() && events[next].frame < done + block; ++next) {
      Event e = events[next].event;
      e.frame =
          static_cast<std::uint32_t>(events[next].frame > done ? events[next].frame - done : 0);
      blockEvents.push_back(e);
    }
    float* outputs[2] = {out.left.data() + done, out.right.data() + done};
    node.process({nullptr, outputs, static_cast<int>(block), blockEvents});
    done += block;
  }
  return out;
}

}  // namespace reverie::test
