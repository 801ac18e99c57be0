// The choir, measured: tuning, vowel formants, morphing, dynamics, level, block-size
// invariance and safety, all from rendered audio.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>

#include "instruments/orchestra/section_node.hpp"
#include "instruments/orchestra/vowel_table.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/engine.hpp"
#include "support/direct_node_render.hpp"
#include "support/engine_render.hpp"
#include "support/ensemble_pitch.hpp"
#include "support/formant_envelope.hpp"
#include "support/random_play.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"
#include "support/units.hpp"

using namespace reverie;
using test::at;
using test::hzOfKey;
using test::noteAt;
using test::noteOffAt;
using test::segment;

namespace {

constexpr double kRate = test::kTestRate;

/// A choir node on its own: its raw output, no master limiter.
struct ChoirRig : test::RigOf<kChoirType, 3> {
  using RigOf::RigOf;
  /// Left plus right.
  std::vector<float> renderMono(std::vector<test::TimedEvent> events, double seconds) {
    return test::channelSum(render(std::move(events), seconds));
  }
};

int parameterIndex(const char* id) {
  return findParameter(kChoirType.parameters, id);
}

/// F1 and F2 read off the harmonics of four low notes (110 to 131 Hz) sung with `parameters`:
/// the pooled points sample the envelope every 30 Hz or so, where one note would give 110 Hz.
/// A pulse train's harmonics at a given frequency grow with f0, so each note's levels are
/// taken relative to 20 log10(f0) before pooling. The search starts at 250 Hz, the lowest F1
/// in the table: below it lie only the first harmonics, shaped by the source, not the vowel.
std::vector<double> formantPeaks(std::initializer_list<std::pair<const char*, float>> parameters) {
  std::vector<test::HarmonicLevel> pooled;
  for (int key = 45; key <= 48; ++key) {
    ChoirRig rig(parameters);
    const std::vector<float> audio = rig.renderMono({noteAt(0, key, 0.8f)}, 2.5);
    for (test::HarmonicLevel h :
         test::harmonicLevels(segment(audio, 0.5, 2.5), kRate, hzOfKey(key), 4000.0)) {
      if (h.frequencyHz < 250.0) continue;
      h.levelDb -= 20.0 * std::log10(hzOfKey(key));
      pooled.push_back(h);
    }
  }
  return test::envelopePeaksHz(pooled, 20.0, 1.5);
}

}  // namespace

TEST_CASE("choir: with vibrato and jitter off the section centres within 2 cents of 12-TET") {
  // Three singers detuned +-8 cents beat too slowly for the fundamental to show one peak: their
  // centre is the mean of their partials near 1 kHz, where they stand apart.
  double worstEnsemble = 0.0, worstSolo = 0.0;
  for (int key = 43; key <= 85; key += 6) {
    ChoirRig ensemble({{"vibrato", 0.0f}, {"jitter", 0.0f}});
    const std::vector<float> chorus = ensemble.renderMono({noteAt(0, key, 0.8f)}, 2.5);
    const double centre = test::centsBetween(
        test::ensembleCentreHz(segment(chorus, 0.5, 2.5), kRate, hzOfKey(key)), hzOfKey(key));
    ChoirRig solo({{"vibrato", 0.0f}, {"jitter", 0.0f}, {"singers", 1.0f}});
    const std::vector<float> single = solo.renderMono({noteAt(0, key, 0.8f)}, 1.5);
    const double fundamental = test::centsBetween(
        test::fundamentalHz(segment(single, 0.3, 1.5), kRate, hzOfKey(key)), hzOfKey(key));
    CAPTURE(key);
    CHECK(std::fabs(centre) <= 2.0);
    CHECK(std::fabs(fundamental) <= 2.0);
    worstEnsemble = std::max(worstEnsemble, std::fabs(centre));
    worstSolo = std::max(worstSolo, std::fabs(fundamental));
  }
  MESSAGE("largest tuning error over keys 43..85: 3 singers' centre (detune 8) "
          << worstEnsemble << " cents; one singer's fundamental " << worstSolo << " cents");
}

TEST_CASE("choir: jitter wanders around the note by a few cents, centred on it") {
  // One singer at A3, no breath noise in the band: the mean frequency of its 5th harmonic over
  // 0.25 s windows.
  auto wander = [](float jitter) {
    ChoirRig rig({{"vibrato", 0.0f}, {"jitter", jitter}, {"singers", 1.0f}, {"breath", 0.0f}});
    const std::vector<float> audio = rig.renderMono({noteAt(0, 57, 0.8f)}, 8.5);
    const double harmonic = 5.0 * hzOfKey(57);
    std::vector<double> cents;
    for (double t = 0.5; t + 0.25 <= 8.5; t += 0.25)
      cents.push_back(test::centsBetween(test::meanFrequencyHz(segment(audio, t, t + 0.25), kRate,
                                                               harmonic - 60.0, harmonic + 60.0),
                                         harmonic));
    double mean = 0.0, spread = 0.0;
    for (double c : cents) mean += c / static_cast<double>(cents.size());
    for (double c : cents) spread += (c - mean) * (c - mean) / static_cast<double>(cents.size());
    return std::make_pair(mean, std::sqrt(spread));
  };
  const auto [meanOn, spreadOn] = wander(3.0f);
  const auto [meanOff, spreadOff] = wander(0.0f);
  MESSAGE("jitter 3 cents: windows' mean " << meanOn << " cents, spread " << spreadOn
                                           << " cents; jitter 0: mean " << meanOff << ", spread "
                                           << spreadOff);
  CHECK(std::fabs(meanOn) <= 1.0);
  CHECK(spreadOn >= 0.5);
  CHECK(spreadOn <= 4.0);
  CHECK(spreadOff <= 0.05);
}

TEST_CASE("choir: ah, oh and oo have envelope peaks within 10% of the table's F1 and F2") {
  using orchestra::kFormantTable;
  const std::string vowels[] = {"ah", "oh", "oo"};
  const std::string registers[] = {"soprano", "alto", "tenor", "bass"};
  // register = mixed gives keys 45-48 the bass formants; register = soprano, the soprano's.
  for (const auto& [chosen, table] : {std::pair{0.0f, orchestra::VoiceRegister::kBass},
                                      std::pair{1.0f, orchestra::VoiceRegister::kSoprano}}) {
    for (int vowel = 0; vowel < 3; ++vowel) {
      const std::vector<double> peaks = formantPeaks(
          {{"vowel", static_cast<float>(vowel)}, {"register", chosen}, {"vibrato", 0.0f}});
      const auto& formants = kFormantTable[static_cast<int>(table)][vowel];
      const double f1 = formants[0].frequencyHz, f2 = formants[1].frequencyHz;
      REQUIRE(peaks.size() >= 2);
      MESSAGE(vowels[vowel] << " (" << registers[static_cast<int>(table)]
                            << " set, keys 45-48): F1 measured " << peaks[0] << " Hz, table " << f1
                            << " Hz; F2 measured " << peaks[1] << " Hz, table " << f2 << " Hz");
      CAPTURE(vowel);
      CAPTURE(chosen);
      CHECK(std::fabs(peaks[0] / f1 - 1.0) <= 0.10);
      CHECK(std::fabs(peaks[1] / f2 - 1.0) <= 0.10);
    }
  }
}

TEST_CASE("choir: morph halfway from ah to oo puts F1 and F2 halfway between") {
  using orchestra::kFormantTable;
  const int bass = static_cast<int>(orchestra::VoiceRegister::kBass);
  const auto ah = kFormantTable[bass][static_cast<int>(orchestra::Vowel::kAh)];
  const auto oo = kFormantTable[bass][static_cast<int>(orchestra::Vowel::kOo)];
  const double f1 = 0.5 * (ah[0].frequencyHz + oo[0].frequencyHz),
               f2 = 0.5 * (ah[1].frequencyHz + oo[1].frequencyHz);
  const std::vector<double> peaks =
      formantPeaks({{"vowel", 0.0f}, {"morph_to", 2.0f}, {"morph", 0.5f}, {"vibrato", 0.0f}});
  REQUIRE(peaks.size() >= 2);
  MESSAGE("ah-oo at morph 0.5: F1 " << peaks[0] << " Hz (expected " << f1 << "), F2 " << peaks[1]
                                    << " Hz (expected " << f2 << ")");
  CHECK(std::fabs(peaks[0] / f1 - 1.0) <= 0.10);
  CHECK(std::fabs(peaks[1] / f2 - 1.0) <= 0.10);
}

TEST_CASE(
    "choir: rising dynamics (CC1) make the choir louder and brighter; expression (CC11) only "
    "louder") {
  double previousRms = -1e9, previousCentroid = 0.0;
  for (float dynamics : {0.1f, 0.4f, 0.7f, 1.0f}) {
    ChoirRig rig({});
    const std::vector<float> audio = rig.renderMono(
        {test::controllerAt(0, 1, dynamics), noteAt(0, 57, 0.8f), noteAt(0, 64, 0.8f)}, 1.5);
    const double rms = test::rmsDb(audio, at(0.5), at(1.5));
    const double centroid = test::spectralCentroidHz(segment(audio, 0.5, 1.5), kRate);
    MESSAGE("dynamics " << dynamics << ": RMS " << rms << " dB, centroid " << centroid << " Hz");
    CAPTURE(dynamics);
    CHECK(rms > previousRms + 2.0);
    CHECK(centroid > previousCentroid * 1.05);
    previousRms = rms;
    previousCentroid = centroid;
  }
  // Expression (CC11) is a fader: gain x^2, so half way is -12 dB, and the tone stays.
  auto level = [](float expression) {
    ChoirRig rig({});
    const std::vector<float> audio = rig.renderMono(
        {test::controllerAt(0, 11, expression), noteAt(0, 57, 0.8f), noteAt(0, 64, 0.8f)}, 1.5);
    return std::make_pair(test::rmsDb(audio, at(0.5), at(1.5)),
                          test::spectralCentroidHz(segment(audio, 0.5, 1.5), kRate));
  };
  const auto [full, fullCentroid] = level(1.0f);
  const auto [half, halfCentroid] = level(0.5f);
  MESSAGE("expression 1: RMS " << full << " dB; expression 0.5: " << half << " dB (centroid "
                               << fullCentroid << " -> " << halfCentroid << " Hz)");
  CHECK(std::fabs((full - half) - 12.04) <= 0.5);
  CHECK(std::fabs(halfCentroid / fullCentroid - 1.0) <= 0.02);
}

TEST_CASE(
    "choir: breath adds aspiration noise, 6 dB under the voice at 1 and about 22 dB at 0.15") {
  // Breath changes nothing else (not even the random streams), so the difference of two renders
  // is the breath alone.
  ChoirRig dry({{"breath", 0.0f}, {"vibrato", 0.0f}});
  const std::vector<float> voice = dry.renderMono({noteAt(0, 57, 0.8f)}, 2.0);
  const double voiceDb = test::rmsDb(voice, at(0.5), at(2.0));
  double previous = -1e9;
  for (float breath : {0.15f, 0.5f, 1.0f}) {
    ChoirRig rig({{"breath", breath}, {"vibrato", 0.0f}});
    std::vector<float> noise = rig.renderMono({noteAt(0, 57, 0.8f)}, 2.0);
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] -= voice[i];
    const double relative = test::rmsDb(noise, at(0.5), at(2.0)) - voiceDb;
    MESSAGE("breath " << breath << ": aspiration " << relative << " dB against the voiced sound");
    CAPTURE(breath);
    CHECK(relative > previous + 3.0);
    if (breath == 0.15f) CHECK(std::fabs(relative + 22.0) <= 3.0);
    if (breath == 1.0f) CHECK(std::fabs(relative + 6.0) <= 3.0);
    previous = relative;
  }
}

TEST_CASE(
    "choir: one voice at full dynamics peaks at -12..-6 dBFS; a six-note chord stays under 0 "
    "dBFS") {
  ChoirRig solo({{"dynamics", 1.0f}});
  const test::Stereo one = solo.render({noteAt(0, 57, 1.0f)}, 2.0);
  const double onePeakDb =
      20.0 * std::log10(std::max(test::peakAbs(one.left), test::peakAbs(one.right)));
  ChoirRig tutti({{"dynamics", 1.0f}});
  std::vector<test::TimedEvent> chord;
  for (int key : {43, 50, 55, 59, 62, 67}) chord.push_back(noteAt(0, key, 1.0f));
  const test::Stereo six = tutti.render(chord, 2.0);
  const double sixPeakDb =
      20.0 * std::log10(std::max(test::peakAbs(six.left), test::peakAbs(six.right)));
  MESSAGE("one voice peaks at " << onePeakDb << " dBFS, a six-note chord at " << sixPeakDb
                                << " dBFS");
  CHECK(onePeakDb >= -12.0);
  CHECK(onePeakDb <= -6.0);
  CHECK(sixPeakDb < 0.0);
}

TEST_CASE("choir: a released voice ends within its release time and frees its slot") {
  ChoirRig rig({{"release", 0.5f}});
  auto* section = dynamic_cast<orchestra::SectionNode*>(rig.node.get());
  REQUIRE(section != nullptr);
  const std::vector<float> audio =
      rig.renderMono({noteAt(0, 60, 0.8f), noteOffAt(at(1.0), 60)}, 2.0);
  const double held = test::rmsDb(audio, at(0.8), at(1.0));
  const double after = test::rmsDb(audio, at(1.45), at(1.5));
  MESSAGE("held " << held << " dB, 0.45 s after release " << after
                  << " dB; voices sounding at 2 s: " << section->soundingVoices());
  CHECK(after < held - 45.0);
  CHECK(section->soundingVoices() == 0);
}

TEST_CASE("choir: any block size renders the same samples; a seed repeats, another differs") {
  std::vector<test::TimedEvent> events;
  for (int i = 0; i < 10; ++i)
    events.push_back(noteAt(at(0.07 * i) + 5, 48 + 3 * i, 0.5f + 0.05f * i));
  events.push_back(noteOffAt(at(0.5), 51));
  events.push_back(test::controllerAt(at(0.3) + 11, 1, 0.9f));
  events.push_back(test::parameterAt(at(0.4) + 3, parameterIndex("morph"), 1.0f));
  events.push_back({at(0.6) + 1, {0, EventType::kPitchBend, 0, 0, 0.4f}});
  auto run = [&](int block, std::uint64_t seed) {
    ChoirRig rig({{"voices", 8.0f}}, seed);  // 10 notes on 8 voices: stealing too
    return rig.render(events, 1.2, block).left;
  };
  const std::vector<float> reference = run(64, 3);
  CHECK(reference == run(1000, 3));
  CHECK(reference == run(1, 3));
  std::mt19937 sizes(9);
  ChoirRig jagged({{"voices", 8.0f}}, 3);
  const std::vector<float> irregular =
      test::renderNodeDirect(*jagged.node, events, static_cast<std::size_t>(1.2 * kRate), [&] {
        return 1 + static_cast<int>(sizes() % 700);
      }).left;
  CHECK(reference == irregular);
  const std::vector<float> other = run(64, 4);
  double difference = 0.0;
  for (std::size_t i = 0; i < reference.size(); ++i)
    difference = std::max(difference, static_cast<double>(std::fabs(reference[i] - other[i])));
  MESSAGE("largest sample difference between seeds 3 and 4: " << difference << " (peak "
                                                              << test::peakAbs(reference) << ")");
  CHECK(difference > 0.01 * test::peakAbs(reference));
}

TEST_CASE("choir: plays by its type name through the engine, every sample finite") {
  test::OneNodeEngine solo("choir", 2);
  Engine& engine = solo.engine;
  const NodeId choir = solo.node;
  std::vector<ScheduledEvent> events;
  for (int key : {48, 55, 60, 64}) events.push_back(test::note(0, choir, key, 0.8f));
  const test::Stereo audio = test::renderBlocks(engine, events, at(1.5), [] { return 256; });
  const double rms = test::rmsDb(audio.left, at(0.5), at(1.5));
  MESSAGE("a chord through the engine: RMS " << rms << " dB, non-finite samples "
                                             << engine.stats().nonFiniteSamples);
  CHECK(rms > -40.0);
  CHECK(engine.stats().nonFiniteSamples == 0);
}

TEST_CASE("choir: 60 s of random notes, controllers and parameters stay finite and bounded") {
  ChoirRig rig({});
  const std::vector<test::TimedEvent> events =
      test::randomPlay(kChoirType.parameters, {.seed = 77});
  const test::Stereo audio = rig.render(events, 60.0, 512);
  const float peak = std::max(test::peakAbs(audio.left), test::peakAbs(audio.right));
  auto* section = dynamic_cast<orchestra::SectionNode*>(rig.node.get());
  MESSAGE("60 s of random play: raw peak " << peak << " (" << 20.0 * std::log10(peak)
                                           << " dBFS), most voices sounding at once "
                                           << section->mostSoundingVoices());
  CHECK(test::allFinite(audio.left));
  CHECK(test::allFinite(audio.right));
  // Level may be +12 dB and 64 voices may sound: bounded, not necessarily under full scale.
  CHECK(peak <= 8.0f);
  CHECK(peak > 0.0f);
}
