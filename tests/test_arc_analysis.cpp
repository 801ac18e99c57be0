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
#include "support/test_signals.hpp"

using namespace reverie::test;

namespace {

constexpr double kRate = 48000.0;

double midiHz(int note) {
  return 440.0 * std::exp2((note - 69) / 12.0);
}

std::size_t at(double seconds) {
  return static_cast<std::size_t>(std::llround(seconds * kRate));
}

/// Adds a harmonic tone to `out` from `startSeconds` for `seconds`: partial k at k f0 with
/// amplitude `amplitude` / k (a saw's spectrum when `partials` reaches Nyquist), a 10 ms attack
/// and a 50 ms release. The partials are complex phasors turned once per sample, so a chord
/// of saws costs a few multiplications per partial and sample.
void addTone(std::vector<float>& out, double startSeconds, double seconds, double frequencyHz,
             double amplitude, int partials) {
  const std::size_t start = at(startSeconds), length = at(seconds);
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
      addTone(out, static_cast<double>(c), 1.0, midiHz(note), 0.1, 6);
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
