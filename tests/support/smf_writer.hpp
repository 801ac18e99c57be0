// Test helper: writes Standard MIDI Files byte by byte, so tests control every field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace reverie::test {

using Bytes = std::vector<std::uint8_t>;

inline void append(Bytes& out, std::initializer_list<int> bytes) {
  for (int b : bytes) out.push_back(static_cast<std::uint8_t>(b));
}
inline void appendBigEndian(Bytes& out, std::uint32_t value, int count) {
  for (int i = count - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
/// A variable-length quantity (SMF 1.0): seven bits per byte, high bit = more follows.
inline void appendVariableLength(Bytes& out, std::uint32_t value) {
  std::uint8_t groups[5];
  int count = 0;
  do {
    groups[count++] = value & 0x7F;
    value >>= 7;
  } while (value != 0);
  while (count > 0) {
    --count;
    out.push_back(static_cast<std::uint8_t>(groups[count] | (count > 0 ? 0x80 : 0)));
  }
}

/// One track's events, written with delta times.
class TrackWriter {
 public:
  /// An event `delta` ticks after the previous one; `bytes` as they go in the file (a
  /// channel message without its status byte continues running status).
  TrackWriter& event(std::uint32_t delta, std::initializer_list<int> bytes) {
    appendVariableLength(data_, delta);
    append(data_, bytes);
    return *this;
  }
  TrackWriter& tempo(std::uint32_t delta, std::uint32_t microsecondsPerQuarter) {
    appendVariableLength(data_, delta);
    append(data_, {0xFF, 0x51, 0x03});
    appendBigEndian(data_, microsecondsPerQuarter, 3);
    return *this;
  }
  TrackWriter& end(std::uint32_t delta = 0) { return event(delta, {0xFF, 0x2F, 0x00}); }
  const Bytes& bytes() const { return data_; }

 private:
  Bytes data_;
};

/// A whole file: header with format and division, then each track as an MTrk chunk.
inline Bytes smfFile(int format, int division, const std::vector<TrackWriter>& tracks) {
  Bytes out;
  append(out, {'M', 'T', 'h', 'd'});
  appendBigEndian(out, 6, 4);
  appendBigEndian(out, static_cast<std::uint32_t>(format), 2);
  appendBigEndian(out, static_cast<std::uint32_t>(tracks.size()), 2);
  appendBigEndian(out, static_cast<std::uint32_t>(division), 2);
  for (const TrackWriter& track : tracks) {
    append(out, {'M', 'T', 'r', 'k'});
    appendBigEndian(out, static_cast<std::uint32_t>(track.bytes().size()), 4);
    out.insert(out.end(), track.bytes().begin(), track.bytes().end());
  }
  return out;
}

/// The same file inside a RIFF "RMID" wrapper (little-endian sizes).
inline Bytes rmidFile(const Bytes& smf) {
  Bytes out;
  auto little = [&out](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  append(out, {'R', 'I', 'F', 'F'});
  little(static_cast<std::uint32_t>(4 + 8 + smf.size() + (smf.size() & 1)));
  append(out, {'R', 'M', 'I', 'D', 'd', 'a', 't', 'a'});
  little(static_cast<std::uint32_t>(smf.size()));
  out.insert(out.end(), smf.begin(), smf.end());
  if (smf.size() & 1) out.push_back(0);
  return out;
}

inline void writeBytes(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

}  // namespace reverie::test
