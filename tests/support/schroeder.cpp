// Reverberation time from an impulse response: Schroeder backward integration and a line fit.
#include "support/schroeder.hpp"

#include <cmath>
#include <limits>

namespace reverie::test {

std::vector<double> energyDecayCurveDb(std::span<const std::span<const float>> channels) {
  std::size_t length = 0;
  for (const auto& channel : channels) length = std::max(length, channel.size());
  std::vector<double> edc(length, 0.0);
  double sum = 0.0;
  for (std::size_t n = length; n-- > 0;) {
    for (const auto& channel : channels)
      if (n < channel.size()) sum += static_cast<double>(channel[n]) * channel[n];
    edc[n] = sum;
  }
  const double total = length > 0 ? edc[0] : 0.0;
  for (double& value : edc)
    value = total > 0.0 && value > 0.0 ? 10.0 * std::log10(value / total)
                                       : -std::numeric_limits<double>::infinity();
  return edc;
}

double rt60FromDecayCurve(const std::vector<double>& edcDb, double sampleRate, double fromDb,
                          double toDb) {
  double sumT = 0.0, sumL = 0.0, sumTT = 0.0, sumTL = 0.0;
  double count = 0.0;
  bool reached = false;
  for (std::size_t n = 0; n < edcDb.size(); ++n) {
    const double level = edcDb[n];
    if (level < toDb) {
      reached = true;
      break;
    }
    if (level > fromDb) continue;
    const double t = static_cast<double>(n) / sampleRate;
    sumT += t;
    sumL += level;
    sumTT += t * t;
    sumTL += t * level;
    count += 1.0;
  }
  if (!reached || count < 2.0) return std::numeric_limits<double>::quiet_NaN();
  const double slopeDbPerSecond = (count * sumTL - sumT * sumL) / (count * sumTT - sumT * sumT);
  return slopeDbPerSecond < 0.0 ? -60.0 / slopeDbPerSecond
                                : std::numeric_limits<double>::quiet_NaN();
}

double rt60BySchroeder(std::span<const std::span<const float>> channels, double sampleRate,
                       double fromDb, double toDb) {
  return rt60FromDecayCurve(energyDecayCurveDb(channels), sampleRate, fromDb, toDb);
}

}  // namespace reverie::test
