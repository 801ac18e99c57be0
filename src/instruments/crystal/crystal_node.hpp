// The crystal instrument node: a polyphonic modal instrument struck, bowed or shattered.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "dsp/modal_kernel.hpp"
#include "dsp/random.hpp"
#include "instruments/crystal/crystal_voice.hpp"
#include "reverie/node.hpp"

namespace reverie {

extern const NodeType kCrystalType;

class CrystalNode final : public Node {
 public:
  /// Voices the pool holds: the polyphony limit plus room for stolen voices to fade out.
  static constexpr int kMaxVoices = 128;
  static constexpr int kFadeReserve = 16;

  CrystalNode();

  /// Voices playing a note now (fading stolen voices excluded), and the most seen at once.
  /// Read on the audio thread, or after rendering has stopped.
  int playingVoices() const noexcept;
  /// The "ratios" list: mode frequency ratios for geometry = custom.
  void setList(int index, std::span<const float> values) override;
  int mostPlayingVoices() const { return mostPlaying_; }

 protected:
  void onPrepare(const PrepareInfo& info) override;
  void onParameterChanged(int index) noexcept override;
  void onEvent(const Event& event) noexcept override;
  void render(const float* const* in, float* const* out, int frames) noexcept override;
  int countSoundingVoices() const noexcept override { return playingVoices(); }

 private:
  void noteOn(int key, float velocity, int channel) noexcept;
  void noteOff(int key) noexcept;
  void setPedal(bool down) noexcept;
  double noteHz(int key, double noteBend) const noexcept;
  bool isPerNoteChannel(int channel) const noexcept override;
  /// MPE: a member channel's bend spans +-48 semitones (the MPE specification's default).
  static constexpr double kMemberBendRange = 48.0;
  crystal::CrystalVoice* allocateVoice(int key) noexcept;

  std::vector<crystal::CrystalVoice> voices_;
  std::vector<bool> sustained_;  // released while the pedal was down
  std::vector<float> mid_, side_, scratch_;
  crystal::VoiceSettings settings_;
  std::array<double, crystal::kMaxModes> customRatios_{};
  int customCount_ = 0;
  dsp::ModalKernel kernel_ = nullptr;
  dsp::BowedKernel bowed_ = nullptr;
  dsp::Random random_;
  double bendSemitones_ = 0.0;
  std::array<double, 16> memberBend_{};  // MPE: per channel, semitones
  std::array<float, 16> memberPressure_{};
  std::array<float, 16> memberTimbre_ = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f,
                                         0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  float aftertouch_ = 0.0f, modWheel_ = 0.0f;
  unsigned long clock_ = 0;
  int mostPlaying_ = 0;
  float dcPole_ = 0.0f, dcInL_ = 0.0f, dcInR_ = 0.0f, dcOutL_ = 0.0f, dcOutR_ = 0.0f;
  bool pedal_ = false;
};

}  // namespace reverie
