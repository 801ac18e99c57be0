// Test helpers: an arc of presets/arcs rendered offline at 48 kHz, each arc and seed once per
// process and shared by every test case that measures it.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arc/arc_setup.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "support/engine_render.hpp"

namespace reverie::test {

inline constexpr double kArcRate = 48000.0;

/// The seeds the arc tests render: 1-5 (issue 11). Under a sanitizer a render costs ten times
/// as much, so there only seeds 1-3 (the-performance's checks ran for these before issue 11);
/// REVERIE_ARC_SEEDS (a compile definition) overrides either.
#if defined(REVERIE_ARC_SEEDS)
inline constexpr int kArcSeedCount = REVERIE_ARC_SEEDS;
#elif defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr int kArcSeedCount = 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr int kArcSeedCount = 3;
#else
inline constexpr int kArcSeedCount = 5;
#endif
#else
inline constexpr int kArcSeedCount = 5;
#endif

struct ArcRender {
  std::vector<float> mono;         ///< (left + right) / 2
  std::vector<float> interleaved;  ///< left, right
};

/// presets/arcs/NAME.toml, loaded once.
inline const Arc& arcNamed(const std::string& name) {
  static std::map<std::string, Arc> arcs;
  auto it = arcs.find(name);
  if (it == arcs.end())
    it = arcs.emplace(name,
                      loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/" + name + ".toml"))
             .first;
  return it->second;
}

/// The whole arc with its tail, the engine's latency taken off, in blocks of `block` frames.
inline ArcRender renderArc(const Arc& arc, std::uint64_t seed, int block = 1024) {
  Engine engine({kArcRate, 1024, seed});
  arc::buildArc(arc, engine.graph());
  engine.commit();
  const auto latency = static_cast<std::size_t>(engine.latencyFrames());
  const auto frames = static_cast<std::size_t>(std::llround(arc::arcSeconds(arc) * kArcRate));
  const Stereo out = renderBlocks(engine, {}, frames + latency, [block] { return block; });
  ArcRender r;
  r.mono.resize(frames);
  r.interleaved.resize(2 * frames);
  for (std::size_t i = 0; i < frames; ++i) {
    r.interleaved[2 * i] = out.left[i + latency];
    r.interleaved[2 * i + 1] = out.right[i + latency];
    r.mono[i] = 0.5f * (out.left[i + latency] + out.right[i + latency]);
  }
  return r;
}

/// renderArc(arcNamed(name), seed) in the default blocks, rendered once per process.
inline const ArcRender& renderedArc(const std::string& name, std::uint64_t seed) {
  static std::map<std::pair<std::string, std::uint64_t>, ArcRender> cache;
  const auto key = std::make_pair(name, seed);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, renderArc(arcNamed(name), seed)).first;
  return it->second;
}

}  // namespace reverie::test
