// Messages that can repeat thousands of times a second (a controller sending program changes
// in a loop): the first of a kind is said at once, the rest are counted and summed up in one
// line per window, "program 5 has no preset ... (×1136 more in the last 10 s)" (control thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace reverie::live {

class RepeatedLines {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RepeatedLines(std::chrono::seconds window = std::chrono::seconds(10))
      : window_(window) {}

  /// `line`, of kind `key`, that happened `times` times: returned if no line of that kind was
  /// said in the current window, else counted (and nothing returned).
  std::optional<std::string> say(const std::string& key, const std::string& line,
                                 Clock::time_point now, std::uint64_t times = 1);
  /// Summaries of the kinds whose window has ended with lines counted; a kind repeated again
  /// after that is summed up again a window later.
  std::vector<std::string> due(Clock::time_point now);
  /// Summaries of every kind still counted (when playing stops).
  std::vector<std::string> flush();

 private:
  struct Kind {
    Clock::time_point windowStart;
    std::string lastLine;
    std::uint64_t repeats = 0;
  };
  std::string summary(const Kind& kind) const;

  std::chrono::seconds window_;
  std::map<std::string, Kind> kinds_;
};

}  // namespace reverie::live
