// The measurements the tests listen with, checked on signals whose answers are known exactly.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "support/audio_analysis.hpp"

using namespace reverie::test;

namespace {

constexpr double kRate = 48000.0;

// doctest's Approx adds 1 to the scale of its tolerance; measurements need it purely relative.
doctest::Approx within(double expected, double relativeTolerance) {
  return doctest::Approx(expected).epsilon(relativeTolerance).scale(0.0);
}

// A train of short bursts (1 ms attack, 4 ms decay), alternately sine and noise at random
// frequencies and levels, spaced 15-40 ms apart; returns the onset times.
std::vector<double> burstTrain(std::vector<float>& out, int bursts, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> onsets;
  for (double t = 0.05; static_cast<int>(onsets.size()) < bursts;
       t += 0.015 + 0.025 * unit(random)) {
    onsets.push_back(t);
  }
  out.assign(static_cast<std::size_t>((onsets.back() + 0.1) * kRate), 0.0f);
  for (std::size_t i = 0; i < onsets.size(); ++i) {
    const double frequencyHz = 200.0 * std::pow(25.0, unit(random)),
                 amplitude = 0.1 + 0.9 * unit(random);
    const auto start = static_cast<std::size_t>(onsets[i] * kRate);
    for (std::size_t n = 0; n < static_cast<std::size_t>(0.03 * kRate) && start + n < out.size();
         ++n) {
      const double t = static_cast<double>(n) / kRate;
      const double envelope = amplitude * std::min(1.0, t / 0.001) * std::exp(-t / 0.004);
      const double tone =
          i % 2 ? 2.0 * unit(random) - 1.0 : std::sin(2.0 * std::numbers::pi * frequencyHz * t);
      out[start + n] += static_cast<float>(envelope * tone);
    }
  }
  return onsets;
}

}  // namespace

TEST_CASE("The FFT matches a direct DFT, and its inverse undoes it") {
  std::mt19937 random(7);
  std::normal_distribution<double> gaussian;
  std::vector<double> signal(64);
  for (double& x : signal) x = gaussian(random);
  RealFft fft(64);
  std::vector<std::complex<double>> bins(fft.binCount());
  fft.forward(signal, bins);
  double worst = 0.0;
  for (std::size_t k = 0; k < bins.size(); ++k) {
    std::complex<double> direct = 0.0;
    for (std::size_t n = 0; n < 64; ++n) {
      direct += signal[n] * std::polar(1.0, -2.0 * std::numbers::pi * double(k * n) / 64.0);
    }
    worst = std::max(worst, std::abs(direct - bins[k]));
  }
  CHECK(worst < 1e-12);

  std::vector<std::complex<double>> data(1 << 16);
  for (auto& x : data) x = {gaussian(random), gaussian(random)};
  const auto original = data;
  ComplexFft complexFft(data.size());
  complexFft.forward(data);
  complexFft.inverse(data);
  double roundTrip = 0.0;
  for (std::size_t n = 0; n < data.size(); ++n)
    roundTrip = std::max(roundTrip, std::abs(data[n] - original[n]));
  CHECK(roundTrip < 1e-12);
}

TEST_CASE("Windows: a bin-centred sine reads its amplitude; Blackman-Harris leaks under -91 dB") {
  const std::vector<float> tone = sine(kRate * 64 / 4096, 4096 / kRate, kRate, 0.25);
  for (const Window window : {Window::kRectangular, Window::kHann, Window::kBlackmanHarris}) {
    CHECK(magnitudeSpectrum(tone, window, 4096)[64] == within(0.25, 1e-6));
  }
  const std::vector<double> padded = magnitudeSpectrum(tone, Window::kBlackmanHarris, 8 * 4096);
  double leakage = 0.0;  // Beyond the main lobe (+-4 bins of the window = +-32 padded bins).
  for (std::size_t k = 0; k < padded.size(); ++k) {
    if (k + 32 < 8 * 64 || k > 8 * 64 + 32) leakage = std::max(leakage, padded[k]);
  }
  CHECK(20.0 * std::log10(leakage / 0.25) < -91.0);
}

TEST_CASE("Pitch: a 0.5 s sine from 30 Hz to 8 kHz is measured within 0.1 cent and 0.05 dB") {
  double worstCents = 0.0, worstDb = 0.0;
  for (double frequencyHz = 30.0; frequencyHz < 8000.0; frequencyHz *= 1.0913) {
    const std::vector<float> tone = sine(frequencyHz, 0.5, kRate, 0.3, 1.0);
    worstCents = std::max(
        worstCents, std::abs(centsBetween(fundamentalHz(tone, kRate, frequencyHz), frequencyHz)));
    worstDb = std::max(
        worstDb, std::abs(spectralPeaks(tone, kRate, 1)[0].amplitudeDb - 20.0 * std::log10(0.3)));
  }
  MESSAGE("worst pitch error " << worstCents << " cent, level error " << worstDb << " dB");
  CHECK(worstCents < 0.1);
  CHECK(worstDb < 0.05);
  CHECK(centsBetween(880.0, 440.0) == within(1200.0, 1e-12));
  CHECK(std::isnan(fundamentalHz(std::vector<float>(24000, 0.0f), kRate, 440.0)));
}

TEST_CASE("Peaks: partials are found, ordered by level, and absent ones read NaN") {
  const std::vector<float> tone =
      mix(mix(sine(200.0, 1.0, kRate, 0.5), sine(402.0, 1.0, kRate, 0.25)),
          sine(611.0, 1.0, kRate, 0.05));
  const std::vector<Peak> peaks = spectralPeaks(tone, kRate, 10, 60.0);
  REQUIRE(peaks.size() == 3);
  CHECK(peaks[0].frequencyHz == within(200.0, 1e-6));
  CHECK(peaks[1].frequencyHz == within(402.0, 1e-6));
  CHECK(peaks[2].amplitude() == within(0.05, 1e-3));
  CHECK(peakNear(tone, kRate, 400.0, 0.02) / 200.0 == within(2.01, 1e-6));
  CHECK(std::isnan(peakNear(tone, kRate, 800.0, 0.02)));
  CHECK(std::isnan(fundamentalHz(tone, kRate, 300.0)));
}

TEST_CASE("Decay: the T60 of one partial is measured within 2%, beside a louder neighbour") {
  for (const double t60 : {0.5, 2.0, 8.0}) {
    const double seconds = std::max(1.0, 0.75 * t60);
    const std::vector<float> tone = mix(decayingSine(660.0, seconds, kRate, t60, 0.2),
                                        decayingSine(220.0, seconds, kRate, 4.0 * t60, 0.8));
    const double measured = t60OfPartial(tone, kRate, 660.0);
    MESSAGE("T60 " << t60 << " s measured " << measured << " s");
    CHECK(measured == within(t60, 0.02));
  }
  // Low and fast after silence: the lock-in window (133 ms at 30 Hz) spans 80 dB of this
  // decay; once the window clears the onset the slope is exact (fitting from the -5 dB point
  // regardless would read 2.7% long).
  std::vector<float> late(static_cast<std::size_t>(0.2 * kRate), 0.0f);
  const std::vector<float> fast = decayingSine(30.0, 1.0, kRate, 0.1);
  late.insert(late.end(), fast.begin(), fast.end());
  CHECK(t60OfPartial(late, kRate, 30.0) == within(0.1, 0.005));
  // Slow: 18 dB in 6 s, no floor reached; the fit takes what there is.
  CHECK(t60OfPartial(decayingSine(220.0, 6.0, kRate, 20.0), kRate, 220.0) == within(20.0, 0.02));
  const std::vector<float> noisy =
      mix(decayingSine(100.0, 2.0, kRate, 1.0), whiteNoise(2.0, kRate, 1e-3, 5));
  CHECK(t60OfPartial(noisy, kRate, 100.0) == within(1.0, 0.02));
  CHECK(std::isnan(t60OfPartial(sine(440.0, 2.0, kRate), kRate, 440.0)));
}

TEST_CASE("Level: RMS, envelope and sample checks") {
  const std::vector<float> tone = sine(1000.0, 1.0, kRate, 1.0);
  CHECK(rmsDb(tone, 0, tone.size()) == within(-10.0 * std::log10(2.0), 1e-4));
  CHECK(rmsDb(std::vector<float>(100, 0.0f), 0, 100) == -std::numeric_limits<double>::infinity());
  const std::vector<float> decaying = decayingSine(1000.0, 1.0, kRate, 0.6);
  const std::vector<double> envelope = rmsEnvelope(decaying, kRate, 0.01, 0.1);
  REQUIRE(envelope.size() == 10);
  // 0.1 s at 60 dB per 0.6 s is 10 dB per hop.
  CHECK(20.0 * std::log10(envelope[3] / envelope[8]) == within(50.0, 0.01));

  CHECK(peakAbs(tone) == within(1.0, 1e-6));
  // Steps of sin(a n) peak at sin(a) between samples straddling a zero crossing.
  CHECK(largestStep(tone) == within(std::sin(2.0 * std::numbers::pi * 1000.0 / kRate), 1e-4));
  std::vector<float> step(200, 0.0f);
  std::fill(step.begin() + 101, step.end(), 0.5f);
  CHECK(largestStep(step) == 0.5);
  std::vector<float> broken = tone;
  CHECK(allFinite(broken));
  broken[777] = std::numeric_limits<float>::quiet_NaN();
  CHECK_FALSE(allFinite(broken));
  const std::vector<float> stereo = {1, -1, 2, -2, 3, -3};
  CHECK(channel(stereo, 2, 1) == std::vector<float>{-1, -2, -3});
}

TEST_CASE("Spectral shape: centroid and flatness of sines and white noise") {
  const std::vector<float> noise = whiteNoise(2.0, kRate, 0.2, 11);
  CHECK(spectralCentroidHz(sine(1000.0, 2.0, kRate, 0.5), kRate) == within(1000.0, 0.01));
  CHECK(spectralCentroidHz(noise, kRate) == within(kRate / 4, 0.02));
  const std::vector<float> pair = mix(sine(1000.0, 2.0, kRate, 0.3), sine(3000.0, 2.0, kRate, 0.3));
  CHECK(spectralCentroidHz(pair, kRate) == within(2000.0, 0.02));
  // White noise: e^-gamma = 0.5615 for exponentially distributed bin powers.
  CHECK(spectralFlatness(noise, kRate) == within(0.5615, 0.03));
  CHECK(spectralFlatness(sine(1000.0, 2.0, kRate, 0.5), kRate) < 0.01);
}

TEST_CASE("Onsets: 30 bursts 15-40 ms apart are counted and placed; a steady tone has one") {
  for (const std::uint32_t seed : {1u, 2u, 3u}) {
    std::vector<float> train;
    const std::vector<double> truth = burstTrain(train, 30, seed);
    const std::vector<double> found = onsetTimes(train, kRate);
    CHECK(found.size() >= 27);
    CHECK(found.size() <= 33);
    double worstSeconds = 0.0, meanSeconds = 0.0;  // unsigned and signed timing errors
    for (const double t : truth) {
      double nearest = 1.0;
      for (const double f : found) nearest = std::abs(f - t) < std::abs(nearest) ? f - t : nearest;
      worstSeconds = std::max(worstSeconds, std::abs(nearest));
      meanSeconds += nearest / static_cast<double>(truth.size());
    }
    CHECK(worstSeconds < 0.008);
    CHECK(std::abs(meanSeconds) < 0.002);
  }
  CHECK(onsetTimes(sine(440.0, 3.0, kRate, 0.5), kRate).size() <= 1);
  CHECK(onsetTimes(mix(sine(440.0, 3.0, kRate, 0.5), whiteNoise(3.0, kRate, 0.01, 3)), kRate)
            .size() <= 1);
  CHECK(onsetTimes(std::vector<float>(48000, 0.0f), kRate).empty());
}

TEST_CASE("Beating: the rate of two close sines under a decay, within 3%") {
  for (const double beatHz : {1.0, 3.0, 6.0}) {
    std::vector<float> pair =
        mix(sine(440.0, 4.0, kRate, 0.4), sine(440.0 + beatHz, 4.0, kRate, 0.4, 1.0));
    applyDecay(pair, kRate, 6.0);
    const double measured = beatRateHz(pair, kRate, 0.5, 20.0);
    MESSAGE("beat " << beatHz << " Hz measured " << measured << " Hz");
    CHECK(measured == within(beatHz, 0.03));
  }
  // Amplitudes 0.5 and 0.05 modulate the power by 2ab / (a^2 + b^2).
  const Beating weak = measureBeating(
      mix(sine(440.0, 4.0, kRate, 0.5), sine(443.0, 4.0, kRate, 0.05)), kRate, 0.5, 20.0);
  CHECK(weak.rateHz == within(3.0, 0.03));
  CHECK(weak.depth == within(0.05 / 0.2525, 0.02));
  CHECK(std::isnan(beatRateHz(decayingSine(440.0, 4.0, kRate, 3.0), kRate, 0.5, 20.0)));
}

TEST_CASE("Roughness: minor second > fifth > single sine; chroma of a C major triad") {
  const std::vector<float> single = sine(440.0, 1.0, kRate, 0.5);
  const double minorSecond = roughness(mix(single, sine(466.16, 1.0, kRate, 0.5)), kRate);
  const double fifth = roughness(mix(single, sine(660.0, 1.0, kRate, 0.5)), kRate);
  CHECK(minorSecond > 10.0 * fifth);
  CHECK(fifth > 10.0 * roughness(single, kRate));
  CHECK(pairRoughness({440.0, 0.0}, {440.0, 0.0}) == 0.0);
  // The curve peaks at df = ln(b2 / b1) / ((b2 - b1) s), s = 0.24 / (0.0207 f1 + 18.96):
  // 25.80 Hz above 440 Hz, where it is r^(b1 / (b2 - b1)) - r^(b2 / (b2 - b1)), r = b1 / b2.
  const double ratio = 3.5 / 5.75;
  const double curveMaximum = std::pow(ratio, 3.5 / 2.25) - std::pow(ratio, 5.75 / 2.25);
  CHECK(pairRoughness({440.0, 0.0}, {465.80, 0.0}) == within(curveMaximum, 1e-4));
  CHECK(pairRoughness({440.0, 0.0}, {463.0, 0.0}) < curveMaximum);
  CHECK(pairRoughness({440.0, 0.0}, {469.0, 0.0}) < curveMaximum);

  const std::vector<float> triad =
      mix(mix(sine(261.63, 2.0, kRate, 0.3), sine(329.63, 2.0, kRate, 0.3)),
          sine(392.0, 2.0, kRate, 0.3));
  const std::array<double, 12> profile = chroma(triad, kRate);
  for (std::size_t pitchClass = 0; pitchClass < 12; ++pitchClass) {
    const bool inTriad = pitchClass == pitch_class::kC || pitchClass == pitch_class::kE ||
                         pitchClass == pitch_class::kG;
    const double share = profile[pitchClass];
    if (inTriad) CHECK(share == within(1.0 / 3.0, 0.01));
    if (!inTriad) CHECK(share < 1e-3);
  }
}
