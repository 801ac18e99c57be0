// The composer's pen (section_notes.hpp).
#include "arc/section_notes.hpp"

#include <algorithm>
#include <cmath>

namespace reverie::arc {

void SectionNotes::bind(const std::vector<SectionBinding>* sections, std::size_t automations) {
  sections_ = sections;
  const std::size_t n = sections != nullptr ? sections->size() : 0;
  sounding_.assign(n, {});
  sent_.assign(n, {});
  sentAutomation_.assign(automations, kUnsent);
  offs_.assign(kMaxPendingOffs, {});
  offCount_ = 0;
}

void SectionNotes::reset() noexcept {
  position_ = 0;
  offCount_ = 0;
  for (auto& k : sounding_) k = {};
  for (auto& s : sent_) s = {};
  forgetAutomation();
}

void SectionNotes::forgetAutomation() noexcept {
  for (float& v : sentAutomation_) v = kUnsent;
}

Event SectionNotes::at(std::uint64_t frame, EventType type, int index, float value) const noexcept {
  Event e;
  e.frame = static_cast<std::uint32_t>(frame - position_);
  e.type = type;
  e.index = static_cast<std::uint16_t>(index);
  e.value = value;
  return e;
}

void SectionNotes::sendController(std::uint64_t frame, NodeId node, int controller, float value,
                                  float& last) noexcept {
  if (std::abs(value - last) < 0.002f) return;
  last = value;
  sink_->emit(node, at(frame, EventType::kControlChange, controller, value));
}

void SectionNotes::sendParameter(std::uint64_t frame, NodeId node, int index, float value,
                                 float& last) noexcept {
  if (index < 0 || std::abs(value - last) < 1e-4f * (1.0f + std::abs(value))) return;
  last = value;
  sink_->emit(node, at(frame, EventType::kParameter, index, value));
}

void SectionNotes::setParameter(std::uint64_t frame, NodeId node, int index, float value) noexcept {
  if (index >= 0) sink_->emit(node, at(frame, EventType::kParameter, index, value));
}

void SectionNotes::noteOn(std::uint64_t frame, int section, int key, float velocity) noexcept {
  if (key < 0 || key > 127) return;
  Key128& sounding = sounding_[static_cast<std::size_t>(section)];
  const NodeId node = nodeOf(section);
  if (sounding.test(key)) {
    cancelOffs(section, key);
    sink_->emit(node, at(frame, EventType::kNoteOff, key, 0.5f));
  }
  sounding.set(key);
  sink_->emit(node, at(frame, EventType::kNoteOn, key, std::clamp(velocity, 0.05f, 1.0f)));
}

void SectionNotes::noteOff(std::uint64_t frame, int section, int key) noexcept {
  Key128& sounding = sounding_[static_cast<std::size_t>(section)];
  if (!sounding.test(key)) return;
  sounding.reset(key);
  cancelOffs(section, key);
  sink_->emit(nodeOf(section), at(frame, EventType::kNoteOff, key, 0.5f));
}

void SectionNotes::release(std::uint64_t frame, int section) noexcept {
  const Key128 sounding = sounding_[static_cast<std::size_t>(section)];
  for (int key = 0; key < 128; ++key)
    if (sounding.test(key)) noteOff(frame, section, key);
}

void SectionNotes::scheduleOff(std::uint64_t frame, int section, int key) noexcept {
  if (offCount_ == kMaxPendingOffs) {  // never expected; end the oldest rather than lose this
    dueOffs(nextOffFrame());
    if (offCount_ == kMaxPendingOffs) return;
  }
  offs_[static_cast<std::size_t>(offCount_++)] = {frame, static_cast<std::uint8_t>(section),
                                                  static_cast<std::uint8_t>(key)};
}

void SectionNotes::cancelOffs(int section, int key) noexcept {
  for (int i = 0; i < offCount_;) {
    const PendingOff& off = offs_[static_cast<std::size_t>(i)];
    if (off.section == section && off.key == key) {
      offs_[static_cast<std::size_t>(i)] = offs_[static_cast<std::size_t>(--offCount_)];
    } else {
      ++i;
    }
  }
}

std::uint64_t SectionNotes::nextOffFrame() const noexcept {
  std::uint64_t next = UINT64_MAX;
  for (int i = 0; i < offCount_; ++i)
    next = std::min(next, offs_[static_cast<std::size_t>(i)].frame);
  return next;
}

void SectionNotes::dueOffs(std::uint64_t frame) noexcept {
  for (int i = 0; i < offCount_;) {
    const PendingOff off = offs_[static_cast<std::size_t>(i)];
    if (off.frame <= frame) {
      // Keep the order of the rest: shift down (the list is short).
      for (int j = i; j + 1 < offCount_; ++j)
        offs_[static_cast<std::size_t>(j)] = offs_[static_cast<std::size_t>(j + 1)];
      --offCount_;
      Key128& sounding = sounding_[off.section];
      if (sounding.test(off.key)) {
        sounding.reset(off.key);
        sink_->emit(nodeOf(off.section),
                    at(std::max(frame, position_), EventType::kNoteOff, off.key, 0.5f));
      }
    } else {
      ++i;
    }
  }
}

}  // namespace reverie::arc
