// ByteParser: the MIDI 1.0 wire rules (status, running status, real-time, sysex).
#include "midi/byte_parser.hpp"

namespace reverie::midi {

void ByteParser::reset() noexcept {
  running_ = 0;
  have_ = 0;
  inSysex_ = false;
}

std::optional<Message> ByteParser::feed(std::uint8_t byte) noexcept {
  if (byte >= 0xF8) {
    // Real-time bytes may fall anywhere, even inside another message or a sysex, and
    // leave running status alone. Undefined ones (F9, FD) are ignored.
    if (dataBytesAfter(byte) == 0) return Message{byte, 0, 0};
    return std::nullopt;
  }
  if (byte >= 0x80) {
    if (inSysex_) {
      inSysex_ = false;
      ++sysex_;
      if (byte == 0xF7) return std::nullopt;  // the sysex's proper end
    }
    have_ = 0;
    if (byte == 0xF0) {  // sysex: skip to F7 (or to the next status, which ends it too)
      inSysex_ = true;
      running_ = 0;
      return std::nullopt;
    }
    const int needed = dataBytesAfter(byte);
    if (byte >= 0xF0) {
      running_ = 0;  // system common messages cancel running status
      if (needed == 0) return Message{byte, 0, 0};
      if (needed < 0) return std::nullopt;  // a stray F7 or an undefined status
    }
    running_ = byte;
    return std::nullopt;
  }
  // A data byte.
  if (inSysex_) return std::nullopt;
  if (running_ == 0) {
    ++stray_;
    return std::nullopt;
  }
  data_[have_++] = byte;
  const int needed = dataBytesAfter(running_);
  if (have_ < needed) return std::nullopt;
  const Message message{running_, data_[0], needed > 1 ? data_[1] : std::uint8_t{0}};
  have_ = 0;
  if (running_ >= 0xF0) running_ = 0;  // system common: no running status
  return message;
}

}  // namespace reverie::midi
