// The string section, measured: tuning of the ensemble, swells through the expression law,
// tremolo, glissando, vibrato, brightness, levels, block-size invariance and safety.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "instruments/orchestra/string_voice.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/engine.hpp"
#include "support/amplitude_modulation.hpp"
#include "support/direct_node_render.hpp"
#include "support/engine_render.hpp"
#include "support/random_play.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"
#include "support/tension_estimate.hpp"
#include "support/units.hpp"

using namespace reverie;
using test::controllerAt;
using test::hzOfKey;
using test::keyOfHz;
using test::nearestFrame;
using test::noteAt;
using test::noteOffAt;
using test::parameterAt;
using test::segment;
using test::TimedEvent;

namespace {

constexpr double kRate = test::kTestRate;

int parameterIndex(const char* id) {
  return findParameter(kStringsType.parameters, id);
}

/// A strings node on its own (no engine, no master limiter), its parameters set by id.
using StringsRig = test::RigOf<kStringsType, 7, 256>;

}  // namespace

TEST_CASE(
    "strings: with vibrato off the section is within 2 cents of 12-TET at keys 43, 55, 69, 81") {
  double worst = 0.0;
  for (int key : {43, 55, 69, 81}) {
    StringsRig rig({{"vibrato", 0.0f}, {"detune", 0.0f}, {"bow_noise", 0.0f}});
    const std::vector<float> audio = rig.left({noteAt(0, key, 0.8f)}, 3.0);
    const double hz = test::fundamentalHz(segment(audio, 0.3, 3.0), kRate, hzOfKey(key));
    const double cents = test::centsBetween(hz, hzOfKey(key));
    MESSAGE("key " << key << ": " << hz << " Hz, " << cents << " cents from 12-TET");
    CHECK(std::fabs(cents) <= 2.0);
    worst = std::max(worst, std::fabs(cents));
  }
  MESSAGE("largest tuning error: " << worst << " cents");
}

TEST_CASE("strings: the ensemble's players sit symmetrically about the note") {
  // Key 81 with the outermost players 20 cents apart: the players' fundamentals stand 5 Hz
  // apart, resolved by a 2.7 s window, so each can be measured on its own.
  const double f0 = hzOfKey(81);
  for (int players : {3, 4}) {
    StringsRig rig({{"vibrato", 0.0f},
                    {"detune", 20.0f},
                    {"ensemble", static_cast<float>(players)},
                    {"bow_noise", 0.0f}});
    const std::vector<float> audio = rig.left({noteAt(0, 81, 0.8f)}, 3.2);
    std::vector<test::Peak> peaks = test::spectralPeaks(segment(audio, 0.4, 3.2), kRate, 40, 40.0);
    std::vector<double> cents;
    for (const test::Peak& p : peaks)
      if (std::fabs(test::centsBetween(p.frequencyHz, f0)) < 25.0)
        cents.push_back(test::centsBetween(p.frequencyHz, f0));
    std::sort(cents.begin(), cents.end());
    double mean = 0.0;
    for (double c : cents) mean += c / static_cast<double>(cents.size());
    CAPTURE(players);
    REQUIRE(cents.size() == static_cast<std::size_t>(players));
    MESSAGE(players << " players at " << cents.front() << " .. " << cents.back()
                    << " cents; their mean " << mean << " cents");
    CHECK(std::fabs(cents.front() + 10.0) <= 1.0);
    CHECK(std::fabs(cents.back() - 10.0) <= 1.0);
    CHECK(std::fabs(mean) <= 1.0);
  }
}

TEST_CASE("strings: the RMS envelope follows a CC11 swell through the documented law gain = x^2") {
  // A held chord; CC11 every 10 ms traces x = sin(pi t / 4): a rise and fall over 4 s.
  StringsRig rig({});
  std::vector<TimedEvent> events = {controllerAt(0, 11, 0.0f)};
  for (int key : {55, 62, 67, 71}) events.push_back(noteAt(0, key, 0.8f));
  auto curve = [](double t) { return t <= 0.0 || t >= 4.0 ? 0.0 : std::sin(M_PI * t / 4.0); };
  for (double t = 0.01; t < 4.0; t += 0.01)
    events.push_back(controllerAt(nearestFrame(t), 11, static_cast<float>(curve(t))));
  const std::vector<float> audio = rig.left(events, 4.0);
  const std::vector<double> rms = test::rmsEnvelope(audio, kRate, 0.02, 0.02);
  std::vector<double> measured, lawSquared, logRms, logX;
  for (std::size_t j = 0; j < rms.size(); ++j) {
    const double x = curve((static_cast<double>(j) + 0.5) * 0.02);
    measured.push_back(rms[j]);
    lawSquared.push_back(x * x);
    if (x > 0.15 && j * 0.02 > 0.5) {  // past the bow's attack
      logX.push_back(std::log(x));
      logRms.push_back(std::log(rms[j]));
    }
  }
  // The slope of log RMS against log x is the law's exponent.
  double mx = 0.0, my = 0.0;
  for (std::size_t i = 0; i < logX.size(); ++i)
    mx += logX[i] / static_cast<double>(logX.size()),
        my += logRms[i] / static_cast<double>(logX.size());
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t i = 0; i < logX.size(); ++i)
    sxy += (logX[i] - mx) * (logRms[i] - my), sxx += (logX[i] - mx) * (logX[i] - mx);
  const double r = test::pearson(measured, lawSquared);
  MESSAGE("20 ms RMS against x^2: r = " << r << "; fitted exponent of the law " << sxy / sxx
                                        << " (documented: 2)");
  CHECK(r >= 0.95);
  CHECK(std::fabs(sxy / sxx - 2.0) <= 0.15);
}

TEST_CASE("strings: tremolo modulates the amplitude at its rate; without it the tone is steady") {
  auto modulation = [](float depth) {
    StringsRig rig(
        {{"tremolo", depth}, {"tremolo_rate", 9.0f}, {"vibrato", 0.0f}, {"detune", 0.0f}});
    const std::vector<float> audio = rig.left({noteAt(0, 62, 0.8f)}, 3.0);
    return test::strongestAmplitudeModulation(segment(audio, 0.5, 3.0), kRate, 2.0, 30.0);
  };
  // The stroke shape g = 1 - d + d u (2 - u), u = 4 phi (1 - phi), has at d = 0.8 a mean of
  // 0.84 and a fundamental of amplitude 0.254: a modulation index of 0.303.
  const test::AmplitudeModulation on = modulation(0.8f), off = modulation(0.0f);
  MESSAGE("tremolo 0.8 at 9 Hz: strongest modulation "
          << on.rateHz << " Hz, depth " << on.depth << " (shape predicts 0.303); tremolo 0: depth "
          << off.depth << " at " << off.rateHz << " Hz");
  CHECK(std::fabs(on.rateHz - 9.0) <= 0.2);
  CHECK(std::fabs(on.depth - 0.303) <= 0.05);
  CHECK(off.depth <= 0.05);
}

TEST_CASE("strings: a glide travels from the previous key's pitch to the new one") {
  StringsRig rig({{"glide", 1.0f}, {"vibrato", 0.0f}, {"detune", 0.0f}, {"release", 0.1f}});
  const std::vector<float> audio = rig.left(
      {noteAt(0, 60, 0.8f), noteOffAt(nearestFrame(1.0), 60), noteAt(nearestFrame(1.0), 72, 0.8f)},
      3.0);
  auto keyAt = [&](double from, double to) {
    const test::Spectrum spectrum = test::analyseSpectrum(segment(audio, from, to), kRate);
    const std::optional<test::Peak> peak =
        test::strongestPeakBetween(spectrum, hzOfKey(58.5), hzOfKey(73.5));
    return peak ? keyOfHz(peak->frequencyHz) : 0.0;
  };
  const double quarter = keyAt(1.2, 1.3), midway = keyAt(1.45, 1.55), after = keyAt(2.2, 3.0);
  MESSAGE("glide 60 -> 72 over 1 s: key " << quarter << " at 0.25 s, " << midway << " at 0.5 s, "
                                          << after << " after");
  CHECK(std::fabs(quarter - 63.0) <= 1.0);
  CHECK(std::fabs(midway - 66.0) <= 1.0);
  CHECK(std::fabs(after - 72.0) <= 0.02);
}

TEST_CASE("strings: vibrato waits for its delay, then swings the pitch by its depth") {
  StringsRig rig({{"vibrato", 25.0f},
                  {"vibrato_rate", 5.0f},
                  {"vibrato_delay", 0.6f},
                  {"ensemble", 1.0f},
                  {"bow_noise", 0.0f}});
  const std::vector<float> audio = rig.left({noteAt(0, 81, 0.8f)}, 2.6);
  auto swing = [&](double from, double to) {
    double low = 1e9, high = -1e9;
    for (double t = from; t + 0.04 <= to; t += 0.02) {
      const double cents = test::centsBetween(
          test::fundamentalHz(segment(audio, t, t + 0.04), kRate, hzOfKey(81)), hzOfKey(81));
      low = std::min(low, cents), high = std::max(high, cents);
    }
    return high - low;
  };
  const double before = swing(0.2, 0.55), after = swing(1.4, 2.6);
  MESSAGE("pitch swing before the delay " << before << " cents; once in, " << after
                                          << " cents peak to peak (depth 25)");
  CHECK(before <= 4.0);
  CHECK(after >= 35.0);
  CHECK(after <= 60.0);
}

TEST_CASE("strings: dynamics (CC1) raises the spectral centroid step by step") {
  double previous = 0.0;
  for (float dynamics : {0.1f, 0.3f, 0.5f, 0.7f, 0.9f}) {
    StringsRig rig({{"vibrato", 0.0f}});
    const std::vector<float> audio =
        rig.left({controllerAt(0, 1, dynamics), noteAt(0, 57, 0.8f), noteAt(0, 64, 0.8f)}, 1.5);
    const double centroid = test::spectralCentroidHz(segment(audio, 0.5, 1.5), kRate);
    MESSAGE("dynamics " << dynamics << ": centroid " << centroid << " Hz, RMS "
                        << test::rmsDb(audio, nearestFrame(0.5), nearestFrame(1.5)) << " dB");
    CHECK(centroid > previous * 1.05);
    previous = centroid;
  }
}

TEST_CASE(
    "strings: a note at full dynamics peaks between -12 and -6 dBFS, a six-note chord under 0 "
    "dBFS") {
  for (int key : {40, 55, 69, 84, 96}) {
    StringsRig rig({{"dynamics", 1.0f}});
    const double peakDb = 20.0 * std::log10(test::peakAbs(rig.left({noteAt(0, key, 1.0f)}, 2.0)));
    MESSAGE("key " << key << " at full dynamics and velocity: peak " << peakDb << " dBFS");
    CHECK(peakDb >= -12.0);
    CHECK(peakDb <= -6.0);
  }
  StringsRig rig({{"dynamics", 1.0f}});
  std::vector<TimedEvent> chord;
  for (int key : {48, 55, 60, 64, 67, 72}) chord.push_back(noteAt(0, key, 1.0f));
  const test::Stereo audio = rig.render(chord, 3.0, [] { return 256; });
  const double peakDb =
      20.0 * std::log10(std::max(test::peakAbs(audio.left), test::peakAbs(audio.right)));
  MESSAGE("six-note chord at full dynamics and velocity: peak " << peakDb << " dBFS");
  CHECK(peakDb < 0.0);
}

TEST_CASE("strings: any block size renders the same samples, and the seed alone decides") {
  const int tremolo = parameterIndex("tremolo"), spread = parameterIndex("spread"),
            glide = parameterIndex("glide");
  std::vector<TimedEvent> events = {
      noteAt(5, 55, 0.7f),
      noteAt(5, 62, 0.6f),
      parameterAt(nearestFrame(0.3), glide, 0.4f),
      noteAt(nearestFrame(0.5) + 3, 67, 0.8f),
      controllerAt(nearestFrame(0.6), 64, 1.0f),
      noteOffAt(nearestFrame(0.7), 62),
      parameterAt(nearestFrame(0.8), tremolo, 0.7f),
      {nearestFrame(0.9) + 11, {0, EventType::kPitchBend, 0, 0, 0.4f}},
      parameterAt(nearestFrame(1.0), spread, 0.2f),
      controllerAt(nearestFrame(1.1), 64, 0.0f),
      noteAt(nearestFrame(1.2) + 1, 74, 0.9f),
      noteOffAt(nearestFrame(1.6), 55)};
  for (double t = 0.0; t < 1.8; t += 0.013) {
    events.push_back(
        controllerAt(nearestFrame(t) + 2, 11, static_cast<float>(0.6 + 0.4 * std::sin(t * 5.0))));
    events.push_back(
        controllerAt(nearestFrame(t) + 7, 1, static_cast<float>(0.5 + 0.5 * std::cos(t * 3.0))));
  }
  auto render = [&](std::uint64_t seed, const std::function<int()>& block) {
    StringsRig rig({{"tremolo_rate", 11.0f}, {"vibrato_delay", 0.1f}}, seed);
    return rig.render(events, 2.0, block);
  };
  const test::Stereo reference = render(7, [] { return 64; });
  std::mt19937 random(3);
  const test::Stereo single = render(7, [] { return 1; });
  const test::Stereo large = render(7, [] { return 1000; });
  const test::Stereo randomBlocks =
      render(7, [&random] { return 1 + static_cast<int>(random() % 700); });
  const test::Stereo otherSeed = render(8, [] { return 64; });
  CHECK(test::rmsDb(reference.left, 0, reference.left.size()) > -40.0);
  CHECK(single.left == reference.left);
  CHECK(single.right == reference.right);
  CHECK(large.left == reference.left);
  CHECK(randomBlocks.left == reference.left);
  CHECK(randomBlocks.right == reference.right);
  CHECK(render(7, [] { return 64; }).left == reference.left);
  CHECK(otherSeed.left != reference.left);
}

TEST_CASE(
    "strings: 60 s of random notes, controllers, bend and parameters stay finite and bounded") {
  StringsRig rig({});
  const std::vector<test::TimedEvent> events =
      test::randomPlay(kStringsType.parameters, {.seed = 77});
  const test::Stereo audio = rig.render(events, 60.0, [] { return 512; });
  const float peak = std::max(test::peakAbs(audio.left), test::peakAbs(audio.right));
  MESSAGE("60 s of random play, the node's raw output: peak "
          << peak << " (" << 20.0 * std::log10(peak) << " dBFS), RMS "
          << test::rmsDb(audio.left, 0, audio.left.size()) << " dB");
  CHECK(test::allFinite(audio.left));
  CHECK(test::allFinite(audio.right));
  CHECK(test::rmsDb(audio.left, 0, audio.left.size()) > -50.0);  // it did play
  // Up to 64 voices at +12 dB level could sum past full scale; a runaway would not stop there.
  CHECK(peak <= 16.0f);
}

TEST_CASE(
    "strings: through the engine, a dense section leaves no non-finite samples at the master") {
  Engine engine({kRate, 512, 5});
  Graph& g = engine.graph();
  const NodeId strings = g.add("strings", "strings");
  const NodeId out = g.add("output", "out");
  g.connect({strings, 0}, {out, 0});
  g.connect({strings, 1}, {out, 1});
  engine.commit();
  std::vector<ScheduledEvent> events;
  std::mt19937 random(9);
  for (double t = 0.0; t < 5.0; t += 0.02) {
    events.push_back(
        test::note(nearestFrame(t), strings, 30 + static_cast<int>(random() % 70), 1.0f));
    events.push_back(
        {nearestFrame(t) + 1,
         strings,
         {0, EventType::kPitchBend, 0, 0, static_cast<float>(random() % 200) / 100.0f - 1.0f}});
  }
  const test::Stereo audio =
      test::renderBlocks(engine, events, nearestFrame(6.0), [] { return 256; });
  MESSAGE("non-finite samples at the master: " << engine.stats().nonFiniteSamples);
  CHECK(engine.stats().nonFiniteSamples == 0);
  CHECK(test::allFinite(audio.left));
}

TEST_CASE("strings: StringVoice on its own glides onto A4 when its pitch is set every sample") {
  // How the tuning node will use it: start off pitch, then pull the pitch in sample by sample.
  orchestra::StringVoice voice;
  voice.prepare(kRate, 11);
  orchestra::StringSettings settings;
  settings.vibratoCents = 0.0f;
  settings.detuneCents = 0.0f;
  voice.start(hzOfKey(66.3), 0.8f, settings);
  std::vector<float> left(nearestFrame(3.0)), right(nearestFrame(3.0));
  for (std::size_t i = 0; i < left.size(); ++i) {
    const double t = static_cast<double>(i) / kRate;
    voice.setFrequencyHz(hzOfKey(66.3 + 2.7 * std::min(1.0, t / 1.0)));
    voice.render(&left[i], &right[i], 1, settings);
  }
  const double early = keyOfHz(test::fundamentalHz(segment(left, 0.0, 0.2), kRate, hzOfKey(66.5)));
  const double cents =
      test::centsBetween(test::fundamentalHz(segment(left, 1.2, 3.0), kRate, 440.0), 440.0);
  MESSAGE("voice pulled from key " << early << " onto A4: " << cents
                                   << " cents from 440 Hz; voice reports " << voice.frequencyHz()
                                   << " Hz");
  CHECK(early < 67.0);
  CHECK(std::fabs(cents) <= 1.0);
  voice.release();
  std::vector<float> tail(nearestFrame(1.0)), tailRight(nearestFrame(1.0));
  voice.render(tail.data(), tailRight.data(), static_cast<int>(tail.size()), settings);
  CHECK_FALSE(voice.active());
}
