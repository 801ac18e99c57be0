// One MIDI 1.0 channel or system message, as three bytes, with the facts a reader needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace reverie::midi {

struct Message {
  std::uint8_t status = 0;  ///< 0x80..0xFF
  std::uint8_t data1 = 0;
  std::uint8_t data2 = 0;

  int channel() const { return status & 0x0F; }
  int kind() const { return status & 0xF0; }  ///< 0x80 note off ... 0xE0 pitch bend
  bool isChannelMessage() const { return status >= 0x80 && status < 0xF0; }
  bool operator==(const Message&) const = default;
};

/// Data bytes that follow a status byte (MIDI 1.0 spec, table I/II); -1 for sysex, whose
/// length is open-ended, and for undefined system statuses.
constexpr int dataBytesAfter(std::uint8_t status) {
  if (status < 0x80) return -1;
  switch (status & 0xF0) {
    case 0xC0:
    case 0xD0:
      return 1;  // program change, channel pressure
    case 0xF0:
      break;
    default:
      return 2;  // note off/on, poly pressure, control change, pitch bend
  }
  switch (status) {
    case 0xF1:
    case 0xF3:
      return 1;  // MTC quarter frame, song select
    case 0xF2:
      return 2;  // song position
    case 0xF6:
    case 0xF8:
    case 0xFA:
    case 0xFB:
    case 0xFC:
    case 0xFE:
    case 0xFF:
      return 0;
    default:
      return -1;  // 0xF0 sysex, 0xF7 end of sysex, undefined 0xF4/F5/F9/FD
  }
}

/// One message as a driver delivers it whole (RtMidi, JACK, the ALSA sequencer): its status
/// byte, then exactly the data bytes that status takes. Sysex, a message cut short or run on,
/// a data byte with the top bit set, or one with no status (running status is the wire's
/// business; ByteParser handles the wire): nullopt.
constexpr std::optional<Message> completeMessage(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return std::nullopt;
  const int needed = dataBytesAfter(bytes[0]);
  if (needed < 0 || bytes.size() != static_cast<std::size_t>(needed) + 1) return std::nullopt;
  for (std::size_t i = 1; i < bytes.size(); ++i)
    if (bytes[i] >= 0x80) return std::nullopt;
  return Message{bytes[0], needed > 0 ? bytes[1] : std::uint8_t{0},
                 needed > 1 ? bytes[2] : std::uint8_t{0}};
}

}  // namespace reverie::midi
