// Fuzz target: arbitrary bytes through the MIDI wire parser and the translator. Any message
// that comes out must be well formed, and every event finite and in its range.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "midi/byte_parser.hpp"
#include "midi/midi_translator.hpp"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace reverie;
  midi::ByteParser parser;
  // The first byte picks a velocity curve, so the curves are fuzzed too.
  midi::VelocityCurve curve;
  if (size > 0) {
    curve.exponent = 0.1f + static_cast<float>(data[0]) * (9.9f / 255.0f);
    if (data[0] == 0) curve.kind = midi::VelocityCurve::Kind::kFixed;
  }
  midi::Translator translator(curve);
  const midi::ChannelTarget targets[] = {{1, 0}, {2, -1}};
  for (int channel = 0; channel < 16; ++channel) translator.setTargets(channel, targets);
  for (std::size_t i = 0; i < size; ++i) {
    const auto message = parser.feed(data[i]);
    if (!message) continue;
    require(message->status >= 0x80);
    require(message->data1 < 0x80 && message->data2 < 0x80);
    const auto request = translator.translate(*message, 0, [](const NodeEvent& e) {
      require(std::isfinite(e.event.value));
      switch (e.event.type) {
        case EventType::kNoteOn:
          require(e.event.value > 0.0f && e.event.value <= 1.0f && e.event.index < 128);
          break;
        case EventType::kPitchBend:
          require(e.event.value >= -1.0f && e.event.value <= 1.0f);
          break;
        case EventType::kParameter:
          require(e.event.value >= 0.0f && e.event.value <= 127.0f + 1.27f);
          break;
        default:
          require(e.event.value >= 0.0f && e.event.value <= 1.0f);
      }
    });
    require(request.program < 128 && request.bank < 16384);
  }
  return 0;
}
