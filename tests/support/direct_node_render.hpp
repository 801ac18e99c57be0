// Test helper: render one node on its own (no engine, no master limiter) with a chosen pattern
// of block sizes, so a test hears the node's raw output.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "dsp/denormals.hpp"
#include "reverie/node.hpp"
#include "support/engine_render.hpp"
#include "support/units.hpp"

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

/// The mean of the two channels, frame by frame.
inline std::vector<float> mid(const Stereo& s) {
  std::vector<float> m(s.left.size());
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = 0.5f * (s.left[i] + s.right[i]);
  return m;
}

/// Left plus right, frame by frame.
inline std::vector<float> channelSum(const Stereo& s) {
  std::vector<float> m(s.left.size());
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = s.left[i] + s.right[i];
  return m;
}

/// A node of one type on its own (no engine, no master limiter): its parameters set by id (each
/// id must be in the type's table), then prepared with a seed, rendered by renderNodeDirect.
struct NodeRig {
  const NodeType& type;
  std::unique_ptr<Node> node;
  double rate;
  int block = 512;  ///< the block size render() and left() use when given none

  /// Created, parameters not yet set, not prepared: set() then prepare().
  explicit NodeRig(const NodeType& nodeType, double sampleRate = kTestRate)
      : type(nodeType), node(nodeType.create()), rate(sampleRate) {}
  NodeRig(const NodeType& nodeType, std::initializer_list<std::pair<const char*, float>> parameters,
          std::uint64_t seed, double sampleRate = kTestRate)
      : NodeRig(nodeType, sampleRate) {
    set(parameters);
    prepare(seed);
  }

  /// The index of parameter `id` in the type's table; fails the test when there is none.
  int index(std::string_view id) const {
    const int i = findParameter(type.parameters, id);
    REQUIRE_MESSAGE(i >= 0, "no parameter '" << id << "' in " << type.name);
    return i;
  }
  void set(std::initializer_list<std::pair<const char*, float>> parameters) {
    for (const auto& [id, value] : parameters) node->setParameterDirect(index(id), value);
  }
  void prepare(std::uint64_t seed, int maxBlock = 4096) { node->prepare({rate, maxBlock, seed}); }

  /// `seconds` of output, in blocks of `blockSize()` frames.
  Stereo render(std::vector<TimedEvent> events, double seconds,
                const std::function<int()>& blockSize) {
    return renderNodeDirect(*node, std::move(events), static_cast<std::size_t>(seconds * rate),
                            blockSize);
  }
  /// `seconds` of output, in blocks of `frames` frames.
  Stereo render(std::vector<TimedEvent> events, double seconds, int frames) {
    return render(std::move(events), seconds, [frames] { return frames; });
  }
  Stereo render(std::vector<TimedEvent> events, double seconds) {
    return render(std::move(events), seconds, block);
  }
  /// The left channel alone.
  std::vector<float> left(std::vector<TimedEvent> events, double seconds, int frames) {
    return render(std::move(events), seconds, frames).left;
  }
  std::vector<float> left(std::vector<TimedEvent> events, double seconds) {
    return left(std::move(events), seconds, block);
  }
};

/// A NodeRig of one type with its test's default seed and block size:
/// `using BrassRig = test::RigOf<kBrassType, 7>;  BrassRig rig({{"vibrato", 0.0f}});`
template <const NodeType& kType, std::uint64_t kSeed, int kBlock = 512>
struct RigOf : NodeRig {
  explicit RigOf(std::initializer_list<std::pair<const char*, float>> parameters,
                 std::uint64_t seed = kSeed)
      : NodeRig(kType, parameters, seed) {
    block = kBlock;
  }
};

}  // namespace reverie::test
