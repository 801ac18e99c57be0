// The default arc, the-performance, rendered once per seed in a test process and shared by
// every test that measures it (a render costs seconds, ten times that under sanitizers).
#pragma once

#include <cstdint>
#include <vector>

#include "reverie/arc.hpp"

namespace reverie::test {

/// presets/arcs/the-performance.toml, loaded once.
const Arc& performanceArc();

/// A render of the whole arc with its tail at kPerformanceRate, the engine's latency removed.
struct PerformanceRender {
  std::vector<float> mono;         ///< (left + right) / 2
  std::vector<float> interleaved;  ///< left, right, left, ...
};

inline constexpr double kPerformanceRate = 48000.0;

/// Renders `seed` in blocks of 1024 frames the first time it is asked for; later calls return
/// the same render. Not thread-safe (doctest runs test cases one at a time).
const PerformanceRender& performanceRender(std::uint64_t seed);

}  // namespace reverie::test
