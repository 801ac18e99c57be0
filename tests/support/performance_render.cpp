// the-performance rendered once per seed per test process.
#include "support/performance_render.hpp"

#include <cmath>
#include <map>
#include <string>

#include "arc/arc_setup.hpp"
#include "reverie/engine.hpp"
#include "support/engine_render.hpp"

namespace reverie::test {

const Arc& performanceArc() {
  static const Arc arc =
      loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/the-performance.toml");
  return arc;
}

const PerformanceRender& performanceRender(std::uint64_t seed) {
  static std::map<std::uint64_t, PerformanceRender> cache;
  if (const auto it = cache.find(seed); it != cache.end()) return it->second;
  const Arc& arc = performanceArc();
  Engine engine({kPerformanceRate, 1024, seed});
  arc::buildArc(arc, engine.graph());
  engine.commit();
  const auto latency = static_cast<std::size_t>(engine.latencyFrames());
  const auto frames =
      static_cast<std::size_t>(std::llround(arc::arcSeconds(arc) * kPerformanceRate));
  const Stereo out = renderBlocks(engine, {}, frames + latency, [] { return 1024; });
  PerformanceRender r;
  r.mono.resize(frames);
  r.interleaved.resize(2 * frames);
  for (std::size_t i = 0; i < frames; ++i) {
    r.interleaved[2 * i] = out.left[i + latency];
    r.interleaved[2 * i + 1] = out.right[i + latency];
    r.mono[i] = 0.5f * (out.left[i + latency] + out.right[i + latency]);
  }
  return cache.emplace(seed, std::move(r)).first->second;
}

}  // namespace reverie::test
