// Loudness: BS.1770 measurement against the standard's own filter, the look-ahead limiter, and
// normalisation to a LUFS target under a true-peak ceiling.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "io/offline_peak_limiter.hpp"
#include "reverie/loudness.hpp"

using namespace reverie;

namespace {

constexpr double kRate = 48000.0;

/// Interleaved sine, the same in every channel.
std::vector<float> sine(double seconds, int channels, double frequencyHz, double amplitude,
                        double phase = 0.0) {
  const auto frames = static_cast<std::size_t>(seconds * kRate);
  std::vector<float> out(frames * channels);
  for (std::size_t n = 0; n < frames; ++n) {
    const double x = amplitude * std::sin(2.0 * std::numbers::pi * frequencyHz * n / kRate + phase);
    for (int c = 0; c < channels; ++c) out[n * channels + c] = static_cast<float>(x);
  }
  return out;
}

/// Power gain of the BS.1770-4 K-weighting (Table 1 shelf, Table 2 RLB high-pass) at 48 kHz.
double kWeightingPowerGain(double frequencyHz) {
  const std::complex<double> z1 = std::polar(1.0, -2.0 * std::numbers::pi * frequencyHz / kRate);
  const std::complex<double> z2 = z1 * z1;
  const auto shelf = (1.53512485958697 - 2.69169618940638 * z1 + 1.19839281085285 * z2) /
                     (1.0 - 1.69065929318241 * z1 + 0.73248077421585 * z2);
  const auto highPass =
      (1.0 - 2.0 * z1 + z2) / (1.0 - 1.99004745483398 * z1 + 0.99007225036621 * z2);
  return std::norm(shelf * highPass);
}

LoudnessStats measure(const std::vector<float>& audio, int channels) {
  return measureLoudness(audio.data(), audio.size() / channels, channels, kRate);
}

/// Quiet sine bed, loud noise bursts every 2 s and a few single-sample clicks: a large crest
/// factor.
std::vector<float> dynamicSignal(double bedAmplitude, double burstAmplitude,
                                 double clickAmplitude) {
  std::vector<float> audio = sine(20.0, 2, 220.0, bedAmplitude);
  std::mt19937 random(42);
  std::uniform_real_distribution<float> noise(-1.0f, 1.0f);
  for (std::size_t n = 0; n < audio.size() / 2; ++n) {
    if (n % 96000 < 7200) {
      for (int c = 0; c < 2; ++c)
        audio[n * 2 + c] += static_cast<float>(burstAmplitude) * noise(random);
    }
    if (n % 12000 == 6000) audio[n * 2] = audio[n * 2 + 1] = static_cast<float>(clickAmplitude);
  }
  return audio;
}

void checkNormalized(const std::vector<float>& audio, const NormalizeResult& result,
                     double targetLufs, double ceilingDbtp) {
  const LoudnessStats after = measure(audio, 2);
  CHECK(std::fabs(after.integratedLufs - targetLufs) <= 0.5);
  CHECK(after.truePeakDbtp <= ceilingDbtp);
  CHECK(result.result.integratedLufs == doctest::Approx(after.integratedLufs));
  CHECK(result.result.truePeakDbtp == doctest::Approx(after.truePeakDbtp));
  CHECK(result.iterations >= 1);
  CHECK(result.iterations <= 10);
}

}  // namespace

TEST_CASE("loudness: steady sines read as BS.1770's K-weighted power says") {
  for (const double frequencyHz : {100.0, 997.0, 5000.0}) {
    for (const int channels : {1, 2}) {
      CAPTURE(frequencyHz);
      CAPTURE(channels);
      const double amplitude = 0.1;  // -20 dBFS peak
      const double expectedLufs =
          -0.691 + 10.0 * std::log10(channels * amplitude * amplitude / 2.0 *
                                     kWeightingPowerGain(frequencyHz));
      const LoudnessStats stats = measure(sine(10.0, channels, frequencyHz, amplitude), channels);
      CHECK(stats.integratedLufs == doctest::Approx(expectedLufs).epsilon(0.002));
      CHECK(stats.samplePeakDbfs == doctest::Approx(-20.0).epsilon(0.005));
    }
  }
  // The familiar anchors: a full-scale 997 Hz sine is -3.01 LUFS in one channel, 0 in two.
  CHECK(measure(sine(5.0, 1, 997.0, 1.0), 1).integratedLufs ==
        doctest::Approx(-3.01).epsilon(0.01));
  CHECK(measure(sine(5.0, 2, 997.0, 1.0), 2).integratedLufs ==
        doctest::Approx(0.0).scale(1).epsilon(0.01));
}

TEST_CASE("loudness: true peak sees between the samples") {
  // fs/4 at 45 degrees: every sample sits at 0.707 of the crest, 3 dB below the true peak.
  const LoudnessStats stats = measure(sine(2.0, 1, 12000.0, 0.5, std::numbers::pi / 4.0), 1);
  CHECK(stats.samplePeakDbfs == doctest::Approx(-9.03).epsilon(0.002));
  CHECK(stats.truePeakDbtp == doctest::Approx(-6.02).epsilon(0.03));
}

TEST_CASE("loudness: silence is reported at or under the absolute gate") {
  const std::vector<float> silence(2 * 48000 * 3, 0.0f);
  const LoudnessStats stats = measure(silence, 2);
  CHECK(stats.integratedLufs <= -70.0);
  CHECK(stats.truePeakDbtp <= -144.0);
  CHECK(stats.samplePeakDbfs <= -144.0);
}

TEST_CASE("limiter: meets the ceiling at the peak, ahead of time, without moving the audio") {
  std::vector<float> input(2 * 96000);
  const std::size_t burstStart = 24000;
  const std::size_t burstEnd = burstStart + 480;
  for (std::size_t n = 0; n < input.size() / 2; ++n) {
    const double t = n / kRate;
    input[2 * n] = static_cast<float>(0.25 * std::sin(2.0 * std::numbers::pi * 440.0 * t));
    input[2 * n + 1] = static_cast<float>(0.2 * std::sin(2.0 * std::numbers::pi * 660.0 * t));
    if (n >= burstStart && n < burstEnd) {
      input[2 * n] += static_cast<float>(0.9 * std::sin(2.0 * std::numbers::pi * 1000.0 * t));
    }
  }
  std::vector<float> output = input;
  const float ceiling = 0.5f;
  io::limitPeaks(output.data(), output.size() / 2, 2, kRate, ceiling);

  float outputPeak = 0.0f;
  for (float x : output) outputPeak = std::max(outputPeak, std::fabs(x));
  CHECK(outputPeak <= ceiling);
  CHECK(outputPeak >= 0.99f * ceiling);  // limited to the ceiling, not below it

  // 1.5 ms, plus the true-peak interpolator's span: the burst reaches interpolated points half a
  // span early, and the gain is held down half a span either side of them.
  const std::size_t lookAhead = 72 + dsp::TruePeakDetector::kTapsPerPhase;
  for (std::size_t n = 0; n + lookAhead < burstStart; ++n) {
    REQUIRE(output[2 * n] == input[2 * n]);  // untouched before the look-ahead: nothing shifted
  }
  auto gainAt = [&](std::size_t n, int c) { return output[2 * n + c] / input[2 * n + c]; };
  CHECK(gainAt(burstStart - 10, 0) < 0.999f);  // already reducing before the burst arrives
  for (std::size_t n = burstStart - lookAhead; n < burstEnd + 4800; ++n) {
    if (std::fabs(input[2 * n]) > 1e-3f && std::fabs(input[2 * n + 1]) > 1e-3f) {
      REQUIRE(gainAt(n, 0) == doctest::Approx(gainAt(n, 1)).epsilon(1e-4));  // linked channels
    }
  }
  const std::size_t later = burstEnd + 24000 - 300;  // 0.5 s on, where the 440 Hz sine is large
  REQUIRE(std::fabs(input[2 * later]) > 0.1f);
  CHECK(gainAt(later, 0) == doctest::Approx(1.0).epsilon(1e-3));  // released

  std::vector<float> quiet = input;
  io::limitPeaks(quiet.data(), quiet.size() / 2, 2, kRate, 1.2f);
  CHECK(quiet == input);  // under the ceiling: bit-identical
}

TEST_CASE("normalize: a dynamic signal reaches -16 LUFS under -1 dBTP") {
  std::vector<float> audio = dynamicSignal(0.03, 0.3, 0.95);
  const LoudnessStats before = measure(audio, 2);
  // Gain alone would put the peaks at least 3 dB over the ceiling: the limiter must work.
  REQUIRE(before.samplePeakDbfs + (-16.0 - before.integratedLufs) > -1.0 + 3.0);
  const NormalizeResult result = normalizeLoudness(audio, 2, kRate, -16.0, -1.0);
  checkNormalized(audio, result, -16.0, -1.0);
  CHECK(result.gainDb > 0.0);
}

TEST_CASE("normalize: lots of gain on a peaky signal still obeys the ceiling") {
  std::vector<float> audio = dynamicSignal(0.003, 0.0, 0.5);  // -50 dBFS bed, 0.5 clicks
  const NormalizeResult result = normalizeLoudness(audio, 2, kRate, -14.0, -1.0);
  checkNormalized(audio, result, -14.0, -1.0);
  CHECK(result.gainDb > 30.0);
}

TEST_CASE("normalize: gain alone when the ceiling allows it, so the waveform is only scaled") {
  const std::vector<float> original = sine(5.0, 2, 440.0, 0.0316);
  std::vector<float> audio = original;
  const NormalizeResult result = normalizeLoudness(audio, 2, kRate, -23.0, -1.0);
  CHECK(measure(audio, 2).integratedLufs == doctest::Approx(-23.0).scale(1).epsilon(0.1));
  const float ratio = audio[100] / original[100];
  CHECK(20.0 * std::log10(ratio) == doctest::Approx(result.gainDb).epsilon(1e-4));
  for (std::size_t i = 0; i < audio.size(); ++i) {
    REQUIRE(audio[i] == original[i] * ratio);
  }
}

TEST_CASE("normalize: an unreachable target gives the loudest result under the ceiling") {
  std::vector<float> audio = dynamicSignal(0.03, 0.3, 0.95);
  const NormalizeResult result = normalizeLoudness(audio, 2, kRate, 0.0, -1.0);
  const LoudnessStats after = measure(audio, 2);
  CHECK(after.truePeakDbtp <= -1.0);
  CHECK(after.integratedLufs > -12.0);  // it still got much louder than it started
  CHECK(result.result.integratedLufs == doctest::Approx(after.integratedLufs));
}

TEST_CASE("normalize: silence stays silence") {
  std::vector<float> audio(2 * 48000 * 2, 0.0f);
  const NormalizeResult result = normalizeLoudness(audio, 2, kRate, -16.0, -1.0);
  CHECK(result.gainDb == 0.0);
  CHECK(result.result.integratedLufs <= -70.0);
  for (float x : audio) REQUIRE(x == 0.0f);
}
