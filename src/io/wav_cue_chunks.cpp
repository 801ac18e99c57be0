// RIFF `cue ` and LIST/adtl chunks, built in memory and appended after libsndfile is done.
#include "io/wav_cue_chunks.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

namespace reverie::io {
namespace {

void putFourCc(std::string& out, const char (&id)[5]) {
  out.append(id, 4);
}

void putU32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

/// Writes all of `bytes` at `offset`, through short writes; false with errno set on failure.
bool writeAllAt(int descriptor, std::string_view bytes, off_t offset) {
  while (!bytes.empty()) {
    const ssize_t written = ::pwrite(descriptor, bytes.data(), bytes.size(), offset);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      if (written == 0) errno = ENOSPC;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
    offset += written;
  }
  return true;
}

}  // namespace

std::string wavCueChunks(std::span<const CueMarker> markers) {
  constexpr std::uint32_t kCuePointBytes = 24;
  std::string out;
  putFourCc(out, "cue ");
  putU32(out, static_cast<std::uint32_t>(4 + kCuePointBytes * markers.size()));
  putU32(out, static_cast<std::uint32_t>(markers.size()));
  for (std::size_t i = 0; i < markers.size(); ++i) {
    const auto frame = static_cast<std::uint32_t>(markers[i].frame);
    putU32(out, static_cast<std::uint32_t>(i + 1));  // dwName: the id the labl refers to
    putU32(out, frame);  // dwPosition: the play-order position, the frame when there is no playlist
    putFourCc(out, "data");
    putU32(out, 0);  // dwChunkStart and dwBlockStart: 0 for a plain `data` chunk
    putU32(out, 0);
    putU32(out, frame);  // dwSampleOffset: in frames from the block start
  }

  std::string list;
  putFourCc(list, "adtl");
  for (std::size_t i = 0; i < markers.size(); ++i) {
    const std::string_view label(markers[i].label.c_str());  // a ZSTR ends at the first NUL
    putFourCc(list, "labl");
    putU32(list, static_cast<std::uint32_t>(4 + label.size() + 1));
    putU32(list, static_cast<std::uint32_t>(i + 1));
    list.append(label);
    list.push_back('\0');
    if (list.size() % 2 != 0) list.push_back('\0');  // the pad byte is not in the chunk size
  }
  putFourCc(out, "LIST");
  putU32(out, static_cast<std::uint32_t>(list.size()));
  out += list;
  return out;
}

std::string appendToRiffForm(int descriptor, std::string_view chunks) {
  char header[12];
  if (::pread(descriptor, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) ||
      std::memcmp(header, "RIFF", 4) != 0 || std::memcmp(header + 8, "WAVE", 4) != 0) {
    return "the file is not a RIFF/WAVE file";
  }
  struct stat status {};
  if (::fstat(descriptor, &status) != 0) return std::strerror(errno);
  // Chunks start on even offsets; a writer may leave the last one's pad byte out.
  std::string tail;
  if (status.st_size % 2 != 0) tail.push_back('\0');
  tail.append(chunks);
  const std::uint64_t riffBytes = static_cast<std::uint64_t>(status.st_size) + tail.size() - 8;
  if (riffBytes > std::numeric_limits<std::uint32_t>::max()) {
    return "the audio is too long for a WAV file with markers (over 4 GiB)";
  }
  std::string size;
  putU32(size, static_cast<std::uint32_t>(riffBytes));
  if (!writeAllAt(descriptor, tail, status.st_size) || !writeAllAt(descriptor, size, 4)) {
    return std::strerror(errno);
  }
  return {};
}

}  // namespace reverie::io
