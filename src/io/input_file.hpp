// Reading an input the user named (a preset, an arc, a MIDI file): only a regular file is read,
// and nothing about a FIFO, a device or a folder can block or mislead us.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "reverie/errors.hpp"

namespace reverie::io {

/// An input that cannot be read: what() is "PATH: REASON", reason() the part after the path
/// ("it is a FIFO, not a regular file", "No such file or directory"), for callers that word the
/// message their own way.
class InputFileError : public InputError {
 public:
  InputFileError(const std::filesystem::path& path, std::string reason);
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

/// The whole of the regular file at `path`. The path is checked with stat, opened without
/// blocking (O_NONBLOCK, so a path swapped for a FIFO cannot hang the open) and checked again on
/// the descriptor, so a FIFO, device, socket or folder is refused at once. A file larger than
/// `maxBytes` is refused before it is read. Throws InputFileError; RuntimeFailure if a stop was
/// requested (reverie/stop_request.hpp) while reading.
std::string readInputFile(const std::filesystem::path& path, std::size_t maxBytes);

/// The first `count` bytes (fewer if the file is shorter) of the regular file at `path`, with
/// the same checks: for recognising a format by its first bytes.
std::string readInputHead(const std::filesystem::path& path, std::size_t count);

/// "a FIFO", "a folder", "a character device", "a block device", "a socket" for something at
/// `path` that is not a regular file; empty for a regular file or nothing at all.
std::string nonRegularKind(const std::filesystem::path& path);

}  // namespace reverie::io
