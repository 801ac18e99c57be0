// Test helpers: drive one node directly, block by block, with parameter changes at exact frames.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "reverie/node.hpp"
#include "support/engine_render.hpp"

namespace reverie::test {

/// A parameter change at an absolute frame.
struct TimedParameter {
  std::size_t frame = 0;
  int index = 0;
  float value = 0.0f;
};

/// A registered node of `type`, its parameters set by id, prepared at `sampleRate`.
std::unique_ptr<Node> makeNode(std::string_view type, double sampleRate,
                               std::initializer_list<std::pair<const char*, float>> values,
                               std::uint64_t seed = 1);

/// Renders a stereo-in, stereo-out node over the whole input, asking `blockSize()` for each
/// block; each change is delivered as an event at its exact frame (sorted by frame).
Stereo renderStereoNode(Node& node, const std::vector<float>& left, const std::vector<float>& right,
                        const std::vector<TimedParameter>& changes,
                        const std::function<int()>& blockSize);

/// True when both signals hold exactly the same samples.
bool sameSamples(const std::vector<float>& a, const std::vector<float>& b);

/// Pearson correlation of a and b over frames [begin, end).
double normalizedCorrelation(const std::vector<float>& a, const std::vector<float>& b,
                             std::size_t begin, std::size_t end);

}  // namespace reverie::test
