// Peaks of one long windowed spectrum, located to a small fraction of a bin: pitch and partials.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "support/fft.hpp"

namespace reverie::test {

/// One spectral peak. Levels are dB re a sine of amplitude 1 (a full-scale sine reads 0 dB).
struct Peak {
  double frequencyHz = 0.0;
  double amplitudeDb = 0.0;
  double amplitude() const;  ///< Linear: the amplitude of the sine that would read this level.
};

struct SpectrumOptions {
  Window window = Window::kBlackmanHarris;
  /// Only the first `maxSamples` are analysed (2.7 s at 48 kHz), keeping one FFT to 2^19
  /// points; pass a sub-span to analyse another segment.
  std::size_t maxSamples = std::size_t{1} << 17;
  /// FFT size: at least zeroPadding x the segment, so the log-parabola fits a smooth lobe.
  std::size_t zeroPadding = 4;
  std::size_t fftSize = 0;  ///< Nonzero: this power of two instead, if it holds the segment.
};

/// A windowed spectrum in dB re a sine of amplitude 1, with its bin spacing.
struct Spectrum {
  std::vector<double> levelDb;
  double binHz = 0.0;
  double maxDb() const;
  /// The level below which local maxima count as noise: 10 dB over the median bin, and no
  /// deeper than 90 dB under the strongest bin (the Blackman-Harris side lobes are at -92 dB).
  double noiseFloorDb() const;
};

Spectrum analyseSpectrum(std::span<const float> signal, double sampleRate,
                         const SpectrumOptions& options = {});

/// The peak at local-maximum bin k, refined by fitting a parabola through the dB levels of
/// bins k-1, k, k+1 (Smith & Serra, PARSHL, 1987: "quadratic interpolation of log spectra";
/// Grandke 1983).
Peak interpolatePeak(const Spectrum& spectrum, std::size_t bin);

/// Local maxima of `spectrum` within [lowHz, highHz] and no more than `minDbBelowMax` under the
/// strongest bin, strongest first, at most `maxPeaks`.
std::vector<Peak> findPeaks(const Spectrum& spectrum, std::size_t maxPeaks, double minDbBelowMax,
                            double lowHz = 0.0, double highHz = 1e300);

/// The strongest local maximum in [lowHz, highHz] that stands above the noise floor.
std::optional<Peak> strongestPeakBetween(const Spectrum& spectrum, double lowHz, double highHz);

/// Peaks of the Blackman-Harris spectrum of `signal` (4x zero-padded), strongest first.
/// A 0.5 s sine at 48 kHz anywhere in 30 Hz..8 kHz is located within 0.1 cent.
std::vector<Peak> spectralPeaks(std::span<const float> signal, double sampleRate,
                                std::size_t maxPeaks = 20, double minDbBelowMax = 60.0);

/// The frequency of the strongest peak within one semitone of `expectedHz`; NaN if none
/// stands above the noise.
double fundamentalHz(std::span<const float> signal, double sampleRate, double expectedHz);

/// The frequency of the strongest peak within hz x (1 +- toleranceRatio); NaN if none stands
/// above the noise. For checking partial ratios: peakNear(x, sr, 2 * f0, 0.02) / f0.
double peakNear(std::span<const float> signal, double sampleRate, double hz, double toleranceRatio);

/// 1200 log2(hz / referenceHz): positive when `hz` is sharp.
double centsBetween(double hz, double referenceHz);

}  // namespace reverie::test
