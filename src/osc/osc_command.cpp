// parseCommand: one table of addresses, each with its arguments' checks.
#include "osc/osc_command.hpp"

#include <array>
#include <cmath>
#include <cstdio>

namespace reverie::osc {
namespace {

constexpr std::array<std::string_view, 14> kAddresses = {
    "/reverie/note",       "/reverie/noteoff",    "/reverie/cc",      "/reverie/bend",
    "/reverie/param",      "/reverie/preset",     "/reverie/tension", "/reverie/tension/source",
    "/reverie/scene/next", "/reverie/scene/goto", "/reverie/hold",    "/reverie/stinger",
    "/reverie/notify",     "/reverie/status"};

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

}  // namespace

std::span<const std::string_view> addresses() {
  return kAddresses;
}

Parsed parseCommand(std::string_view address, std::span<const Arg> args) {
  Reader in(args);
  Command c;
  if (address == "/reverie/note") {
    c.kind = CommandKind::kNote;
    c.channel = in.whole("channel", 1, 16) - 1;
    c.a = in.whole("key", 0, 127);
    c.b = in.whole("velocity", 0, 127);
  } else if (address == "/reverie/noteoff") {
    c.kind = CommandKind::kNoteOff;
    c.channel = in.whole("channel", 1, 16) - 1;
    c.a = in.whole("key", 0, 127);
  } else if (address == "/reverie/cc") {
    c.kind = CommandKind::kControl;
    c.channel = in.whole("channel", 1, 16) - 1;
    c.a = in.whole("controller", 0, 127);
    c.b = in.whole("value", 0, 127);
  } else if (address == "/reverie/bend") {
    c.kind = CommandKind::kBend;
    c.channel = in.whole("channel", 1, 16) - 1;
    c.value = in.number("bend", -1.0, 1.0);
  } else if (address == "/reverie/param") {
    c.kind = CommandKind::kParameter;
    c.text = in.text("\"node.parameter\"");
    c.value = in.finite("value");
    if (!c.text.empty() &&
        (c.text.find('.') == std::string::npos || c.text.front() == '.' || c.text.back() == '.'))
      in.fail("the parameter must be named \"node.parameter\", e.g. \"tone.cutoff\"");
  } else if (address == "/reverie/preset") {
    c.kind = CommandKind::kPreset;
    c.text = in.text("preset name");
  } else if (address == "/reverie/tension") {
    c.kind = CommandKind::kTension;
    c.value = in.number("tension", 0.0, 1.0);
  } else if (address == "/reverie/tension/source") {
    c.kind = CommandKind::kTensionSource;
    const std::string source = in.text("source (script or live)");
    if (source == "script" || source == "live")
      c.a = source == "live" ? 1 : 0;
    else if (!source.empty())
      in.fail("the tension source is script or live, not '" + source + "'");
  } else if (address == "/reverie/scene/next") {
    c.kind = CommandKind::kSceneNext;
  } else if (address == "/reverie/scene/goto") {
    c.kind = CommandKind::kSceneGoto;
    const Arg* arg = in.peek();
    if (arg != nullptr && arg->kind == Arg::Kind::kString)
      c.text = in.text("scene name");
    else
      c.a = in.whole("scene number", 1, 1000);
  } else if (address == "/reverie/hold") {
    c.kind = CommandKind::kHold;
    c.a = in.whole("hold (0 or 1)", 0, 1);
  } else if (address == "/reverie/stinger") {
    c.kind = CommandKind::kStinger;
    c.text = in.text("stinger name");
  } else if (address == "/reverie/notify") {
    c.kind = CommandKind::kNotify;
    c.a = in.whole("notify (0 or 1)", 0, 1);
  } else if (address == "/reverie/status") {
    c.kind = CommandKind::kStatus;
  } else {
    return {false, {}, "unknown address; see `reverie play --help` (e.g. /reverie/note)"};
  }
  return in.finish(std::move(c));
}

}  // namespace reverie::osc
