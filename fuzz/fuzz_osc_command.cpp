// Fuzz target: arbitrary bytes as an OSC address and its arguments through the address space's
// checks (src/osc/osc_command). A command that is accepted must be in range; a refusal must
// say why.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "osc/osc_command.hpp"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace reverie::osc;
  std::size_t at = 0;
  auto byte = [&]() -> std::uint8_t { return at < size ? data[at++] : 0; };
  // The first byte picks a known address (or, past the table, takes the address from the input).
  const auto known = addresses();
  const std::uint8_t pick = byte();
  std::string address;
  if (pick < known.size() * 8) {
    address = known[pick % known.size()];
  } else {
    for (std::uint8_t c = byte(); c != 0 && at < size; c = byte())
      address.push_back(static_cast<char>(c));
  }
  std::vector<Arg> args;
  for (int n = byte() % 6; n > 0 && at < size; --n) {
    const std::uint8_t kind = byte() % 4;
    if (kind == 0) {
      std::int32_t v = 0;
      for (int i = 0; i < 4; ++i)
        v = static_cast<std::int32_t>(static_cast<std::uint32_t>(v) << 8 | byte());
      args.push_back(Arg::integer(v));
    } else if (kind == 1) {
      std::uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits = bits << 8 | byte();
      double v;
      std::memcpy(&v, &bits, sizeof v);
      args.push_back(Arg::real(v));
    } else if (kind == 2) {
      std::string text;
      for (std::uint8_t c = byte(); c != 0 && at < size; c = byte())
        text.push_back(static_cast<char>(c));
      args.push_back(Arg::string(text));
    } else {
      args.push_back(Arg{});
    }
  }
  const Parsed parsed = parseCommand(address, args);
  require(parsed.ok == parsed.reason.empty());
  if (!parsed.ok) return 0;
  const Command& c = parsed.command;
  require(c.channel >= 0 && c.channel < 16);
  switch (c.kind) {
    case CommandKind::kNote:
    case CommandKind::kControl:
      require(c.a >= 0 && c.a < 128 && c.b >= 0 && c.b < 128);
      break;
    case CommandKind::kNoteOff:
      require(c.a >= 0 && c.a < 128);
      break;
    case CommandKind::kBend:
      require(c.value >= -1.0 && c.value <= 1.0);
      break;
    case CommandKind::kTension:
      require(c.value >= 0.0 && c.value <= 1.0);
      break;
    case CommandKind::kParameter:
      require(std::isfinite(c.value) && c.text.find('.') != std::string::npos);
      break;
    case CommandKind::kSceneGoto:
      require(!c.text.empty() || c.a >= 1);
      break;
    default:
      break;
  }
  return 0;
}
