// The crystal instrument, measured: tuning, geometry, decay, brightness, bow, shatter,
// stealing, pitch bend and safety, all from rendered audio.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "instruments/crystal/crystal_node.hpp"
#include "reverie/engine.hpp"
#include "reverie/preset.hpp"
#include "support/beating.hpp"
#include "support/engine_render.hpp"
#include "support/onsets.hpp"
#include "support/partial_decay.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"
#include "support/units.hpp"

using namespace reverie;
using test::at;
using test::hzOfKey;
using test::note;
using test::noteOff;
using test::segment;

namespace {

constexpr double kRate = test::kTestRate;
constexpr double kGlassRatios[] = {1.0, 2.32, 4.25, 6.63, 9.38};

struct CrystalRig {
  Engine engine{{kRate, 4096, 3}};
  NodeId crystal = kInvalidNode;
  CrystalNode* node = nullptr;

  explicit CrystalRig(std::initializer_list<std::pair<const char*, float>> parameters) {
    Graph& g = engine.graph();
    auto owned = std::make_unique<CrystalNode>();
    node = owned.get();
    crystal = g.add(std::move(owned), "crystal");
    g.setParameter(crystal, "level", -12.0f);  // stay clear of the master limiter
    for (const auto& [id, value] : parameters) g.setParameter(crystal, id, value);
    const NodeId out = g.add("output", "out");
    g.connect({crystal, 0}, {out, 0});
    g.connect({crystal, 1}, {out, 1});
    engine.commit();
  }
  /// Left channel of `seconds` of audio, the limiter's latency removed.
  std::vector<float> render(std::vector<ScheduledEvent> events, double seconds, int block = 512) {
    const std::size_t latency = static_cast<std::size_t>(engine.latencyFrames());
    const test::Stereo audio = test::renderBlocks(
        engine, std::move(events), static_cast<std::size_t>(seconds * kRate) + latency,
        [block] { return block; });
    return {audio.left.begin() + static_cast<long>(latency), audio.left.end()};
  }
};

/// Builds a patch from TOML text and renders the left channel; `events` address its "crystal".
std::vector<float> renderPatchText(const char* text, std::vector<ScheduledEvent> events,
                                   double seconds) {
  const Patch patch = parsePatch(text, "inline.toml");
  Engine engine({kRate, 512, 1});
  const auto ids = buildGraph(patch, engine.graph());
  engine.commit();
  for (ScheduledEvent& e : events) e.node = ids.at("crystal");
  return test::renderBlocks(engine, std::move(events), static_cast<std::size_t>(seconds * kRate),
                            [] { return 512; })
      .left;
}

}  // namespace

TEST_CASE("crystal: the principal mode is within 1 cent of 12-TET for keys 36 to 96") {
  double worst = 0.0;
  for (int key = 36; key <= 96; key += 5) {
    CrystalRig rig({{"t60", 4.0f}});
    const std::vector<float> audio = rig.render({note(0, rig.crystal, key, 0.8f)}, 1.6);
    const double cents = test::centsBetween(
        test::fundamentalHz(segment(audio, 0.1, 1.6), kRate, hzOfKey(key)), hzOfKey(key));
    CAPTURE(key);
    CHECK(std::fabs(cents) <= 1.0);
    worst = std::max(worst, std::fabs(cents));
  }
  MESSAGE("largest tuning error over keys 36..96: " << worst << " cents");
}

TEST_CASE("crystal: glass geometry has partials at 1, 2.32, 4.25, 6.63, 9.38 within 0.5%") {
  CrystalRig rig({{"geometry", 2.0f}, {"brightness", 1.0f}, {"position", 0.0f}, {"damping", 0.3f}});
  const double f0 = hzOfKey(57);
  const std::vector<float> audio = rig.render({note(0, rig.crystal, 57, 0.9f)}, 1.5);
  for (double ratio : kGlassRatios) {
    const double measured = test::peakNear(segment(audio, 0.05, 1.5), kRate, f0 * ratio, 0.03) / f0;
    CAPTURE(ratio);
    CHECK(std::fabs(measured - ratio) / ratio <= 0.005);
  }
}

TEST_CASE("crystal: a singing bowl beats at the rate its principal pair's split implies") {
  // Only the principal pair (0.996 and 1.004 of the note): its split is the beat.
  CrystalRig rig({{"geometry", 3.0f}, {"modes", 2.0f}, {"t60", 20.0f}});
  const double f0 = hzOfKey(57);
  const std::vector<float> audio = rig.render({note(0, rig.crystal, 57, 0.8f)}, 6.0);
  const double expected = f0 * (1.004 - 0.996);
  const double measured = test::beatRateHz(segment(audio, 0.2, 6.0), kRate, 0.3, 10.0);
  MESSAGE("bowl beat: measured " << measured << " Hz, split implies " << expected << " Hz");
  CHECK(std::fabs(measured - expected) / expected <= 0.10);
}

TEST_CASE("crystal: the principal mode's T60 is within 10% of the set value") {
  for (float t60 : {1.0f, 3.0f, 8.0f}) {
    CrystalRig rig({{"t60", t60}});
    const std::vector<float> audio =
        rig.render({note(0, rig.crystal, 69, 0.8f)}, std::min(2.0 + t60 * 0.8, 9.0));
    const double measured = test::t60OfPartial(audio, kRate, 440.0, 300.0);
    MESSAGE("T60 set " << t60 << " s, measured " << measured << " s");
    CHECK(std::fabs(measured - t60) / t60 <= 0.10);
  }
}

TEST_CASE("crystal: brightness and velocity each raise the spectral centroid, step by step") {
  double previous = 0.0;
  for (float brightness : {0.0f, 0.25f, 0.5f, 0.75f, 1.0f}) {
    CrystalRig rig({{"brightness", brightness}});
    const double centroid =
        test::spectralCentroidHz(rig.render({note(0, rig.crystal, 60, 0.7f)}, 1.0), kRate);
    CAPTURE(brightness);
    CHECK(centroid > previous);
    previous = centroid;
  }
  previous = 0.0;
  for (float velocity : {0.2f, 0.4f, 0.6f, 0.8f, 1.0f}) {
    CrystalRig rig({});
    const double centroid =
        test::spectralCentroidHz(rig.render({note(0, rig.crystal, 60, velocity)}, 1.0), kRate);
    CAPTURE(velocity);
    CHECK(centroid > previous);
    previous = centroid;
  }
}

TEST_CASE("crystal: a bowed note brightens to the top of the range, in tune and at its level") {
  // Before, the bow's coupling took the whole tilt: brighter than about 0.85 the upper modes
  // outweighed the principal in the friction's loop and the bow locked onto them. A bowed
  // glass A4 at 0.9 lost its note (centroid 0.7 -> 8.6 kHz), a harmonic violin's died at 1.0.
  struct Body {
    const char* name;
    std::initializer_list<std::pair<const char*, float>> parameters;
  };
  const Body bodies[] = {
      {"glass (glass-harmonica)",
       {{"exciter", 1.0f},
        {"geometry", 2.0f},
        {"beat", 5.0f},
        {"t60", 6.0f},
        {"damping", 1.2f},
        {"pressure", 0.6f},
        {"bow_speed", 0.5f},
        {"position", 0.15f}}},
      {"harmonic (clockwork-violin)",
       {{"exciter", 1.0f},
        {"geometry", 0.0f},
        {"t60", 1.5f},
        {"damping", 1.6f},
        {"modes", 40.0f},
        {"pressure", 0.65f},
        {"bow_speed", 0.6f},
        {"position", 0.11f}}},
  };
  for (const Body& body : bodies) {
    for (int key : {48, 60, 69, 81, 93}) {
      double previousCentroid = 0.0, darkLevelDb = 0.0;
      for (float brightness : {0.5f, 0.75f, 0.9f, 1.0f}) {
        CrystalRig rig(body.parameters);
        rig.engine.graph().setParameter(rig.crystal, "brightness", brightness);
        rig.engine.commit();
        const std::vector<float> audio = rig.render({note(0, rig.crystal, key, 0.8f)}, 3.0);
        const std::span<const float> held = segment(audio, 1.0, 3.0);
        const auto spectrum = test::analyseSpectrum(held, kRate);
        const auto principal =
            test::strongestPeakBetween(spectrum, hzOfKey(key) * 0.97, hzOfKey(key) * 1.03);
        const double centroid = test::spectralCentroidHz(held, kRate);
        CAPTURE(body.name);
        CAPTURE(key);
        CAPTURE(brightness);
        REQUIRE(principal.has_value());
        CAPTURE(principal->amplitudeDb);
        CHECK(std::fabs(test::centsBetween(principal->frequencyHz, hzOfKey(key))) < 1.0);
        if (brightness == 0.5f) darkLevelDb = principal->amplitudeDb;
        CHECK(std::fabs(principal->amplitudeDb - darkLevelDb) < 3.0);  // it keeps its note
        CHECK(centroid > previousCentroid);                            // and grows brighter
        if (key == 69 && brightness == 1.0f)
          MESSAGE(std::string(body.name)
                  << " A4 at brightness 1: principal " << principal->amplitudeDb
                  << " dB (0.5: " << darkLevelDb << " dB), centroid " << centroid << " Hz");
        previousCentroid = centroid;
      }
    }
  }
}

TEST_CASE("crystal: a bow anywhere along the body plays the note, in tune") {
  // The principal's position weight is cos(pi x): at x = 0.5 it has a node. Before, a bowed
  // note was lost from x = 0.35 on (a bowed C2 at the default pressure at -47 dB, the principal
  // of a glass C3 at 0.45 at -88 dB, none at all at 0.5); the bow now keeps the principal's
  // weight at 0.3, so only the other modes follow the position there.
  for (const float geometry : {0.0f, 2.0f}) {  // harmonic, glass
    for (const int key : {36, 60, 96}) {
      std::string levels;
      for (const float position : {0.1f, 0.3f, 0.4f, 0.45f, 0.5f, 0.6f, 0.9f}) {
        CrystalRig rig({{"exciter", 1.0f},
                        {"geometry", geometry},
                        {"pressure", 0.5f},
                        {"bow_speed", 0.5f},
                        {"position", position}});
        const std::vector<float> audio = rig.render({note(0, rig.crystal, key, 0.8f)}, 3.0);
        const auto principal =
            test::strongestPeakBetween(test::analyseSpectrum(segment(audio, 1.0, 3.0), kRate),
                                       hzOfKey(key) * 0.97, hzOfKey(key) * 1.03);
        CAPTURE(geometry);
        CAPTURE(key);
        CAPTURE(position);
        REQUIRE(principal.has_value());
        levels += " " + std::to_string(principal->amplitudeDb).substr(0, 5);
        CHECK(principal->amplitudeDb > -36.0);  // at 0.1: -29 to -32 dB
        CHECK(std::fabs(test::centsBetween(principal->frequencyHz, hzOfKey(key))) < 1.0);
      }
      MESSAGE("geometry " << geometry << ", key " << key
                          << ": principal at 0.1 0.3 0.4 0.45 0.5 0.6 0.9 (dB):" << levels);
    }
  }
}

TEST_CASE("crystal: glass-harmonica's CC74 at 127 keeps the bowed note") {
  const Patch patch =
      loadPatch(std::string(REVERIE_SOURCE_DIR) + "/presets/instruments/glass-harmonica.toml");
  auto render = [&](float controller) {
    Engine engine({kRate, 512, 1});
    const auto ids = buildGraph(patch, engine.graph());
    engine.commit();
    const NodeId crystal = ids.at("crystal");
    return test::renderBlocks(engine,
                              {{0, crystal, {0, EventType::kControlChange, 0, 74, controller}},
                               note(100, crystal, 69, 0.8f)},
                              static_cast<std::size_t>(3.0 * kRate), [] { return 512; })
        .left;
  };
  const std::vector<float> dark = render(0.0f), bright = render(1.0f);
  const auto levelAt440 = [](const std::vector<float>& audio) {
    const auto peak = test::strongestPeakBetween(
        test::analyseSpectrum(segment(audio, 1.0, 3.0), kRate), 440.0 * 0.97, 440.0 * 1.03);
    return peak ? peak->amplitudeDb : -200.0;
  };
  const double darkCentroid = test::spectralCentroidHz(segment(dark, 1.0, 3.0), kRate);
  const double brightCentroid = test::spectralCentroidHz(segment(bright, 1.0, 3.0), kRate);
  MESSAGE("A4 with CC74 at 0: " << levelAt440(dark) << " dB, centroid " << darkCentroid
                                << " Hz; at 127: " << levelAt440(bright) << " dB, centroid "
                                << brightCentroid << " Hz");
  CHECK(std::fabs(levelAt440(bright) - levelAt440(dark)) < 3.0);
  CHECK(brightCentroid > darkCentroid);
  CHECK(brightCentroid < 3000.0);  // brighter, not a squeal high above the note
}

TEST_CASE("crystal: a bowed note holds its level while the key is down and decays after") {
  CrystalRig rig(
      {{"exciter", 1.0f}, {"geometry", 2.0f}, {"beat", 0.0f}, {"t60", 6.0f}, {"release", 0.8f}});
  const std::vector<float> audio =
      rig.render({note(0, rig.crystal, 69, 0.8f), noteOff(at(2.5), rig.crystal, 69)}, 4.0);
  auto levelAt = [&](double t) {
    return test::rmsDb(audio, static_cast<std::size_t>((t - 0.05) * kRate),
                       static_cast<std::size_t>((t + 0.05) * kRate));
  };
  MESSAGE("bow level at 0.5 s " << levelAt(0.5) << " dB, 2 s " << levelAt(2.0) << " dB, 3.5 s "
                                << levelAt(3.5) << " dB");
  CHECK(levelAt(0.5) > -60.0);
  CHECK(std::fabs(levelAt(2.0) - levelAt(0.5)) <= 3.0);
  CHECK(levelAt(3.5) < levelAt(2.0) - 20.0);
}

TEST_CASE("crystal: a shatter gives 20+ onsets in 500 ms, then settles onto the chord") {
  CrystalRig rig({{"exciter", 2.0f}, {"shards", 0.85f}, {"t60", 6.0f}, {"brightness", 0.6f}});
  const int chord[] = {57, 64, 69};
  std::vector<ScheduledEvent> events;
  for (int key : chord) events.push_back(note(0, rig.crystal, key, 0.8f));
  const std::vector<float> audio = rig.render(events, 2.5);
  std::size_t early = 0;
  for (double t : test::onsetTimes(segment(audio, 0.0, 0.6), kRate)) early += t < 0.5;
  MESSAGE("shatter onsets in the first 500 ms: " << early);
  CHECK(early >= 20);
  // After the shower, the strongest peaks all lie on the chord's modes.
  const std::vector<test::Peak> peaks =
      test::spectralPeaks(segment(audio, 1.5, 2.5), kRate, 8, 40.0);
  double onChord = 0.0, total = 0.0;
  for (const test::Peak& p : peaks) {
    bool near = false;
    for (int key : chord)
      for (double ratio : kGlassRatios)
        near = near || std::fabs(p.frequencyHz / (hzOfKey(key) * ratio) - 1.0) < 0.01;
    const double power = p.amplitude() * p.amplitude();
    total += power;
    onChord += near ? power : 0.0;
  }
  MESSAGE("share of peak power on the chord's modes after 1.5 s: " << onChord / total);
  CHECK(onChord / total >= 0.95);
}

TEST_CASE(
    "crystal: 300 notes in a second on 16 voices never exceed 16, and stealing adds no step") {
  std::mt19937 random(5);
  std::vector<std::tuple<double, int, float>> notes;
  for (int i = 0; i < 300; ++i)
    notes.emplace_back(i / 300.0, 48 + static_cast<int>(random() % 48),
                       0.3f + 0.7f * static_cast<float>(random() % 100) / 100.0f);
  auto play = [&](float voices) {
    CrystalRig rig({{"voices", voices}, {"level", -30.0f}, {"t60", 2.0f}});
    std::vector<ScheduledEvent> events;
    for (const auto& [t, key, velocity] : notes) {
      events.push_back(note(at(t), rig.crystal, key, velocity));
      events.push_back(noteOff(at(t + 0.4), rig.crystal, key));
    }
    std::vector<float> audio = rig.render(events, 2.0, 256);
    return std::make_pair(audio, rig.node->mostPlayingVoices());
  };
  const auto [stolen, most] = play(16.0f);
  const auto [unstolen, mostFree] = play(128.0f);
  MESSAGE("most voices playing at once: " << most << " of 16 (" << mostFree
                                          << " with 128 allowed)");
  MESSAGE("largest sample step: " << test::largestStep(stolen) << " with stealing, "
                                  << test::largestStep(unstolen) << " without");
  CHECK(most <= 16);
  CHECK(mostFree > 16);  // the test does steal
  CHECK(test::allFinite(stolen));
  CHECK(test::largestStep(stolen) <= test::largestStep(unstolen));
}

TEST_CASE("crystal: any block size renders the same samples") {
  std::vector<ScheduledEvent> events;
  for (int i = 0; i < 12; ++i)
    events.push_back(note(at(0.1 * i) + 7, kInvalidNode, 60 + i * 2, 0.6f));
  auto run = [&](int exciter, int block) {
    CrystalRig rig({{"exciter", static_cast<float>(exciter)}, {"voices", 6.0f}, {"drift", 8.0f}});
    std::vector<ScheduledEvent> mine = events;
    for (auto& e : mine) e.node = rig.crystal;
    mine.push_back(noteOff(at(0.7), rig.crystal, 60));
    return rig.render(mine, 1.5, block);
  };
  for (int exciter : {0, 1, 2}) {
    CAPTURE(exciter);
    CHECK(run(exciter, 64) == run(exciter, 1000));
    CHECK(run(exciter, 64) == run(exciter, 1));
  }
}

TEST_CASE("crystal: pitch bend retunes a sounding note without a click or loss of level") {
  CrystalRig rig({{"t60", 8.0f}, {"bend_range", 2.0f}});
  std::vector<ScheduledEvent> events = {note(0, rig.crystal, 69, 0.8f)};
  for (int step = 1; step <= 20; ++step)  // a glide up two semitones between 1.0 and 1.2 s
    events.push_back(
        {at(1.0 + 0.01 * step), rig.crystal, {0, EventType::kPitchBend, 0, 0, step / 20.0f}});
  const std::vector<float> bent = rig.render(events, 2.5);
  CrystalRig still({{"t60", 8.0f}});
  const std::vector<float> unbent = still.render({note(0, still.crystal, 69, 0.8f)}, 2.5);
  const double target = 440.0 * std::exp2(2.0 / 12.0);
  const double cents =
      test::centsBetween(test::fundamentalHz(segment(bent, 1.3, 2.5), kRate, target), target);
  const double levelBefore = test::rmsDb(bent, at(0.9), at(1.0));
  const double levelAfter = test::rmsDb(bent, at(1.2), at(1.3));
  const double expectedDrop =
      test::rmsDb(unbent, at(0.9), at(1.0)) - test::rmsDb(unbent, at(1.2), at(1.3));
  MESSAGE("after the bend: " << cents << " cents from B4; level " << levelBefore << " -> "
                             << levelAfter << " dB");
  CHECK(std::fabs(cents) <= 1.0);
  CHECK(std::fabs((levelBefore - levelAfter) - expectedDrop) <= 1.0);
  CHECK(test::largestStep(segment(bent, 0.9, 1.3)) <=
        1.1 * test::largestStep(segment(unbent, 0.9, 1.3)));
}

TEST_CASE("crystal: 60 s of random notes, controllers and parameters stay finite and bounded") {
  CrystalRig rig({{"level", 0.0f}});
  std::mt19937 random(77);
  std::vector<ScheduledEvent> events;
  const auto parameters = kCrystalType.parameters;
  for (double t = 0.0; t < 60.0; t += 0.01) {
    const std::uint64_t frame = at(t);
    const std::uint16_t key = static_cast<std::uint16_t>(random() % 128);
    const float value = static_cast<float>(random() % 1001) / 1000.0f;
    switch (random() % 8) {
      case 0:
      case 1:
        events.push_back(note(frame, rig.crystal, key, value));
        break;
      case 2:
        events.push_back(noteOff(frame, rig.crystal, key));
        break;
      case 3:
        events.push_back(
            {frame, rig.crystal, {0, EventType::kPitchBend, 0, 0, value * 2.0f - 1.0f}});
        break;
      case 4:
        events.push_back({frame,
                          rig.crystal,
                          {0, EventType::kControlChange, 0,
                           static_cast<std::uint16_t>(random() % 2 ? 1 : 64), value}});
        break;
      case 5:
        events.push_back({frame, rig.crystal, {0, EventType::kChannelPressure, 0, 0, value}});
        break;
      default: {
        const std::uint16_t index = static_cast<std::uint16_t>(random() % parameters.size());
        const ParameterDescriptor& d = parameters[index];
        // Anywhere in range, and sometimes far outside it: the edge must clamp.
        const float raw = d.minimum + (d.maximum - d.minimum) * (value * 1.4f - 0.2f);
        events.push_back({frame, rig.crystal, {0, EventType::kParameter, 0, index, raw}});
      }
    }
  }
  const std::vector<float> audio = rig.render(events, 60.0, 512);
  const EngineStats stats = rig.engine.stats();
  MESSAGE("60 s of random play: peak " << test::peakAbs(audio)
                                       << ", non-finite samples at the master "
                                       << stats.nonFiniteSamples);
  CHECK(test::allFinite(audio));
  CHECK(stats.nonFiniteSamples == 0);
  CHECK(test::peakAbs(audio) <= 1.0f);
}

TEST_CASE("crystal: a preset's [[map]] lets CC74 brighten the crystal") {
  const char* text = R"(
format_version = 1
[[node]]
name = "crystal"
type = "crystal"
params = { level = -12.0 }
[[node]]
name = "out"
type = "output"
[[connect]]
from = "crystal.left"
to = "out.left"
[[map]]
source = "cc74"
node = "crystal"
param = "brightness"
min = 0.0
max = 1.0
)";
  auto centroidWith = [&](float controller) {
    const std::vector<float> audio =
        renderPatchText(text,
                        {{0, kInvalidNode, {0, EventType::kControlChange, 0, 74, controller}},
                         note(100, kInvalidNode, 60, 0.7f)},
                        1.0);
    return test::spectralCentroidHz(audio, kRate);
  };
  const double dark = centroidWith(0.0f), bright = centroidWith(1.0f);
  MESSAGE("spectral centroid with CC74 at 0: " << dark << " Hz, at 127: " << bright << " Hz");
  CHECK(bright > 1.5 * dark);
}

TEST_CASE("crystal: the sustain pedal holds a released note until it lifts") {
  auto render = [](bool pedal) {
    CrystalRig rig({{"t60", 6.0f}, {"release", 0.2f}});
    std::vector<ScheduledEvent> events = {note(0, rig.crystal, 69, 0.8f),
                                          noteOff(at(0.5), rig.crystal, 69)};
    if (pedal) {
      events.push_back({at(0.2), rig.crystal, {0, EventType::kControlChange, 0, 64, 1.0f}});
      events.push_back({at(1.5), rig.crystal, {0, EventType::kControlChange, 0, 64, 0.0f}});
    }
    return rig.render(events, 2.5);
  };
  const std::vector<float> pedalled = render(true), dry = render(false);
  const double held = test::rmsDb(pedalled, at(1.3), at(1.4));
  const double damped = test::rmsDb(dry, at(1.3), at(1.4));
  const double lifted = test::rmsDb(pedalled, at(2.2), at(2.3));
  MESSAGE("1.3 s after key-up: " << held << " dB with the pedal, " << damped
                                 << " dB without; after lifting " << lifted << " dB");
  CHECK(held > damped + 40.0);  // released at T60 0.2 s without the pedal, still ringing with it
  CHECK(lifted < held - 40.0);  // lifting the pedal damps it
}

TEST_CASE("crystal: the pedal keeps a bowed note bowed, in tune, until it lifts") {
  CrystalRig rig({{"exciter", 1.0f}, {"release", 0.3f}});
  const std::vector<float> audio =
      rig.render({note(0, rig.crystal, 45, 0.8f),
                  {at(0.2), rig.crystal, {0, EventType::kControlChange, 0, 64, 1.0f}},
                  noteOff(at(0.5), rig.crystal, 45),
                  {at(2.0), rig.crystal, {0, EventType::kControlChange, 0, 64, 0.0f}}},
                 3.0);
  const double keyDown = test::rmsDb(audio, at(0.3), at(0.5)),
               pedalled = test::rmsDb(audio, at(1.7), at(1.9));
  const double lifted = test::rmsDb(audio, at(2.8), at(2.9));
  const double cents = test::centsBetween(
      test::fundamentalHz(segment(audio, 1.0, 2.0), kRate, hzOfKey(45)), hzOfKey(45));
  MESSAGE("bowed A2: " << keyDown << " dB with the key down, " << pedalled
                       << " dB on the pedal 1.2 s after key-up (" << cents << " cents), " << lifted
                       << " dB after the pedal lifts");
  CHECK(std::fabs(pedalled - keyDown) < 3.0);  // still bowed, not a decaying ring
  CHECK(std::fabs(cents) <= 2.0);
  CHECK(lifted < pedalled - 40.0);
}

TEST_CASE("crystal: geometry = custom rings at the preset's own ratio list") {
  const std::vector<float> audio = renderPatchText(R"(
format_version = 1
[[node]]
name = "crystal"
type = "crystal"
params = { geometry = "custom", ratios = [1.0, 2.756, 5.404, 3.9], brightness = 1.0, position = 0.0, level = -12.0 }
[[node]]
name = "out"
type = "output"
[[connect]]
from = "crystal.left"
to = "out.left"
)",
                                                   {note(0, kInvalidNode, 57, 0.9f)}, 1.5);
  const double f0 = hzOfKey(57);
  for (double ratio : {1.0, 2.756, 3.9, 5.404}) {
    const double measured = test::peakNear(segment(audio, 0.05, 1.5), kRate, f0 * ratio, 0.03) / f0;
    CAPTURE(ratio);
    CHECK(std::fabs(measured - ratio) / ratio <= 0.005);
  }
}

TEST_CASE("crystal: drift turns the upper partials slowly around a principal that stays in tune") {
  auto partialAt = [](float drift, double from, double ratio) {
    CrystalRig rig({{"t60", 30.0f}, {"drift", drift}, {"drift_rate", 0.25f}, {"damping", 0.3f}});
    const std::vector<float> audio = rig.render({note(0, rig.crystal, 69, 0.8f)}, 4.0);
    return test::peakNear(segment(audio, from, from + 0.5), kRate, 440.0 * ratio, 0.03);
  };
  // Three eighths of the 4 s drift period apart: the second partial (2.32) has moved, the
  // principal has not.
  const double moved = test::centsBetween(partialAt(10.0f, 1.5, 2.32), partialAt(10.0f, 0.0, 2.32));
  const double principal =
      test::centsBetween(partialAt(10.0f, 1.5, 1.0), partialAt(10.0f, 0.0, 1.0));
  const double still = test::centsBetween(partialAt(0.0f, 1.5, 2.32), partialAt(0.0f, 0.0, 2.32));
  MESSAGE("second partial moved " << moved << " cents with drift 10 (principal " << principal
                                  << " cents), " << still << " cents without");
  CHECK(std::fabs(moved) > 3.0);
  CHECK(std::fabs(principal) < 0.05);
  CHECK(std::fabs(still) < 0.05);
}
