// What every orchestral section shares: a fixed pool of voices with note bookkeeping,
// stealing, the sustain pedal, pitch bend, and the two orchestral controllers
// (CC1 = dynamics, CC11 = expression) mapped onto the section's own parameters.
#pragma once

#include <array>
#include <cmath>
#include <span>

#include "reverie/node.hpp"

namespace reverie::orchestra {

/// Bookkeeping for one voice slot; the section keeps its DSP state in a parallel array.
struct VoiceSlot {
  int key = -1;
  float velocity = 0.0f;
  unsigned long age = 0;   ///< start order; larger is newer
  bool held = false;       ///< key down
  bool sustained = false;  ///< key up while the pedal was down
};

/// The indices a section's parameter table gives its shared parameters (-1: it has none).
/// The pitch-bend range is the type's own (NodeType::bendRangeParameter; 2 when absent).
struct SectionLayout {
  int polyphony = -1;   ///< "voices"
  int dynamics = -1;    ///< "dynamics", 0..1, driven by CC1 by default
  int expression = -1;  ///< "expression", 0..1, driven by CC11 by default
  int tuning = -1;      ///< "tuning": frequency of A4 in Hz (440 when absent)
  int level = -1;       ///< "level" in dB, for applyExpressionAndLevel
};

class SectionNode : public Node {
 public:
  static constexpr int kMaxVoices = 64;

  /// Voices sounding now (held, sustained or releasing), and the most seen at once.
  int soundingVoices() const noexcept;
  int mostSoundingVoices() const noexcept { return mostSounding_; }

 protected:
  SectionNode(const NodeType& type, SectionLayout layout);

  // ---- what a section implements (audio thread) ----
  /// Starts slot `voice` on its key. `glideFromKey` is the key of the voice that last
  /// sounded in this section (-1 if none), for glissando and legato; `stolen` says the
  /// slot was still sounding and must continue without a click.
  virtual void startVoice(int voice, int glideFromKey, bool stolen) noexcept = 0;
  /// The key went up (and the pedal is not holding it): begin the release.
  virtual void releaseVoice(int voice) noexcept = 0;
  /// Whether the slot still makes sound (a released voice does until its tail ends).
  virtual bool voiceSounding(int voice) const noexcept = 0;
  /// All sound off (CC120): fade the voice out within a few milliseconds.
  virtual void silenceVoice(int voice) noexcept { releaseVoice(voice); }
  /// Pitch bend or tuning moved: retune the sounding voices from keyHz().
  virtual void retune() noexcept {}
  /// Events the base does not consume (other CCs, pressure, poly pressure).
  virtual void onOtherEvent(const Event&) noexcept {}

  void onEvent(const Event& event) noexcept override;
  void onParameterChanged(int index) noexcept override;
  int countSoundingVoices() const noexcept override { return soundingVoices(); }

  /// 12-TET frequency of a (fractional) key from the tuning of A4, with the pitch bend applied.
  double keyHz(double key) const noexcept {
    return concertA() * std::exp2((key - 69.0 + bendSemitones_) / 12.0);
  }
  double concertA() const noexcept {
    return layout_.tuning >= 0 ? parameterTarget(layout_.tuning) : 440.0;
  }
  const VoiceSlot& slot(int voice) const noexcept {
    return slots_[static_cast<std::size_t>(voice)];
  }
  double bendSemitones() const noexcept { return bendSemitones_; }

  /// Audio thread: multiplies a rendered span by expression squared (CC11's documented law)
  /// and the level, stepping those and the `alsoSmoothed` parameters once per sample.
  void applyExpressionAndLevel(float* left, float* right, int frames,
                               std::span<const int> alsoSmoothed) noexcept;
  /// Control thread (onPrepare): the level's gain, read again from its parameter.
  void resetLevelGain() noexcept;
  float channelPressure() const noexcept { return pressure_; }

 private:
  int polyphony() const noexcept;
  void noteOn(int key, float velocity) noexcept;
  void noteOff(int key) noexcept;
  void setPedal(bool down) noexcept;

  SectionLayout layout_;
  std::array<VoiceSlot, kMaxVoices> slots_{};
  unsigned long clock_ = 0;
  int lastKey_ = -1;
  int mostSounding_ = 0;
  double bendSemitones_ = 0.0;
  float bendPosition_ = 0.0f;  // -1..1, kept so a new bend range applies at once
  float pressure_ = 0.0f;
  float levelGain_ = 1.0f;
  bool pedal_ = false;
};

/// A section whose voices are one array of a voice class with release(), silence() and
/// active(): the bookkeeping hooks forward to them.
template <class Voice>
class VoiceArraySection : public SectionNode {
 protected:
  using SectionNode::SectionNode;
  void releaseVoice(int voice) noexcept override {
    voices_[static_cast<std::size_t>(voice)].release();
  }
  void silenceVoice(int voice) noexcept override {
    voices_[static_cast<std::size_t>(voice)].silence();
  }
  bool voiceSounding(int voice) const noexcept override {
    return voices_[static_cast<std::size_t>(voice)].active();
  }

  std::array<Voice, kMaxVoices> voices_{};
};

}  // namespace reverie::orchestra
