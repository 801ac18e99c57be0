// Test helper: an arc's composer alone under an outside clock, as an engine runs it (the clock
// moved on by each block's frames), recording every event it writes at absolute frames. The
// composer makes no sound here, so a whole arc of decisions costs milliseconds.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"

namespace reverie::test {

struct Heard {
  std::uint64_t frame;
  NodeId node;
  Event event;
};

/// A host's side of the composer: its clock, moved on by the frames of each block as the
/// engine moves it, and every event the composer writes, at absolute frames.
class FollowingComposer final : public EventSink {
 public:
  explicit FollowingComposer(const Arc& arc, double rate = 48000.0, std::uint64_t seed = 3)
      : rate_(rate) {
    const arc::ArcNodes nodes = arc::buildArc(arc, graph_);
    composer_ = &graph_.node(nodes.composer);
    composer_->prepare({rate, 4096, seed});
    clock.external = true;
    clock.rolling = true;
    clock.beatsPerBar = arc.beatsPerBar;
    clock.beatType = arc.beatUnit;
    heard.reserve(1 << 16);
  }
  bool emit(NodeId node, const Event& event) noexcept override {
    heard.push_back({frame + event.frame, node, event});
    return true;
  }
  const Transport& transport() const noexcept override { return clock; }

  void play(std::uint64_t frames) {
    while (frames > 0) {
      const auto block = static_cast<int>(std::min<std::uint64_t>(frames, 512));
      composer_->generate(block, *this);
      clock = clock.advanced(block, rate_);
      frame += static_cast<std::uint64_t>(block);
      frames -= static_cast<std::uint64_t>(block);
    }
  }
  /// Frames from now to where the clock reaches `beat`, as the composer places a tick there.
  std::uint64_t framesTo(double beat) const {
    const double at = (beat - clock.beat) * 60.0 / clock.beatsPerMinute * rate_;
    return static_cast<std::uint64_t>(std::ceil(at - 1e-6));
  }
  int scene() const { return arc::composerScene(*composer_); }
  Node& composer() { return *composer_; }

  Transport clock;
  std::uint64_t frame = 0;
  std::vector<Heard> heard;

 private:
  double rate_;
  Graph graph_;
  Node* composer_ = nullptr;
};

/// The outside beats (of the arc's meter) where each scene after the first starts, played as
/// written.
inline std::vector<double> sceneStartBeats(const Arc& arc) {
  std::vector<double> beats;
  double beat = 0.0;
  for (std::size_t i = 0; i + 1 < arc.scenes.size(); ++i) {
    beat += arc.scenes[i].bars * arc.beatsPerBar;
    beats.push_back(beat);
  }
  return beats;
}

/// The note-ons `composer` wrote from frame `from` on, with frames counted from there.
inline std::vector<Heard> noteOnsFrom(const FollowingComposer& composer, std::uint64_t from) {
  std::vector<Heard> ons;
  for (const Heard& h : composer.heard)
    if (h.event.type == EventType::kNoteOn && h.frame >= from)
      ons.push_back({h.frame - from, h.node, h.event});
  return ons;
}

/// How many of the note-ons of `a` and `b` are the same, in order (frame, node, key, velocity).
inline int sameNoteOns(const std::vector<Heard>& a, const std::vector<Heard>& b) {
  int same = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    same += a[i].frame == b[i].frame && a[i].node == b[i].node &&
            a[i].event.index == b[i].event.index && a[i].event.value == b[i].event.value;
  return same;
}

}  // namespace reverie::test
