// What `reverie play` reads from the terminal and shows on it.
#include "cli/play_terminal.hpp"

#include <poll.h>
#include <unistd.h>

#include <cstdio>

namespace reverie::cli {

KeyReader::KeyReader() : tty_(isatty(STDIN_FILENO) != 0) {
  if (!tty_ || tcgetattr(STDIN_FILENO, &saved_) != 0) {
    tty_ = false;
    return;
  }
  termios raw = saved_;
  raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
  raw.c_cc[VMIN] = 0;
  raw.c_cc[VTIME] = 0;
  tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

KeyReader::~KeyReader() {
  if (tty_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

bool KeyReader::quitPressed() {
  if (!tty_) return false;
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  char key = 0;
  while (::poll(&fd, 1, 0) > 0 && read(STDIN_FILENO, &key, 1) == 1)
    if (key == 'q' || key == 'Q') return true;
  return false;
}

std::string describeMessage(std::uint32_t packed) {
  if (packed == 0) return "-";
  const int status = static_cast<int>(packed & 0xFF), d1 = static_cast<int>((packed >> 8) & 0x7F),
            d2 = static_cast<int>((packed >> 16) & 0x7F), channel = (status & 15) + 1;
  char text[64];
  switch (status & 0xF0) {
    case 0x90:
      std::snprintf(text, sizeof text, d2 ? "note on %d vel %d ch %d" : "note off %d ch %d", d1,
                    d2 ? d2 : channel, channel);
      break;
    case 0x80:
      std::snprintf(text, sizeof text, "note off %d ch %d", d1, channel);
      break;
    case 0xB0:
      std::snprintf(text, sizeof text, "CC%d = %d ch %d", d1, d2, channel);
      break;
    case 0xE0:
      std::snprintf(text, sizeof text, "bend %+d ch %d", (d1 | (d2 << 7)) - 8192, channel);
      break;
    case 0xC0:
      std::snprintf(text, sizeof text, "program %d ch %d", d1 + 1, channel);
      break;
    case 0xD0:
      std::snprintf(text, sizeof text, "pressure %d ch %d", d1, channel);
      break;
    case 0xA0:
      std::snprintf(text, sizeof text, "poly pressure %d:%d ch %d", d1, d2, channel);
      break;
    default:
      std::snprintf(text, sizeof text, "0x%02x", status);
  }
  return text;
}

}  // namespace reverie::cli
