// Applause: a crowd of clappers as a seeded stochastic process, each clap a filtered noise burst.
#pragma once

#include <array>
#include <cstdint>

#include "dsp/float4.hpp"
#include "dsp/noise_quad.hpp"
#include "dsp/random.hpp"

namespace reverie::audience {

/// Up to kMaxClappers people clap, each at their own tempo (2-5 Hz, jittered from clap to
/// clap: Néda et al., "The sound of many hands clapping", Nature 403, 2000), with their own
/// hand shape, loudness and seat. A clap is a noise burst with a few milliseconds' exponential
/// decay through a resonance between 0.7 and 3.2 kHz (the spectra of Repp, "The sound of two
/// hands clapping", JASA 81(4), 1987; the burst model of Peltola et al., "Synthesis of hand
/// clapping sounds", IEEE TASLP 15(3), 2007).
///
/// Cheap for any crowd: the hand shapes fall into kBands classes sharing one resonance and
/// decay, so a class's bursts sum linearly into one envelope that decays each sample and jumps
/// at each clap. The cost per sample is that of kBands filtered noises, however many clap.
class Applause {
 public:
  static constexpr int kMaxClappers = 400;
  static constexpr int kBands = 8;
  /// Claps are scheduled once per block of this many samples (the node's control tick).
  static constexpr int kTickFrames = 32;

  /// Control thread.
  void prepare(double sampleRate, std::uint64_t seed);

  /// Audio thread, at a control tick starting at absolute sample `now`: clappers join or stop
  /// as `enthusiasm` (0..1) moves, and those clapping place their claps of the next
  /// kTickFrames samples. `size` (0..1) is the crowd (24 to 400 people), `spread` the width.
  void schedule(std::uint64_t now, float enthusiasm, float size, float spread) noexcept;
  /// Audio thread: adds samples [offset, offset + frames) of the current tick.
  void render(float* left, float* right, int offset, int frames) noexcept;
  /// Nothing clapping and every burst died away: render may be skipped.
  bool idle() const noexcept { return idle_; }

 private:
  /// Who a clapper is; the eager clap first, so clapper i claps while i < the number joined.
  struct Clapper {
    float periodScale = 1.0f;  // this person's clap period against the crowd's
    float loudness = 1.0f;
    float seat = 0.0f;  // -1 (left) .. 1 (right)
    int band = 0;
  };
  static constexpr int kQuads = kBands / 4;

  /// Puts clapper i into the calendar list of the tick holding its next clap.
  void enlist(int i) noexcept;

  std::array<Clapper, kMaxClappers> clappers_{};
  std::array<std::uint64_t, kMaxClappers> nextClap_{};  // absolute sample of each one's next clap
  // A calendar queue (Brown, "Calendar queues", CACM 31(10), 1988) with one list per tick, so a
  // tick visits only the clappers who clap in it. It spans more ticks than the longest clap
  // period at 192 kHz (0.67 s, 4000 ticks), so every list holds one tick only.
  static constexpr int kCalendarTicks = 4096;
  std::array<std::int16_t, kCalendarTicks> due_{};       // first clapper listed, or -1
  std::array<std::int16_t, kMaxClappers> nextListed_{};  // the one after it in the same list
  std::array<bool, kMaxClappers> listed_{};
  std::array<float, kMaxClappers> panLeft_{}, panRight_{};
  float spread_ = -1.0f;
  int joined_ = 0;
  // Per band class, four per SIMD quad: burst envelopes (left, right), their decay per sample,
  // the noise, the resonator (zeros at z = +-1, as dsp::FormantResonator) and the crack's
  // one-pole low-pass.
  dsp::Float4 envelopeLeft_[kQuads]{}, envelopeRight_[kQuads]{}, decay_[kQuads]{};
  dsp::NoiseQuad noise_[kQuads];
  dsp::Float4 left1_[kQuads]{}, left2_[kQuads]{}, leftOut1_[kQuads]{}, leftOut2_[kQuads]{};
  dsp::Float4 right1_[kQuads]{}, right2_[kQuads]{}, rightOut1_[kQuads]{}, rightOut2_[kQuads]{};
  dsp::Float4 gain_[kQuads]{}, a1_[kQuads]{}, a2_[kQuads]{};
  dsp::Float4 crackLeft_[kQuads]{}, crackRight_[kQuads]{};
  float crackCoefficient_ = 1.0f;
  // Claps of the current tick: the envelope jumps, per sample and band class.
  dsp::Float4 jumpLeft_[kTickFrames][kQuads]{}, jumpRight_[kTickFrames][kQuads]{};
  dsp::Random random_;
  double sampleRate_ = 48000.0;
  bool idle_ = true;
};

}  // namespace reverie::audience
