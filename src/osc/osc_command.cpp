// parseCommand: one table of addresses, each with its arguments' checks.
#include "osc/osc_command.hpp"

#include <array>
#include <cmath>
#include <cstdio>

namespace reverie::osc {
namespace {

/// Reads the arguments in order, remembering the first problem.
class Reader {
 public:
  explicit Reader(std::span<const Arg> args) : args_(args) {}

  /// A whole number in [low, high] (a float argument must be whole too).
  int whole(const char* what, int low, int high) {
    const Arg* arg = next(what);
    if (arg == nullptr) return low;
    if (arg->kind != Arg::Kind::kInt && arg->kind != Arg::Kind::kFloat)
      return fail(std::string(what) + " must be a number"), low;
    const double v = arg->number;
    if (!std::isfinite(v) || v != std::floor(v) || v < low || v > high)
      return fail(std::string(what) + " must be a whole number from " + std::to_string(low) +
                  " to " + std::to_string(high)),
             low;
    return static_cast<int>(v);
  }
  double number(const char* what, double low, double high) {
    const Arg* arg = next(what);
    if (arg == nullptr) return low;
    if (arg->kind != Arg::Kind::kInt && arg->kind != Arg::Kind::kFloat)
      return fail(std::string(what) + " must be a number"), low;
    if (!std::isfinite(arg->number) || arg->number < low || arg->number > high) {
      char text[96];
      std::snprintf(text, sizeof text, "%s must be from %g to %g", what, low, high);
      return fail(text), low;
    }
    return arg->number;
  }
  /// A finite number, unchecked range (a parameter's own table clamps it).
  double finite(const char* what) {
    const Arg* arg = next(what);
    if (arg == nullptr) return 0.0;
    if ((arg->kind != Arg::Kind::kInt && arg->kind != Arg::Kind::kFloat) ||
        !std::isfinite(arg->number))
      return fail(std::string(what) + " must be a finite number"), 0.0;
    return arg->number;
  }
  std::string text(const char* what) {
    const Arg* arg = next(what);
    if (arg == nullptr) return {};
    if (arg->kind != Arg::Kind::kString) return fail(std::string(what) + " must be a string"), "";
    if (arg->text.empty() || arg->text.size() > 256)
      return fail(std::string(what) + " must be 1 to 256 characters"), "";
    return arg->text;
  }
  const Arg* peek() const { return index_ < args_.size() ? &args_[index_] : nullptr; }
  void fail(std::string reason) {
    if (reason_.empty()) reason_ = std::move(reason);
  }
  Parsed finish(Command command) {
    if (reason_.empty() && index_ < args_.size())
      reason_ = "too many arguments (" + std::to_string(args_.size()) + ", expected " +
                std::to_string(index_) + ")";
    if (!reason_.empty()) return {false, {}, reason_};
    return {true, std::move(command), {}};
  }

 private:
  const Arg* next(const char* what) {
    if (index_ >= args_.size()) {
      fail(std::string("missing ") + what);
      ++index_;
      return nullptr;
    }
    return &args_[index_++];
  }
  std::span<const Arg> args_;
  std::size_t index_ = 0;
  std::string reason_;
};

/// One address: its command and how its arguments are read.
struct Rule {
  std::string_view address;
  CommandKind kind;
  void (*read)(Reader&, Command&);
};

void readTensionSource(Reader& in, Command& c) {
  const std::string source = in.text("source (script or live)");
  if (source == "script" || source == "live")
    c.a = source == "live" ? 1 : 0;
  else if (!source.empty())
    in.fail("the tension source is script or live, not '" + source + "'");
}

void readParameter(Reader& in, Command& c) {
  c.text = in.text("\"node.parameter\"");
  c.value = in.finite("value");
  if (!c.text.empty() &&
      (c.text.find('.') == std::string::npos || c.text.front() == '.' || c.text.back() == '.'))
    in.fail("the parameter must be named \"node.parameter\", e.g. \"tone.cutoff\"");
}

void readScene(Reader& in, Command& c) {
  const Arg* arg = in.peek();
  if (arg != nullptr && arg->kind == Arg::Kind::kString)
    c.text = in.text("scene name");
  else
    c.a = in.whole("scene number", 1, 1000);
}

void nothing(Reader&, Command&) {}

/// What a channel message starts with: the channel (1-16 on the wire) and a data byte.
void readChannelByte(Reader& in, Command& c, const char* what) {
  c.channel = in.whole("channel", 1, 16) - 1;
  c.a = in.whole(what, 0, 127);
}

constexpr Rule kRules[] = {
    {"/reverie/note", CommandKind::kNote,
     [](Reader& in, Command& c) {
       readChannelByte(in, c, "key");
       c.b = in.whole("velocity", 0, 127);
     }},
    {"/reverie/noteoff", CommandKind::kNoteOff,
     [](Reader& in, Command& c) { readChannelByte(in, c, "key"); }},
    {"/reverie/cc", CommandKind::kControl,
     [](Reader& in, Command& c) {
       readChannelByte(in, c, "controller");
       c.b = in.whole("value", 0, 127);
     }},
    {"/reverie/bend", CommandKind::kBend,
     [](Reader& in, Command& c) {
       c.channel = in.whole("channel", 1, 16) - 1;
       c.value = in.number("bend", -1.0, 1.0);
     }},
    {"/reverie/param", CommandKind::kParameter, readParameter},
    {"/reverie/preset", CommandKind::kPreset,
     [](Reader& in, Command& c) { c.text = in.text("preset name"); }},
    {"/reverie/tension", CommandKind::kTension,
     [](Reader& in, Command& c) { c.value = in.number("tension", 0.0, 1.0); }},
    {"/reverie/tension/source", CommandKind::kTensionSource, readTensionSource},
    {"/reverie/scene/next", CommandKind::kSceneNext, nothing},
    {"/reverie/scene/goto", CommandKind::kSceneGoto, readScene},
    {"/reverie/hold", CommandKind::kHold,
     [](Reader& in, Command& c) { c.a = in.whole("hold (0 or 1)", 0, 1); }},
    {"/reverie/stinger", CommandKind::kStinger,
     [](Reader& in, Command& c) { c.text = in.text("stinger name"); }},
    {"/reverie/notify", CommandKind::kNotify,
     [](Reader& in, Command& c) { c.a = in.whole("notify (0 or 1)", 0, 1); }},
    {"/reverie/status", CommandKind::kStatus, nothing},
};

constexpr auto kAddresses = [] {
  std::array<std::string_view, std::size(kRules)> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = kRules[i].address;
  return names;
}();

}  // namespace

std::span<const std::string_view> addresses() {
  return kAddresses;
}

Parsed parseCommand(std::string_view address, std::span<const Arg> args) {
  for (const Rule& rule : kRules) {
    if (rule.address != address) continue;
    Reader in(args);
    Command c;
    c.kind = rule.kind;
    rule.read(in, c);
    return in.finish(std::move(c));
  }
  return {false, {}, "unknown address; see `reverie play --help` (e.g. /reverie/note)"};
}

}  // namespace reverie::osc
