// The offline clock: drives Engine::process as fast as it can, with events at absolute frames.
#pragma once

#include <cstdint>
#include <vector>

#include "reverie/engine.hpp"

namespace reverie {

/// An event for a node at an absolute frame of the render.
struct ScheduledEvent {
  std::uint64_t frame = 0;
  NodeId node = kInvalidNode;
  Event event;
};

/// The number of frames in `seconds` at `sampleRate`, rounded to the nearest. Throws InputError
/// for a length that is not a finite number of seconds from 0 to kMaxOfflineFrames frames, or a
/// sample rate that is not a finite positive number: an offline length comes from the user.
std::uint64_t framesForSeconds(double seconds, double sampleRate);

/// The longest render framesForSeconds accepts: 2^53 frames, the last count a double holds
/// exactly (about 5.9 years at 48 kHz); anything near it is refused long before, for memory.
inline constexpr std::uint64_t kMaxOfflineFrames = std::uint64_t{1} << 53;

/// Offline rendering is live rendering with a faster clock: the same Engine::process, fed the
/// events that fall inside each block with their frame offsets. Any block sizes give the same
/// samples.
class OfflineClock {
 public:
  /// `events` need not be sorted; equal frames keep their given order.
  OfflineClock(Engine& engine, std::vector<ScheduledEvent> events);

  /// Renders the next `frames` stereo frames (any count) into left/right.
  void render(float* left, float* right, int frames);
  /// The same into one interleaved buffer (left, right, left, ...), as sound files want it.
  void renderInterleaved(float* interleaved, int frames);
  std::uint64_t position() const { return position_; }

 private:
  Engine& engine_;
  std::vector<ScheduledEvent> events_;
  std::vector<NodeEvent> block_;
  static constexpr int kInterleaveChunk = 1024;
  std::vector<float> left_, right_;  // scratch for renderInterleaved
  std::size_t next_ = 0;
  std::uint64_t position_ = 0;
};

}  // namespace reverie
