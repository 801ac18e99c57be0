// What the TOML fuzz targets do with one input, shared with tests/test_fuzz_regressions.cpp so
// a kept crash is replayed through exactly the path that found it. A patch is parsed, built,
// compiled and prepared, its score scheduled and one block rendered; an arc is parsed and its
// timeline laid out at 48 kHz and walked. A broken file must end in an InputError (a graph the
// patch parser let through may fail with a GraphError, as Graph and Engine document); other
// exceptions propagate, and a broken promise comes back as a violation.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/errors.hpp"
#include "reverie/preset.hpp"
#include "reverie/score.hpp"

namespace reverie::fuzz {

struct Outcome {
  bool accepted = false;  ///< parsed (and built) without error
  std::string error;      ///< the documented error's message when not accepted
  std::string violation;  ///< the first broken promise; empty when all held
};

/// Parses `text` as a patch and does what `render` does with it, at a small rate and block.
Outcome runPreset(std::string_view text);
/// Parses `text` as an arc read from `sourceName` (its patch is found from there) and walks its
/// timeline at 48 kHz.
Outcome runArc(std::string_view text, const std::string& sourceName);

// ---- implementation ----

namespace detail {

// Records the first broken promise of an input.
class Promises {
 public:
  explicit Promises(Outcome& outcome) : outcome_(outcome) {}
  bool require(bool condition, const char* promise) {
    if (!condition && outcome_.violation.empty()) outcome_.violation = promise;
    return condition;
  }

 private:
  Outcome& outcome_;
};

inline bool inUnitRange(float value) {
  return value >= 0.0f && value <= 1.0f;
}

inline void checkPatch(const Patch& patch, Promises& p) {
  p.require(!patch.nodes.empty(), "a patch has nodes");
  p.require(std::isfinite(patch.lengthSeconds) && patch.lengthSeconds > 0.0,
            "length is finite, above 0");
  p.require(std::isfinite(patch.tailSeconds) && patch.tailSeconds >= 0.0,
            "tail is finite, not negative");
  double last = 0.0;
  for (const ScoreEntry& entry : patch.score) {
    p.require(std::isfinite(entry.atSeconds) && entry.atSeconds >= last,
              "score times rise, finite");
    p.require(std::isfinite(entry.lengthSeconds) && std::isfinite(entry.rampSeconds) &&
                  std::isfinite(entry.velocity) && std::isfinite(entry.value),
              "score values are finite");
    last = entry.atSeconds;
  }
  for (const NodeSpec& node : patch.nodes)
    for (const auto& parameter : node.parameters)
      p.require(std::isfinite(parameter.second), "parameter values are finite");
}

// The smallest rate and a short block keep each input cheap: prepare sizes voice pools, delay
// lines and buffers by them.
inline void buildAndRender(const Patch& patch, Promises& p) {
  constexpr double kSampleRate = 22050.0;
  constexpr int kBlockFrames = 64;
  Engine engine({kSampleRate, kBlockFrames, 1});
  const std::map<std::string, NodeId> ids = buildGraph(patch, engine.graph());
  p.require(ids.size() == patch.nodes.size(), "every node is built");
  engine.commit();
  const std::vector<ScheduledEvent> events = scheduleScore(patch, ids, engine.graph(), kSampleRate);
  for (const ScheduledEvent& e : events)
    p.require(engine.graph().entries().count(e.node) == 1, "score events go to built nodes");
  float left[kBlockFrames];
  float right[kBlockFrames];
  float* output[] = {left, right};
  engine.process(output, kBlockFrames);
  for (int i = 0; i < kBlockFrames; ++i)
    p.require(std::fabs(left[i]) <= 1.0f && std::fabs(right[i]) <= 1.0f,
              "samples within full scale");
}

inline void checkValues(const Timeline& timeline, std::uint64_t frame, Promises& p) {
  const Timeline::Values v = timeline.valuesAt(frame);
  p.require(inUnitRange(v.tension) && inUnitRange(v.dynamics) && inUnitRange(v.density) &&
                inUnitRange(v.brightness),
            "curves stay within 0..1");
  const double position = timeline.positionInScene(frame);
  p.require(position >= 0.0 && position <= 1.0, "position in scene within 0..1");
}

inline void walkTimeline(const Arc& arc, Promises& p) {
  if (!p.require(!arc.scenes.empty(), "an arc has scenes")) return;
  const Timeline timeline(arc, 48000.0);
  const std::vector<Timeline::Span>& spans = timeline.spans();
  if (!p.require(spans.size() == arc.scenes.size(), "one span per scene")) return;
  std::uint64_t previousEnd = 0;
  double previousSeconds = 0.0;
  for (std::size_t s = 0; s < spans.size(); ++s) {
    const Timeline::Span& span = spans[s];
    // Scenes follow each other without a gap, each at least one bar long.
    if (!p.require(span.startFrame == previousEnd && span.endFrame > span.startFrame,
                   "scenes are contiguous and not empty"))
      return;
    p.require(std::isfinite(span.startSeconds) && span.startSeconds >= previousSeconds,
              "scene starts rise");
    p.require(std::isfinite(span.barSeconds) && span.barSeconds > 0.0 &&
                  std::isfinite(span.beatSeconds) && span.beatSeconds > 0.0,
              "bars and beats have a finite length");
    p.require(span.bars >= 1 && span.bars == arc.scenes[s].bars, "a span has its scene's bars");
    // Bar lines rise from the scene's start to its end; long scenes are sampled every hundredth
    // bar, so one input stays cheap however long the arc.
    p.require(timeline.barFrame(s, 0) == span.startFrame, "bar 0 is the scene's start");
    std::uint64_t previousBar = span.startFrame;
    const auto nextBarLine = [&](int bar) {
      const std::uint64_t frame = timeline.barFrame(s, bar);
      p.require(frame > previousBar && frame <= span.endFrame, "bar lines rise within the scene");
      previousBar = frame;
    };
    const int stride = span.bars > 200 ? 100 : 1;
    for (int bar = stride; bar < span.bars; bar += stride) nextBarLine(bar);
    nextBarLine(span.bars);
    p.require(previousBar == span.endFrame, "the last bar line is the scene's end");
    p.require(timeline.sceneAt(span.startFrame) == s && timeline.sceneAt(span.endFrame - 1) == s,
              "sceneAt finds the scene");
    checkValues(timeline, span.startFrame, p);
    checkValues(timeline, span.startFrame + (span.endFrame - span.startFrame) / 2, p);
    checkValues(timeline, span.endFrame - 1, p);
    previousEnd = span.endFrame;
    previousSeconds = span.startSeconds;
  }
  p.require(timeline.totalFrames() == previousEnd, "the timeline ends with its last scene");
  p.require(timeline.sceneAt(previousEnd) == spans.size() - 1, "past the end is the last scene");
  p.require(std::isfinite(arc.tailSeconds) && arc.tailSeconds >= 0.0, "the tail is finite");
}

}  // namespace detail

inline Outcome runPreset(std::string_view text) {
  Outcome outcome;
  detail::Promises promises(outcome);
  Patch patch;
  try {
    patch = parsePatch(text, "fuzz.toml");
  } catch (const InputError& error) {
    outcome.error = error.what();
    return outcome;
  }
  detail::checkPatch(patch, promises);
  try {
    detail::buildAndRender(patch, promises);
  } catch (const GraphError& error) {
    outcome.error = error.what();
    return outcome;
  }
  outcome.accepted = true;
  return outcome;
}

inline Outcome runArc(std::string_view text, const std::string& sourceName) {
  Outcome outcome;
  detail::Promises promises(outcome);
  Arc arc;
  try {
    arc = parseArc(text, sourceName);
  } catch (const InputError& error) {
    outcome.error = error.what();
    return outcome;
  }
  detail::walkTimeline(arc, promises);
  outcome.accepted = true;
  return outcome;
}

}  // namespace reverie::fuzz
