// What a stretch of rendered music is like, in a few numbers: roughness, onset rate, loudness
// and noisiness, each independent of the stretch's length so scenes of any length compare.
#include "support/scene_features.hpp"

#include <algorithm>
#include <cmath>

#include "reverie/loudness.hpp"
#include "support/onsets.hpp"
#include "support/roughness.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"
#include "support/stft.hpp"

namespace reverie::test {
namespace {

constexpr double kFrameSeconds = 0.17;  // 8192 samples at 48 kHz: 5.9 Hz bins
constexpr double kLowestHz = 50.0, kHighestHz = 8000.0;
constexpr double kPeakRangeDb = 50.0;
// A bin of noise has an exponentially distributed power with median ln 2 times its mean, so
// it stands 15 dB over the median with probability exp(-10^1.5 ln 2) = 3e-10.
constexpr double kProminenceDb = 15.0;
constexpr double kNeighbourhoodOctaves = 1.0 / 6.0;
constexpr long kMinNeighbourBins = 8;  // a median over enough bins at the lowest frequencies
constexpr std::size_t kMaxPeaks = 40;
constexpr double kFrameRangeDb = 50.0;
// -70 dB mean square, the level of EBU R128's absolute gate (-70 LUFS for a 1 kHz tone).
constexpr double kSilenceMeanSquare = 1e-7;

/// The median level (dB) within a sixth of an octave of each bin of one frame's spectrum,
/// computed once per grid point: bin k is judged by the neighbourhood of the grid point nearest
/// it, at most a sixteenth of the neighbourhood's half-width away. A frame of noise, whose every
/// third bin is a local maximum, then costs ~150 medians instead of ~1400.
class NeighbourhoodMedian {
 public:
  explicit NeighbourhoodMedian(const std::vector<double>& levelDb)
      : levelDb_(levelDb), cache_(levelDb.size(), kUnknown) {}

  double at(std::size_t k) {
    const long step = std::max(1L, reach(k) / 8);
    const long last = static_cast<long>(levelDb_.size()) - 1;
    const long centre = std::min(last, step * std::lround(static_cast<double>(k) / step));
    double& median = cache_[static_cast<std::size_t>(centre)];
    if (median == kUnknown) {
      const long half = reach(static_cast<std::size_t>(centre));
      const long first = std::max(1L, centre - half), end = std::min(last, centre + half);
      scratch_.assign(levelDb_.begin() + first, levelDb_.begin() + end + 1);
      const auto middle = scratch_.begin() + static_cast<std::ptrdiff_t>(scratch_.size() / 2);
      std::nth_element(scratch_.begin(), middle, scratch_.end());
      median = *middle;
    }
    return median;
  }

 private:
  static constexpr double kUnknown = 1e300;
  long reach(std::size_t k) const {
    const double ratio = std::exp2(kNeighbourhoodOctaves) - 1.0;
    return std::max(kMinNeighbourBins, std::lround(static_cast<double>(k) * ratio));
  }
  const std::vector<double>& levelDb_;
  std::vector<double> cache_, scratch_;
};

/// The tonal peaks of one frame's spectrum, strongest first (see roughnessFrames).
std::vector<Peak> tonalPeaks(const Spectrum& spectrum) {
  std::vector<Peak> peaks;
  NeighbourhoodMedian neighbourhood(spectrum.levelDb);
  const double floorDb = spectrum.maxDb() - kPeakRangeDb;
  const std::vector<double>& level = spectrum.levelDb;
  const auto lowest = static_cast<std::size_t>(std::ceil(kLowestHz / spectrum.binHz));
  const auto highest =
      std::min(level.size() - 2, static_cast<std::size_t>(kHighestHz / spectrum.binHz));
  for (std::size_t k = std::max<std::size_t>(lowest, 1); k <= highest; ++k) {
    if (level[k] < floorDb || level[k] <= level[k - 1] || level[k] < level[k + 1]) continue;
    if (level[k] - neighbourhood.at(k) < kProminenceDb) continue;
    peaks.push_back(interpolatePeak(spectrum, k));
  }
  std::sort(peaks.begin(), peaks.end(),
            [](const Peak& a, const Peak& b) { return a.amplitudeDb > b.amplitudeDb; });
  if (peaks.size() > kMaxPeaks) peaks.resize(kMaxPeaks);
  return peaks;
}

}  // namespace

std::vector<float> monoMix(std::span<const float> interleaved, int channels) {
  const auto width = static_cast<std::size_t>(std::max(channels, 1));
  std::vector<float> mono(interleaved.size() / width);
  for (std::size_t n = 0; n < mono.size(); ++n) {
    double sum = 0.0;
    for (std::size_t c = 0; c < width; ++c) sum += interleaved[n * width + c];
    mono[n] = static_cast<float>(sum / static_cast<double>(width));
  }
  return mono;
}

std::vector<RoughnessFrame> roughnessFrames(std::span<const float> signal, double sampleRate) {
  StftSettings settings;
  settings.frameSize = framesForSeconds(kFrameSeconds, sampleRate);
  settings.hop = settings.frameSize / 2;
  const double frameSeconds = static_cast<double>(settings.frameSize) / sampleRate;
  Spectrum spectrum;
  spectrum.binHz = sampleRate / static_cast<double>(settings.frameSize);
  std::vector<RoughnessFrame> frames;
  forEachFrame(signal, settings, [&](long start, std::span<const double> magnitudes) {
    RoughnessFrame frame;
    frame.startSeconds = static_cast<double>(start) / sampleRate;
    frame.endSeconds = frame.startSeconds + frameSeconds;
    spectrum.levelDb.resize(magnitudes.size());
    // Below the absolute gate of EBU R128 (-70) a frame is silence: whatever a decaying tail
    // leaves there is not heard as rough, however its few peaks lie.
    double meanSquare = 0.0;
    const auto first = static_cast<std::size_t>(std::max(0L, start));
    const std::size_t last = std::min(signal.size(), first + settings.frameSize);
    for (std::size_t n = first; n < last; ++n)
      meanSquare += static_cast<double>(signal[n]) * signal[n];
    if (last <= first || meanSquare / static_cast<double>(last - first) < kSilenceMeanSquare) {
      frames.push_back(frame);
      return;
    }
    for (std::size_t k = 0; k < magnitudes.size(); ++k) {
      frame.energy += magnitudes[k] * magnitudes[k];
      // The floor keeps log finite in digital silence, far under any float signal.
      spectrum.levelDb[k] = 20.0 * std::log10(magnitudes[k] + 1e-20);
    }
    if (frame.energy > 0.0) {
      const std::vector<Peak> peaks = tonalPeaks(spectrum);
      double peakEnergy = 0.0;
      for (const Peak& peak : peaks) peakEnergy += peak.amplitude() * peak.amplitude();
      if (peakEnergy > 0.0) frame.roughness = roughness(peaks) / peakEnergy;
      frame.tonalPeaks = static_cast<int>(peaks.size());
    }
    frames.push_back(frame);
  });
  return frames;
}

double energyWeightedRoughness(std::span<const RoughnessFrame> frames) {
  double loudest = 0.0;
  for (const RoughnessFrame& frame : frames) loudest = std::max(loudest, frame.energy);
  if (loudest <= 0.0) return 0.0;
  const double threshold = loudest * std::pow(10.0, -kFrameRangeDb / 10.0);
  double weighted = 0.0, total = 0.0;
  for (const RoughnessFrame& frame : frames) {
    if (frame.energy < threshold) continue;
    weighted += frame.energy * frame.roughness;
    total += frame.energy;
  }
  return weighted / total;
}

double normalizedRoughness(std::span<const float> signal, double sampleRate) {
  const std::vector<RoughnessFrame> frames = roughnessFrames(signal, sampleRate);
  return energyWeightedRoughness(frames);
}

std::vector<double> pitchedOnsetTimes(std::span<const float> signal, double sampleRate,
                                      std::span<const RoughnessFrame> frames) {
  std::vector<double> pitched;
  for (double t : onsetTimes(signal, sampleRate)) {
    const auto next = std::lower_bound(
        frames.begin(), frames.end(), t,
        [](const RoughnessFrame& f, double time) { return f.startSeconds < time; });
    if (next != frames.end() && next->tonalPeaks >= 2) pitched.push_back(t);
  }
  return pitched;
}

double pitchedOnsetRate(std::span<const float> signal, double sampleRate) {
  if (signal.empty()) return 0.0;
  const std::vector<RoughnessFrame> frames = roughnessFrames(signal, sampleRate);
  const double seconds = static_cast<double>(signal.size()) / sampleRate;
  return static_cast<double>(pitchedOnsetTimes(signal, sampleRate, frames).size()) / seconds;
}

double onsetRate(std::span<const float> signal, double sampleRate) {
  if (signal.empty()) return 0.0;
  const double seconds = static_cast<double>(signal.size()) / sampleRate;
  return static_cast<double>(onsetTimes(signal, sampleRate).size()) / seconds;
}

double loudnessLufs(std::span<const float> interleaved, double sampleRate, int channels) {
  const std::size_t frames = interleaved.size() / static_cast<std::size_t>(std::max(channels, 1));
  return std::max(-70.0,
                  measureLoudness(interleaved.data(), frames, channels, sampleRate).integratedLufs);
}

double flatness(std::span<const float> signal, double sampleRate) {
  return spectralFlatness(signal, sampleRate);
}

}  // namespace reverie::test
