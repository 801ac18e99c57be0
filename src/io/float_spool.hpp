// Rendered audio parked on disk as float, to be read again: what --target-lufs measures and
// limits, without holding the render in memory.
#pragma once

#include <cstdint>
#include <filesystem>

#include "io/atomic_file.hpp"
#include "io/loudness_stream.hpp"

namespace reverie::io {

/// An unnamed temporary file (O_TMPFILE) in the folder of `besideTarget`, never committed: it
/// vanishes when the spool is destroyed, or the process dies. 32-bit float, interleaved, so
/// reading it back gives exactly the samples appended.
class FloatSpool final : public FrameSource {
 public:
  FloatSpool(const std::filesystem::path& besideTarget, int channels);
  /// Throws RuntimeFailure naming the folder when the disk is full.
  void append(const float* interleaved, std::size_t frames);
  void rewind() override { readFrames_ = 0; }
  std::size_t read(float* out, std::size_t frames) override;
  std::uint64_t frames() const { return frames_; }

 private:
  AtomicFile file_;
  std::size_t width_;
  std::uint64_t frames_ = 0;
  std::uint64_t readFrames_ = 0;
};

}  // namespace reverie::io
