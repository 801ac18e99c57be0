// CrystalVoice: mode set-up at note-on, the three exciters, damping, and rendering in
// 256-frame steps of the voice's own clock (so nothing depends on the host's block size).
#include "instruments/crystal/crystal_voice.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dsp/math_constants.hpp"

namespace reverie::crystal {
namespace {

constexpr double kSilentEnergy = 1e-12;       // -120 dB: the voice is done
constexpr double kSilentGroupEnergy = 1e-14;  // -140 dB: a group of modes is no longer computed
constexpr double kFadeSeconds = 0.005;        // a stolen voice's T60
constexpr float kModeGain = 0.25f;            // output level of a full-velocity strike
// The bow's loop gain goes as the square of its mode gains (force in, velocity out through the
// same weights); its friction constants below are tuned for this value.
constexpr float kBowModeGain = 1.0f;
// The brightest tilt the bow's coupling takes: brightness 0.75, modes weighted by
// ratio^-0.375. Brighter, the upper modes outweigh the principal in the friction's loop and
// the bow locks onto them: a bowed glass A4 at brightness 0.9 lost its note (centroid 0.7 ->
// 8.6 kHz), a harmonic violin's note died at 1.0, and at bow positions of 0.3 notes were lost
// from brightness 0.8. Beyond 0.75 the tilt brightens only what the modes radiate; at 0.75,
// every geometry, pressure, key (36-96) and position up to 0.3 holds its note.
constexpr double kBowBrightestTilt = -3.0 + 3.5 * 0.75;
// The least position weight a bowed principal keeps. The friction reads and drives the body
// through these weights, and the force a bow needs to start a mode grows as its weight falls
// (as a string's minimum bow force grows away from the bridge): with the principal's weight at
// cos(pi x), from x = 0.35 on a bowed C2 at the default pressure 0.5 played at -47 dB, and at
// 0.5, the principal's node, a bowed note was lost at any pressure or started an upper mode.
// Held at its weight at x = 0.3, the principal starts anywhere the bow is, as it does at 0.3;
// the other modes still follow the position.
const double kBowPrincipalWeight = std::cos(dsp::kPi * 0.3);
constexpr float kBowVelocityScale = 0.15f;  // bow speed 1 in units of the modes' velocity
constexpr float kBowCoupling = 0.05f;       // force per unit of slip while sticking
constexpr float kShardLevel = 0.5f;
constexpr double kBowFullGripHz = 220.0;  // A3: the bow grips notes above it at full strength

double radiusFor(double t60Seconds, double sampleRate) {
  return std::pow(10.0, -3.0 / (std::max(t60Seconds, 1e-4) * sampleRate));  // -60 dB in T60
}

}  // namespace

void CrystalVoice::start(int key, float velocity, double noteHz, const VoiceSettings& s,
                         std::uint64_t seed) {
  bowContact_ = std::numeric_limits<float>::quiet_NaN();  // the modes move under the bow
  const bool restrike = active_ && key_ == key && !fading_;
  timbre_ = 0.5f;  // neutral; an MPE note sets its own after the start
  random_.reseed(seed);
  key_ = key;
  velocity_ = velocity;
  noteHz_ = noteHz;
  exciter_ = s.exciter;
  active_ = held_ = true;
  fading_ = false;
  voiceFrame_ = 0;

  ModeRatio table[kMaxModes];
  const int available = modeRatios(s.geometry, s.maxModes, s.stretch, s.pairSplitHz, noteHz, table,
                                   s.customRatios, s.customCount);
  modeCount_ = 0;
  while (modeCount_ < available && table[modeCount_].ratio > 0.0 &&
         noteHz * table[modeCount_].ratio < 0.5 * s.sampleRate)
    ++modeCount_;
  // The mallet: a soft or slow strike barely reaches the upper modes. A second-order low-pass
  // over the modes, its corner rising with hardness and velocity (monotonically: no spectral
  // nulls sweep across the modes as a real pulse's would).
  const double malletHz = 250.0 * std::exp2(6.0 * s.hardness) * (0.35 + 1.3 * velocity);
  groups_ = (modeCount_ + dsp::kModeLanes - 1) / dsp::kModeLanes;
  for (int m = 0; m < groups_ * dsp::kModeLanes; ++m) {
    if (m >= modeCount_) {
      re_[m] = im_[m] = c_[m] = s_[m] = gain_[m] = side_[m] = baseGain_[m] = 0.0f;
      continue;
    }
    ratio_[m] = table[m].ratio;
    order_[m] = table[m].order;
    // The two halves of a split pair are one mode of the body: they share its weight and decay
    // (taken at their centre), so the pair's centre of power stays on the nominal frequency.
    double centre = 0.0;
    int members = 0;
    for (int k = 0; k < modeCount_; ++k)
      if (table[k].order == table[m].order) centre += table[k].ratio, ++members;
    centre /= members;
    // Upper modes lose energy faster (material damping grows with frequency).
    radius_[m] = radiusFor(s.t60Seconds / std::pow(centre, s.damping), s.sampleRate);
    tuneMode(m, noteHz * ratio_[m], s);
    centre_[m] = centre;
    // Cosine position weights (as in Mutable Instruments Elements/Rings) and a spectral tilt.
    double position = std::cos(dsp::kPi * table[m].order * s.position);
    if (exciter_ == Exciter::kBow && table[m].order == 1 &&
        std::fabs(position) < kBowPrincipalWeight)
      position = std::copysign(kBowPrincipalWeight, position);
    const double tilt = std::pow(centre, -3.0 + 3.5 * s.brightness);
    const double mallet = 1.0 / std::sqrt(1.0 + std::pow(noteHz * centre / malletHz, 4.0));
    baseGain_[m] = static_cast<float>(
        position * tilt * (exciter_ == Exciter::kBow ? kBowModeGain : mallet * kModeGain));
    gain_[m] = baseGain_[m];
    // Golden-angle pattern: neighbouring modes land far apart in the stereo field.
    side_[m] = static_cast<float>(s.spread * std::sin(kGoldenAngle * (m + 1)));
    if (!restrike) re_[m] = im_[m] = 0.0f;
  }

  struck_ = false;
  showering_ = false;
  // The principal: the order-1 mode, or the centre of its pair (what a listener hears as the
  // note's pitch, and what the bow's pitch correction aims at).
  principalA_ = principalB_ = -1;
  for (int m = 0; m < modeCount_; ++m)
    if (order_[m] == 1) (principalA_ < 0 ? principalA_ : principalB_) = m;
  principalRatio_ = principalA_ < 0   ? 1.0
                    : principalB_ < 0 ? ratio_[principalA_]
                                      : 0.5 * (ratio_[principalA_] + ratio_[principalB_]);
  for (int m = 0; m < modeCount_; ++m)
    driftDepth_[m] = std::fabs(std::log2(ratio_[m] / principalRatio_));
  driftBaseHz_ = 0.0;  // the drift's base rotations are the new note's
  bowing_ = exciter_ == Exciter::kBow;
  if (bowing_) {
    bowVelocity_ = static_cast<float>(s.bowSpeed * (0.4 + 0.6 * velocity));
    bowForce_ = static_cast<float>(std::min(1.0, s.bowPressure * (0.5 + 0.5 * velocity)));
    tilt_ = -3.0 + 3.5 * s.brightness;
    splitBowGains(tilt_);
    // The friction's linear gain is coupling x sum(gain x velocity gain); at 1 or more a
    // sticking bow would overshoot the body's velocity (a bright, many-mode voice rattling at
    // Nyquist).
    double gainSquared = 0.0;
    for (int m = 0; m < modeCount_; ++m)
      gainSquared += static_cast<double>(gain_[m]) * velocityGain_[m];
    bowCouplingLimit_ = static_cast<float>(0.9 / std::max(gainSquared, 1e-9));
    // The friction acts once a sample, the body turns by its angle per sample: below the
    // reference the same coupling would hold a slow mode for most of its cycle (hundreds of
    // cents flat, and raucous at high pressure). Scaled with the frequency there, the bow
    // grips every low note as it grips the reference.
    bowCouplingScale_ =
        static_cast<float>(std::min(1.0, noteHz * principalRatio_ / kBowFullGripHz));
    if (!restrike) bowPitchScale_ = 1.0;
    balanceFrames_ = 0;
    principalClock_.reset();
    trackedFrames_ = 0;
    if (bowPitchScale_ != 1.0) retune(s);
    return;
  }
  bowPitchScale_ = 1.0;
  balanceFrames_ = 0;
  struck_ = true;
  strikeAmplitude_ = velocity;
  if (exciter_ == Exciter::kShatter) {
    strikeAmplitude_ *= 0.35f;  // the body is barely touched; the shards carry the impact
    showering_ = true;
    shardFrame_ = 0;
    framesToShard_ = 0;
    for (int i = 0; i < kShards; ++i)
      shardRe_[i] = shardIm_[i] = shardC_[i] = shardS_[i] = shardGain_[i] = shardSide_[i] = 0.0f;
  }
}

void CrystalVoice::setRadii(double t60Scale, double maxT60Seconds, const VoiceSettings& s) {
  bowContact_ = std::numeric_limits<float>::quiet_NaN();  // the modes move under the bow
  for (int m = 0; m < modeCount_; ++m) {
    const double current = -3.0 / (std::log10(radius_[m]) * s.sampleRate);
    const double radius = radiusFor(std::min(current * t60Scale, maxT60Seconds), s.sampleRate);
    const float scale = static_cast<float>(radius / radius_[m]);  // same angle, new decay
    c_[m] *= scale;
    s_[m] *= scale;
    radius_[m] = radius;
  }
}

void CrystalVoice::release(const VoiceSettings& s) {
  bowContact_ = std::numeric_limits<float>::quiet_NaN();  // the modes move under the bow
  held_ = false;
  bowing_ = false;  // the bow lifts: the body rings on freely at the release T60
  setRadii(1.0, s.releaseSeconds, s);
  if (exciter_ != Exciter::kBow) return;
  // The free modes go back to their nominal pitch, where the bow was holding the note. A bowed
  // pair is left with unequal shares of the energy (the bow drives the nearer mode harder), and
  // would ring on with its power off the note's centre: over the next two grid steps (5-11 ms,
  // no click) the two halves' amplitudes glide to their mean.
  bowPitchScale_ = 1.0;
  retune(s);
  if (principalB_ < 0) return;
  const double powerA = static_cast<double>(re_[principalA_]) * re_[principalA_] +
                        static_cast<double>(im_[principalA_]) * im_[principalA_];
  const double powerB = static_cast<double>(re_[principalB_]) * re_[principalB_] +
                        static_cast<double>(im_[principalB_]) * im_[principalB_];
  if (!(powerA > 0.0 && powerB > 0.0)) return;
  balanceFrames_ = 2 * kCheckFrames - static_cast<int>(voiceFrame_ % kCheckFrames);
  const double mean = 0.5 * (powerA + powerB);
  for (int i = 0; i < 2; ++i) {
    const int m = i == 0 ? principalA_ : principalB_;
    const double factor = std::pow(mean / (i == 0 ? powerA : powerB), 0.5 / balanceFrames_);
    c_[m] = static_cast<float>(c_[m] * factor);
    s_[m] = static_cast<float>(s_[m] * factor);
  }
}

void CrystalVoice::fadeOut(const VoiceSettings& s) {
  bowContact_ = std::numeric_limits<float>::quiet_NaN();  // the modes move under the bow
  fading_ = true;
  held_ = false;
  bowing_ = false;
  showering_ = false;
  setRadii(1.0, kFadeSeconds, s);
  const float scale = static_cast<float>(radiusFor(kFadeSeconds, s.sampleRate));
  for (int i = 0; i < kShards; ++i) {
    shardC_[i] *= scale;
    shardS_[i] *= scale;
  }
}

void CrystalVoice::setTimbre(float timbre) {
  bowContact_ = std::numeric_limits<float>::quiet_NaN();  // the modes move under the bow
  // Up to +-1.75 in the tilt's exponent: the same span the brightness control sweeps. The
  // ringing modes are re-weighted too, so a struck note changes colour while it sounds.
  const double exponent = 3.5 * (static_cast<double>(timbre) - 0.5);
  const double change = 3.5 * (static_cast<double>(timbre) - static_cast<double>(timbre_));
  timbre_ = timbre;
  for (int m = 0; m < modeCount_; ++m) {
    gain_[m] = static_cast<float>(baseGain_[m] * std::pow(ratio_[m], exponent));
    const float factor = static_cast<float>(std::pow(ratio_[m], change));
    re_[m] *= factor;
    im_[m] *= factor;
  }
  if (exciter_ == Exciter::kBow) splitBowGains(tilt_ + exponent);
}

void CrystalVoice::splitBowGains(double exponent) {
  // Scaling a mode's state by k = centre^excess and its velocity weight by 1/k leaves the
  // friction's loop exactly as at the brightest tilt it bears, while the mode sounds k times
  // louder: gain_ (force in, and what is heard) keeps the full tilt, and the velocity's
  // weights lose the excess twice.
  const double excess = exponent - kBowBrightestTilt;
  for (int m = 0; m < groups_ * dsp::kModeLanes; ++m) {
    velocityGain_[m] = excess <= 0.0 || m >= modeCount_
                           ? gain_[m]
                           : static_cast<float>(gain_[m] * std::pow(centre_[m], -2.0 * excess));
  }
}

void CrystalVoice::render(float* mid, float* side, float* scratch, int frames,
                          dsp::ModalKernel kernel, dsp::BowedKernel bowed, const VoiceSettings& s) {
  if (bowing_) {
    CrystalVoice* self = this;
    return renderBowing(&self, 1, mid, side, frames, bowed, s);
  }
  const dsp::ModeArrays modes{re_, im_, c_, s_, gain_, side_, groups_};
  for (int done = 0; done < frames && active_;) {
    const int span = beginStep(frames - done, s);
    bowContact_ = std::numeric_limits<float>::quiet_NaN();  // the modes move without the bow
    if (struck_) {
      scratch[0] = strikeAmplitude_;
      for (int t = 1; t < span; ++t) scratch[t] = 0.0f;
      kernel(modes, scratch, mid + done, side + done, span);
      struck_ = false;
    } else {
      kernel(modes, nullptr, mid + done, side + done, span);
    }
    if (exciter_ == Exciter::kShatter) renderShards(mid + done, side + done, span, kernel, s);
    done += span;
    endStep(span, s);
  }
}

void CrystalVoice::renderBowing(CrystalVoice* const* voices, int count, float* mid, float* side,
                                int frames, dsp::BowedKernel bowed, const VoiceSettings& s) {
  float listenRe[dsp::kBowedTogether][kCheckFrames], listenIm[dsp::kBowedTogether][kCheckFrames];
  dsp::BowedVoice together[dsp::kBowedTogether];
  for (int done = 0; done < frames;) {
    // Each step ends at the nearest of the voices' grids (the kernel's carried contact makes
    // where a voice's frames split change no bit).
    int span = frames - done;
    for (int i = 0; i < count; ++i) span = std::min(span, voices[i]->beginStep(frames - done, s));
    for (int i = 0; i < count; ++i)
      together[i] = voices[i]->bowedVoice(mid + done, side + done, listenRe[i], listenIm[i]);
    bowed(together, count, span);
    for (int i = 0; i < count; ++i) {
      CrystalVoice& voice = *voices[i];
      if (voice.principalA_ >= 0)
        voice.principalClock_.listen(listenRe[i], listenIm[i], span,
                                     static_cast<double>(voice.voiceFrame_));
      voice.endStep(span, s);
    }
    done += span;
  }
}

int CrystalVoice::beginStep(int left, const VoiceSettings& s) {
  // Drift moves on the same grid: smooth enough at spiral speeds, and block-size independent.
  if (s.driftCents > 0.0 && voiceFrame_ % kCheckFrames == 0 && balanceFrames_ == 0) applyDrift(s);
  // Stop at the next point of the voice's 256-frame grid, where its energy is read.
  return std::min(left, kCheckFrames - static_cast<int>(voiceFrame_ % kCheckFrames));
}

void CrystalVoice::endStep(int frames, const VoiceSettings& s) {
  voiceFrame_ += frames;
  if (balanceFrames_ > 0 && (balanceFrames_ -= frames) <= 0) {
    balanceFrames_ = 0;
    retune(s);  // the pair's amplitudes are even: back to their own decay
  }
  if (voiceFrame_ % kCheckFrames != 0) return;
  if (bowing_) trackBowPitch(s);
  const bool driven = bowing_ || showering_ || struck_;
  double energy = 0.0;
  for (int g = groups_; g-- > 0;) {
    double group = 0.0;
    for (int m = g * dsp::kModeLanes; m < (g + 1) * dsp::kModeLanes; ++m)
      group += static_cast<double>(re_[m]) * re_[m] + static_cast<double>(im_[m]) * im_[m];
    // The upper modes die first (damping grows with frequency): a last group of modes all
    // below -140 dB is no longer computed, nor tuned, until the next note-on. Nothing drives
    // the modes again before then (a bow or a pending strike keeps them all).
    if (!driven && g == groups_ - 1 && group < kSilentGroupEnergy) {
      for (int m = g * dsp::kModeLanes; m < (g + 1) * dsp::kModeLanes; ++m) re_[m] = im_[m] = 0.0f;
      --groups_;
      continue;
    }
    energy += group;
  }
  for (int i = 0; i < kShards; ++i)
    energy += static_cast<double>(shardRe_[i]) * shardRe_[i] +
              static_cast<double>(shardIm_[i]) * shardIm_[i];
  energy_ = energy;
  if (!driven && energy < kSilentEnergy) active_ = false;
}

dsp::BowedVoice CrystalVoice::bowedVoice(float* mid, float* side, float* listenRe,
                                         float* listenIm) {
  // The body's velocity under the bow: a force enters each mode's real part and reaches the
  // imaginary part (the displacement we hear) a quarter cycle later, so the real parts,
  // weighted as the force was, are the velocity at the contact point. The kernel reads it
  // after each frame's rotation, before the force lands (as STK's Bowed reads the incoming
  // waves): the force then acts on the very velocity it was computed from. Read a frame late
  // instead, it would lag each mode by its own angle, and above a quarter of the sample rate
  // (angle > 90 degrees) the bow's damping would turn into drive.
  // Stick-slip friction, after the bow table of Smith's bowed-string model: more pressure
  // widens the sticking region and couples harder. Aftertouch or the wheel press the bow
  // harder, up to full pressure: past it (Schelleng's maximum bow force) the low notes lose
  // their period and crackle with subharmonics.
  const float pressure = bowForce_ + std::clamp(extraPressure_, 0.0f, 1.0f) * (1.0f - bowForce_);
  dsp::BowedVoice voice{
      {re_, im_, c_, s_, gain_, side_, groups_, velocityGain_}, {}, mid, side, listenRe, listenIm};
  dsp::BowDrive& bow = voice.bow;
  bow.speed = bowVelocity_ * kBowVelocityScale;
  bow.slope = (5.0f - 3.0f * std::min(pressure, 1.0f)) / kBowVelocityScale;
  bow.coupling = std::min(kBowCoupling * bowCouplingScale_ * (0.25f + pressure), bowCouplingLimit_);
  bow.listenA = principalA_;  // every mode above Nyquist (-1): nothing to listen to
  bow.listenB = principalB_;
  bow.contact = &bowContact_;
  return voice;
}

void CrystalVoice::renderShards(float* mid, float* side, int frames, dsp::ModalKernel kernel,
                                const VoiceSettings& s) {
  const dsp::ModeArrays shards{shardRe_, shardIm_, shardC_, shardS_, shardGain_, shardSide_, 1};
  for (int done = 0; done < frames;) {
    if (showering_ && framesToShard_ == 0) {
      startShard(s);
      if (showering_) {
        const float impulse = 1.0f;
        kernel(shards, &impulse, mid + done, side + done, 1);
        ++done;
        ++shardFrame_;
        --framesToShard_;
        continue;
      }
    }
    const int span = showering_ ? std::min(frames - done, framesToShard_) : frames - done;
    kernel(shards, nullptr, mid + done, side + done, span);
    done += span;
    shardFrame_ += span;
    if (showering_) framesToShard_ -= span;
  }
}

void CrystalVoice::startShard(const VoiceSettings& s) {
  const double seconds = static_cast<double>(shardFrame_) / s.sampleRate;
  // The shower thins out: a Poisson process whose rate decays with a 0.4 s time constant.
  const double rate = s.shardDensity * 140.0 * std::exp(-seconds / 0.4);
  if (rate < 3.0) {
    showering_ = false;
    return;
  }
  // Early shards are bright and random; later ones drift onto the body's own modes, so the
  // shower "reassembles" into the chord.
  const double progress = std::min(1.0, seconds / 1.2);
  const int target = static_cast<int>(random_.uniform() * std::min(modeCount_, 6));
  const double home = modeCount_ > 0 ? ratio_[target] : 1.0;
  const double wild = 4.0 + 12.0 * random_.uniform();
  double hz =
      noteHz_ * std::exp(std::log(wild) + (std::log(home) - std::log(wild)) * progress * progress);
  if (hz >= 0.45 * s.sampleRate) hz = 0.45 * s.sampleRate * (0.5 + 0.5 * random_.uniform());
  const int lane = nextShardLane_++ % kShards;
  const double radius = radiusFor(0.03 + 0.3 * progress, s.sampleRate);
  shardC_[lane] = static_cast<float>(radius * std::cos(dsp::kTwoPi * hz / s.sampleRate));
  shardS_[lane] = static_cast<float>(radius * std::sin(dsp::kTwoPi * hz / s.sampleRate));
  for (float& g : shardGain_) g = 0.0f;
  shardGain_[lane] = static_cast<float>(velocity_ * kShardLevel * (1.0 - 0.6 * progress) *
                                        (0.5 + 0.5 * random_.uniform()));
  shardSide_[lane] = static_cast<float>(s.spread * random_.bipolar());
  const double interval = std::max(0.012, -std::log(1.0 - 0.999 * random_.uniform()) / rate);
  framesToShard_ = std::max(1, static_cast<int>(interval * s.sampleRate));
}

}  // namespace reverie::crystal
