// One octave band of a signal, for measuring decay and level band by band.
#include "support/octave_band.hpp"

#include <cmath>

namespace reverie::test {

std::vector<float> octaveBand(std::span<const float> signal, double sampleRate, double centreHz) {
  constexpr double kPi = 3.14159265358979323846;
  const double w0 = 2.0 * kPi * centreHz / sampleRate;
  const double alpha = std::sin(w0) / (2.0 * std::sqrt(2.0));
  const double a0 = 1.0 + alpha;
  const double b0 = alpha / a0, b2 = -alpha / a0;
  const double a1 = -2.0 * std::cos(w0) / a0, a2 = (1.0 - alpha) / a0;
  std::vector<double> y(signal.begin(), signal.end());
  for (int section = 0; section < 2; ++section) {
    double x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0;
    for (double& value : y) {
      const double out = b0 * value + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = value;
      y2 = y1;
      y1 = out;
      value = out;
    }
  }
  return {y.begin(), y.end()};
}

}  // namespace reverie::test
