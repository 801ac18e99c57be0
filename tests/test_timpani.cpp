// The timpani, measured: tuning, the 2:3:4 modes, strike position, mallet brightness, decay,
// rolls that swell, the heartbeat, the pedal glissando, block-size invariance and safety.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <random>

#include "nodes/builtin_nodes.hpp"
#include "reverie/engine.hpp"
#include "support/direct_node_render.hpp"
#include "support/engine_render.hpp"
#include "support/onsets.hpp"
#include "support/partial_decay.hpp"
#include "support/random_play.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"
#include "support/units.hpp"

using namespace reverie;
using test::at;
using test::controllerAt;
using test::hzOfKey;
using test::noteAt;
using test::noteOffAt;
using test::parameterAt;
using test::segment;

namespace {

constexpr double kRate = test::kTestRate;

/// A timpani node rendered on its own (its raw output, no limiter), the two channels' mean.
struct TimpaniRig : test::RigOf<kTimpaniType, 7> {
  using RigOf::RigOf;
  std::vector<float> render(std::vector<test::TimedEvent> events, double seconds, int block = 512) {
    return test::mid(NodeRig::render(std::move(events), seconds, block));
  }
};

/// Level of the partial at `hz` (dB) from the spectrum of a segment.
double partialDb(std::span<const float> x, double hz) {
  const test::Spectrum spectrum = test::analyseSpectrum(x, kRate);
  const std::optional<test::Peak> peak = test::strongestPeakBetween(spectrum, hz * 0.98, hz * 1.02);
  return peak ? peak->amplitudeDb : -200.0;
}

}  // namespace

TEST_CASE("timpani: the principal (1,1) mode is within 2 cents of 12-TET") {
  double worst = 0.0;
  for (int key : {41, 45, 50, 53, 57}) {
    TimpaniRig rig({});
    const std::vector<float> audio = rig.render({noteAt(0, key, 0.8f)}, 1.6);
    const double cents = test::centsBetween(
        test::fundamentalHz(segment(audio, 0.1, 1.6), kRate, hzOfKey(key)), hzOfKey(key));
    MESSAGE("key " << key << ": principal " << cents << " cents from 12-TET");
    CAPTURE(key);
    CHECK(std::fabs(cents) <= 2.0);
    worst = std::max(worst, std::fabs(cents));
  }
  MESSAGE("largest timpani tuning error: " << worst << " cents");
}

TEST_CASE("timpani: the three strongest modes stand at 1 : 1.5 : 2 within 3%") {
  for (int key : {43, 48}) {
    CAPTURE(key);
    TimpaniRig rig({{"hardness", 0.6f}});
    const std::vector<float> audio = rig.render({noteAt(0, key, 0.9f)}, 2.2);
    // After 0.3 s the fast axisymmetric modes have gone; the three strongest peaks between an
    // octave below and an octave and a half above the note are the drum's main modes.
    const double f0 = hzOfKey(key);
    std::vector<test::Peak> peaks = test::findPeaks(
        test::analyseSpectrum(segment(audio, 0.3, 2.2), kRate), 3, 60.0, 0.5 * f0, 2.6 * f0);
    REQUIRE(peaks.size() == 3);
    std::sort(peaks.begin(), peaks.end(), [](const test::Peak& a, const test::Peak& b) {
      return a.frequencyHz < b.frequencyHz;
    });
    const double second = peaks[1].frequencyHz / peaks[0].frequencyHz,
                 third = peaks[2].frequencyHz / peaks[0].frequencyHz;
    MESSAGE("key " << key << ": main modes at " << peaks[0].frequencyHz << ", "
                   << peaks[1].frequencyHz << ", " << peaks[2].frequencyHz
                   << " Hz: ratios 1 : " << second << " : " << third);
    CHECK(std::fabs(test::centsBetween(peaks[0].frequencyHz, f0)) <= 2.0);
    CHECK(std::fabs(second / 1.5 - 1.0) <= 0.03);
    CHECK(std::fabs(third / 2.0 - 1.0) <= 0.03);
  }
}

TEST_CASE("timpani: a strike near the rim weakens the (0,1) mode against the principal") {
  auto balance = [](float position) {
    // A soft mallet: the attack noise (the head's dense upper modes, whose skirt reaches down
    // to the (0,1)) stays far under the weak (0,1).
    TimpaniRig rig({{"position", position}, {"hardness", 0.0f}});
    const std::vector<float> audio = rig.render({noteAt(0, 45, 0.8f)}, 0.4);
    const std::span<const float> early = segment(audio, 0.0, 0.25);
    return partialDb(early, 0.85 * hzOfKey(45)) - partialDb(early, hzOfKey(45));
  };
  const double inner = balance(0.3f), usual = balance(0.75f);
  MESSAGE("(0,1) over (1,1): " << inner << " dB struck at 0.3 of the radius, " << usual
                               << " dB at 0.75");
  CHECK(usual < inner - 6.0);
}

TEST_CASE("timpani: harder and louder strokes are brighter") {
  auto centroid = [](float hardness, float velocity) {
    TimpaniRig rig({{"hardness", hardness}});
    return test::spectralCentroidHz(rig.render({noteAt(0, 45, velocity)}, 0.5), kRate);
  };
  const double soft = centroid(0.4f, 0.3f), loud = centroid(0.4f, 1.0f);
  const double felt = centroid(0.0f, 0.8f), hard = centroid(1.0f, 0.8f);
  MESSAGE("centroid: velocity 0.3 " << soft << " Hz, 1.0 " << loud << " Hz; hardness 0 " << felt
                                    << " Hz, 1 " << hard << " Hz");
  CHECK(loud > 1.15 * soft);
  CHECK(hard > 1.3 * felt);
}

TEST_CASE("timpani: the principal's T60 follows the t60 parameter; key-up damps with release") {
  for (float t60 : {2.0f, 5.0f}) {
    TimpaniRig rig({{"t60", t60}});
    const std::vector<float> audio = rig.render({noteAt(0, 45, 0.8f)}, std::min(1.0 + t60, 6.0));
    const double measured = test::t60OfPartial(audio, kRate, hzOfKey(45), 15.0);
    MESSAGE("t60 set " << t60 << " s, principal measured " << measured << " s");
    CHECK(std::fabs(measured - t60) / t60 <= 0.1);
  }
  TimpaniRig rig({{"t60", 5.0f}, {"release", 0.3f}});
  const std::vector<float> audio = rig.render({noteAt(0, 45, 0.8f), noteOffAt(at(0.5), 45)}, 1.5);
  // 0.25 s after the key-up the modes have fallen 50 dB at a T60 of 0.3 s (4 dB undamped).
  const double drop = test::rmsDb(audio, at(0.4), at(0.5)) - test::rmsDb(audio, at(0.7), at(0.8));
  MESSAGE("released at 0.5 s with release 0.3 s: " << drop << " dB down 0.25 s later");
  CHECK(drop >= 35.0);
}

TEST_CASE("timpani: a roll strikes at the roll rate and swells with CC11 and CC1") {
  auto roll = [](int controller) {
    TimpaniRig rig(
        {{"pattern", 1.0f}, {"roll_rate", 8.0f}, {"dynamics", 0.25f}, {"expression", 0.25f}});
    std::vector<test::TimedEvent> events = {noteAt(0, 45, 0.8f), noteOffAt(at(4.0), 45)};
    for (int step = 0; step <= 100; ++step)  // 0.25 -> 1.0 between 1 s and 3 s
      events.push_back(controllerAt(at(1.0 + 0.02 * step), controller,
                                    0.25f + 0.0075f * static_cast<float>(step)));
    return rig.render(events, 4.0);
  };
  const std::vector<float> audio = roll(11);
  const std::vector<double> onsets = test::onsetTimes(segment(audio, 0.0, 4.0), kRate);
  std::vector<double> gaps;
  for (std::size_t i = 1; i < onsets.size(); ++i) gaps.push_back(onsets[i] - onsets[i - 1]);
  std::vector<double> sorted = gaps;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted.empty() ? 0.0 : sorted[sorted.size() / 2];
  const double swellDb =
      test::rmsDb(audio, at(3.3), at(3.9)) - test::rmsDb(audio, at(0.3), at(0.9));
  const std::vector<float> pushed = roll(1);
  const double dynamicsSwellDb =
      test::rmsDb(pushed, at(3.3), at(3.9)) - test::rmsDb(pushed, at(0.3), at(0.9));
  MESSAGE("roll at 8 Hz: " << onsets.size() << " onsets in 4 s, median gap " << median << " s ("
                           << 1.0 / median << " Hz); CC11 swell +" << swellDb << " dB, CC1 swell +"
                           << dynamicsSwellDb << " dB");
  CHECK(onsets.size() >= 28);
  CHECK(onsets.size() <= 36);
  CHECK(std::fabs(median * 8.0 - 1.0) <= 0.1);
  CHECK(swellDb >= 9.0);
  CHECK(dynamicsSwellDb >= 9.0);
}

TEST_CASE("timpani: a heartbeat gives a lub-dub pair per beat at the set tempo") {
  TimpaniRig rig({{"pattern", 2.0f}, {"heart_rate", 72.0f}, {"hardness", 0.3f}});
  const std::vector<float> audio = rig.render({noteAt(0, 41, 0.9f), noteOffAt(at(4.95), 41)}, 5.0);
  const std::vector<double> onsets = test::onsetTimes(audio, kRate);
  // Beats at 0, 0.833, ... 4.167 s: six pairs.
  std::string list;
  for (double t : onsets) list += std::to_string(t).substr(0, 5) + " ";
  MESSAGE("heartbeat at 72 BPM, onsets at: " << list);
  REQUIRE(onsets.size() == 12);
  double beat = 0.0, dub = 0.0;
  for (std::size_t i = 0; i + 1 < onsets.size(); i += 2) dub += (onsets[i + 1] - onsets[i]) / 6.0;
  beat = (onsets[10] - onsets[0]) / 5.0;
  MESSAGE("measured beat " << beat << " s (" << 60.0 / beat << " BPM), dub " << dub
                           << " s after lub");
  CHECK(std::fabs(60.0 / beat - 72.0) <= 1.0);
  CHECK(dub >= 0.25);
  CHECK(dub <= 0.35);
  // The second stroke is the softer: compare the level rise each brings.
  const double lub = test::rmsDb(audio, at(onsets[2]), at(onsets[2] + 0.05));
  const double second = test::rmsDb(audio, at(onsets[3]), at(onsets[3] + 0.05));
  MESSAGE("level after lub " << lub << " dB, after dub " << second << " dB");
  CHECK(second < lub);
}

TEST_CASE("timpani: pitch bend glides the drum like its pedal") {
  TimpaniRig rig({{"t60", 8.0f}, {"bend_range", 2.0f}});
  std::vector<test::TimedEvent> events = {noteAt(0, 45, 0.9f)};
  for (int step = 1; step <= 20; ++step)
    events.push_back({at(0.5 + 0.01 * step), {0, EventType::kPitchBend, 0, 0, step / 20.0f}});
  const std::vector<float> audio = rig.render(events, 2.0);
  const double target = hzOfKey(47);
  const double cents =
      test::centsBetween(test::fundamentalHz(segment(audio, 0.8, 2.0), kRate, target), target);
  MESSAGE("after a whole-tone pedal glide: " << cents << " cents from B2");
  CHECK(std::fabs(cents) <= 2.0);
}

TEST_CASE(
    "timpani: one stroke peaks between -12 and -6 dBFS; two mallets and a fast sweep under 0") {
  auto peakDb = [](std::vector<test::TimedEvent> events) {
    TimpaniRig rig({{"dynamics", 1.0f}});
    const test::Stereo audio =
        test::renderNodeDirect(*rig.node, std::move(events), at(1.5), [] { return 512; });
    return 20.0 * std::log10(std::max(test::peakAbs(audio.left), test::peakAbs(audio.right)));
  };
  double single = -200.0;
  for (int key : {40, 45, 50, 55}) single = std::max(single, peakDb({noteAt(0, key, 1.0f)}));
  // A timpanist has two mallets: two drums at once is the loudest chord one player makes.
  const double pair = peakDb({noteAt(0, 45, 1.0f), noteAt(0, 52, 1.0f)});
  // Six drums swept in 100 ms (two players at full force), all ringing together.
  std::vector<test::TimedEvent> sweep;
  int i = 0;
  for (int key : {40, 43, 45, 48, 50, 52}) sweep.push_back(noteAt(at(0.02 * i++), key, 1.0f));
  const double six = peakDb(sweep);
  // Six strokes on one sample add their first, in-phase swings: reported, not a playing case.
  std::vector<test::TimedEvent> together;
  for (int key : {40, 43, 45, 48, 50, 52}) together.push_back(noteAt(0, key, 1.0f));
  MESSAGE("peak of one full stroke "
          << single << " dBFS; two drums at once " << pair << " dBFS; six swept in 100 ms " << six
          << " dBFS; six on the same sample " << peakDb(together) << " dBFS");
  CHECK(single >= -12.0);
  CHECK(single <= -6.0);
  CHECK(pair < -3.0);
  CHECK(six < 0.0);
}

TEST_CASE("timpani: any block size renders the same samples, and a seed renders the same twice") {
  std::vector<test::TimedEvent> events = {
      noteAt(3, 45, 0.8f),        noteAt(at(0.2) + 1, 41, 0.7f),
      noteAt(at(0.25), 50, 0.6f), noteOffAt(at(1.6), 45),
      noteOffAt(at(1.7), 41),     noteAt(at(1.0), 52, 0.9f),
      noteOffAt(at(1.3), 52),     {at(0.9), {0, EventType::kPitchBend, 0, 0, -0.4f}}};
  for (int step = 0; step < 30; ++step)
    events.push_back(controllerAt(at(0.05 * step) + 7, 11, 0.4f + 0.02f * step));
  for (int step = 0; step < 30; ++step)
    events.push_back(controllerAt(at(0.045 * step) + 2, 1, 0.9f - 0.02f * step));
  auto run = [&](float pattern, std::function<int()> block, std::uint64_t seed) {
    TimpaniRig rig({{"pattern", pattern}, {"roll_rate", 17.0f}, {"heart_rate", 110.0f}}, seed);
    return test::renderNodeDirect(*rig.node, events, at(2.0), block);
  };
  for (float pattern : {0.0f, 1.0f, 2.0f}) {
    CAPTURE(pattern);
    std::mt19937 random(19);
    const test::Stereo reference = run(
        pattern, [] { return 64; }, 7);
    CHECK(test::peakAbs(reference.left) > 0.01f);
    CHECK(reference.left == run(
                                pattern, [] { return 1000; }, 7)
                                .left);
    CHECK(reference.right == run(
                                 pattern, [] { return 1; }, 7)
                                 .right);
    const test::Stereo ragged = run(
        pattern, [&] { return 1 + static_cast<int>(random() % 700); }, 7);
    CHECK(reference.left == ragged.left);
    CHECK(reference.right == ragged.right);
    if (pattern == 1.0f)
      CHECK(reference.left != run(
                                  pattern, [] { return 64; }, 8)
                                  .left);  // the roll's jitter is seeded
  }
}

TEST_CASE(
    "timpani: 60 s of random notes, controllers, bend and parameters stay finite and bounded") {
  const std::vector<test::TimedEvent> events =
      test::randomPlay(kTimpaniType.parameters, {.seed = 4321});
  TimpaniRig rig({});
  const auto began = std::chrono::steady_clock::now();
  const test::Stereo audio =
      test::renderNodeDirect(*rig.node, events, at(60.0), [] { return 256; });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const float peak = std::max(test::peakAbs(audio.left), test::peakAbs(audio.right));
  MESSAGE("60 s of random play: raw peak " << peak << " (" << 20.0 * std::log10(peak)
                                           << " dBFS), rendered in " << seconds << " s");
  CHECK(test::allFinite(audio.left));
  CHECK(test::allFinite(audio.right));
  CHECK(peak <= 4.0f);

  test::OneNodeEngine solo("timpani", 5);
  Engine& engine = solo.engine;
  const NodeId timpani = solo.node;
  std::vector<ScheduledEvent> scheduled;
  for (const test::TimedEvent& e : events)
    if (e.frame < at(20.0)) scheduled.push_back({e.frame, timpani, e.event});
  const test::Stereo master = test::renderBlocks(
      engine, scheduled, at(20.0), [&] { return 1 + static_cast<int>(random() % 512); });
  MESSAGE("through the engine: non-finite samples at the master "
          << engine.stats().nonFiniteSamples);
  CHECK(engine.stats().nonFiniteSamples == 0);
  CHECK(test::allFinite(master.left));
}
