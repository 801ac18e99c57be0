// The overall shape of a spectrum: brightness (centroid) and noisiness (flatness), from
// short-time spectra so that a minute of audio costs a few thousand small FFTs.
#include "support/spectral_shape.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "support/stft.hpp"

namespace reverie::test {
namespace {

constexpr double kFrameSeconds = 0.043;  // 2048 samples at 48 kHz

}  // namespace

double spectralCentroidHz(std::span<const float> signal, double sampleRate) {
  StftSettings settings;
  settings.frameSize = framesForSeconds(kFrameSeconds, sampleRate);
  settings.hop = settings.frameSize / 4;
  const double binHz = sampleRate / static_cast<double>(settings.frameSize);
  double weightedSum = 0.0, totalEnergy = 0.0;
  forEachFrame(signal, settings, [&](long, std::span<const double> magnitudes) {
    double magnitudeSum = 0.0, frequencySum = 0.0, energy = 0.0;
    for (std::size_t k = 0; k < magnitudes.size(); ++k) {
      magnitudeSum += magnitudes[k];
      frequencySum += magnitudes[k] * static_cast<double>(k) * binHz;
      energy += magnitudes[k] * magnitudes[k];
    }
    if (magnitudeSum <= 0.0) return;
    weightedSum += energy * frequencySum / magnitudeSum;
    totalEnergy += energy;
  });
  return totalEnergy > 0.0 ? weightedSum / totalEnergy : 0.0;
}

double spectralFlatness(std::span<const float> signal, double sampleRate) {
  StftSettings settings;
  settings.frameSize = framesForSeconds(kFrameSeconds, sampleRate);
  settings.hop = settings.frameSize / 2;
  const double binHz = sampleRate / static_cast<double>(settings.frameSize);
  const std::size_t firstBin = static_cast<std::size_t>(std::ceil(50.0 / binHz));
  const std::size_t lastBin = static_cast<std::size_t>(std::floor(0.45 * sampleRate / binHz));

  struct FrameFlatness {
    double meanPower, flatness;
  };
  std::vector<FrameFlatness> frames;
  forEachFrame(signal, settings, [&](long, std::span<const double> magnitudes) {
    double sumPower = 0.0, sumLogPower = 0.0;
    for (std::size_t k = firstBin; k <= lastBin && k < magnitudes.size(); ++k) {
      const double power = magnitudes[k] * magnitudes[k];
      sumPower += power;
      // 1e-300 keeps log finite for an exactly empty bin; such a frame is nearly 0 anyway.
      sumLogPower += std::log(power + 1e-300);
    }
    const double bins = static_cast<double>(lastBin + 1 - firstBin);
    const double meanPower = sumPower / bins;
    frames.push_back({meanPower, meanPower > 0.0 ? std::exp(sumLogPower / bins) / meanPower : 0.0});
  });
  double loudest = 0.0;
  for (const FrameFlatness& frame : frames) loudest = std::max(loudest, frame.meanPower);
  if (loudest <= 0.0) return 0.0;
  double sum = 0.0;
  int counted = 0;
  for (const FrameFlatness& frame : frames) {
    if (frame.meanPower < loudest * 1e-6) continue;
    sum += frame.flatness;
    ++counted;
  }
  return sum / counted;
}

}  // namespace reverie::test
