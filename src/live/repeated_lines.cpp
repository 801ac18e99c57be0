// RepeatedLines: first line now, a count per window after.
#include "live/repeated_lines.hpp"

namespace reverie::live {

std::optional<std::string> RepeatedLines::say(const std::string& key, const std::string& line,
                                              Clock::time_point now, std::uint64_t times) {
  const auto [it, fresh] = kinds_.try_emplace(key, Kind{now, line, times > 0 ? times - 1 : 0});
  if (fresh) return line;
  it->second.lastLine = line;
  it->second.repeats += times;
  return std::nullopt;
}

std::string RepeatedLines::summary(const Kind& kind) const {
  return kind.lastLine + " (×" + std::to_string(kind.repeats) + " more in the last " +
         std::to_string(window_.count()) + " s)";
}

std::vector<std::string> RepeatedLines::due(Clock::time_point now) {
  std::vector<std::string> lines;
  for (auto it = kinds_.begin(); it != kinds_.end();) {
    Kind& kind = it->second;
    if (now - kind.windowStart < window_) {
      ++it;
    } else if (kind.repeats == 0) {
      it = kinds_.erase(it);  // quiet for a whole window: the next one is said at once
    } else {
      lines.push_back(summary(kind));
      kind.repeats = 0;
      kind.windowStart = now;
      ++it;
    }
  }
  return lines;
}

std::vector<std::string> RepeatedLines::flush() {
  std::vector<std::string> lines;
  for (const auto& [key, kind] : kinds_)
    if (kind.repeats > 0) lines.push_back(summary(kind));
  kinds_.clear();
  return lines;
}

}  // namespace reverie::live
