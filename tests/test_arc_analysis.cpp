// The tools the arc's acceptance tests listen with — key, roughness, onset rate, loudness,
// noisiness and a tension estimate — checked on synthetic music whose answers are known.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "support/chroma.hpp"
#include "support/key_estimate.hpp"
#include "support/scene_features.hpp"
#include "support/tension_estimate.hpp"
#include "support/test_signals.hpp"
#include "support/units.hpp"

using namespace reverie::test;

namespace {

constexpr double kRate = kTestRate;

/// Adds a harmonic tone to `out` from `startSeconds` for `seconds`: partial k at k f0 with
/// amplitude `amplitude` / k (a saw's spectrum when `partials` reaches Nyquist), a 10 ms attack
/// and a 50 ms release. The partials are complex phasors turned once per sample, so a chord
/// of saws costs a few multiplications per partial and sample.
void addTone(std::vector<float>& out, double startSeconds, double seconds, double frequencyHz,
             double amplitude, int partials) {
  const std::size_t start = nearestFrame(startSeconds), length = nearestFrame(seconds);
  if (out.size() < start + length) out.resize(start + length, 0.0f);
  const int audible = std::min(partials, static_cast<int>(0.45 * kRate / frequencyHz));
  std::vector<double> envelope(length);
  for (std::size_t n = 0; n < length; ++n) {
    const double t = static_cast<double>(n) / kRate;
    envelope[n] = amplitude * std::min({1.0, t / 0.01, (seconds - t) / 0.05});
  }
  for (int k = 1; k <= audible; ++k) {
    const std::complex<double> turn =
        std::polar(1.0, 2.0 * std::numbers::pi * k * frequencyHz / kRate);
    std::complex<double> phasor = std::polar(1.0 / k, 0.7 * k);  // spread the partials' phases
    for (std::size_t n = 0; n < length; ++n) {
      out[start + n] += static_cast<float>(envelope[n] * phasor.imag());
      phasor *= turn;
    }
  }
}

/// Chords of harmonic tones (six partials), one a second.
std::vector<float> progression(const std::vector<std::vector<int>>& chords) {
  std::vector<float> out;
  for (std::size_t c = 0; c < chords.size(); ++c) {
    for (const int note : chords[c]) {
      addTone(out, static_cast<double>(c), 1.0, hzOfKey(note), 0.1, 6);
    }
  }
  return out;
}

/// "D major r=0.97, runner-up D minor r=0.60": the best-fitting key and the next best.
std::string describe(const std::array<double, 12>& profile) {
  const KeyEstimate key = estimateKey(profile);
  const std::array<double, 24> correlations = keyCorrelations(profile);
  std::size_t runnerUp = key.minor ? 0 : 12;
  for (std::size_t k = 0; k < 24; ++k) {
    const bool isBest = static_cast<int>(k % 12) == key.tonic && (k >= 12) == key.minor;
    if (!isBest && correlations[k] > correlations[runnerUp]) runnerUp = k;
  }
  return keyName(key.tonic, key.minor) + " r=" + std::to_string(key.correlation) + ", runner-up " +
         keyName(static_cast<int>(runnerUp % 12), runnerUp >= 12) +
         " r=" + std::to_string(correlations[runnerUp]);
}

/// Saw tones (all partials to 0.45 sr) on MIDI `notes`, each of amplitude `amplitude`.
std::vector<float> sawChord(const std::vector<int>& notes, double seconds, double amplitude) {
  std::vector<float> out;
  for (const int note : notes) addTone(out, 0.0, seconds, hzOfKey(note), amplitude, 1000);
  return out;
}

/// A crowd clapping: `clapsPerSecond` claps at Poisson times, each a white-noise burst with a
/// 6 ms decay, part raw (the crack) and part through a two-pole resonance of Q 1.5 between 0.7
/// and 3.2 kHz (the spectra of Repp, "The sound of two hands clapping", JASA 81(4), 1987).
std::vector<float> applause(double seconds, double clapsPerSecond, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<float> out(nearestFrame(seconds), 0.0f);
  for (double t = 0.0; t < seconds; t += -std::log(1.0 - unit(random)) / clapsPerSecond) {
    const double centreHz = 700.0 + 2500.0 * unit(random), loudness = 0.2 + 0.8 * unit(random);
    const double radius = std::exp(-std::numbers::pi * centreHz / 1.5 / kRate);
    const double a1 = 2.0 * radius * std::cos(2.0 * std::numbers::pi * centreHz / kRate);
    const double a2 = -radius * radius;
    double x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0;
    const std::size_t start = nearestFrame(t);
    for (std::size_t n = 0; n < nearestFrame(0.04) && start + n < out.size(); ++n) {
      const double x = loudness * std::exp(-static_cast<double>(n) / (0.006 * kRate)) *
                       (2.0 * unit(random) - 1.0);
      // Zeros at DC and Nyquist, as a band-pass resonator has.
      const double y = (1.0 - radius) * (x - x2) + a1 * y1 + a2 * y2;
      x2 = x1, x1 = x, y2 = y1, y1 = y;
      out[start + n] += static_cast<float>(0.05 * (0.3 * x + 2.0 * y));
    }
  }
  return out;
}

std::vector<float> scaled(std::vector<float> signal, double gain) {
  for (float& x : signal) x = static_cast<float>(x * gain);
  return signal;
}

std::vector<float> join(std::vector<float> first, const std::vector<float>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

/// `seconds` of soft, sparse, consonant music: a C major arpeggio of harmonic tones, one note a
/// second, each ringing for its second, over a quiet sustained fifth.
std::vector<float> calmPart(double seconds, double amplitude) {
  std::vector<float> out(nearestFrame(seconds), 0.0f);
  const std::array<int, 4> arpeggio = {60, 64, 67, 72};
  for (int i = 0; i < static_cast<int>(seconds); ++i) {
    addTone(out, i, 1.0, hzOfKey(arpeggio[static_cast<std::size_t>(i) % 4]), amplitude, 8);
  }
  addTone(out, 0.0, seconds, hzOfKey(48), 0.5 * amplitude, 8);
  addTone(out, 0.0, seconds, hzOfKey(55), 0.5 * amplitude, 8);
  out.resize(nearestFrame(seconds));
  return out;
}

/// `seconds` of dense, rough music: eight short notes a second drawn from a semitone cluster
/// (C5..F5), over the cluster C4..F4 held throughout.
std::vector<float> turbulentPart(double seconds, double amplitude, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<float> out(nearestFrame(seconds), 0.0f);
  for (int note = 60; note <= 65; ++note) addTone(out, 0.0, seconds, hzOfKey(note), amplitude, 8);
  for (double t = 0.0; t + 0.2 <= seconds; t += 0.125) {
    addTone(out, t, 0.2, hzOfKey(72 + static_cast<int>(random() % 6)), 1.5 * amplitude, 8);
  }
  out.resize(nearestFrame(seconds));
  return out;
}

/// The mean of values[j] over the windows whose centre lies in [fromSeconds, toSeconds).
double meanBetween(const TensionTrack& track, const std::vector<double>& values, double fromSeconds,
                   double toSeconds) {
  double sum = 0.0;
  int count = 0;
  for (std::size_t j = 0; j < track.seconds.size(); ++j) {
    if (track.seconds[j] < fromSeconds || track.seconds[j] >= toSeconds) continue;
    sum += values[j];
    ++count;
  }
  return count > 0 ? sum / count : std::nan("");
}

}  // namespace

TEST_CASE("Key: a chroma shaped like a key profile reads that key at r = 1; flat reads 0") {
  // Krumhansl's minor profile, turned to start on E (class 4).
  const std::array<double, 12> minorProfile = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                                               2.54, 4.75, 3.98, 2.69, 3.34, 3.17};
  std::array<double, 12> eMinor{};
  for (std::size_t p = 0; p < 12; ++p) eMinor[(p + 4) % 12] = minorProfile[p];
  const KeyEstimate key = estimateKey(eMinor);
  CHECK(key.tonic == 4);
  CHECK(key.minor);
  CHECK(key.correlation == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(keyName(key.tonic, key.minor) == "E minor");
  CHECK(keyName(8, false) == "G# major");

  std::array<double, 12> flat{};
  flat.fill(1.0 / 12.0);
  for (const double r : keyCorrelations(flat)) CHECK(r == 0.0);
  for (const double r : keyCorrelations(std::array<double, 12>{})) CHECK(r == 0.0);
}

TEST_CASE("Key: I-IV-V-I in D major and G# major and i-iv-V-i in A minor read their keys") {
  struct Case {
    const char* name;
    std::vector<std::vector<int>> chords;
    int tonic;
    bool minor;
  };
  const std::vector<Case> cases = {
      {"D major",
       {{50, 62, 66, 69}, {43, 62, 67, 71}, {45, 61, 64, 69}, {50, 62, 66, 69}},
       2,
       false},
      {"G# major",
       {{44, 60, 63, 68}, {49, 61, 65, 68}, {51, 63, 67, 70}, {44, 60, 63, 68}},
       8,
       false},
      {"A minor",
       {{45, 60, 64, 69}, {50, 62, 65, 69}, {40, 59, 64, 68}, {45, 60, 64, 69}},
       9,
       true},
  };
  for (const Case& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    const std::array<double, 12> profile = chroma(progression(c.chords), kRate);
    const KeyEstimate key = estimateKey(profile);
    MESSAGE(name << " progression: " << describe(profile));
    CHECK(key.tonic == c.tonic);
    CHECK(key.minor == c.minor);
    CHECK(key.correlation > 0.8);
  }
}

TEST_CASE("Key: a chromatic cluster fits no key well") {
  std::vector<int> twelve, five = {60, 61, 62, 63, 64};
  for (int note = 60; note < 72; ++note) twelve.push_back(note);
  for (const auto& cluster : {twelve, five}) {
    const std::array<double, 12> profile = chroma(progression({cluster, cluster}), kRate);
    MESSAGE(cluster.size() << "-note cluster: " << describe(profile));
    // Tonal progressions read r > 0.8 (above); a flat-ish chroma's best fit is chance.
    CHECK(estimateKey(profile).correlation < 0.45);
  }
}

TEST_CASE("Roughness: noise and applause read far smoother than a saw cluster, a triad between") {
  const double triad = normalizedRoughness(sawChord({60, 64, 67}, 3.0, 0.2), kRate);
  const double cluster = normalizedRoughness(sawChord({60, 61, 62, 63, 64, 65}, 3.0, 0.2), kRate);
  const double sine = normalizedRoughness(reverie::test::sine(440.0, 3.0, kRate, 0.5), kRate);
  const double noise = normalizedRoughness(whiteNoise(3.0, kRate, 0.1, 11), kRate);
  const double crowd = normalizedRoughness(applause(3.0, 300.0, 12), kRate);
  const double fewClappers = normalizedRoughness(applause(3.0, 20.0, 13), kRate);
  MESSAGE("normalized roughness: saw cluster C4-F4 "
          << cluster << ", C major triad of saws " << triad << ", sine " << sine << ", white noise "
          << noise << ", applause (300 claps/s) " << crowd << ", (20 claps/s) " << fewClappers);
  CHECK(cluster > 2.0 * triad);
  CHECK(triad > 0.01);
  CHECK(sine < 1e-3);
  CHECK(noise < 0.02 * cluster);
  CHECK(crowd < 0.02 * cluster);
  CHECK(fewClappers < 0.02 * cluster);
  CHECK(normalizedRoughness(std::vector<float>(nearestFrame(2.0), 0.0f), kRate) == 0.0);
}

TEST_CASE("Roughness: two equal sines at the curve's peak read half its maximum") {
  // Sethares' curve peaks 25.80 Hz above 440 Hz at d = 0.1807 a1 a2 (test_audio_analysis.cpp);
  // divided by a1^2 + a2^2 = 2 a^2 that is 0.0903, whatever a is.
  const double ratio = 3.5 / 5.75;
  const double curveMaximum = std::pow(ratio, 3.5 / 2.25) - std::pow(ratio, 5.75 / 2.25);
  const std::vector<float> pair =
      mix(reverie::test::sine(440.0, 2.0, kRate, 0.3), reverie::test::sine(465.8, 2.0, kRate, 0.3));
  const double measured = normalizedRoughness(pair, kRate);
  MESSAGE("two sines 25.8 Hz apart: " << measured << ", expected " << 0.5 * curveMaximum);
  CHECK(measured == doctest::Approx(0.5 * curveMaximum).epsilon(0.03));
}

TEST_CASE("Roughness: the same at 40 dB less and over a third of the length") {
  const std::vector<float> cluster = sawChord({60, 61, 62, 63, 64, 65}, 4.5, 0.2);
  const double full = normalizedRoughness(cluster, kRate);
  const double quiet = normalizedRoughness(scaled(cluster, 0.01), kRate);
  const double part = normalizedRoughness(std::span(cluster).first(nearestFrame(1.5)), kRate);
  // A rest after the music: the silent frames neither count nor dilute.
  const double withRest =
      normalizedRoughness(join(cluster, std::vector<float>(nearestFrame(3.0), 0.0f)), kRate);
  MESSAGE("cluster " << full << ", 40 dB quieter " << quiet << ", first 1.5 s " << part
                     << ", followed by 3 s of silence " << withRest);
  CHECK(quiet == doctest::Approx(full).epsilon(0.01));
  CHECK(part == doctest::Approx(full).epsilon(0.1));
  CHECK(withRest == doctest::Approx(full).epsilon(0.1));
}

TEST_CASE("Scene features: onset rate, loudness and flatness of known signals") {
  // Onsets: a note every 0.25 s for 6 s.
  std::vector<float> notes;
  for (int i = 0; i < 24; ++i) addTone(notes, 0.25 * i, 0.2, hzOfKey(60 + i % 7), 0.2, 6);
  notes.resize(nearestFrame(6.0), 0.0f);
  const double rate = onsetRate(notes, kRate);
  const double steadyRate = onsetRate(sawChord({60, 64, 67}, 6.0, 0.1), kRate);
  MESSAGE("onset rate: 4 notes/s reads " << rate << "/s; a held triad " << steadyRate << "/s");
  CHECK(rate == doctest::Approx(4.0).epsilon(0.05));
  CHECK(steadyRate < 0.5);
  CHECK(onsetRate({}, kRate) == 0.0);

  // Loudness: BS.1770 puts a 1 kHz sine of amplitude 1 in one channel at -3.01 LUFS.
  const double sineLufs = loudnessLufs(reverie::test::sine(1000.0, 3.0, kRate, 0.1), kRate);
  const std::vector<float> stereoSine = [] {
    const std::vector<float> mono = reverie::test::sine(1000.0, 3.0, kRate, 0.1);
    std::vector<float> stereo;
    for (const float x : mono) stereo.insert(stereo.end(), {x, x});
    return stereo;
  }();
  const double stereoLufs = loudnessLufs(stereoSine, kRate, 2);
  MESSAGE("1 kHz sine at -20 dBFS: " << sineLufs << " LUFS mono, " << stereoLufs
                                     << " LUFS in both channels");
  CHECK(sineLufs == doctest::Approx(-23.01).epsilon(0.005));
  CHECK(stereoLufs == doctest::Approx(sineLufs + 3.01).epsilon(0.005));
  CHECK(loudnessLufs(std::vector<float>(nearestFrame(2.0), 0.0f), kRate) == -70.0);
  const std::vector<float> mono = monoMix(stereoSine, 2);
  CHECK(mono.size() == nearestFrame(3.0));
  CHECK(mono[100] == stereoSine[200]);

  // Flatness: noise and applause against tones.
  const double noiseFlatness = flatness(whiteNoise(3.0, kRate, 0.1, 21), kRate);
  const double crowdFlatness = flatness(applause(3.0, 300.0, 22), kRate);
  const double chordFlatness = flatness(sawChord({60, 61, 62, 63, 64, 65}, 3.0, 0.2), kRate);
  MESSAGE("flatness: white noise " << noiseFlatness << ", applause " << crowdFlatness
                                   << ", saw cluster " << chordFlatness);
  CHECK(noiseFlatness == doctest::Approx(0.56).epsilon(0.05));
  CHECK(crowdFlatness > 10.0 * chordFlatness);
}

TEST_CASE("Tension: pearson and z-scores on known series") {
  const std::vector<double> ramp = {1, 2, 3, 4, 5};
  const std::vector<double> falling = {10, 8, 6, 4, 2};
  const std::vector<double> vee = {2, 1, 0, 1, 2};
  CHECK(pearson(ramp, ramp) == doctest::Approx(1.0));
  CHECK(pearson(ramp, falling) == doctest::Approx(-1.0));
  CHECK(pearson(ramp, vee) == doctest::Approx(0.0));
  CHECK(std::isnan(pearson(ramp, std::vector<double>{1, 2})));
  CHECK(std::isnan(pearson(ramp, std::vector<double>(5, 3.0))));
  const std::vector<double> z = zScores(ramp);
  CHECK(z[0] == doctest::Approx(-std::sqrt(2.0)));
  CHECK(z[2] == doctest::Approx(0.0));
  for (const double value : zScores(std::vector<double>(4, 7.0))) CHECK(value == 0.0);
}

TEST_CASE("Tension: calm, turbulent, calm rises and falls with the script, not its reverse") {
  // 15 s calm and soft, 15 s loud, rough and dense, 30 s calm and soft again.
  const std::vector<float> piece =
      join(join(calmPart(15.0, 0.03), turbulentPart(15.0, 0.08, 31)), calmPart(30.0, 0.03));
  const TensionTrack track = estimateTension(piece, kRate);
  REQUIRE(track.seconds.size() == 58);  // 3 s windows every second over 60 s
  CHECK(track.seconds.front() == doctest::Approx(1.5));

  const auto script = [](double t) { return t >= 15.0 && t < 30.0 ? 0.9 : 0.2; };
  std::vector<double> scripted, reversed;
  for (const double t : track.seconds) {
    scripted.push_back(script(t));
    reversed.push_back(script(60.0 - t));
  }
  const double r = pearson(track.estimate, scripted);
  const double rReversed = pearson(track.estimate, reversed);
  const double calm = meanBetween(track, track.estimate, 0.0, 15.0);
  const double turbulent = meanBetween(track, track.estimate, 15.0, 30.0);
  const double calmAgain = meanBetween(track, track.estimate, 30.0, 60.0);
  MESSAGE("mean estimate calm " << calm << ", turbulent " << turbulent << ", calm " << calmAgain
                                << "; r with the script " << r << ", with it reversed "
                                << rReversed);
  MESSAGE("features calm / turbulent: loudness "
          << meanBetween(track, track.loudness, 0.0, 15.0) << " / "
          << meanBetween(track, track.loudness, 15.0, 30.0) << " LUFS, roughness "
          << meanBetween(track, track.roughness, 0.0, 15.0) << " / "
          << meanBetween(track, track.roughness, 15.0, 30.0) << ", onsets "
          << meanBetween(track, track.onsetRate, 0.0, 15.0) << " / "
          << meanBetween(track, track.onsetRate, 15.0, 30.0) << " per s");
  CHECK(turbulent > calm + 1.0);
  CHECK(turbulent > calmAgain + 1.0);
  CHECK(r > 0.9);
  CHECK(rReversed < 0.3);
}

TEST_CASE(
    "Tension: a loud, sparse, consonant part reads calmer than a rough, dense, middling one") {
  // 12 s quiet and calm, 12 s the same calm music 20 dB louder, 12 s a turbulent part between
  // the two in level.
  const std::vector<float> piece =
      join(join(calmPart(12.0, 0.01), calmPart(12.0, 0.1)), turbulentPart(12.0, 0.015, 41));
  const TensionTrack track = estimateTension(piece, kRate);
  const double loudCalm = meanBetween(track, track.estimate, 13.5, 22.5);
  const double turbulent = meanBetween(track, track.estimate, 25.5, 34.5);
  const double loudCalmLufs = meanBetween(track, track.loudness, 13.5, 22.5);
  const double turbulentLufs = meanBetween(track, track.loudness, 25.5, 34.5);
  MESSAGE("loud calm part: " << loudCalmLufs << " LUFS, estimate " << loudCalm
                             << "; turbulent part: " << turbulentLufs << " LUFS, estimate "
                             << turbulent);
  CHECK(loudCalmLufs > turbulentLufs + 6.0);  // the calm part really is the louder
  CHECK(turbulentLufs > meanBetween(track, track.loudness, 1.5, 10.5) + 6.0);
  CHECK(turbulent > loudCalm + 0.5);
}
