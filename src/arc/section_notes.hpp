// The composer's pen: the notes and control values it writes to the patch's sections, on the
// audio thread. It knows which keys sound in each section, ends scheduled notes on their frame,
// and sends a control value only when it has moved.
#pragma once

#include <cstdint>
#include <vector>

#include "arc/composer.hpp"
#include "reverie/node.hpp"

namespace reverie::arc {

/// A set of MIDI keys, one bit each.
struct Key128 {
  std::uint64_t bits[2] = {0, 0};
  bool test(int k) const noexcept { return (bits[k >> 6] >> (k & 63)) & 1u; }
  void set(int k) noexcept { bits[k >> 6] |= std::uint64_t{1} << (k & 63); }
  void reset(int k) noexcept { bits[k >> 6] &= ~(std::uint64_t{1} << (k & 63)); }
};

/// Control values last sent to one section, to send only changes.
struct SentControls {
  float cc1 = -1, cc11 = -1, cc74 = -1, tremolo = -1, tremoloRate = -1, heartRate = -1;
  float murmur = -1, applause = -1, cheers = -1, articulation = -1, coughs = -1, whispers = -1;
};

class SectionNotes {
 public:
  static constexpr int kMaxPendingOffs = 1024;
  static constexpr float kUnsent = -1e30f;

  /// Control thread: sizes the state for `sections` (kept by pointer; it outlives the node's
  /// use of it) and `automations` automation slots.
  void bind(const std::vector<SectionBinding>* sections, std::size_t automations);
  /// Forgets every sounding note, pending note-off and sent value.
  void reset() noexcept;
  /// A new scene's automation is sent afresh, whatever the last scene left in its slots.
  void forgetAutomation() noexcept;

  /// Audio thread: events of the block starting at absolute frame `position` go to `sink`.
  void beginBlock(EventSink& sink, std::uint64_t position) noexcept {
    sink_ = &sink;
    position_ = position;
  }
  void endBlock() noexcept { sink_ = nullptr; }

  void noteOn(std::uint64_t frame, int section, int key, float velocity) noexcept;
  void noteOff(std::uint64_t frame, int section, int key) noexcept;
  /// Ends every note sounding in `section`.
  void release(std::uint64_t frame, int section) noexcept;
  /// Ends the note at `frame` unless it is played again or ended first.
  void scheduleOff(std::uint64_t frame, int section, int key) noexcept;
  std::uint64_t nextOffFrame() const noexcept;
  /// Ends every scheduled note due at `frame` (in the order they were scheduled).
  void dueOffs(std::uint64_t frame) noexcept;

  /// A controller to `node`, when it moved from the last sent by a visible step.
  void sendController(std::uint64_t frame, NodeId node, int controller, float value,
                      float& last) noexcept;
  /// A parameter (index < 0: none) to `node`, when it moved from the last sent.
  void sendParameter(std::uint64_t frame, NodeId node, int index, float value,
                     float& last) noexcept;
  /// A parameter to `node` (index < 0: none), whatever was sent before.
  void setParameter(std::uint64_t frame, NodeId node, int index, float value) noexcept;

  SentControls& sent(std::size_t section) noexcept { return sent_[section]; }
  float& sentAutomation(std::size_t slot) noexcept { return sentAutomation_[slot]; }

 private:
  struct PendingOff {
    std::uint64_t frame = 0;
    std::uint8_t section = 0;
    std::uint8_t key = 0;
  };

  Event at(std::uint64_t frame, EventType type, int index, float value) const noexcept;
  NodeId nodeOf(int section) const noexcept {
    return (*sections_)[static_cast<std::size_t>(section)].node;
  }
  void cancelOffs(int section, int key) noexcept;

  const std::vector<SectionBinding>* sections_ = nullptr;
  EventSink* sink_ = nullptr;
  std::uint64_t position_ = 0;
  std::vector<Key128> sounding_;
  std::vector<SentControls> sent_;
  std::vector<float> sentAutomation_;
  std::vector<PendingOff> offs_;
  int offCount_ = 0;
};

}  // namespace reverie::arc
