// ProgressBar: "label [#######.......]  47%  detail", redrawn in place with \r.
#include "cli/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

namespace reverie::cli {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)), active_(enabled && isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(double fraction, const std::string& detail) {
  if (!active_) return;
  const auto now = std::chrono::steady_clock::now();
  if (fraction < 1.0 && now - lastDraw_ < std::chrono::milliseconds(100)) return;
  lastDraw_ = now;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth + 0.5);
  std::string bar(static_cast<std::size_t>(kWidth), '.');
  for (int i = 0; i < filled && i < kWidth; ++i) bar[static_cast<std::size_t>(i)] = '#';
  std::fprintf(stderr, "\r%s [%s] %3d%%  %s\033[K", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100.0 + 0.5), detail.c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!active_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  active_ = false;
}

}  // namespace reverie::cli
