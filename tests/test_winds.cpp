// The wind section, measured: tuning of every instrument (the oboe's A), what makes each one
// itself, breath, the pad's slow swell, the expression law, levels, block-size invariance and
// safety.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "instruments/orchestra/wind_voice.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/engine.hpp"
#include "support/direct_node_render.hpp"
#include "support/engine_render.hpp"
#include "support/random_play.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"
#include "support/units.hpp"

using namespace reverie;
using test::controllerAt;
using test::hzOfKey;
using test::nearestFrame;
using test::noteAt;
using test::noteOffAt;
using test::parameterAt;
using test::segment;
using test::TimedEvent;

namespace {

constexpr double kRate = test::kTestRate;
const std::string kNames[] = {"oboe", "flute", "clarinet", "pad"};

int parameterIndex(const char* id) {
  return findParameter(kWindsType.parameters, id);
}

/// A winds node on its own (no engine, no master limiter), its parameters set by id.
using WindsRig = test::RigOf<kWindsType, 7, 256>;

/// Level in dB of harmonic k of f0 (the strongest peak within 2% of it).
double harmonicDb(const test::Spectrum& spectrum, double f0, int k) {
  const std::optional<test::Peak> p =
      test::strongestPeakBetween(spectrum, f0 * k * 0.98, f0 * k * 1.02);
  return p ? p->amplitudeDb : -200.0;
}

/// The strongest harmonic level in dB among the harmonics of f0 between lowHz and highHz.
double strongestHarmonicDb(const test::Spectrum& spectrum, double f0, double lowHz, double highHz) {
  double best = -200.0;
  for (int k = 1; k * f0 <= highHz; ++k)
    if (k * f0 >= lowHz) best = std::max(best, harmonicDb(spectrum, f0, k));
  return best;
}

}  // namespace

TEST_CASE(
    "winds: every instrument is within 2 cents of 12-TET with vibrato off; the oboe's A is 440 "
    "Hz") {
  double worst = 0.0;
  for (int instrument = 0; instrument < 4; ++instrument) {
    for (int key : {57, 69, 81}) {
      WindsRig rig(
          {{"instrument", static_cast<float>(instrument)}, {"vibrato", 0.0f}, {"breath", 0.0f}});
      const std::vector<float> audio = rig.left({noteAt(0, key, 0.8f)}, 3.2);
      const double hz = test::fundamentalHz(segment(audio, 1.2, 3.2), kRate, hzOfKey(key));
      const double cents = test::centsBetween(hz, hzOfKey(key));
      CAPTURE(kNames[instrument]);
      CAPTURE(key);
      if (instrument == 0 && key == 69)
        MESSAGE("the oboe's A4: " << hz << " Hz (" << cents << " cents)");
      CHECK(std::fabs(cents) <= 2.0);
      worst = std::max(worst, std::fabs(cents));
    }
  }
  MESSAGE("largest tuning error over the four instruments at keys 57, 69, 81: " << worst
                                                                                << " cents");
}

TEST_CASE("winds: the oboe's partials peak in its formant regions near 1.1 kHz and 2.9 kHz") {
  for (int key : {57, 62}) {
    WindsRig rig({{"instrument", 0.0f}, {"vibrato", 0.0f}, {"breath", 0.0f}, {"dynamics", 0.8f}});
    const double f0 = hzOfKey(key);
    const std::vector<float> audio = rig.left({noteAt(0, key, 0.8f)}, 2.0);
    const test::Spectrum spectrum = test::analyseSpectrum(segment(audio, 0.3, 2.0), kRate);
    const double fundamental = harmonicDb(spectrum, f0, 1);
    const double first = strongestHarmonicDb(spectrum, f0, 850.0, 1450.0);
    const double belowSecond = strongestHarmonicDb(spectrum, f0, 1900.0, 2350.0);
    const double second = strongestHarmonicDb(spectrum, f0, 2600.0, 3200.0);
    const double aboveSecond = strongestHarmonicDb(spectrum, f0, 3700.0, 4500.0);
    MESSAGE("oboe key " << key << ": fundamental " << fundamental << " dB; 0.85-1.45 kHz " << first
                        << " dB; 1.9-2.35 kHz " << belowSecond << " dB; 2.6-3.2 kHz " << second
                        << " dB; 3.7-4.5 kHz " << aboveSecond << " dB");
    CHECK(first > fundamental + 6.0);   // nasal: the formant outweighs the fundamental
    CHECK(second > belowSecond + 3.0);  // a second bump near 3 kHz
    CHECK(second > aboveSecond + 3.0);
  }
}

TEST_CASE("winds: the clarinet has odd harmonics, the flute is near-sine, the pad's voices beat") {
  const double f0 = hzOfKey(57);
  auto spectrumOf = [&](int instrument) {
    WindsRig rig(
        {{"instrument", static_cast<float>(instrument)}, {"vibrato", 0.0f}, {"breath", 0.0f}});
    const std::vector<float> audio = rig.left({noteAt(0, 57, 0.8f)}, 3.5);
    return test::analyseSpectrum(segment(audio, 1.2, 3.5), kRate);
  };
  const test::Spectrum clarinet = spectrumOf(2), flute = spectrumOf(1);
  const double odd = std::min(harmonicDb(clarinet, f0, 3), harmonicDb(clarinet, f0, 5));
  const double even = std::max(harmonicDb(clarinet, f0, 2), harmonicDb(clarinet, f0, 4));
  MESSAGE("clarinet: 3rd and 5th harmonics at least " << odd << " dB, 2nd and 4th at most " << even
                                                      << " dB");
  CHECK(odd > even + 30.0);
  const double h1 = harmonicDb(flute, f0, 1), h2 = harmonicDb(flute, f0, 2),
               h3 = harmonicDb(flute, f0, 3);
  double rest = -200.0;
  for (int k = 4; k <= 10; ++k) rest = std::max(rest, harmonicDb(flute, f0, k));
  MESSAGE("flute: harmonics 1, 2, 3 at " << h1 << ", " << h2 << ", " << h3
                                         << " dB; 4 to 10 at most " << rest << " dB");
  CHECK(h1 > h2 + 8.0);
  CHECK(h1 > h3 + 15.0);
  CHECK(h1 > rest + 40.0);
  // The pad's side voices, 7 cents either side of the note: at A5 they stand 3.6 Hz apart,
  // resolved as lines of their own.
  WindsRig rig({{"instrument", 3.0f}, {"vibrato", 0.0f}, {"breath", 0.0f}});
  const double a5 = hzOfKey(81);
  const std::vector<float> audio = rig.left({noteAt(0, 81, 0.8f)}, 3.5);
  const test::Spectrum pad = test::analyseSpectrum(segment(audio, 1.2, 3.5), kRate);
  std::vector<double> cents;
  for (const test::Peak& p : test::findPeaks(pad, 10, 20.0, a5 * 0.99, a5 * 1.01))
    cents.push_back(test::centsBetween(p.frequencyHz, a5));
  std::sort(cents.begin(), cents.end());
  MESSAGE("pad: " << cents.size() << " lines around A5, from "
                  << (cents.empty() ? 0.0 : cents.front()) << " to "
                  << (cents.empty() ? 0.0 : cents.back()) << " cents");
  REQUIRE(cents.size() == 3);
  CHECK(std::fabs(cents[0] + 7.0) <= 1.0);
  CHECK(std::fabs(cents[1]) <= 1.0);
  CHECK(std::fabs(cents[2] - 7.0) <= 1.0);
}

TEST_CASE("winds: breath adds noise to every instrument") {
  for (int instrument = 0; instrument < 4; ++instrument) {
    auto flatness = [&](float breath) {
      WindsRig rig(
          {{"instrument", static_cast<float>(instrument)}, {"breath", breath}, {"vibrato", 0.0f}});
      return test::spectralFlatness(segment(rig.left({noteAt(0, 69, 0.8f)}, 2.0), 1.0, 2.0), kRate);
    };
    const double dry = flatness(0.0f), breathy = flatness(1.0f);
    MESSAGE(kNames[instrument] << ": spectral flatness " << dry << " without breath, " << breathy
                               << " with full breath");
    CHECK(breathy > 3.0 * dry);
  }
}

TEST_CASE("winds: the pad swells slowly, the oboe speaks at once") {
  auto riseSeconds = [](int instrument) {
    WindsRig rig(
        {{"instrument", static_cast<float>(instrument)}, {"vibrato", 0.0f}, {"breath", 0.0f}});
    const std::vector<float> audio = rig.left({noteAt(0, 64, 0.8f)}, 3.0);
    const std::vector<double> rms = test::rmsEnvelope(audio, kRate, 0.02, 0.01);
    const double full = rms.back();
    for (std::size_t j = 0; j < rms.size(); ++j)
      if (rms[j] >= 0.5 * full) return static_cast<double>(j) * 0.01 + 0.01;
    return 99.0;
  };
  const double oboe = riseSeconds(0), pad = riseSeconds(3);
  MESSAGE("time to reach half of the held level: oboe " << oboe << " s, pad " << pad << " s");
  CHECK(oboe <= 0.1);
  CHECK(pad >= 0.4);
}

TEST_CASE("winds: dynamics (CC1) brightens every instrument, step by step") {
  for (int instrument = 0; instrument < 4; ++instrument) {
    double previous = 0.0;
    for (float dynamics : {0.15f, 0.5f, 0.9f}) {
      WindsRig rig(
          {{"instrument", static_cast<float>(instrument)}, {"vibrato", 0.0f}, {"breath", 0.0f}});
      const std::vector<float> audio =
          rig.left({controllerAt(0, 1, dynamics), noteAt(0, 62, 0.8f)}, 2.0);
      const double centroid = test::spectralCentroidHz(segment(audio, 1.2, 2.0), kRate);
      MESSAGE(kNames[instrument] << " at dynamics " << dynamics << ": centroid " << centroid
                                 << " Hz");
      CHECK(centroid > previous * 1.05);
      previous = centroid;
    }
  }
}

TEST_CASE("winds: CC11 scales the output by the documented law gain = x^2") {
  // The same seeded oboe with and without expression steps: their level difference is the law.
  constexpr float kSteps[] = {1.0f, 0.8f, 0.6f, 0.4f, 0.2f};
  auto render = [&](bool steps) {
    WindsRig rig({{"instrument", 0.0f}});
    std::vector<TimedEvent> events = {noteAt(0, 62, 0.8f)};
    for (int i = 1; i < 5 && steps; ++i)
      events.push_back(controllerAt(nearestFrame(0.5 * i), 11, kSteps[i]));
    return rig.left(events, 2.5);
  };
  const std::vector<float> stepped = render(true), steady = render(false);
  for (int i = 1; i < 5; ++i) {
    const std::size_t from = nearestFrame(0.5 * i + 0.05), to = nearestFrame(0.5 * i + 0.5);
    const double level = test::rmsDb(stepped, from, to) - test::rmsDb(steady, from, to);
    const double law = 40.0 * std::log10(kSteps[i]);
    MESSAGE("expression " << kSteps[i] << ": " << level << " dB, the law says " << law << " dB");
    CHECK(std::fabs(level - law) <= 0.05);
  }
}

TEST_CASE(
    "winds: a note at full dynamics peaks between -15.5 and -6 dBFS; a six-note chord under 0 "
    "dBFS") {
  // Flute and clarinet have low crest factors (near-sine, square): six of them sum to 14.5 dB
  // over one, so they sit near -15 dBFS alone to keep the chord under full scale.
  for (int instrument = 0; instrument < 4; ++instrument) {
    double low = 0.0, high = -200.0;
    for (int key : {48, 60, 72, 84}) {
      WindsRig rig({{"instrument", static_cast<float>(instrument)}, {"dynamics", 1.0f}});
      const double peakDb = 20.0 * std::log10(test::peakAbs(rig.left({noteAt(0, key, 1.0f)}, 2.5)));
      low = std::min(low, peakDb), high = std::max(high, peakDb);
    }
    MESSAGE(kNames[instrument] << ": single notes at full dynamics peak from " << low << " to "
                               << high << " dBFS");
    CHECK(low >= -15.5);
    CHECK(high <= -6.0);
    WindsRig rig({{"instrument", static_cast<float>(instrument)}, {"dynamics", 1.0f}});
    std::vector<TimedEvent> chord;
    for (int key : {57, 60, 64, 67, 72, 76}) chord.push_back(noteAt(0, key, 1.0f));
    const test::Stereo audio = rig.render(chord, 3.0, [] { return 256; });
    const double chordDb =
        20.0 * std::log10(std::max(test::peakAbs(audio.left), test::peakAbs(audio.right)));
    MESSAGE(kNames[instrument] << ": six-note chord at full dynamics peaks at " << chordDb
                               << " dBFS");
    CHECK(chordDb < 0.0);
  }
}

TEST_CASE("winds: any block size renders the same samples, and the seed alone decides") {
  const int instrumentIndex = parameterIndex("instrument"), breath = parameterIndex("breath");
  // Six oboes at once (voices grouped four and two to a SIMD register), ending one by one,
  // then a note of each other instrument.
  std::vector<TimedEvent> events = {
      noteAt(3, 69, 0.7f),
      noteAt(3, 60, 0.5f),
      noteAt(17, 62, 0.6f),
      noteAt(17, 65, 0.6f),
      noteAt(40, 67, 0.7f),
      noteAt(nearestFrame(0.1) + 1, 71, 0.7f),
      noteOffAt(nearestFrame(0.15) + 3, 62),
      noteOffAt(nearestFrame(0.25) + 5, 60),
      noteOffAt(nearestFrame(0.28) + 9, 65),
      noteAt(nearestFrame(0.2) + 5, 64, 0.6f),
      parameterAt(nearestFrame(0.3), instrumentIndex, 1.0f),
      noteAt(nearestFrame(0.35) + 1, 72, 0.8f),
      parameterAt(nearestFrame(0.5), instrumentIndex, 2.0f),
      noteAt(nearestFrame(0.55) + 9, 57, 0.8f),
      {nearestFrame(0.6) + 3, {0, EventType::kPitchBend, 0, 0, -0.5f}},
      parameterAt(nearestFrame(0.7), instrumentIndex, 3.0f),
      noteAt(nearestFrame(0.75) + 2, 60, 0.9f),
      parameterAt(nearestFrame(0.8), breath, 0.9f),
      controllerAt(nearestFrame(0.9), 64, 1.0f),
      noteOffAt(nearestFrame(1.0), 69),
      noteOffAt(nearestFrame(1.1) + 4, 72),
      controllerAt(nearestFrame(1.3), 64, 0.0f),
      noteOffAt(nearestFrame(1.4), 60)};
  for (double t = 0.0; t < 1.8; t += 0.011) {
    events.push_back(
        controllerAt(nearestFrame(t) + 2, 11, static_cast<float>(0.6 + 0.4 * std::sin(t * 5.0))));
    events.push_back(
        controllerAt(nearestFrame(t) + 6, 1, static_cast<float>(0.5 + 0.5 * std::cos(t * 3.0))));
  }
  auto render = [&](std::uint64_t seed, const std::function<int()>& block) {
    WindsRig rig({{"vibrato_delay", 0.05f}, {"release", 0.05f}}, seed);
    return rig.render(events, 2.0, block);
  };
  const test::Stereo reference = render(7, [] { return 64; });
  std::mt19937 random(5);
  CHECK(test::rmsDb(reference.left, 0, reference.left.size()) > -40.0);
  const test::Stereo single = render(7, [] { return 1; });
  CHECK(single.left == reference.left);
  CHECK(single.right == reference.right);
  CHECK(render(7, [] { return 1000; }).left == reference.left);
  const test::Stereo randomBlocks =
      render(7, [&random] { return 1 + static_cast<int>(random() % 700); });
  CHECK(randomBlocks.left == reference.left);
  CHECK(randomBlocks.right == reference.right);
  CHECK(render(7, [] { return 64; }).left == reference.left);
  CHECK(render(8, [] { return 64; }).left != reference.left);
}

TEST_CASE("winds: 60 s of random notes, controllers, bend and parameters stay finite and bounded") {
  WindsRig rig({});
  const std::vector<test::TimedEvent> events =
      test::randomPlay(kWindsType.parameters, {.seed = 78});
  const test::Stereo audio = rig.render(events, 60.0, [] { return 512; });
  const float peak = std::max(test::peakAbs(audio.left), test::peakAbs(audio.right));
  MESSAGE("60 s of random play, the node's raw output: peak "
          << peak << " (" << 20.0 * std::log10(peak) << " dBFS), RMS "
          << test::rmsDb(audio.left, 0, audio.left.size()) << " dB");
  CHECK(test::allFinite(audio.left));
  CHECK(test::allFinite(audio.right));
  CHECK(test::rmsDb(audio.left, 0, audio.left.size()) > -50.0);
  // Up to 64 voices at +12 dB level could sum past full scale; a runaway would not stop there.
  CHECK(peak <= 16.0f);
}

TEST_CASE("winds: through the engine, every instrument at once leaves no non-finite samples") {
  Engine engine({kRate, 512, 5});
  Graph& g = engine.graph();
  const NodeId winds = g.add("winds", "winds");
  const NodeId out = g.add("output", "out");
  g.connect({winds, 0}, {out, 0});
  g.connect({winds, 1}, {out, 1});
  engine.commit();
  const auto instrument = static_cast<std::uint16_t>(parameterIndex("instrument"));
  std::vector<ScheduledEvent> events;
  std::mt19937 random(19);
  for (double t = 0.0; t < 5.0; t += 0.02) {
    events.push_back({nearestFrame(t),
                      winds,
                      {0, EventType::kParameter, 0, instrument, static_cast<float>(random() % 4)}});
    events.push_back(
        test::note(nearestFrame(t) + 1, winds, 30 + static_cast<int>(random() % 70), 1.0f));
    const float bend = static_cast<float>(random() % 200) / 100.0f - 1.0f;
    events.push_back({nearestFrame(t) + 2, winds, {0, EventType::kPitchBend, 0, 0, bend}});
  }
  const test::Stereo audio =
      test::renderBlocks(engine, events, nearestFrame(6.0), [] { return 256; });
  MESSAGE("non-finite samples at the master: " << engine.stats().nonFiniteSamples);
  CHECK(engine.stats().nonFiniteSamples == 0);
  CHECK(test::allFinite(audio.left));
  CHECK(test::rmsDb(audio.left, 0, audio.left.size()) > -40.0);
}

TEST_CASE(
    "winds: WindVoice on its own gives the orchestra its A, then follows a per-sample glide") {
  orchestra::WindVoice voice;
  voice.prepare(kRate, 21);
  orchestra::WindSettings settings;
  settings.vibratoCents = 0.0f;
  voice.start(440.0, 0.8f, settings);
  std::vector<float> left(nearestFrame(4.0)), right(nearestFrame(4.0));
  voice.render(left.data(), right.data(), static_cast<int>(nearestFrame(2.0)), settings);
  for (std::size_t i = nearestFrame(2.0); i < left.size();
       ++i) {  // down a whole tone over 1 s, a sample at a time
    const double t = static_cast<double>(i) / kRate - 2.0;
    voice.setFrequencyHz(440.0 * std::exp2(-2.0 / 12.0 * std::min(1.0, t)));
    voice.render(&left[i], &right[i], 1, settings);
  }
  const double a = test::fundamentalHz(segment(left, 0.3, 2.0), kRate, 440.0);
  const double g = test::fundamentalHz(segment(left, 3.1, 4.0), kRate, hzOfKey(67));
  MESSAGE("WindVoice oboe: A at " << a << " Hz; after the glide "
                                  << test::centsBetween(g, hzOfKey(67)) << " cents from G4");
  CHECK(std::fabs(test::centsBetween(a, 440.0)) <= 0.5);
  CHECK(std::fabs(test::centsBetween(g, hzOfKey(67))) <= 1.0);
}
