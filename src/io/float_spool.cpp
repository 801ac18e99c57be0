// FloatSpool: append and pread on an unnamed temporary file.
#include "io/float_spool.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "reverie/errors.hpp"

namespace reverie::io {

FloatSpool::FloatSpool(const std::filesystem::path& besideTarget, int channels)
    : file_(besideTarget), width_(static_cast<std::size_t>(channels)) {}

void FloatSpool::append(const float* interleaved, std::size_t frames) {
  const char* at = reinterpret_cast<const char*>(interleaved);
  std::size_t size = frames * width_ * sizeof(float);
  while (size > 0) {
    const ssize_t wrote = ::write(file_.descriptor(), at, size);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0)
      file_.fail(std::string("the loudness pass's temporary float file: ") + std::strerror(errno),
                 "--target-lufs keeps the render as 32-bit float beside the target until it is "
                 "written (8 bytes a frame); free that much disk space");
    at += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  frames_ += frames;
}

std::size_t FloatSpool::read(float* out, std::size_t frames) {
  const std::size_t count =
      static_cast<std::size_t>(std::min<std::uint64_t>(frames, frames_ - readFrames_));
  char* at = reinterpret_cast<char*>(out);
  std::size_t size = count * width_ * sizeof(float);
  auto offset = static_cast<off_t>(readFrames_ * width_ * sizeof(float));
  while (size > 0) {
    const ssize_t got = ::pread(file_.descriptor(), at, size, offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0)
      throw RuntimeFailure(std::string("cannot read back the loudness pass's temporary file: ") +
                           (got < 0 ? std::strerror(errno) : "it ended early"));
    at += got;
    offset += got;
    size -= static_cast<std::size_t>(got);
  }
  readFrames_ += count;
  return count;
}

}  // namespace reverie::io
