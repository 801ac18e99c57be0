// The composer under an outside clock (composer_node.hpp): a DAW's timeline, JACK transport,
// MIDI clock or Link leads, read from EventSink::transport.
//
// The composer keeps its own clock (frames of the arc laid out at its own tempi) and decides
// exactly as it does alone; following only changes where its events land. Tick n of the
// performance (one per 16th of the arc's grid) falls on the outside clock's 16th n since the
// song's start, at the first frame at or after it: frame = (16th - position) * frames per 16th
// at the host's tempo now. Between two ticks the composer's clock is stretched linearly onto the
// outside 16ths, so note-offs, controls and cues keep their place in the beat. Its scene changes
// fall on ticks, hence on the outside bar lines when the outside meter is the arc's.
//
// Stopped, the composer waits: it ends its notes and ticks no more. Where the outside position
// jumps (a seek, a loop) or rolling starts again, it starts the performance over from its seed
// and replays its decisions up to the new position into a sink that drops them: decisions are
// made on ticks only, from the seed, the tick's place and the composer's own clock, so the
// notes from there on are those of a performance that played through. Controls (which decide
// nothing) are skipped while replaying and sent afresh after.
#include <algorithm>
#include <cmath>

#include "arc/composer_node.hpp"

namespace reverie::arc {
namespace {

/// Outside positions this far (in 16ths) from where the last block should have led are a jump.
constexpr double kJumpSixteenths = 0.05;
/// Frames of slack in placing a tick, for the rounding of the outside position.
constexpr double kFrameSlack = 1e-6;

/// The frame (in this block; negative before it) of a point `frames` after the block's start.
long long firstFrameAtOrAfter(double frames) noexcept {
  return static_cast<long long>(std::ceil(frames - kFrameSlack));
}

/// Takes the composer's events, with frames of its own clock, onto the outside clock's frames
/// of this block: between two ticks, linearly.
class FollowSink final : public EventSink {
 public:
  FollowSink(EventSink& out, int frames) : out_(out), frames_(frames) {}

  /// The composer-clock frames [from, to] fall on this block's frames [rFrom, rTo].
  void segment(std::uint64_t from, std::uint64_t to, double rFrom, double rTo) noexcept {
    from_ = from;
    to_ = to;
    rFrom_ = rFrom;
    rTo_ = rTo;
  }
  double blockFrame(std::uint64_t clock) const noexcept {
    if (to_ <= from_) return rTo_;
    return rFrom_ +
           static_cast<double>(clock - from_) / static_cast<double>(to_ - from_) * (rTo_ - rFrom_);
  }
  /// The first composer-clock frame that falls past this block.
  std::uint64_t clockEnd() const noexcept {
    if (to_ <= from_ || rTo_ <= rFrom_) return from_;
    const double last = static_cast<double>(frames_ - 1) + kFrameSlack - rFrom_;
    if (last < 0.0) return from_;
    const double span = static_cast<double>(to_ - from_);
    const double past = std::floor(last / (rTo_ - rFrom_) * span) + 1.0;
    return from_ + static_cast<std::uint64_t>(std::min(past, span));
  }

  bool emit(NodeId node, const Event& event) noexcept override {
    Event e = event;  // SectionNotes writes frames relative to the segment's start
    const long long frame = firstFrameAtOrAfter(blockFrame(from_ + event.frame));
    e.frame = static_cast<std::uint32_t>(std::clamp<long long>(frame, 0, frames_ - 1));
    return out_.emit(node, e);
  }
  const Transport& transport() const noexcept override { return out_.transport(); }

 private:
  EventSink& out_;
  int frames_;
  std::uint64_t from_ = 0, to_ = 0;
  double rFrom_ = 0.0, rTo_ = 0.0;
};

/// Where replayed decisions go: nowhere.
class DiscardSink final : public EventSink {
 public:
  bool emit(NodeId, const Event&) noexcept override { return true; }
};

}  // namespace

void ComposerNode::follow(int frames, EventSink& sink) noexcept {
  const Transport& clock = sink.transport();
  if (!clock.rolling) {
    if (followSynced_) releaseAll(sink);
    followSynced_ = false;  // rolling again, it finds its place afresh
    return;
  }
  const double perBeat = 16.0 / std::max(clock.beatType, 1.0);
  const double sixteenth = clock.beat * perBeat;
  const double framesPer16th =
      60.0 * info().sampleRate / (std::max(clock.beatsPerMinute, 1.0) * perBeat);
  if (!followSynced_ || std::abs(sixteenth - followNext_) > kJumpSixteenths)
    resync(sixteenth, framesPer16th, sink);
  followNext_ = sixteenth + frames / framesPer16th;

  FollowSink out(sink, frames);
  bool drained = false;
  for (;;) {
    const std::uint64_t tickAt = followTickFrame();
    const double rTick = (static_cast<double>(ticksDone_) - sixteenth) * framesPer16th;
    out.segment(lastTickV_, tickAt, rTick - framesPer16th, rTick);
    notes_.beginBlock(out, lastTickV_);
    if (!drained) {  // live cues of the block: at its first frame, as in the composer's time
      drainInbox();
      drained = true;
    }
    if (firstFrameAtOrAfter(rTick) >= frames) {
      run(std::min(out.clockEnd(), tickAt));
      break;
    }
    followTick();
  }
  notes_.endBlock();
}

std::uint64_t ComposerNode::followTickFrame() const noexcept {
  if (ticksDone_ == 0 || nextTick_ != UINT64_MAX) return nextTick_;
  return lastTickV_ + tickLengthV_;  // the arc has ended: its clock runs on at its last tick
}

void ComposerNode::followTick() noexcept {
  const std::uint64_t tickAt = followTickFrame();
  run(tickAt + 1);
  if (nextTick_ != UINT64_MAX) tickLengthV_ = nextTick_ - tickAt;
  lastTickV_ = tickAt;
  ++ticksDone_;
}

void ComposerNode::resync(double sixteenth, double framesPer16th, EventSink& sink) noexcept {
  releaseAll(sink);
  restart();
  ticksDone_ = lastTickV_ = tickLengthV_ = 0;
  DiscardSink discard;
  notes_.beginBlock(discard, 0);
  nextControl_ = UINT64_MAX;  // controls decide nothing: skipped, and sent afresh below
  // Every tick that falls before this block's first frame.
  const auto before = [&] {
    return firstFrameAtOrAfter((static_cast<double>(ticksDone_) - sixteenth) * framesPer16th) < 0;
  };
  while (before() && !ended_) followTick();
  if (before()) {  // past the arc's end: its clock runs on without a decision to replay
    const auto ahead = static_cast<std::uint64_t>(
        std::max(0.0, std::ceil(sixteenth - static_cast<double>(ticksDone_)) - 1.0));
    lastTickV_ += ahead * tickLengthV_;
    ticksDone_ += ahead;
    while (before()) followTick();
  }
  notes_.endBlock();
  controlIndex_ =
      static_cast<std::uint64_t>(std::ceil(static_cast<double>(position_) / controlFrames_ - 1e-9));
  nextControl_ =
      static_cast<std::uint64_t>(std::llround(static_cast<double>(controlIndex_) * controlFrames_));
  for (std::size_t i = 0; i < chordHeld_.size(); ++i) notes_.sent(i) = {};
  notes_.forgetAutomation();
  followSynced_ = true;
}

void ComposerNode::releaseAll(EventSink& sink) noexcept {
  notes_.beginBlock(sink, position_);
  for (std::size_t i = 0; i < chordHeld_.size(); ++i)
    notes_.release(position_, static_cast<int>(i));
  notes_.endBlock();
}

}  // namespace reverie::arc
