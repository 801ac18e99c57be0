// The default arc, the-performance, measured from its rendered audio: each scene does what the
// script says (wrong key rough and dense, triumph loud and smooth, spotlight near-silent, the
// key away and back, applause noise-like), the tension heard follows the tension scripted, and
// every seed gives a new performance with the same shape.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "arc/arc_setup.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "support/arc_render.hpp"
#include "support/chroma.hpp"
#include "support/engine_render.hpp"
#include "support/key_estimate.hpp"
#include "support/scene_features.hpp"
#include "support/tension_estimate.hpp"

namespace reverie {
namespace {

constexpr double kRate = 48000.0;
/// Each scene is measured from this long after its start: before it, the hall still rings
/// with the scene before.
constexpr double kSettleSeconds = 1.0;

const Arc& performance() {
  return test::arcNamed("the-performance");
}

/// Renders of the default block size by seed, shared with the other arc tests of the process.
const test::ArcRender& rendered(std::uint64_t seed) {
  return test::renderedArc("the-performance", seed);
}

struct SceneFacts {
  double lufs = -70.0, roughness = 0.0, onsets = 0.0, flatness = 0.0;
  test::KeyEstimate key;
};

std::map<std::string, SceneFacts> measureScenes(const test::ArcRender& r) {
  const Arc& arc = performance();
  const Timeline timeline(arc, kRate);
  std::map<std::string, SceneFacts> facts;
  for (std::size_t s = 0; s < arc.scenes.size(); ++s) {
    const auto begin = static_cast<std::size_t>(timeline.spans()[s].startFrame) +
                       static_cast<std::size_t>(kSettleSeconds * kRate);
    const auto end = static_cast<std::size_t>(timeline.spans()[s].endFrame);
    const std::span<const float> mono(r.mono.data() + begin, end - begin);
    const std::span<const float> stereo(r.interleaved.data() + 2 * begin, 2 * (end - begin));
    SceneFacts f;
    f.lufs = test::loudnessLufs(stereo, kRate, 2);
    f.roughness = test::normalizedRoughness(mono, kRate);
    f.onsets = test::pitchedOnsetRate(mono, kRate);
    f.flatness = test::flatness(mono, kRate);
    f.key = test::estimateKey(test::chroma(mono, kRate));
    MESSAGE(arc.scenes[s].name << ": " << f.lufs << " LUFS, roughness " << f.roughness << ", "
                               << f.onsets << " pitched onsets/s, flatness " << f.flatness
                               << ", key " << test::keyName(f.key.tonic, f.key.minor) << " (r "
                               << f.key.correlation << ")");
    facts[arc.scenes[s].name] = f;
  }
  return facts;
}

/// The acceptance points that hold for every seed.
void checkScenes(const std::map<std::string, SceneFacts>& facts) {
  const SceneFacts& wrong = facts.at("wrong-key");
  const SceneFacts& triumph = facts.at("triumph");
  for (const auto& [name, f] : facts) {
    if (name == "wrong-key") continue;
    INFO("scene " << name);
    CHECK(wrong.roughness > f.roughness);
    CHECK(wrong.onsets > f.onsets);
    CHECK(triumph.lufs >= f.lufs);
  }
  CHECK(triumph.roughness < wrong.roughness);
  CHECK(triumph.lufs - facts.at("spotlight").lufs >= 20.0);
  const int home = performance().homeKey;
  CHECK(wrong.key.tonic != home);
  CHECK(triumph.key.tonic == home);
  CHECK_FALSE(triumph.key.minor);
  // Noise-like: white noise reads ~0.56, tones ~0; and far flatter than any scene of music.
  CHECK(facts.at("applause").flatness > 0.25);
  for (const auto& [name, f] : facts)
    if (name != "applause") CHECK(facts.at("applause").flatness > 10.0 * f.flatness);
}

std::uint64_t hash(const std::vector<float>& samples) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (float x : samples) {
    std::uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    h = (h ^ bits) * 0x100000001b3ull;
  }
  return h;
}

}  // namespace

TEST_CASE(
    "the-performance: wrong key is roughest and densest, triumph loudest and smoother, spotlight "
    "20 LU down, "
    "the key away and home, applause noise-like") {
  const Arc& arc = performance();
  const double minutes = arc::arcSeconds(arc) / 60.0;
  MESSAGE("the-performance lasts " << minutes << " minutes with its tail");
  CHECK(minutes >= 3.0);
  CHECK(minutes <= 5.0);
  checkScenes(measureScenes(rendered(1)));
}

/// The windows of `track` (3 s, centred on track.seconds) that lie wholly outside the applause.
/// The ovation is noise, not music, and roars as loud as the triumph at tension 0.1 (issue 11:
/// "a thunderous roar"); a loudness-led estimate of musical tension has nothing to say there.
test::TensionTrack withoutApplause(const test::TensionTrack& track, const Timeline& timeline) {
  std::size_t applause = 0;
  for (std::size_t s = 0; s < performance().scenes.size(); ++s)
    if (performance().scenes[s].name == "applause") applause = s;
  const double from = timeline.spans()[applause].startSeconds;
  const double to = static_cast<double>(timeline.spans()[applause].endFrame) / kRate;
  test::TensionTrack kept;
  for (std::size_t i = 0; i < track.seconds.size(); ++i) {
    if (track.seconds[i] + 1.5 > from && track.seconds[i] - 1.5 < to) continue;
    kept.seconds.push_back(track.seconds[i]);
    kept.loudness.push_back(track.loudness[i]);
    kept.roughness.push_back(track.roughness[i]);
    kept.onsetRate.push_back(track.onsetRate[i]);
    kept.estimate.push_back(track.estimate[i]);
  }
  return kept;
}

// Issue 11 moved this figure from 0.72-0.75 to 0.68-0.70 (seeds 1-3, the applause left out): the
// triumph now breathes with its phrases (loudness range >= 4 LU, which a 3 s loudness window
// reads as tension rising and falling inside a scene scripted to relax) and the waking glows
// instead of falling silent. The threshold follows, and still fails a tension curve ignored.
TEST_CASE(
    "the-performance: the tension heard follows the tension scripted (r >= 0.65), for three "
    "seeds") {
  const Arc& arc = performance();
  const Timeline timeline(arc, kRate);
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const test::TensionTrack track =
        withoutApplause(test::estimateTension(rendered(seed).mono, kRate), timeline);
    std::vector<double> scripted;
    for (double t : track.seconds)
      scripted.push_back(timeline.valuesAt(static_cast<std::uint64_t>(t * kRate)).tension);
    const double r = test::pearson(track.estimate, scripted);
    if (const char* dump = std::getenv("REVERIE_TENSION_DUMP"); dump != nullptr && seed == 1) {
      std::FILE* f = std::fopen(dump, "w");
      for (std::size_t i = 0; f != nullptr && i < scripted.size(); ++i)
        std::fprintf(f, "%.1f %.3f %.1f %.4f %.2f %.3f\n", track.seconds[i], scripted[i],
                     track.loudness[i], track.roughness[i], track.onsetRate[i], track.estimate[i]);
      if (f != nullptr) std::fclose(f);
    }
    MESSAGE("seed " << seed << ": " << track.seconds.size() << " windows, r(estimate, script) = "
                    << r << "; loudness alone " << test::pearson(track.loudness, scripted)
                    << ", roughness alone " << test::pearson(track.roughness, scripted)
                    << ", onsets alone " << test::pearson(track.onsetRate, scripted));
    CHECK(r >= 0.65);
  }
}

TEST_CASE(
    "the-performance: the same seed renders the same samples in any blocks; seeds 2-5 differ but "
    "keep the shape") {
  const std::uint64_t first = hash(rendered(1).interleaved);
  CHECK(hash(test::renderArc(performance(), 1, 333).interleaved) == first);
  for (std::uint64_t seed = 2; seed <= static_cast<std::uint64_t>(test::kArcSeedCount); ++seed) {
    INFO("seed " << seed);
    CHECK(hash(rendered(seed).interleaved) != first);
    checkScenes(measureScenes(rendered(seed)));
  }
}

}  // namespace reverie
