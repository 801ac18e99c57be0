// The brass section, measured: tuning, brightness that tracks loudness, swells, stabs, the
// voice's glide interface, block-size invariance, determinism, level and safety.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <random>

#include "instruments/orchestra/brass_voice.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/engine.hpp"
#include "support/direct_node_render.hpp"
#include "support/engine_render.hpp"
#include "support/line_centre.hpp"
#include "support/onsets.hpp"
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

int index(std::string_view id) {
  return findParameter(kBrassType.parameters, id);
}

/// A brass node rendered on its own (its raw output, no limiter).
using BrassRig = test::RigOf<kBrassType, 7>;

}  // namespace

TEST_CASE("brass: a detuned pair's line centre reads its mean pitch at any beat phase") {
  // Two equal sines 7 cents apart, centred 1.5 cents sharp of 220 Hz: a peak pick follows the
  // beating, the line centre does not.
  const double centre = 220.0 * std::exp2(1.5 / 1200.0);
  std::vector<float> pair(at(2.3));
  for (std::size_t n = 0; n < pair.size(); ++n) {
    const double t = static_cast<double>(n) / kRate;
    pair[n] = static_cast<float>(
        0.25 * (std::sin(2.0 * 3.141592653589793 * centre * std::exp2(-3.5 / 1200.0) * t) +
                std::sin(2.0 * 3.141592653589793 * centre * std::exp2(3.5 / 1200.0) * t + 1.0)));
  }
  double worstLine = 0.0, worstPeak = 0.0;
  for (double from = 0.0; from < 1.1; from += 0.15) {  // 8 windows across one 1.12 s beat
    const std::span<const float> window = segment(pair, from, from + 1.2);
    worstLine = std::max(worstLine, std::fabs(test::centsBetween(
                                        test::lineCentreHz(window, kRate, 220.0, 8.0), centre)));
    worstPeak =
        std::max(worstPeak,
                 std::fabs(test::centsBetween(test::fundamentalHz(window, kRate, 220.0), centre)));
  }
  MESSAGE("largest error over 8 beat phases: line centre " << worstLine << " cents, peak pick "
                                                           << worstPeak << " cents");
  CHECK(worstLine <= 0.2);
  CHECK(worstPeak > 1.0);  // why the tuning tests below read the line centre
}

TEST_CASE("brass: with vibrato off the section's pitch is within 2 cents of 12-TET") {
  double worstSection = 0.0, worstPlayer = 0.0;
  for (int key : {46, 58, 65, 70, 77}) {
    CAPTURE(key);
    const double expected = hzOfKey(key);
    // The section: two players at +-3.5 cents. Its pitch is the centre of the fundamental's line.
    BrassRig section({{"vibrato", 0.0f}, {"breath", 0.0f}});
    const std::vector<float> pair = test::mid(section.render({noteAt(0, key, 0.8f)}, 1.6));
    const double sectionCents = test::centsBetween(
        test::lineCentreHz(segment(pair, 0.4, 1.6), kRate, expected, 8.0), expected);
    // One player alone: a single line, read by its peak.
    BrassRig solo({{"vibrato", 0.0f}, {"players", 1.0f}});
    const std::vector<float> one = test::mid(solo.render({noteAt(0, key, 0.8f)}, 1.6));
    const double playerCents =
        test::centsBetween(test::fundamentalHz(segment(one, 0.4, 1.6), kRate, expected), expected);
    MESSAGE("key " << key << ": section " << sectionCents << " cents, one player " << playerCents
                   << " cents");
    CHECK(std::fabs(sectionCents) <= 2.0);
    CHECK(std::fabs(playerCents) <= 2.0);
    worstSection = std::max(worstSection, std::fabs(sectionCents));
    worstPlayer = std::max(worstPlayer, std::fabs(playerCents));
  }
  MESSAGE("largest brass tuning error: section " << worstSection << " cents, one player "
                                                 << worstPlayer << " cents");
}

TEST_CASE("brass: a note-off moves no pitch, MIDI 36-96 (the partial's instantaneous frequency)") {
  // The same note twice, released at 1.5 s and held: the strongest of the first four partials
  // as an analytic signal in each, compared sample by sample over the 0.25 s after note-off.
  // Instantaneous frequency does not depend on the envelope, so the release's fade cannot bias
  // it; the vibrato, the same in both renders, cancels.
  constexpr double kOff = 1.5, kAfter = 0.25;
  double worst = 0.0;
  int worstKey = 0;
  for (int key = 36; key <= 96; key += 6) {
    CAPTURE(key);
    const double hz = hzOfKey(key);
    BrassRig releasing({{"players", 1.0f}}), holding({{"players", 1.0f}});
    const std::vector<float> released = test::mid(
        releasing.render({noteAt(0, key, 0.8f), noteOffAt(at(kOff), key)}, kOff + kAfter));
    const std::vector<float> held =
        test::mid(holding.render({noteAt(0, key, 0.8f)}, kOff + kAfter));
    const auto a = static_cast<std::size_t>((kOff - 0.3) * kRate), b = at(kOff);
    const auto c = static_cast<std::size_t>((kOff + 0.01) * kRate), d = at(kOff + kAfter);
    int partial = 1;
    double strongest = -1.0;
    test::PartialTrack heldTrack;
    for (int k = 1; k <= 4 && k * hz < 6000.0; ++k) {
      test::PartialTrack track = test::partialTrack(
          held, kRate, k * hz, std::min(0.4 * hz, std::max(0.03 * k * hz, 10.0)));
      double power = 0.0;
      for (std::size_t n = a; n < b; ++n) power += track.amplitude[n] * track.amplitude[n];
      if (power > strongest) strongest = power, partial = k, heldTrack = std::move(track);
    }
    const test::PartialTrack releasedTrack = test::partialTrack(
        released, kRate, partial * hz, std::min(0.4 * hz, std::max(0.03 * partial * hz, 10.0)));
    double level = 0.0, sum = 0.0;
    std::size_t count = 0;
    for (std::size_t n = c; n < d; ++n) level += heldTrack.amplitude[n];
    level /= static_cast<double>(d - c);
    for (std::size_t n = c; n < d; ++n)
      if (heldTrack.amplitude[n] >= 0.2 * level && releasedTrack.amplitude[n] >= 0.02 * level) {
        sum += 1200.0 * std::log2(releasedTrack.hz[n] / heldTrack.hz[n]);
        ++count;
      }
    REQUIRE(count > static_cast<std::size_t>(0.05 * kRate));  // the release still sounds
    const double moved = sum / static_cast<double>(count);
    MESSAGE("key " << key << " partial " << partial << ": " << moved << " cents");
    CHECK(std::fabs(moved) <= 2.0);
    if (std::fabs(moved) > std::fabs(worst)) worst = moved, worstKey = key;
  }
  MESSAGE("largest pitch change at note-off: " << worst << " cents (MIDI " << worstKey << ")");
}

TEST_CASE("brass: the spectral centroid rises with dynamics, step by step, on a held chord") {
  double previous = 0.0, first = 0.0;
  for (float dynamics : {0.2f, 0.4f, 0.6f, 0.8f, 1.0f}) {
    BrassRig rig({{"dynamics", dynamics}, {"vibrato", 0.0f}});
    const std::vector<float> audio =
        test::mid(rig.render({noteAt(0, 58, 0.8f), noteAt(0, 62, 0.8f), noteAt(0, 65, 0.8f)}, 1.5));
    const double centroid = test::spectralCentroidHz(segment(audio, 0.4, 1.5), kRate);
    MESSAGE("dynamics " << dynamics << ": centroid " << centroid << " Hz");
    CAPTURE(dynamics);
    CHECK(centroid > previous * 1.05);
    if (first == 0.0) first = centroid;
    previous = centroid;
  }
  MESSAGE("centroid at dynamics 1.0 over 0.2: " << previous / first);
  CHECK(previous > 2.0 * first);
}

TEST_CASE("brass: a CC1 swell raises level and brightness, a CC11 swell only the level") {
  auto swell = [](int controller) {
    BrassRig rig({{"vibrato", 0.0f}, {"players", 1.0f}, {"dynamics", 0.2f}, {"expression", 0.2f}});
    std::vector<test::TimedEvent> events = {noteAt(0, 60, 0.8f)};
    for (int step = 0; step <= 100; ++step)  // 0.2 -> 1.0 between 0.5 s and 2.5 s
      events.push_back(controllerAt(at(0.5 + 0.02 * step), controller,
                                    0.2f + 0.008f * static_cast<float>(step)));
    return test::mid(rig.render(events, 3.0));
  };
  const std::vector<float> dynamics = swell(1), expression = swell(11);
  const double dynGain =
      test::rmsDb(dynamics, at(2.6), at(3.0)) - test::rmsDb(dynamics, at(0.3), at(0.5));
  const double exprGain =
      test::rmsDb(expression, at(2.6), at(3.0)) - test::rmsDb(expression, at(0.3), at(0.5));
  const double dynBright = test::spectralCentroidHz(segment(dynamics, 2.6, 3.0), kRate) /
                           test::spectralCentroidHz(segment(dynamics, 0.3, 0.5), kRate);
  const double exprBright = test::spectralCentroidHz(segment(expression, 2.6, 3.0), kRate) /
                            test::spectralCentroidHz(segment(expression, 0.3, 0.5), kRate);
  MESSAGE("CC1 swell: +" << dynGain << " dB, centroid x" << dynBright << "; CC11 swell: +"
                         << exprGain << " dB, centroid x" << exprBright);
  CHECK(dynGain >= 15.0);
  CHECK(dynBright >= 1.8);
  CHECK(exprGain >= 10.0);
  CHECK(std::fabs(exprBright - 1.0) <= 0.05);
  // The swell is smooth: its level rises in every 100 ms step (no steps back).
  const std::vector<double> envelope =
      test::rmsEnvelope(segment(dynamics, 0.6, 2.5), kRate, 0.1, 0.1);
  int falls = 0;
  for (std::size_t i = 1; i < envelope.size(); ++i) falls += envelope[i] < envelope[i - 1];
  CHECK(falls == 0);
}

TEST_CASE("brass: a stab dies within half a second while a sustained note holds") {
  auto levels = [](float articulation) {
    BrassRig rig({{"articulation", articulation}, {"vibrato", 0.0f}, {"players", 1.0f}});
    const std::vector<float> audio =
        test::mid(rig.render({noteAt(0, 60, 1.0f), noteOffAt(at(1.5), 60)}, 1.6));
    const std::vector<double> envelope = test::rmsEnvelope(audio, kRate, 0.02, 0.01);
    const double peak = 20.0 * std::log10(*std::max_element(envelope.begin(), envelope.end()));
    return std::make_pair(peak, test::rmsDb(audio, at(0.55), at(0.6)));  // both RMS levels
  };
  const auto [stabPeak, stabLate] = levels(1.0f);
  const auto [holdPeak, holdLate] = levels(0.0f);
  MESSAGE("stab: " << stabLate - stabPeak << " dB at 0.55 s; sustain: " << holdLate - holdPeak
                   << " dB");
  CHECK(stabLate - stabPeak <= -30.0);
  CHECK(holdLate - holdPeak >= -3.0);
}

TEST_CASE("brass: the attack starts flat and brighter, then settles") {
  BrassRig rig({{"vibrato", 0.0f},
                {"scoop", 60.0f},
                {"breath", 0.0f},
                {"attack", 0.03f},
                {"players", 1.0f}});
  const std::vector<float> audio = test::mid(rig.render({noteAt(0, 57, 1.0f)}, 1.0));
  // Pitch from the rising zero crossings of a copy low-passed to the fundamental (four
  // one-poles at 250 Hz leave the second harmonic 20 dB under the first).
  auto crossingsHz = [&](double from, double to) {
    double lp[4] = {}, previous = 0.0;
    const double a = 1.0 - std::exp(-2.0 * 3.141592653589793 * 250.0 / kRate);
    std::vector<double> times;
    for (std::size_t n = 0; n < at(to); ++n) {
      double x = audio[n];
      for (double& y : lp) x = y += a * (x - y);
      if (n >= at(from) && previous < 0.0 && x >= 0.0)
        times.push_back(static_cast<double>(n) - x / (x - previous));
      previous = x;
    }
    return times.size() < 2
               ? 0.0
               : (static_cast<double>(times.size()) - 1.0) * kRate / (times.back() - times.front());
  };
  const double early = crossingsHz(0.005, 0.045), late = crossingsHz(0.5, 0.9);
  // The blat: brighter just after the attack than once the note has settled.
  const double attackCentroid = test::spectralCentroidHz(segment(audio, 0.02, 0.08), kRate);
  const double settledCentroid = test::spectralCentroidHz(segment(audio, 0.5, 0.9), kRate);
  MESSAGE("pitch in the first 40 ms: "
          << test::centsBetween(early, late) << " cents from the settled pitch; centroid "
          << attackCentroid << " Hz in the attack, " << settledCentroid << " Hz settled");
  CHECK(test::centsBetween(early, late) < -10.0);
  CHECK(std::fabs(test::centsBetween(late, 220.0)) < 3.0);
  CHECK(attackCentroid > 1.2 * settledCentroid);
}

TEST_CASE("brass: a voice glides smoothly when its frequency is set every sample") {
  orchestra::BrassVoice voice;
  voice.prepare(kRate, 3);
  orchestra::BrassSettings settings;
  settings.vibratoCents = 0.0f;
  settings.scoopCents = 0.0f;
  settings.breath = 0.0f;
  std::vector<float> left(at(2.0)), right(at(2.0));
  voice.start(415.3, 0.8f);
  for (std::size_t n = 0; n < left.size(); ++n) {
    // 415.3 Hz (G#4) to 440 Hz between 0.3 and 0.8 s: an exponential glide, set per sample.
    const double progress = std::clamp((static_cast<double>(n) / kRate - 0.3) / 0.5, 0.0, 1.0);
    voice.setFrequencyHz(415.3 * std::pow(440.0 / 415.3, progress));
    voice.render(&left[n], &right[n], 1, settings);
  }
  const std::vector<float> audio = test::mid({left, right});
  const double start = test::lineCentreHz(segment(audio, 0.05, 0.3), kRate, 415.3, 25.0);
  const double end = test::lineCentreHz(segment(audio, 1.0, 2.0), kRate, 440.0, 10.0);
  const double stepDuring = test::largestStep(segment(audio, 0.3, 0.8));
  const double stepSteady = test::largestStep(segment(audio, 1.0, 2.0));
  MESSAGE("glide: " << start << " Hz -> " << end << " Hz; largest step " << stepDuring
                    << " gliding, " << stepSteady << " steady");
  CHECK(std::fabs(test::centsBetween(start, 415.3)) <= 2.0);
  CHECK(std::fabs(test::centsBetween(end, 440.0)) <= 2.0);
  CHECK(stepDuring <= 1.2 * stepSteady);
  voice.release();
  for (int n = 0; n < 48000 && voice.active(); ++n) voice.render(&left[0], &right[0], 1, settings);
  CHECK_FALSE(voice.active());
}

TEST_CASE("brass: one voice at full dynamics peaks between -12 and -6 dBFS, a chord under 0") {
  BrassRig one({{"dynamics", 1.0f}});
  const test::Stereo single = one.render({noteAt(0, 60, 1.0f)}, 1.5);
  const double singleDb =
      20.0 * std::log10(std::max(test::peakAbs(single.left), test::peakAbs(single.right)));
  BrassRig six({{"dynamics", 1.0f}});
  std::vector<test::TimedEvent> chord;
  for (int key : {48, 55, 60, 64, 67, 72}) chord.push_back(noteAt(0, key, 1.0f));
  const test::Stereo many = six.render(chord, 1.5);
  const double chordDb =
      20.0 * std::log10(std::max(test::peakAbs(many.left), test::peakAbs(many.right)));
  MESSAGE("peak of one voice " << singleDb << " dBFS, of a six-note chord " << chordDb << " dBFS");
  CHECK(singleDb >= -12.0);
  CHECK(singleDb <= -6.0);
  CHECK(chordDb < 0.0);
}

TEST_CASE("brass: any block size renders the same samples, and a seed renders the same twice") {
  std::vector<test::TimedEvent> events;
  for (int i = 0; i < 10; ++i) {
    events.push_back(noteAt(at(0.12 * i) + 5, 50 + 3 * i, 0.5f + 0.05f * i));
    events.push_back(noteOffAt(at(0.12 * i + 0.5), 50 + 3 * i));
  }
  for (int step = 0; step < 40; ++step) {
    events.push_back(controllerAt(at(0.03 * step) + 3, 1, 0.3f + 0.015f * step));
    events.push_back(controllerAt(at(0.04 * step) + 11, 11, 1.0f - 0.01f * step));
  }
  events.push_back({at(0.7), {0, EventType::kPitchBend, 0, 0, 0.5f}});
  events.push_back(parameterAt(at(0.9), index("articulation"), 1.0f));
  events.push_back(parameterAt(at(1.0), index("level"), -6.0f));
  events.push_back(noteAt(at(1.05), 62, 0.9f));
  auto run = [&](std::function<int()> block, std::uint64_t seed) {
    BrassRig rig({{"voices", 6.0f}}, seed);
    return test::renderNodeDirect(*rig.node, events, at(1.8), block);
  };
  std::mt19937 random(11);
  const test::Stereo reference = run([] { return 64; }, 7);
  const test::Stereo big = run([] { return 1000; }, 7);
  const test::Stereo single = run([] { return 1; }, 7);
  const test::Stereo ragged = run([&] { return 1 + static_cast<int>(random() % 700); }, 7);
  const test::Stereo otherSeed = run([] { return 64; }, 8);
  CHECK(test::peakAbs(reference.left) > 0.01f);
  CHECK(reference.left == big.left);
  CHECK(reference.right == big.right);
  CHECK(reference.left == single.left);
  CHECK(reference.left == ragged.left);
  CHECK(reference.right == ragged.right);
  CHECK(reference.left == run([] { return 64; }, 7).left);
  CHECK(reference.left != otherSeed.left);
}

TEST_CASE("brass: 60 s of random notes, controllers, bend and parameters stay finite and bounded") {
  const std::vector<test::TimedEvent> events =
      test::randomPlay(kBrassType.parameters, {.seed = 1234});
  BrassRig rig({});
  const auto began = std::chrono::steady_clock::now();
  const test::Stereo audio = rig.render(events, 60.0, 256);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const float peak = std::max(test::peakAbs(audio.left), test::peakAbs(audio.right));
  MESSAGE("60 s of random play: raw peak " << peak << " (" << 20.0 * std::log10(peak)
                                           << " dBFS), rendered in " << seconds << " s");
  CHECK(test::allFinite(audio.left));
  CHECK(test::allFinite(audio.right));
  CHECK(peak <= 4.0f);  // 16 voices at +12 dB level, all in phase, could reach about 4

  // The same kind of play through an engine: nothing non-finite reaches the master.
  test::OneNodeEngine solo("brass", 5);
  Engine& engine = solo.engine;
  const NodeId brass = solo.node;
  std::vector<ScheduledEvent> scheduled;
  for (const test::TimedEvent& e : events)
    if (e.frame < at(20.0)) scheduled.push_back({e.frame, brass, e.event});
  const test::Stereo master = test::renderBlocks(
      engine, scheduled, at(20.0), [&] { return 1 + static_cast<int>(random() % 512); });
  MESSAGE("through the engine: non-finite samples at the master "
          << engine.stats().nonFiniteSamples);
  CHECK(engine.stats().nonFiniteSamples == 0);
  CHECK(test::allFinite(master.left));
}
