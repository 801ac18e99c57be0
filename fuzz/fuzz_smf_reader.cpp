// Fuzz target: arbitrary bytes as a Standard MIDI File. Malformed input must end in an
// InputError; anything else that escapes (or a sanitizer report) is a crash.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "midi/smf_reader.hpp"
#include "reverie/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const reverie::midi::MidiFile file = reverie::midi::parseMidiFile({data, size}, "fuzz.mid");
    double last = 0.0;
    for (const auto& e : file.events) {
      if (!(e.seconds >= last) || !std::isfinite(e.seconds) || !e.message.isChannelMessage())
        __builtin_trap();
      last = e.seconds;
    }
    if (!(file.lengthSeconds >= last)) __builtin_trap();
  } catch (const reverie::InputError&) {
  }
  return 0;
}
