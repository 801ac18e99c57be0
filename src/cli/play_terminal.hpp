// What `reverie play` reads from the terminal and shows on it: the quit key, and the last MIDI
// message in words for the status line.
#pragma once

#include <termios.h>

#include <cstdint>
#include <string>

namespace reverie::cli {

/// Raw keys from a terminal, so 'q' stops without Enter; restores the terminal after. Does
/// nothing when standard input is not a terminal.
class KeyReader {
 public:
  KeyReader();
  ~KeyReader();
  KeyReader(const KeyReader&) = delete;
  KeyReader& operator=(const KeyReader&) = delete;
  /// Whether 'q' was typed since the last call.
  bool quitPressed();

 private:
  bool tty_;
  termios saved_{};
};

/// A MIDI message packed as RtMidi's bytes (status, then data 1 and 2, a byte each from the
/// lowest) in words: "note on 60 vel 90 ch 1", "CC74 = 64 ch 2", "-" for none.
std::string describeMessage(std::uint32_t packed);

}  // namespace reverie::cli
