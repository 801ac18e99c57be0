// Pitch-class profile: how a sound's energy spreads over the twelve equal-tempered classes.
#include "support/chroma.hpp"

#include <cmath>
#include <vector>

#include "support/spectrum_peaks.hpp"
#include "support/stft.hpp"

namespace reverie::test {
namespace {

constexpr double kFrameSeconds =
    0.34;  // 16384 samples at 48 kHz: 2.9 Hz bins, 1/6 semitone at 50 Hz
constexpr double kLowestHz = 50.0, kHighestHz = 5000.0;
constexpr std::size_t kPeaksPerFrame = 40;
constexpr double kRangeDb = 60.0;

}  // namespace

std::array<double, 12> chroma(std::span<const float> signal, double sampleRate) {
  StftSettings settings;
  settings.frameSize = framesForSeconds(kFrameSeconds, sampleRate);
  settings.hop = settings.frameSize / 2;
  settings.window = Window::kBlackmanHarris;
  std::array<double, 12> energy{};
  Spectrum spectrum;
  spectrum.binHz = sampleRate / static_cast<double>(settings.frameSize);
  forEachFrame(signal, settings, [&](long, std::span<const double> magnitudes) {
    spectrum.levelDb.resize(magnitudes.size());
    for (std::size_t k = 0; k < magnitudes.size(); ++k) {
      spectrum.levelDb[k] = 20.0 * std::log10(magnitudes[k] + 1e-20);
    }
    for (const Peak& peak : findPeaks(spectrum, kPeaksPerFrame, kRangeDb, kLowestHz, kHighestHz)) {
      // Semitones above A4, rounded to the nearest 12-TET pitch; A is class 9.
      const long semitones = std::lround(12.0 * std::log2(peak.frequencyHz / 440.0));
      const long pitchClass = ((semitones + long{pitch_class::kA}) % 12 + 12) % 12;
      energy[static_cast<std::size_t>(pitchClass)] += peak.amplitude() * peak.amplitude();
    }
  });
  double total = 0.0;
  for (const double value : energy) total += value;
  if (total > 0.0) {
    for (double& value : energy) value /= total;
  }
  return energy;
}

}  // namespace reverie::test
