// The orchestra tuning up, measured: scattered pitches at first, one pitch class at the end,
// the A within 2 cents of the oboe's.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "reverie/engine.hpp"
#include "support/chroma.hpp"
#include "support/engine_render.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectrum_peaks.hpp"

using namespace reverie;

namespace {

constexpr double kRate = 48000.0;

struct TuningRig {
  Engine engine{{kRate, 4096, 7}};
  NodeId node = kInvalidNode;
  explicit TuningRig(std::initializer_list<std::pair<const char*, float>> parameters) {
    Graph& g = engine.graph();
    node = g.add("tuning", "tuning");
    for (const auto& [id, value] : parameters) g.setParameter(node, id, value);
    const NodeId out = g.add("output", "out");
    g.connect({node, 0}, {out, 0});
    g.connect({node, 1}, {out, 1});
    engine.commit();
  }
  test::Stereo render(std::vector<ScheduledEvent> events, double seconds, int block = 512) {
    return test::renderBlocks(engine, std::move(events), static_cast<std::size_t>(seconds * kRate),
                              [block] { return block; });
  }
};

std::span<const float> between(const std::vector<float>& x, double from, double to) {
  return {x.data() + static_cast<std::size_t>(from * kRate),
          static_cast<std::size_t>((to - from) * kRate)};
}

double aShare(const std::array<double, 12>& c) {
  return c[test::pitch_class::kA];
}

}  // namespace

TEST_CASE("tuning: the last two seconds hold A, within 2 cents of 440 Hz; the start is scattered") {
  TuningRig rig({{"settle", 8.0f}});
  const test::Stereo out =
      rig.render({test::note(0, rig.node, 69, 0.8f),
                  test::noteOff(static_cast<std::uint64_t>(11.0 * kRate), rig.node, 69)},
                 11.0);
  const auto end = between(out.left, 9.0, 11.0);
  const auto chroma = test::chroma(end, kRate);
  const auto strongest =
      static_cast<std::size_t>(std::max_element(chroma.begin(), chroma.end()) - chroma.begin());
  const double a4 = test::fundamentalHz(end, kRate, 440.0);
  const double a3 = test::fundamentalHz(end, kRate, 220.0);
  const auto early = test::chroma(between(out.left, 2.0, 4.0), kRate);
  MESSAGE("last 2 s: strongest pitch class "
          << strongest << " (A = 9) with " << aShare(chroma) * 100.0 << "% of the energy; A4 at "
          << a4 << " Hz (" << test::centsBetween(a4, 440.0) << " cents), A3 at " << a3 << " Hz ("
          << test::centsBetween(a3, 220.0) << " cents)");
  MESSAGE("2-4 s, while the players scatter and glide: A holds " << aShare(early) * 100.0
                                                                 << "% of the energy");
  CHECK(strongest == test::pitch_class::kA);
  CHECK(std::fabs(test::centsBetween(a4, 440.0)) <= 2.0);
  CHECK(std::fabs(test::centsBetween(a3, 220.0)) <= 2.0);
  CHECK(aShare(chroma) > 0.8);
  CHECK(aShare(early) < aShare(chroma) - 0.2);
}

TEST_CASE(
    "tuning: the oboe alone gives the A at the tuning set, and a different A moves everyone") {
  TuningRig rig({{"settle", 4.0f}, {"tuning", 442.0f}});
  const test::Stereo out = rig.render({test::note(0, rig.node, 69, 0.8f)}, 7.0);
  const double oboe = test::fundamentalHz(between(out.left, 0.3, 0.8), kRate, 442.0);
  const double end = test::fundamentalHz(between(out.left, 5.0, 7.0), kRate, 442.0);
  MESSAGE("oboe alone: " << oboe << " Hz; the orchestra at the end: " << end << " Hz (A = 442)");
  CHECK(std::fabs(test::centsBetween(oboe, 442.0)) <= 1.0);
  CHECK(std::fabs(test::centsBetween(end, 442.0)) <= 2.0);
}

TEST_CASE("tuning: any block size renders the same samples, and the seed changes the scatter") {
  auto render = [](int block, std::uint64_t seed) {
    Engine engine({kRate, 4096, seed});
    const NodeId node = engine.graph().add("tuning", "tuning");
    const NodeId out = engine.graph().add("output", "out");
    engine.graph().connect({node, 0}, {out, 0});
    engine.graph().connect({node, 1}, {out, 1});
    engine.graph().setParameter(node, "settle", 3.0f);
    engine.commit();
    std::mt19937 random(3);
    return test::renderBlocks(
               engine,
               {test::note(100, node, 69, 0.7f),
                test::noteOff(static_cast<std::uint64_t>(3.5 * kRate), node, 69)},
               static_cast<std::size_t>(4.0 * kRate),
               [&] { return block > 0 ? block : 1 + static_cast<int>(random() % 1500); })
        .left;
  };
  const auto a = render(64, 1), b = render(0, 1), c = render(64, 2);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("tuning: 60 s of random notes and parameters stay finite and bounded") {
  TuningRig rig({});
  std::mt19937 random(11);
  std::vector<ScheduledEvent> events;
  const auto parameters = rig.engine.graph().node(rig.node).parameters();
  for (double t = 0.0; t < 60.0; t += 0.05) {
    const auto frame = static_cast<std::uint64_t>(t * kRate);
    const float value = static_cast<float>(random() % 1001) / 1000.0f;
    switch (random() % 6) {
      case 0:
        events.push_back(test::note(frame, rig.node, static_cast<int>(random() % 128), value));
        break;
      case 1:
        events.push_back(test::noteOff(frame, rig.node, 69));
        break;
      case 2:
        events.push_back({frame,
                          rig.node,
                          {0, EventType::kControlChange, 0,
                           static_cast<std::uint16_t>(random() % 2 ? 120 : 123), 1.0f}});
        break;
      default: {
        const auto index = static_cast<std::uint16_t>(random() % parameters.size());
        const ParameterDescriptor& d = parameters[index];
        events.push_back(test::parameterChange(
            frame, rig.node, index, d.minimum + (d.maximum - d.minimum) * (value * 1.4f - 0.2f)));
      }
    }
  }
  const test::Stereo out = rig.render(events, 60.0);
  MESSAGE("60 s of random play: peak " << test::peakAbs(out.left) << ", non-finite at the master "
                                       << rig.engine.stats().nonFiniteSamples);
  CHECK(test::allFinite(out.left));
  CHECK(rig.engine.stats().nonFiniteSamples == 0);
  CHECK(rig.engine.stats().limiterGainDb > -12.0f);
}
