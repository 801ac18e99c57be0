// TimpaniVoice: mode set-up from the membrane table, the felt mallet's force pulse, damping,
// the attack noise, and rendering many drums at once through the modal kernel.
#include "instruments/orchestra/timpani_voice.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "dsp/float4.hpp"
#include "dsp/math_constants.hpp"
#include "dsp/random.hpp"

namespace reverie::orchestra {
namespace {

constexpr double kSilentEnergy = 1e-11;  // about -110 dB: the drum has stopped
constexpr double kStrikeGain = 0.128;    // one full stroke peaks near -9 dBFS
constexpr double kShortestT60 = 0.03;
constexpr double kAttackGain = 2.0;            // the attack noise at a full stroke
constexpr double kAttackLowRatio = 1.5;        // its band starts this far over the principal
constexpr double kAttackCornerContacts = 5.0;  // and falls away above 5 / contact time
constexpr double kAttackSeconds = 0.07;        // time constant for a hard mallet (x2 for felt)
constexpr double kOpenT60Seconds = 4.0;        // a head ringing less long rings its top shorter too
constexpr float kAttackEnd = 1e-5f;
constexpr int kKernelGroups = 4;  // the kernel takes up to 4 groups of 16 modes

using dsp::Float4;
using dsp::Int4;
using dsp::select;
using dsp::UInt4;

double radiusFor(double t60Seconds, double sampleRate) {
  return std::pow(10.0, -3.0 / (std::max(t60Seconds, 1e-3) * sampleRate));  // -60 dB in T60
}

}  // namespace

void TimpaniVoice::prepare(double sampleRate, std::uint64_t seed) {
  sampleRate_ = sampleRate;
  noiseState_ = static_cast<std::uint32_t>(dsp::mixSeed(seed)) | 1u;  // xorshift32 must not be 0
  attackLevel_ = bandHigh_ = bandLow_ = bandTop_ = bandTop2_ = 0.0f;
  for (int k = 0; k < kLanes; ++k) re_[k] = im_[k] = c_[k] = s_[k] = gain_[k] = side_[k] = 0.0f;
  for (int k = 0; k < kMembraneModeCount; ++k) {
    // Stereo: the principal and the (0,1) thump in the middle, the rest spread a little
    // (a golden-angle pattern keeps neighbouring modes apart).
    side_[k] = k < 2 ? 0.0f : static_cast<float>(0.3 * std::sin(2.399963 * (k + 1)));
  }
  ringing_ = false;
  energy_ = 0.0;
  pulseLeft_ = 0;
}

void TimpaniVoice::setMode(int k, double hz) {
  // A new angle at the same radius: the mode keeps its amplitude. Past Nyquist it stops.
  const double radius = hz < 0.48 * sampleRate_ ? radius_[k] : 0.0;
  const double omega = dsp::kTwoPi * hz / sampleRate_;
  c_[k] = static_cast<float>(radius * std::cos(omega));
  s_[k] = static_cast<float>(radius * std::sin(omega));
}

void TimpaniVoice::tune(double principalHz, double t60Seconds) {
  principalHz_ = principalHz;
  for (int k = 0; k < kMembraneModeCount; ++k) {
    t60_[k] = std::max(t60Seconds * kMembraneModes[k].decayScale, kShortestT60);
    radius_[k] = radiusFor(t60_[k], sampleRate_);
    setMode(k, principalHz * kMembraneModes[k].ratio);
  }
}

void TimpaniVoice::setFrequencyHz(double principalHz) {
  principalHz_ = principalHz;
  for (int k = 0; k < kMembraneModeCount; ++k) setMode(k, principalHz * kMembraneModes[k].ratio);
}

void TimpaniVoice::damp(double t60Seconds) {
  const double cap = std::max(t60Seconds, 0.005);
  for (int k = 0; k < kMembraneModeCount; ++k) {
    if (t60_[k] <= cap) continue;
    t60_[k] = cap;
    radius_[k] = radiusFor(cap, sampleRate_);
    setMode(k, principalHz_ * kMembraneModes[k].ratio);
  }
}

void TimpaniVoice::silence() {
  pulseLeft_ = 0;
  attackLevel_ = 0.0f;
  damp(0.01);
}

void TimpaniVoice::strike(float force, float hardness, float position) {
  const double f = std::clamp(static_cast<double>(force), 0.0, 1.5);
  const double h = std::clamp(static_cast<double>(hardness), 0.0, 1.0);
  // Felt contact lasts a few milliseconds, shorter for a hard mallet and a hard blow (the
  // felt stiffens as it compresses), so loud strokes are brighter: the pulse's spectrum rolls
  // off above about 1/contact time (Fletcher & Rossing ch. 18; Rossing, Science of Percussion).
  const double contactSeconds = (0.0012 + 0.0065 * (1.0 - h)) * (1.5 - 0.9 * std::min(f, 1.0));
  const int length = std::max(3, static_cast<int>(std::lround(contactSeconds * sampleRate_)));
  const double w = dsp::kTwoPi / length;
  pulseTwoCos_ = 2.0 * std::cos(w);
  pulseCos_ = 1.0;              // cos(0 w)
  pulsePrevCos_ = std::cos(w);  // cos(-w)
  pulseLeft_ = length - 1;
  // The pulse's area is the force, so a longer contact is darker but not quieter at the bottom.
  pulseScale_ = f * 2.0 / length;
  // The modes are driven by the pulse's first difference, not the pulse: the air moves with
  // the head's velocity, so below each mode its response falls 6 dB per octave instead of
  // standing flat down to DC (the thump under every stroke, and a heartbeat's sub-audio lines).
  // Each mode's gain is divided by the difference's gain at its frequency, |1 - e^-jw| =
  // 2 sin(w / 2), so its level is as before.
  for (int k = 0; k < kMembraneModeCount; ++k) {
    const double omega = dsp::kTwoPi *
                         std::min(principalHz_ * kMembraneModes[k].ratio, 0.45 * sampleRate_) /
                         sampleRate_;
    gain_[k] = static_cast<float>(kStrikeGain * kMembraneModes[k].level *
                                  strikeWeight(kMembraneModes[k], position) /
                                  (2.0 * std::sin(0.5 * omega)));
  }
  // The dense upper modes above the table's (5,1), with the stick's contact: a band from 1.5
  // times the principal up to where the mallet's pulse spectrum falls away (5 / contact time),
  // 18 dB per octave above it. Measured against a recorded kettledrum (bench/realism.sh
  // timpani) they carry a good part of a stroke's energy, 0.4-1.3 kHz within 10 dB of the
  // principal, and ring for a tenth of a second or so: the "tock" and the shimmer of the head
  // that make a drum more than a thud.
  const double lowHz = std::min(kAttackLowRatio * principalHz_, 0.2 * sampleRate_);
  const double highHz =
      std::clamp(kAttackCornerContacts / contactSeconds, lowHz * 1.5, 0.3 * sampleRate_);
  attackLow_ = static_cast<float>(1.0 - std::exp(-dsp::kTwoPi * lowHz / sampleRate_));
  attackHigh_ = static_cast<float>(1.0 - std::exp(-dsp::kTwoPi * highHz / sampleRate_));
  // Soft felt barely excites them, and a damped (muffled) head, as a heartbeat's, damps them
  // in level and in length.
  const double muffle = std::min(1.0, t60_[1] / kOpenT60Seconds);
  attackLevel_ = static_cast<float>(kAttackGain * f * std::sqrt(f) * (0.1 + 0.9 * h) * muffle);
  attackDecay_ =
      static_cast<float>(std::exp(-1.0 / (kAttackSeconds * (2.0 - h) * muffle * sampleRate_)));
  ringing_ = true;
}

void TimpaniVoice::renderContact(float* mid, float* side, float* scratch, int frames,
                                 dsp::ModalKernel kernel) {
  for (int t = 0; t < frames; ++t) {
    const double next = pulseTwoCos_ * pulseCos_ - pulsePrevCos_;
    // The first difference of 0.5 (1 - cos): it sums to zero over the contact.
    scratch[t] = static_cast<float>(pulseScale_ * 0.5 * (pulseCos_ - next));
    pulsePrevCos_ = pulseCos_;
    pulseCos_ = next;
  }
  pulseLeft_ -= frames;
  kernel({re_, im_, c_, s_, gain_, side_, 1}, scratch, mid, side, frames);
}

void TimpaniVoice::checkSilence() {
  double energy = 0.0;
  for (int k = 0; k < kMembraneModeCount; ++k)
    energy += static_cast<double>(re_[k]) * re_[k] + static_cast<double>(im_[k]) * im_[k];
  energy_ = energy;
  if (energy < kSilentEnergy && pulseLeft_ == 0 && attackLevel_ == 0.0f) {
    ringing_ = false;
    for (int k = 0; k < kLanes; ++k) re_[k] = im_[k] = 0.0f;
  }
}

void TimpaniVoice::renderDrums(TimpaniVoice* const* drums, int count, float* mid, float* side,
                               float* scratch, int frames, dsp::ModalKernel kernel) {
  // Drums under the mallet take one kernel call each (each has its own force pulse); freely
  // ringing drums share calls: one reduction per sample for all of them.
  // Free drums' modes are packed end to end (10 to a drum, six drums to the kernel's 64 lanes).
  constexpr int kBankLanes = kKernelGroups * kLanes;
  struct Bank {
    alignas(64) float re[kBankLanes], im[kBankLanes], c[kBankLanes], s[kBankLanes],
        gain[kBankLanes], side[kBankLanes];
  } bank;
  std::memset(bank.gain, 0, sizeof(bank.gain));  // free drums are not driven
  TimpaniVoice* members[kBankLanes / kMembraneModeCount];
  int used = 0, memberCount = 0;
  auto flush = [&] {
    if (used == 0) return;
    const int groups = (used + kLanes - 1) / kLanes;
    for (int k = used; k < groups * kLanes; ++k)
      bank.re[k] = bank.im[k] = bank.c[k] = bank.s[k] = bank.side[k] = 0.0f;
    kernel({bank.re, bank.im, bank.c, bank.s, bank.gain, bank.side, groups}, nullptr, mid, side,
           frames);
    for (int m = 0; m < memberCount; ++m) {
      std::memcpy(members[m]->re_, bank.re + m * kMembraneModeCount,
                  kMembraneModeCount * sizeof(float));
      std::memcpy(members[m]->im_, bank.im + m * kMembraneModeCount,
                  kMembraneModeCount * sizeof(float));
    }
    used = memberCount = 0;
  };
  constexpr std::size_t kBytes = kMembraneModeCount * sizeof(float);
  for (int d = 0; d < count; ++d) {
    TimpaniVoice& drum = *drums[d];
    if (drum.pulseLeft_ > 0) {
      drum.renderContact(mid, side, scratch, frames, kernel);
      continue;
    }
    if (used + kMembraneModeCount > kBankLanes) flush();
    std::memcpy(bank.re + used, drum.re_, kBytes);
    std::memcpy(bank.im + used, drum.im_, kBytes);
    std::memcpy(bank.c + used, drum.c_, kBytes);
    std::memcpy(bank.s + used, drum.s_, kBytes);
    std::memcpy(bank.side + used, drum.side_, kBytes);
    members[memberCount++] = &drum;
    used += kMembraneModeCount;
  }
  flush();

  // The attack noise of four drums to a vector; a lane stops on the very sample its level
  // falls below the end (state frozen after), so any split of the spans renders alike.
  for (int first = 0; first < count;) {
    TimpaniVoice* lanes[4];
    int n = 0;
    for (; first < count && n < 4; ++first)
      if (drums[first]->attackLevel_ > 0.0f) lanes[n++] = drums[first];
    if (n == 0) break;
    UInt4 noise{};
    Float4 level{}, decay{}, high{}, low{}, top{}, top2{}, highCoef{}, lowCoef{};
    for (int k = 0; k < n; ++k) {
      noise[k] = lanes[k]->noiseState_;
      level[k] = lanes[k]->attackLevel_, decay[k] = lanes[k]->attackDecay_;
      high[k] = lanes[k]->bandHigh_, low[k] = lanes[k]->bandLow_, top[k] = lanes[k]->bandTop_;
      top2[k] = lanes[k]->bandTop2_;
      highCoef[k] = lanes[k]->attackHigh_, lowCoef[k] = lanes[k]->attackLow_;
    }
    for (int t = 0; t < frames; ++t) {
      const Int4 live = level > kAttackEnd;
      // xorshift32 (Marsaglia, J. Stat. Software 2003), mantissa bits to [-1, 1).
      UInt4 next = noise ^ (noise << 13);
      next ^= next >> 17;
      next ^= next << 5;
      noise = reinterpret_cast<UInt4>(
          select(live, reinterpret_cast<Float4>(next), reinterpret_cast<Float4>(noise)));
      const Float4 white = reinterpret_cast<Float4>((noise >> 9) | 0x3f800000u) * 2.0f - 3.0f;
      high = select(live, high + highCoef * (white - high), high);
      low = select(live, low + lowCoef * (high - low), low);
      top = select(live, top + highCoef * ((high - low) - top), top);
      top2 = select(live, top2 + highCoef * (top - top2), top2);
      level = select(live, level, Float4{});
      const Float4 out = top2 * level;
      mid[t] += (out[0] + out[2]) + (out[1] + out[3]);
      level *= decay;
    }
    for (int k = 0; k < n; ++k) {
      lanes[k]->noiseState_ = noise[k];
      lanes[k]->attackLevel_ = level[k] > kAttackEnd ? level[k] : 0.0f;
      lanes[k]->bandHigh_ = high[k], lanes[k]->bandLow_ = low[k], lanes[k]->bandTop_ = top[k];
      lanes[k]->bandTop2_ = top2[k];
    }
  }
}

}  // namespace reverie::orchestra
