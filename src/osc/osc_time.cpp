// NTP to Unix nanoseconds, and nanoseconds to frames.
#include "osc/osc_time.hpp"

#include <cmath>

namespace reverie::osc {
namespace {

// Seconds from 1900-01-01 (NTP's era 0) to 1970-01-01.
constexpr std::int64_t kNtpToUnixSeconds = 2208988800LL;

}  // namespace

std::int64_t ntpToUnixNanos(std::uint32_t seconds, std::uint32_t fraction) {
  const std::int64_t whole = (static_cast<std::int64_t>(seconds) - kNtpToUnixSeconds) * 1000000000;
  // fraction / 2^32 of a second, rounded to the nearest nanosecond.
  const auto part = static_cast<std::int64_t>(
      (static_cast<std::uint64_t>(fraction) * 1000000000ULL + (1ULL << 31)) >> 32);
  return whole + part;
}

std::int64_t frameForTimetag(const live::ClockAnchor& anchor, double sampleRate,
                             std::int64_t timetagUnixNanos, std::int64_t nowUnixNanos,
                             std::int64_t nowSteadyNanos, std::int64_t latencyNanos) {
  if (!anchor.valid) return -1;
  const std::int64_t steady = nowSteadyNanos + (timetagUnixNanos - nowUnixNanos) - latencyNanos;
  const double offset = static_cast<double>(steady - anchor.nanos) * sampleRate * 1e-9;
  const auto frame = anchor.frame + static_cast<std::int64_t>(std::llround(offset));
  return frame < 0 ? 0 : frame;
}

}  // namespace reverie::osc
