// OfflineClock: cut the timeline into blocks and hand each block its events.
#include "reverie/offline_clock.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "reverie/errors.hpp"

namespace reverie {

std::uint64_t framesForSeconds(double seconds, double sampleRate) {
  if (!std::isfinite(sampleRate) || !(sampleRate > 0.0)) {
    char text[64];
    std::snprintf(text, sizeof text, "%g", sampleRate);
    throw InputError(std::string("cannot render at a sample rate of ") + text +
                     " Hz; give a positive rate such as 48000");
  }
  const double limit = static_cast<double>(kMaxOfflineFrames) / sampleRate;
  // Written so that NaN fails too: llround of NaN or of a value past 2^63 is undefined.
  if (!(seconds >= 0.0 && seconds <= limit)) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "cannot render %g seconds: a render lasts a finite number of seconds from 0 to "
                  "%.3g at %g Hz",
                  seconds, limit, sampleRate);
    throw InputError(text);
  }
  return static_cast<std::uint64_t>(std::llround(seconds * sampleRate));
}

OfflineClock::OfflineClock(Engine& engine, std::vector<ScheduledEvent> events)
    : engine_(engine), events_(std::move(events)) {
  std::stable_sort(
      events_.begin(), events_.end(),
      [](const ScheduledEvent& a, const ScheduledEvent& b) { return a.frame < b.frame; });
  // Sized here, once: rendering never allocates, as a host's render loop should not.
  block_.reserve(events_.size());
  left_.resize(kInterleaveChunk);
  right_.resize(kInterleaveChunk);
}

void OfflineClock::render(float* left, float* right, int frames) {
  const std::uint64_t end = position_ + static_cast<std::uint64_t>(frames);
  block_.clear();
  for (; next_ < events_.size() && events_[next_].frame < end; ++next_) {
    NodeEvent e{events_[next_].node, events_[next_].event};
    e.event.frame = static_cast<std::uint32_t>(events_[next_].frame - position_);
    block_.push_back(e);
  }
  float* out[] = {left, right};
  engine_.process(out, frames, block_);
  position_ = end;
}

void OfflineClock::renderInterleaved(float* interleaved, int frames) {
  for (int done = 0; done < frames;) {
    const int chunk = std::min(kInterleaveChunk, frames - done);
    render(left_.data(), right_.data(), chunk);
    for (int i = 0; i < chunk; ++i, ++done) {
      interleaved[2 * done] = left_[static_cast<std::size_t>(i)];
      interleaved[2 * done + 1] = right_[static_cast<std::size_t>(i)];
    }
  }
}

}  // namespace reverie
