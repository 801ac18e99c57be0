// A MIDI 1.0 byte-stream parser: running status, interleaved real-time bytes, sysex skipped.
#pragma once

#include <cstdint>
#include <optional>

#include "midi/midi_message.hpp"

namespace reverie::midi {

/// Feed bytes one at a time; each completed message comes back once. Wait-free and
/// allocation-free, so it may run on any thread. Garbage never throws: stray data bytes
/// are dropped and counted, and an interrupted message is abandoned for the new status.
class ByteParser {
 public:
  std::optional<Message> feed(std::uint8_t byte) noexcept;
  /// Forgets running status and any partial message (e.g. after a device reconnects).
  void reset() noexcept;

  /// Data bytes that arrived with no status to give them meaning.
  std::uint64_t strayBytes() const noexcept { return stray_; }
  /// Sysex messages skipped whole.
  std::uint64_t skippedSysex() const noexcept { return sysex_; }

 private:
  std::uint8_t running_ = 0;  // current status for data bytes; 0 = none
  std::uint8_t data_[2] = {0, 0};
  int have_ = 0;
  bool inSysex_ = false;
  std::uint64_t stray_ = 0, sysex_ = 0;
};

}  // namespace reverie::midi
