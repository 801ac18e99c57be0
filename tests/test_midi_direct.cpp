// The live MIDI path without re-parsing: a message RtMidi delivers whole becomes the same Message
// the wire parser would make of its bytes, and a program change reaches the control thread from
// the input thread, with no audio block rendered in between.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "live/live_renderer.hpp"
#include "midi/byte_parser.hpp"
#include "midi/midi_message.hpp"
#include "reverie/engine.hpp"

using namespace reverie;

namespace {

/// What a fresh wire parser makes of `bytes`, every message it completes.
std::vector<midi::Message> parsed(const std::vector<std::uint8_t>& bytes) {
  midi::ByteParser parser;
  std::vector<midi::Message> out;
  for (std::uint8_t b : bytes)
    if (auto m = parser.feed(b)) out.push_back(*m);
  return out;
}

}  // namespace

TEST_CASE("midi: a whole message is the message the wire parser makes of its bytes") {
  int compared = 0;
  for (int status = 0x80; status <= 0xFF; ++status) {
    const int needed = midi::dataBytesAfter(static_cast<std::uint8_t>(status));
    for (int d1 : {0, 1, 64, 127}) {
      for (int d2 : {0, 63, 127}) {
        std::vector<std::uint8_t> bytes{static_cast<std::uint8_t>(status)};
        if (needed > 0) bytes.push_back(static_cast<std::uint8_t>(d1));
        if (needed > 1) bytes.push_back(static_cast<std::uint8_t>(d2));
        const auto whole = midi::completeMessage(bytes);
        const std::vector<midi::Message> wire = parsed(bytes);
        if (needed < 0) {  // sysex, its end, undefined statuses: neither makes a message
          CHECK(!whole);
          CHECK(wire.empty());
          continue;
        }
        REQUIRE(wire.size() == 1);
        REQUIRE(whole);
        CHECK(*whole == wire[0]);
        ++compared;
      }
    }
  }
  MESSAGE(compared << " whole messages equal to the wire parser's");
  CHECK(compared > 1000);
}

TEST_CASE("midi: what is not one whole message is refused") {
  using Bytes = std::vector<std::uint8_t>;
  CHECK(!midi::completeMessage(Bytes{}));
  CHECK(!midi::completeMessage(Bytes{60, 100}));                 // running status: no status byte
  CHECK(!midi::completeMessage(Bytes{0x90, 60}));                // cut short
  CHECK(!midi::completeMessage(Bytes{0x90, 60, 100, 64}));       // run on (two messages)
  CHECK(!midi::completeMessage(Bytes{0x90, 60, 0x80}));          // a status where data belongs
  CHECK(!midi::completeMessage(Bytes{0xF0, 0x7E, 0x7F, 0xF7}));  // sysex
  CHECK(midi::completeMessage(Bytes{0xC3, 5}) == midi::Message{0xC3, 5, 0});
  CHECK(midi::completeMessage(Bytes{0xFA}) == midi::Message{0xFA, 0, 0});
}

TEST_CASE("live: a program change reaches the control thread with no audio block in between") {
  Engine engine({48000.0, 4096, 1});
  engine.graph().add("output", "out");
  engine.commit();
  live::LiveRenderer renderer(engine, 2, {});
  midi::Translator::ProgramRequest request;
  std::uint64_t count = 0;
  CHECK(!renderer.latestProgramRequest(request, count));

  // Bank 3 * 128 + 2 on channel 5 of input 0, then its program 9; input 1 selects no bank.
  CHECK(renderer.receive(0, {0, {0xB4, 0, 3}}));
  CHECK(renderer.receive(0, {0, {0xB4, 32, 2}}));
  CHECK(renderer.receive(0, {0, {0xC4, 9, 0}}));
  REQUIRE(renderer.latestProgramRequest(request, count));  // render() was never called
  CHECK(count == 1);
  CHECK(request.channel == 4);
  CHECK(request.bank == 3 * 128 + 2);
  CHECK(request.program == 9);
  CHECK(renderer.lastMessage() == (0xC4u | 9u << 8));

  // Two from each input: all four counted, the last one wins; each input keeps its own bank.
  CHECK(renderer.receive(1, {0, {0xC4, 20, 0}}));
  CHECK(renderer.receive(0, {0, {0xC4, 21, 0}}));
  CHECK(renderer.receive(0, {0, {0xC4, 22, 0}}));
  CHECK(renderer.receive(1, {0, {0xC4, 23, 0}}));
  REQUIRE(renderer.latestProgramRequest(request, count));
  CHECK(count == 4);
  CHECK(request.program == 23);
  CHECK(request.bank == 0);
  CHECK(!renderer.latestProgramRequest(request, count));
  CHECK(renderer.droppedMessages() == 0);
}
