// The arc in frames: scenes on bar lines, and the scripted curves at any frame.
#include <algorithm>
#include <cmath>

#include "reverie/arc.hpp"

namespace reverie {

std::string_view curveShapeName(CurveShape shape) {
  switch (shape) {
    case CurveShape::kLinear:
      return "linear";
    case CurveShape::kExponential:
      return "exp";
    case CurveShape::kSCurve:
      return "s-curve";
    case CurveShape::kHold:
      return "hold";
  }
  return "linear";
}

float Curve::valueAt(double position) const noexcept {
  const double x = std::clamp(position, 0.0, 1.0);
  double amount = x;
  switch (shape) {
    case CurveShape::kLinear:
      break;
    case CurveShape::kExponential:
      amount = std::expm1(3.0 * x) / std::expm1(3.0);
      break;
    case CurveShape::kSCurve:
      amount = x * x * (3.0 - 2.0 * x);
      break;
    case CurveShape::kHold:
      amount = 0.0;
      break;
  }
  return static_cast<float>(from + (to - from) * amount);
}

bool Scene::has(Texture texture) const {
  return std::find(textures.begin(), textures.end(), texture) != textures.end();
}

double Theme::totalBeats() const {
  double total = 0.0;
  for (double b : beats) total += b;
  return total;
}

double beatSeconds(const Arc& arc, const Scene& scene) {
  return 60.0 / scene.tempo * 4.0 / arc.beatUnit;
}

double barSeconds(const Arc& arc, const Scene& scene) {
  return beatSeconds(arc, scene) * arc.beatsPerBar;
}

Timeline::Timeline(const Arc& arc, double sampleRate)
    : sampleRate_(sampleRate),
      ticksPerBar_(std::max(1, arc.beatsPerBar * 16 / std::max(1, arc.beatUnit))),
      ticksPerBeat_(std::max(1, ticksPerBar_ / std::max(1, arc.beatsPerBar))) {
  double seconds = 0.0;
  for (const Scene& scene : arc.scenes) {
    Span span;
    span.beatSeconds = beatSeconds(arc, scene);
    span.barSeconds = barSeconds(arc, scene);
    span.bars = scene.bars;
    span.startSeconds = seconds;
    span.startFrame = frameAt(seconds);
    seconds += span.barSeconds * scene.bars;
    span.endFrame = frameAt(seconds);
    spans_.push_back(span);
    curves_.push_back({scene.tension, scene.dynamics, scene.density, scene.brightness});
  }
}

std::uint64_t Timeline::frameAt(double seconds) const noexcept {
  return static_cast<std::uint64_t>(std::llround(seconds * sampleRate_));
}

std::uint64_t Timeline::barFrame(std::size_t scene, int bar) const {
  const Span& span = spans_.at(scene);
  if (bar >= span.bars) return span.endFrame;
  return frameAt(barStartSeconds(scene, span.startSeconds, bar));
}

double Timeline::barStartSeconds(std::size_t scene, double startSeconds, int bar) const noexcept {
  return startSeconds + bar * spans_[scene].barSeconds;
}

std::uint64_t Timeline::tickFrame(std::size_t scene, double startSeconds, int tick) const noexcept {
  // Bar lines first, then ticks inside the bar: a tick on a bar line lands exactly on it.
  const double tickSeconds = spans_[scene].barSeconds / ticksPerBar_;
  return frameAt(barStartSeconds(scene, startSeconds, tick / ticksPerBar_) +
                 (tick % ticksPerBar_) * tickSeconds);
}

std::uint64_t Timeline::endFrame(std::size_t scene, double startSeconds) const noexcept {
  return frameAt(startSeconds + spans_[scene].barSeconds * spans_[scene].bars);
}

std::size_t Timeline::sceneAt(std::uint64_t frame) const {
  const auto it = std::upper_bound(spans_.begin(), spans_.end(), frame,
                                   [](std::uint64_t f, const Span& s) { return f < s.endFrame; });
  if (it == spans_.end()) return spans_.empty() ? 0 : spans_.size() - 1;
  return static_cast<std::size_t>(it - spans_.begin());
}

double Timeline::positionInScene(std::uint64_t frame) const {
  if (spans_.empty()) return 0.0;
  const Span& span = spans_[sceneAt(frame)];
  const double length = static_cast<double>(span.endFrame - span.startFrame);
  if (length <= 0.0 || frame < span.startFrame) return 0.0;
  return std::min(1.0, static_cast<double>(frame - span.startFrame) / length);
}

Timeline::Values Timeline::valuesAt(std::uint64_t frame) const {
  if (spans_.empty()) return {};
  const SceneCurves& c = curves_[sceneAt(frame)];
  const double x = positionInScene(frame);
  return {c.tension.valueAt(x), c.dynamics.valueAt(x), c.density.valueAt(x),
          c.brightness.valueAt(x)};
}

}  // namespace reverie
