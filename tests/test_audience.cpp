// The audience, measured: applause that thickens with enthusiasm, a flat roar, a murmur with
// no tone in it, events at their rates, block-size invariance and safety.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <random>

#include "nodes/builtin_nodes.hpp"
#include "reverie/engine.hpp"
#include "support/direct_node_render.hpp"
#include "support/engine_render.hpp"
#include "support/onsets.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectral_shape.hpp"
#include "support/test_signals.hpp"
#include "support/tonal_peaks.hpp"
#include "support/units.hpp"

using namespace reverie;
using test::at;
using test::segment;

namespace {

constexpr double kRate = test::kTestRate;

int parameterIndex(const char* id) {
  return findParameter(kAudienceType.parameters, id);
}

/// An audience node on its own: its raw output, no master limiter. Quiet unless told.
struct AudienceRig : test::NodeRig {
  explicit AudienceRig(std::initializer_list<std::pair<const char*, float>> parameters,
                       std::uint64_t seed = 5)
      : NodeRig(kAudienceType) {
    set({{"murmur", 0.0f}, {"coughs", 0.0f}, {"whispers", 0.0f}});
    set(parameters);
    prepare(seed);
  }
  /// Left plus right, no events.
  std::vector<float> renderMono(double seconds) { return test::channelSum(render({}, seconds)); }
};

}  // namespace

TEST_CASE("audience: clap onsets per second rise with enthusiasm; the RMS rises on to a roar") {
  // Low enthusiasm: scattered hands whose claps the onset detector can count.
  double previousRate = 0.0;
  for (float enthusiasm : {0.05f, 0.1f, 0.15f}) {
    AudienceRig rig({{"applause", enthusiasm}});
    const std::vector<float> audio = rig.renderMono(8.0);
    const std::vector<double> onsets = test::onsetTimes(segment(audio, 1.0, 8.0), kRate);
    const double rate = static_cast<double>(onsets.size()) / 7.0;
    MESSAGE("enthusiasm " << enthusiasm << ": " << rate << " clap onsets per second, RMS "
                          << test::rmsDb(audio, at(1.0), at(8.0)) << " dB");
    CAPTURE(enthusiasm);
    CHECK(rate > previousRate * 1.3);
    previousRate = rate;
  }
  CHECK(previousRate > 5.0);
  // Higher up the claps merge, and the level keeps climbing.
  double previousRms = -1e9;
  for (float enthusiasm : {0.3f, 0.6f, 1.0f}) {
    AudienceRig rig({{"applause", enthusiasm}});
    const std::vector<float> audio = rig.renderMono(4.0);
    const double rms = test::rmsDb(audio, at(1.0), at(4.0));
    MESSAGE("enthusiasm " << enthusiasm << ": RMS " << rms << " dB");
    CAPTURE(enthusiasm);
    CHECK(rms > previousRms + 3.0);
    previousRms = rms;
  }
}

TEST_CASE("audience: a full house's applause has a flat spectrum (flatness above 0.3)") {
  AudienceRig rig({{"applause", 1.0f}, {"size", 1.0f}});
  const std::vector<float> audio = rig.renderMono(4.0);
  const double flatness = test::spectralFlatness(segment(audio, 1.0, 4.0), kRate);
  const double centroid = test::spectralCentroidHz(segment(audio, 1.0, 4.0), kRate);
  MESSAGE("applause at enthusiasm 1: spectral flatness " << flatness << ", centroid " << centroid
                                                         << " Hz");
  CHECK(flatness > 0.3);
}

TEST_CASE("audience: applause thins out when enthusiasm falls") {
  AudienceRig rig({{"applause", 0.8f}});
  const std::vector<float> audio = [&] {
    const test::Stereo stereo =
        rig.render({test::parameterAt(at(3.0), parameterIndex("applause"), 0.1f)}, 7.0);
    return stereo.left;
  }();
  const double roar = test::rmsDb(audio, at(2.0), at(3.0));
  const double scattered = test::rmsDb(audio, at(5.5), at(7.0));
  MESSAGE("RMS at enthusiasm 0.8: " << roar << " dB; after falling to 0.1: " << scattered << " dB");
  CHECK(scattered < roar - 15.0);
  CHECK(scattered > -90.0);  // a few hands still clap
}

TEST_CASE("audience: the murmur has no steady tonal peak; a weak tone in it would show") {
  AudienceRig rig({{"murmur", 1.0f}});
  const std::vector<float> audio = rig.renderMono(12.0);
  const test::AveragedSpectrum spectrum = test::averagedSpectrum(segment(audio, 1.0, 12.0), kRate);
  const test::Prominence murmur = test::largestProminence(spectrum, 100.0, 4000.0);
  // The same murmur with a 1 kHz sine 10 dB under its RMS: the measurement must catch it.
  const double murmurRms = std::pow(10.0, test::rmsDb(audio, at(1.0), at(12.0)) / 20.0);
  const std::vector<float> tone =
      test::sine(1000.0, 12.0, kRate, murmurRms * std::sqrt(2.0) * std::pow(10.0, -0.5));
  const std::vector<float> mixed = test::mix(audio, tone);
  const test::Prominence withTone = test::largestProminence(
      test::averagedSpectrum(segment(mixed, 1.0, 12.0), kRate), 100.0, 4000.0);
  MESSAGE("murmur RMS " << test::rmsDb(audio, at(1.0), at(12.0)) << " dB; most prominent bin "
                        << murmur.excessDb << " dB over its neighbourhood's median at "
                        << murmur.frequencyHz << " Hz; with a tone 10 dB under the murmur: "
                        << withTone.excessDb << " dB at " << withTone.frequencyHz << " Hz");
  CHECK(murmur.excessDb < 10.0);
  CHECK(withTone.excessDb > 10.0);
  CHECK(std::fabs(withTone.frequencyHz - 1000.0) < 10.0);
}

TEST_CASE("audience: coughs come at about their rate, as short bursts") {
  AudienceRig rig({{"coughs", 20.0f}});
  const std::vector<float> audio = rig.renderMono(90.0);
  // A cough is up to three bursts: count the RMS envelope's rises out of silence.
  const std::vector<double> envelope = test::rmsEnvelope(audio, kRate, 0.02, 0.01);
  double loudest = 0.0;
  for (double e : envelope) loudest = std::max(loudest, e);
  int rises = 0;
  bool quiet = true;
  for (double e : envelope) {
    if (quiet && e > loudest * 0.03) ++rises, quiet = false;
    if (!quiet && e < loudest * 0.01) quiet = true;
  }
  // 30 expected (Poisson, +-5.5); coughs closer than their tails merge into one rise.
  MESSAGE("90 s at 20 coughs a minute: " << rises << " coughs heard (30 started on average)");
  CHECK(rises >= 12);
  CHECK(rises <= 45);
}

TEST_CASE("audience: whispers are high and breathy; cheers come and go; silence when all is off") {
  AudienceRig whispers({{"whispers", 30.0f}});
  const std::vector<float> whispered = whispers.renderMono(20.0);
  const double whisperCentroid = test::spectralCentroidHz(whispered, kRate);
  AudienceRig cheers({{"cheers", 1.0f}});
  const std::vector<float> cheered = cheers.renderMono(20.0);
  const std::vector<double> envelope = test::rmsEnvelope(cheered, kRate, 0.05, 0.05);
  double loudest = 0.0;
  for (double e : envelope) loudest = std::max(loudest, e);
  int quietWindows = 0;
  for (double e : envelope) quietWindows += e < 0.1 * loudest;
  AudienceRig nobody({});
  const std::vector<float> silence = nobody.renderMono(2.0);
  MESSAGE("whispers: RMS " << test::rmsDb(whispered, 0, whispered.size()) << " dB, centroid "
                           << whisperCentroid << " Hz; cheers: RMS "
                           << test::rmsDb(cheered, 0, cheered.size()) << " dB, " << quietWindows
                           << " of " << envelope.size()
                           << " 50 ms windows 20 dB under the loudest");
  CHECK(whisperCentroid > 2000.0);
  CHECK(test::rmsDb(whispered, 0, whispered.size()) > -70.0);
  CHECK(test::rmsDb(cheered, 0, cheered.size()) > -50.0);
  CHECK(quietWindows > static_cast<int>(envelope.size()) / 10);  // events, not a drone
  CHECK(test::peakAbs(silence) == 0.0f);
}

TEST_CASE("audience: plays by its type name through the engine, every sample finite") {
  test::OneNodeEngine solo("audience", 2, {{"applause", 0.7f}});
  Engine& engine = solo.engine;
  const test::Stereo audio = test::renderBlocks(engine, {}, at(2.0), [] { return 300; });
  const double rms = test::rmsDb(audio.left, at(1.0), at(2.0));
  MESSAGE("applause through the engine: RMS " << rms << " dB, non-finite samples "
                                              << engine.stats().nonFiniteSamples);
  CHECK(rms > -40.0);
  CHECK(engine.stats().nonFiniteSamples == 0);
  CHECK_FALSE(kAudienceType.acceptsNotes);
}

TEST_CASE("audience: any block size renders the same samples; a seed repeats, another differs") {
  std::vector<test::TimedEvent> events = {
      test::parameterAt(7, parameterIndex("applause"), 0.7f),
      test::parameterAt(at(0.8) + 3, parameterIndex("cheers"), 1.0f),
      test::parameterAt(at(1.5) + 1, parameterIndex("applause"), 0.2f),
      test::parameterAt(at(1.7) + 9, parameterIndex("spread"), 0.3f),
  };
  auto run = [&](const std::function<int()>& block, std::uint64_t seed) {
    AudienceRig rig({{"murmur", 0.8f}, {"coughs", 30.0f}, {"whispers", 30.0f}}, seed);
    return test::renderNodeDirect(*rig.node, events, static_cast<std::size_t>(2.5 * kRate), block)
        .left;
  };
  const std::vector<float> reference = run([] { return 64; }, 5);
  CHECK(reference == run([] { return 1000; }, 5));
  CHECK(reference == run([] { return 1; }, 5));
  std::mt19937 sizes(3);
  CHECK(reference == run([&] { return 1 + static_cast<int>(sizes() % 900); }, 5));
  const std::vector<float> other = run([] { return 64; }, 6);
  double difference = 0.0;
  for (std::size_t i = 0; i < reference.size(); ++i)
    difference = std::max(difference, static_cast<double>(std::fabs(reference[i] - other[i])));
  MESSAGE("largest sample difference between seeds 5 and 6: " << difference << " (peak "
                                                              << test::peakAbs(reference) << ")");
  CHECK(difference > 0.1 * test::peakAbs(reference));
}

TEST_CASE("audience: 60 s of random parameter values stay finite and bounded") {
  AudienceRig rig({{"murmur", 0.5f}, {"coughs", 5.0f}, {"whispers", 5.0f}});
  std::mt19937 random(78);
  std::vector<test::TimedEvent> events;
  const auto parameters = kAudienceType.parameters;
  for (double t = 0.0; t < 60.0; t += 0.05) {
    const std::uint16_t index = static_cast<std::uint16_t>(random() % parameters.size());
    const ParameterDescriptor& d = parameters[index];
    const float value = static_cast<float>(random() % 1001) / 1000.0f;
    // Anywhere in range, and sometimes far outside it: the edge must clamp.
    events.push_back(test::parameterAt(
        at(t), index, d.minimum + (d.maximum - d.minimum) * (value * 1.4f - 0.2f)));
    if (random() % 4 == 0)
      events.push_back(test::controllerAt(at(t), 1, value));  // ignored, harmless
  }
  const test::Stereo audio = rig.render(events, 60.0, 512);
  const float peak = std::max(test::peakAbs(audio.left), test::peakAbs(audio.right));
  MESSAGE("60 s of random parameters: raw peak " << peak << " (" << 20.0 * std::log10(peak)
                                                 << " dBFS)");
  CHECK(test::allFinite(audio.left));
  CHECK(test::allFinite(audio.right));
  CHECK(peak <= 4.0f);  // level may be +12 dB
  CHECK(peak > 0.0f);
}
