// Input files: stat, open without blocking, fstat, then read; every step refuses what is not a
// regular file and gives way to a requested stop.
#include "io/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "reverie/stop_request.hpp"

namespace reverie::io {
namespace {

std::string kindOf(mode_t mode) {
  if (S_ISREG(mode)) return {};
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string notRegular(mode_t mode) {
  return "it is " + kindOf(mode) + ", not a regular file";
}

[[noreturn]] void interruptedReading(const std::filesystem::path& path) {
  throw RuntimeFailure("interrupted while reading " + path.string());
}

/// An open regular file, closed with the object.
class Descriptor {
 public:
  Descriptor(const std::filesystem::path& path, struct stat& info) : path_(path) {
    if (::stat(path.c_str(), &info) != 0) throw InputFileError(path, std::strerror(errno));
    if (!S_ISREG(info.st_mode)) throw InputFileError(path, notRegular(info.st_mode));
    // O_NONBLOCK: should the path have become a FIFO since the stat, the open still returns at
    // once, and the fstat below refuses it.
    while ((fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) < 0) {
      if (errno != EINTR) throw InputFileError(path, std::strerror(errno));
      if (stopRequested()) interruptedReading(path);
    }
    // A throwing constructor runs no destructor, so the descriptor is closed here.
    const auto refuse = [&](std::string reason) {
      ::close(fd_);
      return InputFileError(path, std::move(reason));
    };
    if (::fstat(fd_, &info) != 0) throw refuse(std::strerror(errno));
    if (!S_ISREG(info.st_mode)) throw refuse(notRegular(info.st_mode));
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
  }
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;

  /// Appends up to `count` bytes to `out`; false at the end of the file.
  bool readMore(std::string& out, std::size_t count) {
    const std::size_t before = out.size();
    out.resize(before + count);
    ssize_t got = 0;
    while ((got = ::read(fd_, out.data() + before, count)) < 0) {
      if (errno != EINTR) {
        const int error = errno;
        out.resize(before);
        throw InputFileError(path_, std::string("cannot read it: ") + std::strerror(error));
      }
      if (stopRequested()) interruptedReading(path_);
    }
    out.resize(before + static_cast<std::size_t>(got));
    return got > 0;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace

InputFileError::InputFileError(const std::filesystem::path& path, std::string reason)
    : InputError(path.string() + ": " + reason), reason_(std::move(reason)) {}

std::string readInputFile(const std::filesystem::path& path, std::size_t maxBytes) {
  struct stat info {};
  Descriptor file(path, info);
  const auto size = static_cast<std::size_t>(info.st_size);
  const auto tooLarge = [&] {
    const std::string limit = maxBytes % (1u << 20) == 0 ? std::to_string(maxBytes >> 20) + " MB"
                                                         : std::to_string(maxBytes) + " bytes";
    return InputFileError(path, "it is larger than " + limit + "; is it the right file?");
  };
  if (size > maxBytes) throw tooLarge();
  std::string text;
  text.reserve(size);
  constexpr std::size_t kChunk = 1 << 16;
  while (file.readMore(text, kChunk)) {
    if (stopRequested()) interruptedReading(path);
    if (text.size() > maxBytes) throw tooLarge();  // it grew while we read
  }
  return text;
}

std::string readInputHead(const std::filesystem::path& path, std::size_t count) {
  struct stat info {};
  Descriptor file(path, info);
  std::string head;
  while (head.size() < count && file.readMore(head, count - head.size())) {
  }
  return head;
}

std::string nonRegularKind(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return kindOf(info.st_mode);
}

}  // namespace reverie::io
