// The composer's cues (composer_node.hpp): holds and their vamps, cued changes of scene at the
// scene's exit point, and stingers on their quantised frame. A cue list, a parameter, a key or
// pedal and OSC all come here through applyCue, the first on exact frames, the others at the
// start of the next block.
#include <algorithm>
#include <climits>
#include <cmath>

#include "arc/composer_node.hpp"
#include "instruments/orchestra/timpani_node.hpp"

namespace reverie::arc {
namespace {

constexpr float kRollPattern = static_cast<float>(timpani_parameter::Pattern::kRoll);
constexpr float kSinglePattern = static_cast<float>(timpani_parameter::Pattern::kSingle);
constexpr float kHeartbeatPattern = static_cast<float>(timpani_parameter::Pattern::kHeartbeat);
constexpr double kCheerSeconds = 3.0;

bool before(const ComposerCue& a, const ComposerCue& b) {
  if (a.atBeat != b.atBeat) return false;
  if (!a.atBeat) return a.frame < b.frame;
  return a.bar != b.bar ? a.bar < b.bar : a.beat < b.beat;
}

}  // namespace

void ComposerNode::setCues(std::vector<ComposerCue> cues) {
  frameCues_.clear();
  beatCues_.clear();
  for (const ComposerCue& cue : cues) (cue.atBeat ? beatCues_ : frameCues_).push_back(cue);
  std::stable_sort(frameCues_.begin(), frameCues_.end(), before);
  std::stable_sort(beatCues_.begin(), beatCues_.end(), before);
  restart();
}

void ComposerNode::requestLive(CueAction action, int value) noexcept {
  if (inboxCount_ == static_cast<int>(inbox_.size())) return;  // a flood: the rest waits
  ComposerCue& cue = inbox_[static_cast<std::size_t>(inboxCount_++)];
  cue = {};
  cue.action = action;
  cue.value = value;
}

void ComposerNode::drainInbox() noexcept {
  for (int i = 0; i < inboxCount_; ++i) applyCue(inbox_[static_cast<std::size_t>(i)], position_);
  inboxCount_ = 0;
}

void ComposerNode::applyCue(const ComposerCue& cue, std::uint64_t frame) noexcept {
  if (!script_ || script_->scenes.empty()) return;
  switch (cue.action) {
    case CueAction::kNext:
    case CueAction::kGoto:
      advanceRequested_ = true;
      advanceTarget_ = cue.action == CueAction::kNext
                           ? -1
                           : std::clamp(cue.value, 0, static_cast<int>(script_->scenes.size()) - 1);
      break;
    case CueAction::kHold:
      parameter(composer_parameter::kHold)
          .setImmediate(static_cast<float>(std::clamp(cue.value, 0, 2)));
      break;
    case CueAction::kTension:
      parameter(composer_parameter::kLiveTension).setImmediate(std::clamp(cue.amount, 0.0f, 1.0f));
      parameter(composer_parameter::kTensionSource)
          .setImmediate(static_cast<float>(composer_parameter::kLiveTensionSource));
      break;
    case CueAction::kTensionSource:
      parameter(composer_parameter::kTensionSource)
          .setImmediate(static_cast<float>(std::clamp(cue.value, 0, 1)));
      break;
    case CueAction::kStinger: {
      if (cue.value < 0 || cue.value >= kStingerCount) break;
      const auto stinger = static_cast<Stinger>(cue.value);
      const Quantise quantise = script_->arc.stingerQuantise[static_cast<std::size_t>(cue.value)];
      if (quantise == Quantise::kNow) {
        fireStinger(frame, stinger);
      } else if (pendingCount_ < static_cast<int>(pending_.size())) {
        pending_[static_cast<std::size_t>(pendingCount_++)] = {stinger, quantise};
      }
      break;
    }
  }
}

void ComposerNode::beatCues(std::uint64_t frame, int bar, int inBar) noexcept {
  const int here = barsBefore_ + bar;
  const int beat = inBar / ticksPerBeat_;
  while (nextBeatCue_ < beatCues_.size()) {
    const ComposerCue& cue = beatCues_[nextBeatCue_];
    if (cue.bar > here || (cue.bar == here && cue.beat > beat)) break;
    ++nextBeatCue_;
    applyCue(cue, frame);
  }
}

bool ComposerNode::holding() const noexcept {
  switch (static_cast<int>(parameterTarget(composer_parameter::kHold))) {
    case composer_parameter::kHoldOn:
      return true;
    case composer_parameter::kHoldOff:
      return false;
    default:
      return sceneData().hold;
  }
}

int ComposerNode::musicBar(int bar) const noexcept {
  const int bars = sceneData().bars;
  if (bar < bars) return bar;
  const int lastPhrase = (bars - 1) / kPhraseBars * kPhraseBars;
  return lastPhrase + (bar - bars) % (bars - lastPhrase);
}

void ComposerNode::fireStingers(std::uint64_t frame, int inBar) noexcept {
  if (inBar % ticksPerBeat_ != 0) return;
  int kept = 0;
  for (int i = 0; i < pendingCount_; ++i) {
    const PendingStinger p = pending_[static_cast<std::size_t>(i)];
    if (p.quantise == Quantise::kBar && inBar != 0)
      pending_[static_cast<std::size_t>(kept++)] = p;
    else
      fireStinger(frame, p.stinger);
  }
  pendingCount_ = kept;
}

/// Every section whose role plays the stinger plays it, whether or not the scene has it play.
void ComposerNode::fireStinger(std::uint64_t frame, Stinger stinger) noexcept {
  const float d = ended_ ? 0.5f : dynamicsAt(frame);
  const std::uint64_t bar = framesOf(barSeconds_);
  if (stinger == Stinger::kCheer) {
    cheerStart_ = frame;
    cheerEnd_ = frame + framesOf(kCheerSeconds);
  }
  if (stinger == Stinger::kSwell) {
    swellStart_ = frame;
    swellEnd_ = frame + bar;
  }
  for (std::size_t i = 0; i < script_->sections.size(); ++i) {
    const int section = static_cast<int>(i);
    const SectionBinding& b = script_->sections[i];
    const NodeRole role = b.role;
    if (stinger == Stinger::kShatter && role == NodeRole::kShards)
      shatter(frame, section, stingerRandom_, 0.55f + 0.45f * d);
    if (stinger == Stinger::kDrop &&
        (role == NodeRole::kCrystal || role == NodeRole::kBowedCrystal)) {
      // Struck, it is left to ring as the drop texture leaves it; bowed, it ends.
      notes_.noteOn(frame, section, dropKey(), 0.45f + 0.5f * d);
      if (role == NodeRole::kBowedCrystal) notes_.scheduleOff(frame + 2 * bar, section, dropKey());
    }
    if ((stinger == Stinger::kStab && role == NodeRole::kBrass) ||
        (stinger == Stinger::kSwell && role == NodeRole::kStrings)) {
      std::array<std::uint8_t, 16> keys{};
      const bool stab = stinger == Stinger::kStab;
      const int count = stab ? voiceChord(chord_, tonic_, 45, 57, 72, keys)
                             : voiceChord(chord_, tonic_, b.bassLow, b.low, b.high, keys);
      const std::uint64_t length =
          stab ? std::max<std::uint64_t>(1, framesOf(tickSeconds_ * 1.8)) : bar;
      for (int k = 0; k < count && k < 6; ++k) {
        const int key = keys[static_cast<std::size_t>(k)];
        if (chordHeld_[i].test(key)) continue;  // it sounds already, and swells with the rest
        notes_.noteOn(frame, section, key, stab ? std::min(1.0f, 0.75f + 0.25f * d) : 0.6f);
        notes_.scheduleOff(frame + length, section, key);
      }
    }
    // The cheer and the swell start on their frame; the control grid carries them on.
    if (stinger == Stinger::kCheer && role == NodeRole::kAudience) {
      notes_.sendParameter(frame, b.node, b.cheers, 1.0f, notes_.sent(i).cheers);
      notes_.sendParameter(frame, b.node, b.applause, 0.8f, notes_.sent(i).applause);
    }
    if (stinger == Stinger::kSwell && role == NodeRole::kStrings)
      notes_.sendController(frame, b.node, 11, stingerSwellAt(frame), notes_.sent(i).cc11);
    if (stinger == Stinger::kRoll && role == NodeRole::kTimpani) {
      notes_.setParameter(frame, b.node, b.pattern, kRollPattern);
      notes_.noteOn(frame, section, timpaniTonic(), 0.45f + 0.45f * d);
      notes_.scheduleOff(frame + bar, section, timpaniTonic());
      rolling_ = true;
      rollEnd_ = frame + bar;
    }
  }
}

void ComposerNode::endRoll(std::uint64_t frame) noexcept {
  rolling_ = false;
  const bool heartbeat = !ended_ && program().has(Texture::kHeartbeat);
  for (std::size_t i = 0; i < script_->sections.size(); ++i) {
    const SectionBinding& b = script_->sections[i];
    if (b.role != NodeRole::kTimpani) continue;
    const bool beats = heartbeat && program().plays(static_cast<int>(i));
    notes_.setParameter(frame, b.node, b.pattern, beats ? kHeartbeatPattern : kSinglePattern);
    if (beats)
      notes_.noteOn(frame, static_cast<int>(i), timpaniTonic(), 0.4f + 0.5f * dynamicsAt(frame));
  }
}

/// The cheer stinger: up at once, held, fading over its last second.
float ComposerNode::cheerAt(std::uint64_t frame) const noexcept {
  if (frame < cheerStart_ || frame >= cheerEnd_) return 0.0f;
  const double left = static_cast<double>(cheerEnd_ - frame) / info().sampleRate;
  return static_cast<float>(std::min(1.0, left));
}

/// The swell stinger: the strings' expression from soft to full across its bar.
float ComposerNode::stingerSwellAt(std::uint64_t frame) const noexcept {
  if (frame < swellStart_ || frame >= swellEnd_) return 0.0f;
  const double t = static_cast<double>(frame - swellStart_) /
                   static_cast<double>(std::max<std::uint64_t>(1, swellEnd_ - swellStart_));
  return static_cast<float>(0.25 + 0.75 * t * t);
}

}  // namespace reverie::arc
