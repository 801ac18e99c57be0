// Node base: parameter storage and the sample-accurate split of a block at its events.
#include "reverie/node.hpp"

#include <algorithm>
#include <cmath>

namespace reverie {

Node::Node(const NodeType& type) : type_(type), parameters_(type.parameters.size()) {
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    parameters_[i].setImmediate(type.parameters[i].defaultValue);
}

void Node::prepare(const PrepareInfo& info) {
  info_ = info;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const double seconds = type_.parameters[i].smoothingSeconds;
    parameters_[i].setRampFrames(static_cast<int>(std::lround(seconds * info.sampleRate)));
    parameters_[i].setImmediate(parameters_[i].target());
  }
  onPrepare(info);
  for (std::size_t i = 0; i < parameters_.size(); ++i) onParameterChanged(static_cast<int>(i));
  prepared_ = true;
}

void Node::setParameterDirect(int index, float value) {
  if (index < 0 || static_cast<std::size_t>(index) >= parameters_.size()) return;
  applyParameter(index, value, true);
}

void Node::applyParameter(int index, float value, bool immediate) noexcept {
  const ParameterDescriptor& descriptor = type_.parameters[static_cast<std::size_t>(index)];
  float clamped = descriptor.clamp(value);
  if (descriptor.isChoice()) clamped = std::floor(clamped + 0.5f);
  SmoothedValue& target = parameters_[static_cast<std::size_t>(index)];
  if (immediate || descriptor.isChoice()) {
    target.setImmediate(clamped);
  } else {
    target.setTarget(clamped);
  }
  onParameterChanged(index);
}

void Node::process(const ProcessBlock& block) noexcept {
  const int inputs = static_cast<int>(type_.inputs.size());
  const int outputs = static_cast<int>(type_.outputs.size());
  const float* in[kMaxPorts];
  float* out[kMaxPorts];
  int done = 0;
  std::size_t next = 0;
  // Event frames count from the engine's block; `done` from this part of it.
  const auto at = [&](std::size_t e) {
    return static_cast<int>(block.events[e].frame) - block.firstFrame;
  };
  while (done < block.frames) {
    // Apply every event due at this frame, then render up to the next one.
    while (next < block.events.size() && at(next) <= done) applyEvent(block.events[next++]);
    const int end = next < block.events.size() ? at(next) : block.frames;
    const int span = (end > block.frames ? block.frames : end) - done;
    for (int i = 0; i < inputs; ++i) in[i] = block.inputs[i] + done;
    for (int i = 0; i < outputs; ++i) out[i] = block.outputs[i] + done;
    spanStart_ = block.firstFrame + done;
    render(in, out, span);
    if (stripActive_ && outputs == 2) applyChannelStrip(out[0], out[1], span);
    done += span;
  }
  blockFrames_ = block.firstFrame + block.frames;
  // Events at or past the end (none, if the engine did its job) still take effect.
  for (; next < block.events.size(); ++next) applyEvent(block.events[next]);
  if (type_.acceptsNotes) publishedVoices_.store(countSoundingVoices(), std::memory_order_relaxed);
}

void Node::applyChannelStrip(float* left, float* right, int frames) noexcept {
  // A one-pole glide of about 5 ms per gain, stepped per sample so blocks do not matter.
  const float k = stripCoefficient_;
  for (int i = 0; i < frames; ++i) {
    stripLeft_ += k * (stripTargetLeft_ - stripLeft_);
    stripRight_ += k * (stripTargetRight_ - stripRight_);
    left[i] *= stripLeft_;
    right[i] *= stripRight_;
  }
}

void Node::setChannelStrip(int controller, float value) noexcept {
  // MIDI channel volume (CC7) as 40 log10(v): the gain law of GM/RP-015; pan (CC10) at
  // constant power with 64 in the centre.
  if (controller == 7) stripVolume_ = value * value;
  if (controller == 10) stripPan_ = value;
  const float angle = std::clamp((stripPan_ * 127.0f - 1.0f) / 126.0f, 0.0f, 1.0f) * 1.5707963f;
  stripTargetLeft_ = stripVolume_ * std::cos(angle) * 1.41421356f;
  stripTargetRight_ = stripVolume_ * std::sin(angle) * 1.41421356f;
  if (!stripActive_) {
    stripActive_ = true;
    stripLeft_ = stripRight_ = 1.0f;
    stripCoefficient_ = 1.0f - std::exp(-1.0f / (0.005f * static_cast<float>(info_.sampleRate)));
  }
}

bool Node::mapController(int source, int parameterIndex, float minimum, float maximum) {
  if (mappingCount_ == kMaxControllerMappings || parameterIndex < 0 ||
      static_cast<std::size_t>(parameterIndex) >= parameters_.size())
    return false;
  mappings_[mappingCount_++] = {source, parameterIndex, minimum, maximum};
  return true;
}

bool Node::mapsController(int source) const noexcept {
  for (int i = 0; i < mappingCount_; ++i)
    if (mappings_[i].source == source) return true;
  return false;
}

void Node::applyEvent(const Event& event) noexcept {
  if (event.type == EventType::kParameter) {
    if (event.index < parameters_.size()) applyParameter(event.index, event.value, false);
    return;
  }
  const int source = event.type == EventType::kControlChange     ? event.index
                     : event.type == EventType::kChannelPressure ? kChannelPressureSource
                                                                 : -1;
  for (int i = 0; i < mappingCount_ && source >= 0 && !isPerNoteChannel(event.channel); ++i) {
    const ControllerMapping& m = mappings_[i];
    if (m.source == source)
      applyParameter(m.parameter, m.minimum + (m.maximum - m.minimum) * event.value, false);
  }
  if (source >= kMacroSource) return;  // a macro is no MIDI controller: for the mappings alone
  if (event.type == EventType::kControlChange && (event.index == 7 || event.index == 10) &&
      type_.acceptsNotes && type_.outputs.size() == 2 && !isPerNoteChannel(event.channel))
    setChannelStrip(event.index, event.value);
  onEvent(event);  // the node may use the controller itself as well
}

}  // namespace reverie
