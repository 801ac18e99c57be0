// The control thread's view of the arc a live composer performs: which scene and bar it is in
// (from the scene the composer publishes and the renderer's frame count, on the arc's own bar
// lines) and the scripted tension there. (/reverie/scene/goto is the composer's goto control,
// sent by the Controller on the message's frame; going back is refused there.)
#pragma once

#include <cstdint>
#include <memory>

#include "reverie/arc.hpp"

namespace reverie::osc {

class ArcCues {
 public:
  ArcCues(const Arc& arc, double sampleRate);

  /// Control thread, often: follows the composer (`scene` is what it publishes) at the audio
  /// clock's `frame`.
  void update(int scene, std::int64_t frame);

  int scene() const { return scene_; }
  /// 1-based bar of the scene at the last update.
  int bar() const { return bar_; }
  /// The frame the current scene started at (on a bar line of the one before).
  std::int64_t sceneStart() const { return sceneStartFrame_; }
  /// The arc's scripted tension at the last update.
  double scriptTension() const { return tension_; }
  const Timeline& timeline() const { return *timeline_; }

 private:
  std::unique_ptr<Timeline> timeline_;
  double sampleRate_;
  int scene_ = 0, bar_ = 1;
  double sceneStartSeconds_ = 0.0;
  std::int64_t sceneStartFrame_ = 0;
  double tension_ = 0.0;
};

}  // namespace reverie::osc
