// AtomicFile: O_TMPFILE (or an O_EXCL hidden file), fsync, linkat, rename; checkOutputs refuses
// harmful targets before any work.
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "io/input_file.hpp"
#include "reverie/errors.hpp"

namespace reverie::io {
namespace fs = std::filesystem;

namespace {

// Linux gives up on a path after 40 links (ELOOP); so do we.
constexpr int kMaxLinks = 40;
// Fresh temporary names tried before giving up (they only collide with leftovers of a process
// that had the same pid).
constexpr int kMaxNameAttempts = 100;

/// "-o 'take.wav'", or just "'take.wav'" without a role.
std::string subject(std::string_view role, const fs::path& path) {
  return (role.empty() ? std::string() : std::string(role) + " ") + "'" + path.string() + "'";
}

bool onProcFileSystem(const fs::path& folder) {
  struct statfs info {};
  return ::statfs(folder.empty() ? "." : folder.c_str(), &info) == 0 &&
         info.f_type == PROC_SUPER_MAGIC;
}

/// Where an existing file is, by device and inode (through links), or else by its absolute
/// path with every existing folder resolved: two names for one file compare equal either way.
struct FileIdentity {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  fs::path where;
};

FileIdentity identify(const fs::path& path) {
  FileIdentity identity;
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    identity.exists = true;
    identity.device = info.st_dev;
    identity.inode = info.st_ino;
  }
  std::error_code error;
  identity.where = fs::weakly_canonical(fs::absolute(path, error), error);
  if (error) identity.where.clear();
  return identity;
}

bool sameFile(const FileIdentity& a, const FileIdentity& b) {
  if (a.exists != b.exists) return false;
  if (a.exists) return a.device == b.device && a.inode == b.inode;
  return !a.where.empty() && a.where == b.where;
}

std::string lowerCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// Makes a finished rename durable: the folder's entry, not only the file's data, on disk.
void syncFolder(const fs::path& folder) {
  const int descriptor =
      ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor < 0) return;
  ::fsync(descriptor);  // best effort: the file is already complete under its name
  ::close(descriptor);
}

}  // namespace

fs::path temporaryPathBeside(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  const std::string name = "." + target.filename().string() + ".partial-" +
                           std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                           target.extension().string();
  return target.parent_path() / name;
}

fs::path resolveWriteTarget(const fs::path& target, std::string_view role) {
  fs::path path = target;
  for (int link = 0;; ++link) {
    // /dev/stdout and /dev/fd/N lead into /proc/self/fd, whose "links" are open descriptors
    // (a terminal, a pipe, the shell's redirection): never a file to replace.
    if (onProcFileSystem(path.parent_path())) {
      throw InputError(subject(role, target) +
                       " is an open descriptor (a link into /proc, like /dev/stdout), not a "
                       "file; write to a file name instead");
    }
    std::error_code error;
    if (!fs::is_symlink(fs::symlink_status(path, error))) return path;
    if (link == kMaxLinks) {
      throw InputError(subject(role, target) +
                       " is a loop of symbolic links; point the link at a file or remove it");
    }
    const fs::path next = fs::read_symlink(path, error);
    if (error) return path;  // opening it reports the problem
    path = next.is_absolute() ? next : path.parent_path() / next;
  }
}

void checkOutputs(const std::vector<PlannedOutput>& outputs, const std::vector<fs::path>& inputs) {
  std::vector<FileIdentity> inputIdentities;
  for (const fs::path& input : inputs) inputIdentities.push_back(identify(input));
  std::vector<FileIdentity> earlier;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const PlannedOutput& output = outputs[i];
    const std::string what = subject(output.role, output.path);
    const fs::path destination = resolveWriteTarget(output.path, output.role);
    if (const std::string kind = nonRegularKind(destination); !kind.empty()) {
      throw InputError(what + " is " + kind +
                       ", not a regular file, and is never replaced; write to a file name instead");
    }
    const FileIdentity identity = identify(destination);
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (sameFile(identity, inputIdentities[k])) {
        throw InputError(what + " is the input file '" + inputs[k].string() +
                         "', which writing would destroy; choose another name");
      }
    }
    for (std::size_t k = 0; k < earlier.size(); ++k) {
      if (sameFile(identity, earlier[k])) {
        throw InputError(what + " is the same file as " +
                         subject(outputs[k].role, outputs[k].path) +
                         "; give each output its own name");
      }
    }
    earlier.push_back(identity);
    if (!output.extension.empty() &&
        lowerCase(output.path.extension().string()) != lowerCase(output.extension)) {
      fs::path suggestion = output.path.filename();
      suggestion.replace_extension(output.extension);
      throw InputError(what + " must end in " + output.extension + "; name it e.g. '" +
                       suggestion.string() + "'");
    }
  }
}

AtomicFile::AtomicFile(const fs::path& target, TemporaryKind kind)
    : target_(target), destination_(resolveWriteTarget(target, "the output")) {
  if (const std::string what = nonRegularKind(destination_); !what.empty()) {
    throw InputError("cannot write " + named() + ": it is " + what +
                     ", not a regular file (write to a file name instead)");
  }
  const fs::path folder =
      destination_.parent_path().empty() ? fs::path(".") : destination_.parent_path();
  // Naming an O_TMPFILE at commit goes through /proc/self/fd, so it is used only where /proc is.
  if (kind == TemporaryKind::kUnnamed && ::access("/proc/self/fd", X_OK) == 0) {
    // 0666 lets the umask decide the permissions, as for any file the user creates.
    descriptor_ = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
    if (descriptor_ >= 0) return;
    // A file system without O_TMPFILE (some network and FUSE ones; kernels before 3.11 see a
    // plain O_DIRECTORY open) refuses with one of these: use a named temporary there instead.
    // It is removed on every error and interrupt, but a SIGKILL leaves it behind.
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      fail(std::strerror(errno), "check the folder exists and is writable");
    }
  }
  for (int attempt = 0;; ++attempt) {
    // O_EXCL: never write through someone else's file or symlink.
    const fs::path candidate = temporaryPathBeside(destination_);
    descriptor_ = ::open(candidate.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (descriptor_ >= 0) {
      named_ = candidate;
      return;
    }
    if (errno != EEXIST || attempt == kMaxNameAttempts) {
      fail(std::strerror(errno), "check the folder exists and is writable");
    }
  }
}

AtomicFile::~AtomicFile() {
  discard();
}

std::string AtomicFile::named() const {
  std::string text = "'" + target_.string() + "'";
  if (destination_ != target_) text += " (a link to '" + destination_.string() + "')";
  return text;
}

fs::path AtomicFile::temporaryPath() const {
  if (!named_.empty() || descriptor_ < 0) return named_;
  return "/proc/self/fd/" + std::to_string(descriptor_);
}

void AtomicFile::discard() noexcept {
  if (descriptor_ >= 0) ::close(std::exchange(descriptor_, -1));
  if (!named_.empty()) ::unlink(named_.c_str());
  named_.clear();
}

void AtomicFile::fail(const std::string& reason, const char* fix) {
  discard();
  throw RuntimeFailure("cannot write " + named() + ": " + reason + " (" + fix + ")");
}

void AtomicFile::commit() {
  if (descriptor_ < 0) fail("nothing to commit", "this is a bug in reverie; please report it");
  // Whatever took the target's place while we worked (a folder, a FIFO) is left alone.
  if (const std::string what = nonRegularKind(destination_); !what.empty()) {
    discard();
    throw RuntimeFailure("cannot replace " + named() + ": it is now " + what +
                         " (move it away or choose another name)");
  }
  // On disk before it gets its name, or a crash could leave an empty target.
  if (::fsync(descriptor_) != 0) fail(std::strerror(errno), "check there is free disk space");
  if (named_.empty()) {
    // linkat cannot replace a name, so the data first gets a fresh hidden one, which lives only
    // until the rename below.
    const std::string self = "/proc/self/fd/" + std::to_string(descriptor_);
    for (int attempt = 0; named_.empty(); ++attempt) {
      const fs::path candidate = temporaryPathBeside(destination_);
      // Through /proc, as open(2) describes; AT_EMPTY_PATH is the same without /proc, where the
      // kernel allows it (it may want CAP_DAC_READ_SEARCH).
      if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, candidate.c_str(), AT_SYMLINK_FOLLOW) == 0 ||
          (errno != EEXIST &&
           ::linkat(descriptor_, "", AT_FDCWD, candidate.c_str(), AT_EMPTY_PATH) == 0)) {
        named_ = candidate;
      } else if (errno != EEXIST || attempt == kMaxNameAttempts) {
        fail(std::strerror(errno), "check the folder is writable");
      }
    }
  }
  if (::close(std::exchange(descriptor_, -1)) != 0) {
    fail(std::strerror(errno), "check there is free disk space");
  }
  std::error_code error;
  fs::rename(named_, destination_, error);
  if (error) {
    discard();
    throw RuntimeFailure("cannot replace " + named() + ": " + error.message() +
                         " (check it is not a folder and its folder is writable)");
  }
  named_.clear();
  syncFolder(destination_.parent_path());
}

void writeFileAtomically(const fs::path& target, std::string_view contents) {
  AtomicFile file(target);
  while (!contents.empty()) {
    const ssize_t written = ::write(file.descriptor(), contents.data(), contents.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      file.fail(std::strerror(written == 0 ? ENOSPC : errno), "check there is free disk space");
    }
    contents.remove_prefix(static_cast<std::size_t>(written));
  }
  file.commit();
}

}  // namespace reverie::io
