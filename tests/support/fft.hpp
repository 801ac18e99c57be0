// Radix-2 FFTs in double precision, and the analysis windows the measurements use with them.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <span>
#include <vector>

namespace reverie::test {

/// |z| without std::abs's overflow-safe hypot, which costs more than the FFT butterflies.
inline double magnitudeOf(std::complex<double> z) {
  return std::sqrt(z.real() * z.real() + z.imag() * z.imag());
}

/// The smallest power of two that is >= n (1 for n = 0).
std::size_t nextPowerOfTwo(std::size_t n);

/// An in-place complex FFT of one power-of-two size; twiddles and bit reversal are built once.
class ComplexFft {
 public:
  explicit ComplexFft(std::size_t size);
  std::size_t size() const { return size_; }
  /// X[k] = sum_n x[n] e^{-2 pi i k n / N}.
  void forward(std::span<std::complex<double>> data) const;
  /// x[n] = (1/N) sum_k X[k] e^{+2 pi i k n / N}: forward() undone exactly.
  void inverse(std::span<std::complex<double>> data) const;

 private:
  std::size_t size_;
  std::vector<std::complex<double>> twiddles_;  // e^{-2 pi i k / N}, k < N/2
  std::vector<std::size_t> bitReversed_;
};

/// The FFT of a real signal of power-of-two size N >= 2 through one complex FFT of N/2 points
/// (the even/odd packing of Brigham, "The Fast Fourier Transform", ch. 10).
class RealFft {
 public:
  explicit RealFft(std::size_t size);
  std::size_t size() const { return size_; }
  std::size_t binCount() const { return size_ / 2 + 1; }
  /// Bins 0..N/2 of the DFT of `input` zero-padded to N; `input.size()` must not exceed N.
  void forward(std::span<const double> input, std::span<std::complex<double>> bins);

 private:
  std::size_t size_;
  ComplexFft half_;
  std::vector<std::complex<double>> twiddles_;  // e^{-2 pi i k / N}, k < N/2
  std::vector<std::complex<double>> packed_;
};

enum class Window {
  kRectangular,
  kHann,            ///< -31 dB side lobes, main lobe +-2 bins.
  kBlackmanHarris,  ///< 4-term, -92 dB side lobes, main lobe +-4 bins.
};

/// The periodic ("DFT-even") form of a window, as Harris (Proc. IEEE 66(1), 1978) recommends
/// for spectral analysis.
std::vector<double> windowCoefficients(Window window, std::size_t length);

/// |X[k]| of `signal` times `window`, zero-padded to `fftSize`, scaled so that a sine of
/// amplitude A centred on a bin reads A: dividing by sum(w)/2 undoes the window's gain.
std::vector<double> magnitudeSpectrum(std::span<const float> signal, Window window,
                                      std::size_t fftSize);

}  // namespace reverie::test
