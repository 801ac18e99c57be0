// The centre of one spectral line, as the power centroid of the bins around it.
#include "support/line_centre.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include "support/fft.hpp"
#include "support/spectrum_peaks.hpp"

namespace reverie::test {

double lineCentreHz(std::span<const float> signal, double sampleRate, double expectedHz,
                    double halfWidthHz) {
  SpectrumOptions options;
  options.zeroPadding = 2;  // the lobe still spans 16 bins: the sum is a fine integral
  const Spectrum spectrum = analyseSpectrum(signal, sampleRate, options);
  double weighted = 0.0, total = 0.0;
  for (std::size_t k = 0; k < spectrum.levelDb.size(); ++k) {
    const double hz = static_cast<double>(k) * spectrum.binHz;
    if (std::fabs(hz - expectedHz) > halfWidthHz) continue;
    const double power = std::pow(10.0, spectrum.levelDb[k] / 10.0);
    weighted += power * hz;
    total += power;
  }
  return total > 0.0 ? weighted / total : std::numeric_limits<double>::quiet_NaN();
}

namespace {

/// The envelope and instantaneous frequency of the first `length` samples of an analytic signal.
PartialTrack trackOf(const std::vector<std::complex<double>>& z, std::size_t length,
                     double sampleRate) {
  PartialTrack track;
  track.hz.resize(length);
  track.amplitude.resize(length);
  for (std::size_t n = 0; n < length; ++n) {
    track.amplitude[n] = magnitudeOf(z[n]);
    if (n > 0)
      track.hz[n] = std::arg(z[n] * std::conj(z[n - 1])) * sampleRate / (2.0 * std::numbers::pi);
  }
  if (length > 1) track.hz[0] = track.hz[1];
  return track;
}

}  // namespace

PartialTrack partialTrack(std::span<const float> signal, double sampleRate, double partialHz,
                          double halfWidthHz) {
  const std::size_t size = nextPowerOfTwo(2 * signal.size());
  std::vector<std::complex<double>> data(size);
  for (std::size_t n = 0; n < signal.size(); ++n) data[n] = signal[n];
  const ComplexFft fft(size);
  fft.forward(data);
  const double binHz = sampleRate / static_cast<double>(size);
  for (std::size_t k = 0; k < size; ++k) {
    const double hz = static_cast<double>(k) * binHz;
    const bool keep = k < size / 2 && std::fabs(hz - partialHz) <= halfWidthHz;
    data[k] = keep ? 2.0 * data[k] : std::complex<double>(0.0, 0.0);
  }
  fft.inverse(data);
  return trackOf(data, signal.size(), sampleRate);
}

}  // namespace reverie::test

namespace reverie::test {

std::vector<PartialTrack> harmonicTracks(std::span<const float> signal, double sampleRate,
                                         double hz, double highestHz, int count,
                                         double relativeWidth) {
  // One forward transform for all the harmonics; each is a band of it transformed back.
  const std::size_t size = nextPowerOfTwo(2 * signal.size());
  std::vector<std::complex<double>> spectrum(size);
  for (std::size_t n = 0; n < signal.size(); ++n) spectrum[n] = signal[n];
  const ComplexFft fft(size);
  fft.forward(spectrum);
  const double binHz = sampleRate / static_cast<double>(size);
  std::vector<PartialTrack> tracks;
  std::vector<std::complex<double>> band(size);
  for (int k = 1; k <= count && k * hz <= highestHz; ++k) {
    const double halfWidth = std::min(0.45 * hz, std::max(relativeWidth * k * hz, 12.0));
    std::fill(band.begin(), band.end(), std::complex<double>(0.0, 0.0));
    const auto low =
        static_cast<std::size_t>(std::max(0.0, std::ceil((k * hz - halfWidth) / binHz)));
    const auto high =
        std::min(size / 2 - 1, static_cast<std::size_t>((k * hz + halfWidth) / binHz));
    for (std::size_t b = low; b <= high; ++b) band[b] = 2.0 * spectrum[b];
    fft.inverse(band);
    tracks.push_back(trackOf(band, signal.size(), sampleRate));
  }
  return tracks;
}

namespace {

double energyBetween(const PartialTrack& track, std::size_t from, std::size_t to) {
  double energy = 0.0;
  for (std::size_t n = from; n < to; ++n) energy += track.amplitude[n] * track.amplitude[n];
  return energy;
}

}  // namespace

double harmonicsCentreHz(const std::vector<PartialTrack>& tracks, std::size_t from,
                         std::size_t to) {
  double weighted = 0.0, total = 0.0;
  for (std::size_t k = 0; k < tracks.size(); ++k) {
    double centre = 0.0;
    for (std::size_t n = from; n < to; ++n)
      centre += tracks[k].amplitude[n] * tracks[k].amplitude[n] * tracks[k].hz[n];
    weighted += centre / static_cast<double>(k + 1);  // sum(a^2 f) / k, over energy below
    total += energyBetween(tracks[k], from, to);
  }
  return total > 0.0 ? weighted / total : std::numeric_limits<double>::quiet_NaN();
}

double harmonicsMeanHz(const std::vector<PartialTrack>& tracks, std::size_t from, std::size_t to) {
  double weighted = 0.0, total = 0.0;
  for (std::size_t k = 0; k < tracks.size() && to > from + 1; ++k) {
    double advance = 0.0;  // hz[n] is the phase step from n - 1 to n
    for (std::size_t n = from + 1; n < to; ++n) advance += tracks[k].hz[n];
    const double energy = energyBetween(tracks[k], from, to);
    weighted += energy * advance / static_cast<double>((to - from - 1) * (k + 1));
    total += energy;
  }
  return total > 0.0 ? weighted / total : std::numeric_limits<double>::quiet_NaN();
}

double harmonicsShiftCents(const std::vector<PartialTrack>& reference,
                           const std::vector<PartialTrack>& changed, std::size_t from,
                           std::size_t to, double rangeDb) {
  const double floor = std::pow(10.0, -rangeDb / 20.0);
  double weighted = 0.0, total = 0.0;
  for (std::size_t k = 0; k < reference.size() && k < changed.size(); ++k) {
    const double start = changed[k].amplitude[from];
    for (std::size_t n = from; n < to && changed[k].amplitude[n] >= floor * start; ++n) {
      const double a = reference[k].hz[n], b = changed[k].hz[n];
      if (!(a > 0.0 && b > 0.0)) continue;  // a null can turn a frame's phase step backwards
      const double w = reference[k].amplitude[n] * changed[k].amplitude[n];
      weighted += w * 1200.0 * std::log2(b / a);
      total += w;
    }
  }
  return total > 0.0 ? weighted / total : 0.0;
}

}  // namespace reverie::test
