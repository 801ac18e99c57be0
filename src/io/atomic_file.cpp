// writeFileAtomically: O_EXCL temporary file, fsync, rename; removed again on any failure.
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "reverie/errors.hpp"

namespace reverie::io {

std::filesystem::path temporaryPathBeside(const std::filesystem::path& target) {
  static std::atomic<unsigned> counter{0};
  const std::string name = "." + target.filename().string() + ".partial-" +
                           std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                           target.extension().string();
  return target.parent_path() / name;
}

void writeFileAtomically(const std::filesystem::path& target, std::string_view contents) {
  const std::filesystem::path temporary = temporaryPathBeside(target);
  auto fail = [&](const std::string& reason, const char* fix) {
    throw RuntimeFailure("cannot write '" + target.string() + "': " + reason + " (" + fix + ")");
  };
  // O_EXCL: never write through someone else's file or symlink; 0666 leaves it to the umask.
  const int descriptor = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (descriptor < 0) fail(std::strerror(errno), "check the folder exists and is writable");

  auto discard = [&](int error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    fail(std::strerror(error), "check there is free disk space");
  };
  while (!contents.empty()) {
    const ssize_t written = ::write(descriptor, contents.data(), contents.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      const int error = written == 0 ? ENOSPC : errno;
      ::close(descriptor);
      discard(error);
    }
    contents.remove_prefix(static_cast<std::size_t>(written));
  }
  // On disk before the rename, or a crash could leave an empty target.
  if (::fsync(descriptor) != 0) {
    const int error = errno;
    ::close(descriptor);
    discard(error);
  }
  if (::close(descriptor) != 0) discard(errno);

  std::error_code error;
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw RuntimeFailure("cannot replace '" + target.string() + "': " + error.message() +
                         " (check it is not a folder and its folder is writable)");
  }
}

}  // namespace reverie::io
