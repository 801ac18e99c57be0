// A progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <chrono>
#include <string>

namespace reverie::cli {

class ProgressBar {
 public:
  /// Draws nothing unless `enabled` and stderr is a terminal.
  ProgressBar(std::string label, bool enabled);
  ~ProgressBar();
  /// fraction 0..1; redraws at most ten times a second.
  void update(double fraction, const std::string& detail = {});
  /// Erases the bar so the summary starts on a clean line.
  void finish();

 private:
  std::string label_;
  bool active_;
  std::chrono::steady_clock::time_point lastDraw_{};
};

}  // namespace reverie::cli
