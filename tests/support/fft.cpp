// Radix-2 FFTs in double precision, and the analysis windows the measurements use with them.
#include "support/fft.hpp"

#include <cassert>
#include <cmath>
#include <numbers>
#include <numeric>

namespace reverie::test {
namespace {

using Complex = std::complex<double>;

// Spelled out: std::complex's operator* checks for NaN/inf on every product (C99 Annex G).
inline Complex multiply(Complex a, Complex b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

// Each twiddle from cos/sin directly, not by recurrence, so its error stays near one ulp.
std::vector<Complex> twiddleTable(std::size_t size) {
  std::vector<Complex> table(size / 2);
  for (std::size_t k = 0; k < table.size(); ++k) {
    const double angle =
        -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(size);
    table[k] = {std::cos(angle), std::sin(angle)};
  }
  return table;
}

[[maybe_unused]] bool isPowerOfTwo(std::size_t n) {
  return n != 0 && (n & (n - 1)) == 0;
}

}  // namespace

std::size_t nextPowerOfTwo(std::size_t n) {
  std::size_t power = 1;
  while (power < n) power <<= 1;
  return power;
}

ComplexFft::ComplexFft(std::size_t size)
    : size_(size), twiddles_(twiddleTable(size)), bitReversed_(size) {
  assert(isPowerOfTwo(size));
  std::size_t bits = 0;
  while ((std::size_t{1} << bits) < size) ++bits;
  // rev(i) is rev(i / 2) shifted right, with i's low bit moved to the top.
  for (std::size_t i = 1; i < size; ++i) {
    bitReversed_[i] = (bitReversed_[i >> 1] >> 1) | ((i & 1u) << (bits - 1));
  }
}

void ComplexFft::forward(std::span<Complex> data) const {
  assert(data.size() == size_);
  for (std::size_t i = 0; i < size_; ++i) {
    if (i < bitReversed_[i]) std::swap(data[i], data[bitReversed_[i]]);
  }
  // Iterative Cooley-Tukey butterflies, span doubling each pass.
  for (std::size_t span = 2; span <= size_; span <<= 1) {
    const std::size_t half = span / 2, stride = size_ / span;
    for (std::size_t start = 0; start < size_; start += span) {
      for (std::size_t j = 0; j < half; ++j) {
        const Complex odd = multiply(data[start + j + half], twiddles_[j * stride]);
        const Complex even = data[start + j];
        data[start + j] = even + odd;
        data[start + j + half] = even - odd;
      }
    }
  }
}

void ComplexFft::inverse(std::span<Complex> data) const {
  // IDFT(X) = conj(DFT(conj(X))) / N.
  for (Complex& value : data) value = std::conj(value);
  forward(data);
  const double scale = 1.0 / static_cast<double>(size_);
  for (Complex& value : data) value = std::conj(value) * scale;
}

RealFft::RealFft(std::size_t size)
    : size_(size), half_(size / 2), twiddles_(twiddleTable(size)), packed_(size / 2) {
  assert(isPowerOfTwo(size) && size >= 2);
}

void RealFft::forward(std::span<const double> input, std::span<Complex> bins) {
  assert(input.size() <= size_ && bins.size() == binCount());
  const std::size_t half = size_ / 2;
  // z[n] = x[2n] + i x[2n+1]; Z = DFT_{N/2}(z).
  for (std::size_t n = 0; n < half; ++n) {
    const double even = 2 * n < input.size() ? input[2 * n] : 0.0;
    const double odd = 2 * n + 1 < input.size() ? input[2 * n + 1] : 0.0;
    packed_[n] = {even, odd};
  }
  half_.forward(packed_);
  // E[k] = (Z[k] + conj Z[N/2-k]) / 2, O[k] = (Z[k] - conj Z[N/2-k]) / 2i, X[k] = E + w^k O.
  for (std::size_t k = 0; k <= half; ++k) {
    const Complex z = packed_[k % half];
    const Complex mirror = std::conj(packed_[(half - k) % half]);
    const Complex even = 0.5 * (z + mirror);
    const Complex odd = Complex(0.0, -0.5) * (z - mirror);
    const Complex twiddle = k < half ? twiddles_[k] : Complex(-1.0, 0.0);
    bins[k] = even + multiply(twiddle, odd);
  }
}

std::vector<double> windowCoefficients(Window window, std::size_t length) {
  // Cosine-sum windows: w[n] = a0 - a1 cos(x) + a2 cos(2x) - a3 cos(3x), x = 2 pi n / L.
  double a[4] = {1.0, 0.0, 0.0, 0.0};
  if (window == Window::kHann) {
    a[0] = 0.5, a[1] = 0.5;
  } else if (window == Window::kBlackmanHarris) {
    a[0] = 0.35875, a[1] = 0.48829, a[2] = 0.14128, a[3] = 0.01168;  // Harris 1978, table 1
  }
  std::vector<double> w(length);
  for (std::size_t n = 0; n < length; ++n) {
    const double x = 2.0 * std::numbers::pi * static_cast<double>(n) / static_cast<double>(length);
    w[n] = a[0] - a[1] * std::cos(x) + a[2] * std::cos(2 * x) - a[3] * std::cos(3 * x);
  }
  return w;
}

std::vector<double> magnitudeSpectrum(std::span<const float> signal, Window window,
                                      std::size_t fftSize) {
  assert(signal.size() <= fftSize);
  const std::vector<double> w = windowCoefficients(window, signal.size());
  std::vector<double> windowed(signal.size());
  for (std::size_t n = 0; n < signal.size(); ++n) windowed[n] = w[n] * signal[n];
  RealFft fft(fftSize);
  std::vector<Complex> bins(fft.binCount());
  fft.forward(windowed, bins);
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  const double scale = sum > 0.0 ? 2.0 / sum : 0.0;
  std::vector<double> magnitudes(bins.size());
  for (std::size_t k = 0; k < bins.size(); ++k) magnitudes[k] = magnitudeOf(bins[k]) * scale;
  return magnitudes;
}

}  // namespace reverie::test
