// Test helpers: render an engine offline with a chosen pattern of block sizes.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reverie/engine.hpp"
#include "reverie/offline_clock.hpp"

namespace reverie::test {

struct Stereo {
  std::vector<float> left, right;
};

/// Renders `frames` frames through an OfflineClock, asking `blockSize()` for each block.
inline Stereo renderBlocks(Engine& engine, std::vector<ScheduledEvent> events, std::size_t frames,
                           const std::function<int()>& blockSize) {
  OfflineClock clock(engine, std::move(events));
  Stereo out{std::vector<float>(frames), std::vector<float>(frames)};
  for (std::size_t done = 0; done < frames;) {
    const int block = static_cast<int>(
        std::min<std::size_t>(static_cast<std::size_t>(blockSize()), frames - done));
    clock.render(out.left.data() + done, out.right.data() + done, block);
    done += static_cast<std::size_t>(block);
  }
  return out;
}

inline ScheduledEvent note(std::uint64_t frame, NodeId node, int key, float velocity) {
  return {frame, node, {0, EventType::kNoteOn, 0, static_cast<std::uint16_t>(key), velocity}};
}
inline ScheduledEvent noteOff(std::uint64_t frame, NodeId node, int key) {
  return {frame, node, {0, EventType::kNoteOff, 0, static_cast<std::uint16_t>(key), 0.0f}};
}
inline ScheduledEvent parameterChange(std::uint64_t frame, NodeId node, int index, float value) {
  return {frame, node, {0, EventType::kParameter, 0, static_cast<std::uint16_t>(index), value}};
}

/// An engine in which one node of `type` (named as its type) plays straight into the output,
/// its parameters set by id before the first commit: the node heard through the engine.
struct OneNodeEngine {
  Engine engine;
  NodeId node = kInvalidNode;
  OneNodeEngine(std::string_view type, std::uint64_t seed,
                std::initializer_list<std::pair<const char*, float>> parameters = {},
                double sampleRate = 48000.0, int maxBlock = 512)
      : engine({sampleRate, maxBlock, seed}) {
    Graph& g = engine.graph();
    node = g.add(type, std::string(type));
    const NodeId out = g.add("output", "out");
    g.connect({node, 0}, {out, 0});
    g.connect({node, 1}, {out, 1});
    for (const auto& [id, value] : parameters) g.setParameter(node, id, value);
    engine.commit();
  }
};

}  // namespace reverie::test
