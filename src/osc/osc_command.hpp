// The OSC address space of `reverie play --osc`: a received message (address and arguments,
// already decoded) checked and turned into one Command, or a reason it is refused. No liblo
// and no engine here, so every rule is unit-tested and fuzzed on its own.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace reverie::osc {

/// One decoded argument: a number (OSC i, h, f, d, T, F) or a string (s, S); any other type is
/// kept as kOther so the message is refused by name.
struct Arg {
  enum class Kind : std::uint8_t { kInt, kFloat, kString, kOther };
  Kind kind = Kind::kOther;
  double number = 0.0;
  std::string text;
  char tag = '?';  ///< the OSC type tag, for messages
  static Arg integer(std::int64_t v) { return {Kind::kInt, static_cast<double>(v), {}, 'i'}; }
  static Arg real(double v) { return {Kind::kFloat, v, {}, 'f'}; }
  static Arg string(std::string v) { return {Kind::kString, 0.0, std::move(v), 's'}; }
};

enum class CommandKind : std::uint8_t {
  kNote,           ///< channel, key, velocity (0: note off)
  kNoteOff,        ///< channel, key
  kControl,        ///< channel, controller (a), value (b)
  kBend,           ///< channel, value -1..1
  kParameter,      ///< text "node.param", value
  kPreset,         ///< text: a preset name or path
  kTension,        ///< value 0..1
  kTensionSource,  ///< a: 0 script, 1 live
  kSceneNext,
  kSceneGoto,  ///< text: a scene name, or a = its number (1 = the first)
  kHold,       ///< a: 0 or 1
  kStinger,    ///< text: the stinger's name
  kNotify,     ///< a: 1 subscribe, 0 unsubscribe
  kStatus,
};

struct Command {
  CommandKind kind = CommandKind::kStatus;
  int channel = 0;  ///< 0..15 (the address takes 1..16)
  int a = -1, b = 0;
  double value = 0.0;
  std::string text;
};

/// A command, or (when !ok) why the message was refused.
struct Parsed {
  bool ok = false;
  Command command;
  std::string reason;
};

/// Checks `address` and its arguments against the address space (README "OSC").
Parsed parseCommand(std::string_view address, std::span<const Arg> args);

/// The addresses, for help texts and tests: "/reverie/note", ...
std::span<const std::string_view> addresses();

}  // namespace reverie::osc
