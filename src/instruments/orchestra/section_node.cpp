// SectionNode: the note and controller handling shared by the orchestral sections.
#include "instruments/orchestra/section_node.hpp"

#include <algorithm>

#include "dsp/voice_allocator.hpp"
#include "nodes/builtin_nodes.hpp"

namespace reverie::orchestra {

SectionNode::SectionNode(const NodeType& type, SectionLayout layout) : Node(type), layout_(layout) {
  // The orchestral-library convention: the mod wheel rides the dynamics, CC11 the expression.
  if (layout_.dynamics >= 0) mapController(1, layout_.dynamics, 0.0f, 1.0f);
  if (layout_.expression >= 0) mapController(11, layout_.expression, 0.0f, 1.0f);
}

int SectionNode::polyphony() const noexcept {
  if (layout_.polyphony < 0) return kMaxVoices;
  return std::clamp(static_cast<int>(parameterTarget(layout_.polyphony)), 1, kMaxVoices);
}

int SectionNode::soundingVoices() const noexcept {
  int count = 0;
  for (int v = 0; v < kMaxVoices; ++v)
    count += slots_[static_cast<std::size_t>(v)].key >= 0 && voiceSounding(v);
  return count;
}

void SectionNode::noteOn(int key, float velocity) noexcept {
  // The same key again takes its own voice (no doubled unisons), then a free slot,
  // then the oldest voice, preferring released ones.
  struct Pool {
    SectionNode& node;
    int size() const noexcept { return kMaxVoices; }
    int key(int v) const noexcept { return node.slot(v).key; }
    bool playing(int v) const noexcept { return node.voiceSounding(v); }
    bool free(int v) const noexcept { return key(v) < 0 || !node.voiceSounding(v); }
    unsigned long age(int v) const noexcept { return node.slot(v).age; }
    bool released(int v) const noexcept { return !node.slot(v).held && !node.slot(v).sustained; }
  } pool{*this};
  const auto [chosen, stolen] =
      dsp::chooseVoice<dsp::StealRule::kReleasedThenOldest>(pool, key, polyphony());
  VoiceSlot& s = slots_[static_cast<std::size_t>(chosen)];
  s.key = key;
  s.velocity = velocity;
  s.age = ++clock_;
  s.held = true;
  s.sustained = false;
  startVoice(chosen, lastKey_, stolen);
  lastKey_ = key;
  mostSounding_ = std::max(mostSounding_, soundingVoices());
}

void SectionNode::noteOff(int key) noexcept {
  for (int v = 0; v < kMaxVoices; ++v) {
    VoiceSlot& s = slots_[static_cast<std::size_t>(v)];
    if (s.key != key || !s.held) continue;
    s.held = false;
    if (pedal_) {
      s.sustained = true;
    } else {
      releaseVoice(v);
    }
  }
}

void SectionNode::setPedal(bool down) noexcept {
  pedal_ = down;
  if (down) return;
  for (int v = 0; v < kMaxVoices; ++v) {
    VoiceSlot& s = slots_[static_cast<std::size_t>(v)];
    if (!s.sustained) continue;
    s.sustained = false;
    releaseVoice(v);
  }
}

void SectionNode::resetLevelGain() noexcept {
  levelGain_ = layout_.level >= 0 ? decibelsToGain(parameter(layout_.level).current()) : 1.0f;
}

void SectionNode::applyExpressionAndLevel(float* left, float* right, int frames,
                                          std::span<const int> alsoSmoothed) noexcept {
  SmoothedValue& expression = parameter(layout_.expression);
  bool ramping =
      expression.isRamping() || (layout_.level >= 0 && parameter(layout_.level).isRamping());
  for (int index : alsoSmoothed) ramping = ramping || parameter(index).isRamping();
  if (!ramping) {
    const float x = expression.current();
    const float gain = x * x * levelGain_;
    for (int i = 0; i < frames; ++i) {
      left[i] *= gain;
      right[i] *= gain;
    }
    return;
  }
  for (int i = 0; i < frames; ++i) {
    for (int index : alsoSmoothed) parameter(index).next();
    if (layout_.level >= 0 && parameter(layout_.level).isRamping())
      levelGain_ = decibelsToGain(parameter(layout_.level).next());
    const float x = expression.next();
    const float gain = x * x * levelGain_;
    left[i] *= gain;
    right[i] *= gain;
  }
}

void SectionNode::onParameterChanged(int index) noexcept {
  if (index == type().bendRangeParameter) {
    bendSemitones_ = bendPosition_ * parameterTarget(index);
    retune();
  } else if (index == layout_.tuning) {
    retune();
  }
}

void SectionNode::onEvent(const Event& event) noexcept {
  switch (event.type) {
    case EventType::kNoteOn:
      if (event.index > 127) return;
      if (event.value > 0.0f) return noteOn(event.index, std::min(event.value, 1.0f));
      return noteOff(event.index);
    case EventType::kNoteOff:
      return noteOff(event.index);
    case EventType::kPitchBend: {
      bendPosition_ = std::clamp(event.value, -1.0f, 1.0f);
      if (!(bendPosition_ == bendPosition_)) bendPosition_ = 0.0f;
      const int bendRange = type().bendRangeParameter;
      const double range = bendRange >= 0 ? parameterTarget(bendRange) : 2.0;
      bendSemitones_ = bendPosition_ * range;
      return retune();
    }
    case EventType::kChannelPressure:
      pressure_ = std::clamp(event.value, 0.0f, 1.0f);
      return onOtherEvent(event);
    case EventType::kControlChange:
      if (event.index == 64) return setPedal(event.value >= 0.5f);
      if (event.index == 120) {  // all sound off
        for (int v = 0; v < kMaxVoices; ++v) {
          VoiceSlot& s = slots_[static_cast<std::size_t>(v)];
          if (s.key >= 0 && voiceSounding(v)) silenceVoice(v);
          s.held = s.sustained = false;
        }
        return;
      }
      if (event.index == 123) {  // all notes off
        for (int v = 0; v < kMaxVoices; ++v)
          if (slots_[static_cast<std::size_t>(v)].held)
            noteOff(slots_[static_cast<std::size_t>(v)].key);
        return;
      }
      return onOtherEvent(event);
    case EventType::kAllNotesOff:
      for (int v = 0; v < kMaxVoices; ++v) {
        VoiceSlot& s = slots_[static_cast<std::size_t>(v)];
        if (s.held || s.sustained) releaseVoice(v);
        s.held = s.sustained = false;
      }
      return;
    default:
      return onOtherEvent(event);
  }
}

}  // namespace reverie::orchestra
