// MIDI channel messages to engine events: velocity curve, 14-bit bend, RPN 0 bend range,
// controller resets, bank and program for a host to act on.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "midi/midi_message.hpp"
#include "reverie/event.hpp"

namespace reverie::midi {

/// How key velocity 1..127 becomes the engine's 0..1.
struct VelocityCurve {
  enum class Kind { kPower, kFixed };
  Kind kind = Kind::kPower;
  float exponent = 1.0f;  ///< kPower: (v/127)^exponent; below 1 is softer to play, above 1 harder
  float fixed = 0.8f;     ///< kFixed: every note at this velocity
  float apply(int velocity) const;
};

/// Parses "linear", "soft", "hard", "fixed=0.7" or a number (the exponent). Throws InputError.
VelocityCurve parseVelocityCurve(const std::string& text);

/// A node that plays a channel, and where its bend range lives (-1: it has none).
struct ChannelTarget {
  NodeId node = kInvalidNode;
  int bendRangeParameter = -1;
};

/// A program change a host should act on (bank from CC0/CC32); program -1 when none.
struct ProgramRequest {
  int channel = -1, bank = 0, program = -1;
};

/// Bank select (CC0 and CC32) per channel, and the program request a program change makes of
/// it. Wait-free; one instance per thread that feeds it.
class ProgramSelect {
 public:
  /// Remembers a bank select; for a program change returns its request, else program -1.
  ProgramRequest feed(const Message& message) noexcept {
    if (!message.isChannelMessage()) return {};
    const auto channel = static_cast<std::size_t>(message.channel());
    const int d1 = message.data1 & 0x7F, d2 = message.data2 & 0x7F;
    if (message.kind() == 0xB0 && d1 == 0) bankMsb_[channel] = static_cast<std::uint8_t>(d2);
    if (message.kind() == 0xB0 && d1 == 32) bankLsb_[channel] = static_cast<std::uint8_t>(d2);
    if (message.kind() != 0xC0) return {};
    return {message.channel(), bankMsb_[channel] * 128 + bankLsb_[channel], d1};
  }

 private:
  std::array<std::uint8_t, 16> bankMsb_{}, bankLsb_{};
};

/// The messages of a clock to follow: timing clock (0xF8), start (0xFA), continue (0xFB), stop
/// (0xFC) and song position (0xF2). The translator plays none of them: the input thread hands
/// them to a ClockListener (`play --sync midi`) with their arrival time, and drops them without.
constexpr bool isClockMessage(const Message& message) {
  return message.status == 0xF8 || message.status == 0xFA || message.status == 0xFB ||
         message.status == 0xFC || message.status == 0xF2;
}

/// Follows MIDI clock: called on the one input thread whose clock it follows. Wait-free.
class ClockListener {
 public:
  virtual void clock(const Message& message, std::int64_t arrivalNanos) noexcept = 0;

 protected:
  ~ClockListener() = default;
};

/// Per-channel MIDI state. Wait-free and allocation-free after construction: it may run on a
/// MIDI thread or the audio thread. Events come out through `emit(NodeEvent)`.
class Translator {
 public:
  static constexpr int kMaxTargetsPerChannel = 8;

  explicit Translator(VelocityCurve curve = {}) : curve_(curve) {}

  /// Control thread, before use: the nodes that play `channel` (0..15).
  void setTargets(int channel, std::span<const ChannelTarget> targets);
  /// MPE lower zone: channel 1 is the manager, 2-16 carry single notes, whose RPN 0 (their
  /// bend range) is left to the instrument's fixed member range.
  void setMpe(bool on) { mpe_ = on; }

  using ProgramRequest = midi::ProgramRequest;

  /// Translates one message. Returns a program request when the message was a program change.
  template <class Emit>
  ProgramRequest translate(const Message& message, std::uint32_t frame, Emit&& emit) noexcept;

 private:
  struct ChannelState {
    std::array<ChannelTarget, kMaxTargetsPerChannel> targets{};
    int targetCount = 0;
    int rpnMsb = 127, rpnLsb = 127;  // 127/127 = null: data entry goes nowhere
    int bendSemitones = 2, bendCents = 0;
    bool soft = false;                     // CC67: una corda, softer new notes
    bool sostenuto = false;                // CC66: holds the notes that were down when it went down
    std::array<std::uint8_t, 128> down{};  // kKeyDown | kKeySostenuto flags per key
  };
  static constexpr std::uint8_t kKeyDown = 1, kKeySostenuto = 2;
  static constexpr float kSoftPedal = 0.6f;  // velocity scale under the soft pedal
  bool mpe_ = false;
  std::array<ChannelState, 16> channels_{};
  ProgramSelect programs_;
  VelocityCurve curve_;
};

template <class Emit>
Translator::ProgramRequest Translator::translate(const Message& message, std::uint32_t frame,
                                                 Emit&& emit) noexcept {
  if (!message.isChannelMessage()) return {};
  const ProgramRequest request = programs_.feed(message);
  ChannelState& state = channels_[static_cast<std::size_t>(message.channel())];
  const std::uint8_t channel = static_cast<std::uint8_t>(message.channel());
  auto send = [&](EventType type, int index, float value) {
    for (int i = 0; i < state.targetCount; ++i)
      emit(NodeEvent{state.targets[static_cast<std::size_t>(i)].node,
                     Event{frame, type, channel, static_cast<std::uint16_t>(index), value}});
  };
  const int d1 = message.data1 & 0x7F, d2 = message.data2 & 0x7F;
  auto keyUp = [&](float releaseVelocity) {
    std::uint8_t& key = state.down[static_cast<std::size_t>(d1)];
    key &= static_cast<std::uint8_t>(~kKeyDown);
    if (!(key & kKeySostenuto)) send(EventType::kNoteOff, d1, releaseVelocity);  // else at pedal up
  };
  switch (message.kind()) {
    case 0x80:
      keyUp(static_cast<float>(d2) / 127.0f);
      break;
    case 0x90:  // velocity 0 is a note-off (MIDI 1.0 running-status convention)
      if (d2 == 0) {
        keyUp(0.5f);
      } else {
        state.down[static_cast<std::size_t>(d1)] |= kKeyDown;
        send(EventType::kNoteOn, d1, curve_.apply(d2) * (state.soft ? kSoftPedal : 1.0f));
      }
      break;
    case 0xA0:
      send(EventType::kPolyPressure, d1, static_cast<float>(d2) / 127.0f);
      break;
    case 0xD0:
      send(EventType::kChannelPressure, 0, static_cast<float>(d1) / 127.0f);
      break;
    case 0xE0: {  // 14 bits, centre 8192; the top value reaches +1 exactly
      const int bend = (d1 | (d2 << 7)) - 8192;
      send(EventType::kPitchBend, 0,
           bend < 0 ? static_cast<float>(bend) / 8192.0f : static_cast<float>(bend) / 8191.0f);
      break;
    }
    case 0xC0:
      return request;
    case 0xB0:
      switch (d1) {
        case 0:
        case 32:
          break;  // bank select: programs_ keeps it
        case 101:
          state.rpnMsb = d2;
          break;
        case 100:
          state.rpnLsb = d2;
          break;
        case 98:
        case 99:
          state.rpnMsb = state.rpnLsb = 127;
          break;    // NRPNs are not ours
        case 66: {  // sostenuto: the keys down now hold until the pedal lifts
          const bool down = d2 >= 64;
          if (down == state.sostenuto) break;
          state.sostenuto = down;
          for (int key = 0; key < 128; ++key) {
            std::uint8_t& k = state.down[static_cast<std::size_t>(key)];
            if (down && (k & kKeyDown)) k |= kKeySostenuto;
            if (!down && (k & kKeySostenuto)) {
              k &= static_cast<std::uint8_t>(~kKeySostenuto);
              if (!(k & kKeyDown)) send(EventType::kNoteOff, key, 0.5f);
            }
          }
          break;
        }
        case 67:
          state.soft = d2 >= 64;
          break;
        case 6:
        case 38:
          if (mpe_ && channel != 0) break;               // member channels keep the MPE bend range
          if (state.rpnMsb == 0 && state.rpnLsb == 0) {  // RPN 0: pitch-bend sensitivity
            (d1 == 6 ? state.bendSemitones : state.bendCents) = d2;
            const float range = static_cast<float>(state.bendSemitones) +
                                static_cast<float>(state.bendCents) / 100.0f;
            for (int i = 0; i < state.targetCount; ++i) {
              const ChannelTarget& t = state.targets[static_cast<std::size_t>(i)];
              if (t.bendRangeParameter >= 0)
                emit(NodeEvent{t.node,
                               Event{frame, EventType::kParameter, channel,
                                     static_cast<std::uint16_t>(t.bendRangeParameter), range}});
            }
          }
          break;
        case 121:  // reset all controllers (RP-015): bend, pressure, wheels, pedals
          send(EventType::kPitchBend, 0, 0.0f);
          send(EventType::kChannelPressure, 0, 0.0f);
          for (int cc : {1, 64, 66, 67}) send(EventType::kControlChange, cc, 0.0f);
          send(EventType::kControlChange, 11, 1.0f);
          state.rpnMsb = state.rpnLsb = 127;
          state.soft = false;
          break;
        case 123:
        case 124:
        case 125:
        case 126:
        case 127:  // all notes off, and mode changes that imply it
          send(EventType::kAllNotesOff, 0, 0.0f);
          break;
        default:
          send(EventType::kControlChange, d1, static_cast<float>(d2) / 127.0f);
      }
      break;
    default:
      break;
  }
  return {};
}

}  // namespace reverie::midi
