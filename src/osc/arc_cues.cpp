// ArcCues: scene and bar on the composer's own bar lines.
#include "osc/arc_cues.hpp"

#include <algorithm>
#include <cmath>

namespace reverie::osc {

ArcCues::ArcCues(const Arc& arc, double sampleRate)
    : timeline_(std::make_unique<Timeline>(arc, sampleRate)), sampleRate_(sampleRate) {}

void ArcCues::update(int scene, std::int64_t frame) {
  const auto& spans = timeline_->spans();
  const int count = static_cast<int>(spans.size());
  // The composer moved on at a bar line of the scene before: the last one at or before now.
  while (scene_ < scene && scene_ < count) {
    int bar = 0;
    const auto& span = spans[static_cast<std::size_t>(scene_)];
    while (bar < span.bars &&
           std::llround(timeline_->barStartSeconds(static_cast<std::size_t>(scene_),
                                                   sceneStartSeconds_, bar + 1) *
                        sampleRate_) <= frame)
      ++bar;
    sceneStartSeconds_ =
        timeline_->barStartSeconds(static_cast<std::size_t>(scene_), sceneStartSeconds_, bar);
    sceneStartFrame_ = std::llround(sceneStartSeconds_ * sampleRate_);
    ++scene_;
  }
  if (scene_ >= count) {
    bar_ = 0;
    tension_ = 0.0;
    return;
  }
  const auto& span = spans[static_cast<std::size_t>(scene_)];
  const double into = static_cast<double>(frame - sceneStartFrame_) / sampleRate_;
  bar_ = std::clamp(static_cast<int>(std::floor(into / span.barSeconds)) + 1, 1, span.bars);
  // The scripted curves at the same place of the scene as laid out.
  const double laidOut = static_cast<double>(span.startFrame) + std::max(into, 0.0) * sampleRate_;
  tension_ = timeline_->valuesAt(static_cast<std::uint64_t>(laidOut)).tension;
}

}  // namespace reverie::osc
