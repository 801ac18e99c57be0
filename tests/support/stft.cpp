// Short-time Fourier analysis: the magnitude spectra of overlapping frames, one at a time.
#include "support/stft.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace reverie::test {

std::size_t framesForSeconds(double seconds, double sampleRate) {
  const double samples = std::max(2.0, seconds * sampleRate);
  const std::size_t below = nextPowerOfTwo(static_cast<std::size_t>(samples)) / 2;
  const std::size_t above = below * 2;
  // Nearest on a log scale: 470 samples (9.8 ms at 48 kHz) rounds to 512, not 256.
  return samples / static_cast<double>(below) < static_cast<double>(above) / samples
             ? std::max<std::size_t>(below, 2)
             : above;
}

void forEachFrame(std::span<const float> signal, const StftSettings& settings,
                  const std::function<void(long startSample, std::span<const double>)>& visit) {
  const std::size_t frameSize = settings.frameSize;
  const std::vector<double> window = windowCoefficients(settings.window, frameSize);
  const double sum = std::accumulate(window.begin(), window.end(), 0.0);
  const double scale = 2.0 / sum;
  RealFft fft(frameSize);
  std::vector<double> frame(frameSize);
  std::vector<std::complex<double>> bins(fft.binCount());
  std::vector<double> magnitudes(bins.size());

  const long size = static_cast<long>(signal.size());
  const long frameLength = static_cast<long>(frameSize);
  const long lastStart = std::max(0L, size - frameLength);
  for (long start = -static_cast<long>(settings.leadIn); start <= lastStart;
       start += static_cast<long>(settings.hop)) {
    for (long n = 0; n < frameLength; ++n) {
      const long at = start + n;
      const double sample = at >= 0 && at < size ? signal[static_cast<std::size_t>(at)] : 0.0;
      frame[static_cast<std::size_t>(n)] = sample * window[static_cast<std::size_t>(n)];
    }
    fft.forward(frame, bins);
    for (std::size_t k = 0; k < bins.size(); ++k) magnitudes[k] = magnitudeOf(bins[k]) * scale;
    visit(start, magnitudes);
  }
}

}  // namespace reverie::test
