// Cue files (cue_file.hpp): one cue a line, checked whole before anything renders.
#include "cli/cue_file.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include "io/input_file.hpp"
#include "reverie/errors.hpp"

namespace reverie::cli {
namespace {

constexpr std::size_t kMaxCueFileBytes = 4 * 1024 * 1024;
constexpr double kMaxCueSeconds = 1e7;

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < line.size()) {
    const std::size_t begin = line.find_first_not_of(" \t\r", at);
    if (begin == std::string_view::npos) break;
    const std::size_t end = std::min(line.find_first_of(" \t\r", begin), line.size());
    out.push_back(line.substr(begin, end - begin));
    at = end;
  }
  return out;
}

template <typename T>
bool readWhole(std::string_view text, T& value) {
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && ptr == end;
}

class CueReader {
 public:
  CueReader(const std::string& name, const Arc& arc, double rate)
      : name_(name), arc_(arc), rate_(rate) {}

  void line(std::string_view text, int number) {
    number_ = number;
    const std::vector<std::string_view> w = words(text.substr(0, text.find('#')));
    if (w.empty()) return;
    arc::ComposerCue cue;
    readTime(w[0], cue);
    if (w.size() < 2)
      fail("'" + std::string(w[0]) +
           "' has no action; add one of: next, goto SCENE, hold on|off, " +
           "stinger NAME, tension VALUE");
    readAction(w, cue);
    cues.push_back(cue);
  }

  std::vector<arc::ComposerCue> cues;

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(name_ + ":" + std::to_string(number_) + ": " + message);
  }

  void readTime(std::string_view time, arc::ComposerCue& cue) const {
    const std::string quoted = "'" + std::string(time) + "'";
    if (time.ends_with('s')) {
      double seconds = 0.0;
      if (!readWhole(time.substr(0, time.size() - 1), seconds) || !std::isfinite(seconds) ||
          seconds < 0.0 || seconds > kMaxCueSeconds)
        fail(quoted + " is not a time; write seconds from 0 as 42.5s, or BAR:BEAT as 9:1");
      cue.frame = static_cast<std::uint64_t>(std::llround(seconds * rate_));
      return;
    }
    const std::size_t colon = time.find(':');
    int bar = 0, beat = 0;
    if (colon == std::string_view::npos || !readWhole(time.substr(0, colon), bar) ||
        !readWhole(time.substr(colon + 1), beat))
      fail(quoted + " is not a time; write BAR:BEAT as 9:1 (both from 1), or seconds as 42.5s");
    if (bar < 1 || bar > 1000000)
      fail(quoted + " has bar " + std::to_string(bar) + "; bars count from 1 (1:1 is the start)");
    if (beat < 1 || beat > arc_.beatsPerBar)
      fail(quoted + " has beat " + std::to_string(beat) + ", but a bar of " + arc_.name + " has " +
           std::to_string(arc_.beatsPerBar) + " beats; write a beat from 1 to " +
           std::to_string(arc_.beatsPerBar));
    cue.atBeat = true;
    cue.bar = bar - 1;
    cue.beat = beat - 1;
  }

  void readAction(const std::vector<std::string_view>& w, arc::ComposerCue& cue) const {
    const std::string_view action = w[1];
    const std::size_t wanted = action == "next" ? 2 : 3;
    const auto argument = [&](std::string_view what) {
      if (w.size() < 3) fail("'" + std::string(action) + "' needs " + std::string(what));
      return w[2];
    };
    if (action == "next") {
      cue.action = arc::CueAction::kNext;
    } else if (action == "goto") {
      cue.action = arc::CueAction::kGoto;
      cue.value = sceneIndex(argument("a scene: goto NAME, or goto N (from 1)"));
    } else if (action == "hold") {
      cue.action = arc::CueAction::kHold;
      const std::string_view mode = argument("on, off or arc");
      if (mode == "on")
        cue.value = arc::composer_parameter::kHoldOn;
      else if (mode == "off")
        cue.value = arc::composer_parameter::kHoldOff;
      else if (mode == "arc")
        cue.value = arc::composer_parameter::kHoldAsArc;
      else
        fail("hold '" + std::string(mode) + "' is not on, off or arc; write hold on or hold off");
    } else if (action == "stinger") {
      cue.action = arc::CueAction::kStinger;
      const std::string_view name = argument("a name: " + stingerNames());
      const auto stinger = stingerNamed(name);
      if (!stinger)
        fail("unknown stinger '" + std::string(name) + "'; stingers: " + stingerNames());
      cue.value = static_cast<int>(*stinger);
    } else if (action == "tension") {
      const std::string_view value = argument("a value from 0 to 1, script or live");
      if (value == "script" || value == "live") {
        cue.action = arc::CueAction::kTensionSource;
        cue.value = value == "live" ? arc::composer_parameter::kLiveTensionSource
                                    : arc::composer_parameter::kScriptTension;
      } else {
        cue.action = arc::CueAction::kTension;
        if (!readWhole(value, cue.amount) || !(cue.amount >= 0.0f && cue.amount <= 1.0f))
          fail("tension '" + std::string(value) +
               "' is not from 0 to 1; write tension 0.8, tension script or tension live");
      }
    } else {
      fail("unknown action '" + std::string(action) +
           "'; write next, goto SCENE, hold on|off, stinger NAME or tension VALUE");
    }
    if (w.size() > wanted)
      fail("'" + std::string(w[wanted]) + "' after '" + std::string(action) +
           "' is one word too many; one cue a line (comments start with #)");
  }

  int sceneIndex(std::string_view scene) const {
    for (std::size_t i = 0; i < arc_.scenes.size(); ++i)
      if (arc_.scenes[i].name == scene) return static_cast<int>(i);
    int number = 0;
    if (readWhole(scene, number) && number >= 1 && number <= static_cast<int>(arc_.scenes.size()))
      return number - 1;
    std::string names;
    for (const Scene& s : arc_.scenes) names += (names.empty() ? "" : ", ") + s.name;
    fail("arc " + arc_.name + " has no scene '" + std::string(scene) + "'; its scenes: " + names +
         " (or a number from 1 to " + std::to_string(arc_.scenes.size()) + ")");
  }

  static std::string stingerNames() {
    std::string names;
    for (const StingerInfo& info : stingerTable())
      names += (names.empty() ? "" : ", ") + std::string(info.name);
    return names;
  }

  const std::string& name_;
  const Arc& arc_;
  double rate_;
  int number_ = 0;
};

}  // namespace

std::vector<arc::ComposerCue> parseCues(std::string_view text, const std::string& name,
                                        const Arc& arc, double sampleRate) {
  CueReader reader(name, arc, sampleRate);
  std::size_t at = 0;
  for (int number = 1; at <= text.size(); ++number) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    reader.line(text.substr(at, end - at), number);
    at = end + 1;
  }
  return std::move(reader.cues);
}

std::vector<arc::ComposerCue> loadCues(const std::filesystem::path& path, const Arc& arc,
                                       double sampleRate) {
  return parseCues(io::readInputFile(path, kMaxCueFileBytes), path.string(), arc, sampleRate);
}

}  // namespace reverie::cli
