// The one safe way every file for the user is written: checked before any work, built under no
// name (or a hidden one), renamed over the target only when complete. Symlinks are written
// through; devices, FIFOs, sockets, folders and the command's own inputs are never replaced.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace reverie::io {

/// ".<name>.partial-<pid>-<counter><ext>" beside `target`: the same file system, so the final
/// rename is atomic, and hidden, so a half-written file is not mistaken for a finished one.
std::filesystem::path temporaryPathBeside(const std::filesystem::path& target);

/// Where a write to `target` lands: `target` itself or, for a symbolic link, the path it points
/// to (through every link, even a dangling one), so the link stays a link and the file behind
/// it is replaced. Throws InputError naming `role` and `target` for a loop of links and for a
/// link into /proc (an open descriptor such as /dev/stdout or /dev/fd/1).
std::filesystem::path resolveWriteTarget(const std::filesystem::path& target,
                                         std::string_view role);

/// One file a command is about to write.
struct PlannedOutput {
  std::filesystem::path path;
  std::string role;       ///< how the user named it, for messages: "-o", "--plot", "the label file"
  std::string extension;  ///< required (any case), e.g. ".svg"; empty when the writer checks it
};

/// Refuses a command's outputs before anything is rendered: one that exists and is not a regular
/// file (folder, device, FIFO, socket), one that is the same file as one of `inputs` (compared by
/// device and inode, through links), two outputs that are one file, or a wrong extension.
/// Throws InputError with one line naming the path and the fix.
void checkOutputs(const std::vector<PlannedOutput>& outputs,
                  const std::vector<std::filesystem::path>& inputs);

/// How AtomicFile holds its data before the commit.
enum class TemporaryKind {
  kUnnamed,  ///< O_TMPFILE where the file system has it, else kNamed
  kNamed,    ///< an exclusive hidden file beside the target (temporaryPathBeside)
};

/// A file being written for `target`. Its data lives in an unnamed O_TMPFILE in the target's
/// folder, so a crash, SIGKILL or the OOM killer leaves nothing behind; commit() gives it a
/// hidden name and renames that over the target. Destroying an uncommitted AtomicFile discards
/// it, and the target keeps what it had. Control thread only.
class AtomicFile {
 public:
  /// Throws InputError if the target exists and is not a regular file (through symlinks), and
  /// RuntimeFailure if its folder cannot take a file (missing, read-only).
  explicit AtomicFile(const std::filesystem::path& target,
                      TemporaryKind kind = TemporaryKind::kUnnamed);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Read-write, positioned at the start; owned by this object (do not close it).
  int descriptor() const { return descriptor_; }
  /// The file as the caller named it, and where it lands (symlinks followed).
  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& destination() const { return destination_; }
  /// A path that opens the data while it is uncommitted: the hidden name, or
  /// /proc/self/fd/N for an unnamed file.
  std::filesystem::path temporaryPath() const;
  bool isUnnamed() const { return named_.empty() && descriptor_ >= 0; }

  /// fsync, name, rename over the destination. Throws RuntimeFailure naming the target; then
  /// the temporary is gone and the target keeps what it had.
  void commit();
  /// Closes and removes the temporary; never touches the target. Safe to call twice.
  void discard() noexcept;
  /// Discards, then throws RuntimeFailure "cannot write 'TARGET': REASON (FIX)".
  [[noreturn]] void fail(const std::string& reason, const char* fix);

 private:
  /// "'take.wav'", or "'take.wav' (a link to 'real/song.wav')", for messages.
  std::string named() const;

  std::filesystem::path target_;
  std::filesystem::path destination_;
  std::filesystem::path named_;  // the visible temporary; empty while the data has no name
  int descriptor_ = -1;
};

/// Writes `contents` through an AtomicFile: all of it or nothing, the target intact on failure.
/// Throws InputError for a non-regular target and RuntimeFailure naming `target`, the reason
/// and the fix.
void writeFileAtomically(const std::filesystem::path& target, std::string_view contents);

}  // namespace reverie::io
