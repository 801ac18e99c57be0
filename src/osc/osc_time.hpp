// OSC time: a bundle's NTP timetag mapped onto the live renderer's frames. The timetag is wall
// time; the renderer's clock anchor is steady-clock time; the difference of the two clocks is
// read once per message, so a wall-clock step moves only the messages that arrive after it.
#pragma once

#include <cstdint>

#include "live/live_renderer.hpp"

namespace reverie::osc {

/// OSC's "immediately" timetag (seconds 0, fraction 1).
inline constexpr std::uint64_t kImmediately = 1;

/// An NTP timetag (seconds since 1900 in the high 32 bits, fraction in the low) as nanoseconds
/// since the Unix epoch.
std::int64_t ntpToUnixNanos(std::uint32_t seconds, std::uint32_t fraction);

/// The frame of the renderer's clock at which a timetag falls: `timetagUnixNanos` is moved to
/// the steady clock by the pair (nowUnixNanos, nowSteadyNanos) read together, then placed by the
/// anchor. As scsynth does, the timetag is when the sound is to be heard: a frame computed at
/// steady time t leaves the sound card `latencyNanos` later (the stream's output latency plus
/// the engine's own), so it is placed that much earlier. -1 (at once) when there is no anchor.
std::int64_t frameForTimetag(const live::ClockAnchor& anchor, double sampleRate,
                             std::int64_t timetagUnixNanos, std::int64_t nowUnixNanos,
                             std::int64_t nowSteadyNanos, std::int64_t latencyNanos = 0);

}  // namespace reverie::osc
