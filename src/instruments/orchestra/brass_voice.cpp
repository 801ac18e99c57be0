// BrassVoice: the control-rate envelope, scoop, blat and loudness-driven bandwidth, and the
// per-sample players (PolyBLEP saws through a state-variable low-pass), four voices per vector.
#include "instruments/orchestra/brass_voice.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "dsp/float4.hpp"
#include "dsp/math_constants.hpp"

namespace reverie::orchestra {
namespace {

// Four voices share each vector, one lane each; a voice's players are one vector each.
using dsp::anyLane;
using dsp::Float4;
using dsp::Int4;
using dsp::select;
using dsp::UInt4;
constexpr int kLanes = 4;

constexpr float kLn1000 = 6.907755279f;  // a T60 is ln(1000) time constants
constexpr float kOutputGain = 0.32f;     // one voice at full dynamics peaks near -10 dBFS
constexpr float kSvfDamping = 1.3f;      // k = 1/Q: a Q of 0.77, a faint bump at the cutoff
constexpr float kStabDecaySeconds = 0.09f;
constexpr float kSilenceSeconds = 0.01f;  // T60 of all-sound-off
constexpr float kBlatSeconds = 0.035f;    // time constant of the attack's blat
constexpr float kEndLevel = 1e-4f;        // -80 dB: the voice has finished
constexpr float kVibratoDelaySeconds = 0.25f, kVibratoFadeSeconds = 0.6f;

/// Up to four voices, one per lane, gathered for one span; unused lanes are all zero (silent).
// The bell radiates the low harmonics poorly and passes the high ones (Benade, "Fundamentals
// of Musical Acoustics", ch. 20): a trumpet's bell cuts off near 1.5 kHz, a trombone's lower,
// a few times the notes each plays most, so a section's fundamentals sit under its 2nd to 6th
// harmonics in every register. One shelf, 1 - depth / (1 + j f / corner) with its corner at
// 3 f0, puts the fundamental ~8 dB under the 5th harmonic and leaves the band above 8 f0 within
// 0.6 dB. (Two shelves matched a General MIDI brass section closer, but made the section so
// rough and so strong in its fifths that the triumph read rougher than the wrong key.)
constexpr float kBellCornerRatio = 3.0f;
constexpr float kBellDepth = 0.7f;

struct Lanes {
  Float4 phase[BrassVoice::kMaxPlayers]{}, ic1[BrassVoice::kMaxPlayers]{},
      ic2[BrassVoice::kMaxPlayers]{}, ratio[BrassVoice::kMaxPlayers]{};
  Float4 inverseDt[BrassVoice::kMaxPlayers]{}, panLeft[BrassVoice::kMaxPlayers]{},
      panRight[BrassVoice::kMaxPlayers]{};
  Float4 base{}, gain{}, gainStep{}, pitch{}, pitchStep{}, noise{}, noiseStep{}, a1{}, a2{}, a3{};
  Float4 bellCoefficient{}, bellLeft{}, bellRight{};  // the bell's shelf: its low-pass states
  UInt4 noiseState{};
};

template <int kPlayers>
void renderGroup(Lanes& g, Float4* left, Float4* right, int frames) {
  const Float4 one = dsp::broadcast(1.0f), zero = dsp::broadcast(0.0f);
  Float4 phase[kPlayers], ic1[kPlayers], ic2[kPlayers];
  for (int p = 0; p < kPlayers; ++p) phase[p] = g.phase[p], ic1[p] = g.ic1[p], ic2[p] = g.ic2[p];
  UInt4 noiseState = g.noiseState;
  Float4 gain = g.gain, pitch = g.pitch, noise = g.noise;
  Float4 bellLeft = g.bellLeft, bellRight = g.bellRight;
  for (int i = 0; i < frames; ++i) {
    gain += g.gainStep;
    pitch += g.pitchStep;
    noise += g.noiseStep;
    const Float4 cycles = g.base * pitch;
    // Breath: xorshift32 (Marsaglia, J. Stat. Software 2003) per lane, mantissa bits to [-1, 1).
    noiseState ^= noiseState << 13;
    noiseState ^= noiseState >> 17;
    noiseState ^= noiseState << 5;
    const Float4 white = reinterpret_cast<Float4>((noiseState >> 9) | 0x3f800000u) * 2.0f - 3.0f;
    const Float4 breath = white * noise;
    Float4 sumLeft = zero, sumRight = zero;
    for (int p = 0; p < kPlayers; ++p) {
      const Float4 dt = cycles * g.ratio[p];
      Float4 t = phase[p] + dt;
      t -= select(t >= one, one, zero);
      phase[p] = t;
      // PolyBLEP sawtooth (Välimäki & Huovilainen, IEEE SPM 2007): the step at the wrap is
      // smoothed by a two-sample polynomial residual, x(2 - x) - 1 just after it and (x + 1)^2
      // just before, x being the distance from the step in samples.
      Float4 x = t + t - one + breath;
      const Int4 justAfter = t<dt, justBefore = t> one - dt;
      if (anyLane(justAfter | justBefore)) {  // a few samples per period: the rest skip this
        const Float4 after = t * g.inverseDt[p], before = (t - one) * g.inverseDt[p] + one;
        x -= select(justAfter, after * (2.0f - after) - one,
                    select(justBefore, before * before, zero));
      }
      // Trapezoidal state-variable low-pass (Zavalishin, "The Art of VA Filter Design", ch. 4).
      const Float4 v3 = x - ic2[p];
      const Float4 v1 = g.a1 * ic1[p] + g.a2 * v3;
      const Float4 v2 = ic2[p] + g.a2 * ic1[p] + g.a3 * v3;
      ic1[p] = v1 + v1 - ic1[p];
      ic2[p] = v2 + v2 - ic2[p];
      sumLeft += v2 * g.panLeft[p];
      sumRight += v2 * g.panRight[p];
    }
    // The bell's shelf (see kBellCornerRatio).
    bellLeft += g.bellCoefficient * (sumLeft - bellLeft);
    sumLeft -= kBellDepth * bellLeft;
    bellRight += g.bellCoefficient * (sumRight - bellRight);
    sumRight -= kBellDepth * bellRight;
    left[i] += sumLeft * gain;  // lanes summed once for all groups, in renderVoices
    right[i] += sumRight * gain;
  }
  g.bellLeft = bellLeft, g.bellRight = bellRight;
  for (int p = 0; p < kPlayers; ++p) g.phase[p] = phase[p], g.ic1[p] = ic1[p], g.ic2[p] = ic2[p];
  g.noiseState = noiseState;
  g.gain = gain, g.pitch = pitch, g.noise = noise;
}

}  // namespace

void BrassVoice::prepare(double sampleRate, std::uint64_t seed) {
  sampleRate_ = static_cast<float>(sampleRate);
  const float tickSeconds = static_cast<float>(kControlFrames) / sampleRate_;
  stabDecay_ = std::exp(-tickSeconds / kStabDecaySeconds);
  silenceDecay_ = std::exp(-kLn1000 * tickSeconds / kSilenceSeconds);
  blatDecay_ = std::exp(-tickSeconds / kBlatSeconds);
  scoopDecay_ = std::exp(-tickSeconds / 0.05f);
  stabScoopDecay_ = std::exp(-tickSeconds / 0.02f);
  lastAttack_ = lastRelease_ = lastCutoffHz_ = -1.0f;
  random_.reseed(seed);
  stage_ = Stage::kIdle;
  envelope_ = gain_ = gainStep_ = noise_ = noiseStep_ = 0.0f;
}

void BrassVoice::start(double frequencyHz, float velocity) {
  velocity_ = std::clamp(velocity, 0.0f, 1.0f);
  setFrequencyHz(frequencyHz);
  wasSilent_ = !active();
  if (wasSilent_) {
    // Players start at unrelated phases (a section does not attack in phase); the note sits
    // at a seeded place in the stereo field.
    for (int p = 0; p < kMaxPlayers; ++p) {
      phase_[p] = random_.uniform();
      ic1_[p] = ic2_[p] = 0.0f;
    }
    bellLeft_ = bellRight_ = 0.0f;
    noiseState_ = random_.next() | 1u;  // xorshift32 must not start at zero
    pan_ = 0.3f * random_.bipolar();
    envelope_ = gain_ = noise_ = 0.0f;
    lastSpread_ = -1.0f;
  }
  stage_ = Stage::kAttack;
  fresh_ = true;
  ticksToGo_ = 0;
  ageTicks_ = 0;
}

void BrassVoice::setFrequencyHz(double frequencyHz) {
  const double cycles = frequencyHz / static_cast<double>(sampleRate_);
  cyclesPerSample_ = static_cast<float>(cycles > 0.4 ? 0.4 : (cycles > 1e-6 ? cycles : 1e-6));
  inverseCycles_ = 1.0f / (cyclesPerSample_ * pitch_);
}

void BrassVoice::release() {
  if (active() && stage_ != Stage::kSilence) stage_ = Stage::kRelease;
}

void BrassVoice::silence() {
  if (active()) stage_ = Stage::kSilence;
}

void BrassVoice::updatePlayers(const BrassSettings& s) {
  // Symmetric detune: the outer players sit +-detune/2 about the note, so the section's pitch
  // centre is the note itself; a third player sits on it.
  const float half = 0.5f * s.detuneCents / 1200.0f;
  const float sharp = std::exp2(half), flat = std::exp2(-half);
  const float spread = s.spread;
  float position[kMaxPlayers] = {0.0f, 0.0f, 0.0f};
  if (players_ == 1) {
    ratio_[0] = 1.0f;
  } else if (players_ == 2) {
    ratio_[0] = flat, ratio_[1] = sharp;
    position[0] = -0.5f * spread, position[1] = 0.5f * spread;
  } else {
    ratio_[0] = flat, ratio_[1] = 1.0f, ratio_[2] = sharp;
    position[0] = -0.6f * spread, position[2] = 0.6f * spread;
  }
  const float norm = 1.0f / std::sqrt(static_cast<float>(players_));
  for (int p = 0; p < kMaxPlayers; ++p) {
    // A linear pan law: left + right is the same for every player, so the mono sum holds the
    // players at equal strength and the section's pitch centre stays on the note.
    const float where = std::clamp(pan_ + position[p], -1.0f, 1.0f);
    const bool playing = p < players_;
    if (!playing) ratio_[p] = 1.0f;
    inverseRatio_[p] = 1.0f / ratio_[p];
    panLeft_[p] = playing ? 0.5f * (1.0f - where) * norm : 0.0f;
    panRight_[p] = playing ? 0.5f * (1.0f + where) * norm : 0.0f;
  }
  lastDetune_ = s.detuneCents;
  lastSpread_ = s.spread;
}

void BrassVoice::control(const BrassSettings& s) {
  if (stage_ == Stage::kIdle) return;
  const float tickSeconds = static_cast<float>(kControlFrames) / sampleRate_;
  if (fresh_) {
    fresh_ = false;
    articulation_ = s.articulation;
    const bool stabbed = articulation_ == BrassArticulation::kStab;
    scoopCents_ = s.scoopCents * (0.4f + 0.6f * velocity_) * (stabbed ? 0.6f : 1.0f);
    // A hard-tongued attack flares bright for a few tens of milliseconds; a soft one barely.
    blat_ = (stabbed ? 1.0f : 0.7f) * velocity_ * std::sqrt(velocity_);
    if (wasSilent_) vibratoPhase_ = random_.uniform();
  }
  const int players = std::clamp(s.players, 1, kMaxPlayers);
  if (players != players_) {
    for (int p = players_; p < players; ++p) {
      phase_[p] = random_.uniform();
      ic1_[p] = ic2_[p] = 0.0f;
    }
    players_ = players;
    lastSpread_ = -1.0f;
  }
  if (s.detuneCents != lastDetune_ || s.spread != lastSpread_) updatePlayers(s);
  const bool stab = articulation_ == BrassArticulation::kStab;

  // The envelope, one step per tick.
  switch (stage_) {
    case Stage::kAttack: {
      const float attack = articulation_ == BrassArticulation::kStab
                               ? std::min(s.attackSeconds, 0.012f)
                               : s.attackSeconds;
      if (attack != lastAttack_) {
        // A one-pole rise aimed at 1.02 reaches 1 after ln(51) = 3.93 time constants: at `attack`.
        attackRise_ = 1.0f - std::exp(-3.93f * tickSeconds / std::max(attack, 0.001f));
        lastAttack_ = attack;
      }
      envelope_ += (1.02f - envelope_) * attackRise_;
      if (envelope_ >= 1.0f) {
        envelope_ = 1.0f;
        stage_ = articulation_ == BrassArticulation::kStab ? Stage::kStabDecay : Stage::kSustain;
      }
      break;
    }
    case Stage::kSustain:
      break;
    case Stage::kStabDecay:
      envelope_ *= stabDecay_;
      break;
    case Stage::kRelease:
      if (s.releaseSeconds != lastRelease_) {
        releaseDecay_ = std::exp(-kLn1000 * tickSeconds / std::max(s.releaseSeconds, 0.005f));
        lastRelease_ = s.releaseSeconds;
      }
      envelope_ *= releaseDecay_;
      break;
    case Stage::kSilence:
      envelope_ *= silenceDecay_;
      break;
    case Stage::kIdle:
      return;
  }
  const bool decaying = stage_ != Stage::kAttack && stage_ != Stage::kSustain;
  if (decaying && envelope_ == 0.0f) {  // the last tick faded the level to zero: done
    stage_ = Stage::kIdle;
    gain_ = gainStep_ = noise_ = noiseStep_ = 0.0f;
    return;
  }
  const bool ending = decaying && envelope_ < kEndLevel;
  ++ageTicks_;
  blat_ = blat_ > 1e-4f ? blat_ * blatDecay_ : 0.0f;
  scoopCents_ = scoopCents_ > 0.01f ? scoopCents_ * (stab ? stabScoopDecay_ : scoopDecay_) : 0.0f;

  // Vibrato fades in once the note has settled.
  const float age = static_cast<float>(ageTicks_) * tickSeconds;
  const float depth =
      s.vibratoCents * std::clamp((age - kVibratoDelaySeconds) / kVibratoFadeSeconds, 0.0f, 1.0f);
  vibratoPhase_ += s.vibratoRateHz * tickSeconds;
  vibratoPhase_ -= std::floor(vibratoPhase_);
  const float vibrato = depth > 0.0f ? depth * std::sin(dsp::kTwoPiF * vibratoPhase_) : 0.0f;
  const float pitch = vibrato == scoopCents_ ? 1.0f : std::exp2((vibrato - scoopCents_) / 1200.0f);

  // Loudness drives the bandwidth: the cutoff opens with envelope x dynamics (Risset; Moorer &
  // Grey), and further in the blat. The fundamental always passes.
  const float dynamics = std::clamp(s.dynamics, 0.0f, 1.0f);
  const float drive =
      envelope_ * (0.15f + 0.85f * dynamics) * (0.7f + 0.3f * velocity_) * (1.0f + 2.5f * blat_);
  const float noteHz = cyclesPerSample_ * sampleRate_;
  bellCoefficient_ =
      1.0f - std::exp(-dsp::kTwoPiF * std::min(kBellCornerRatio * cyclesPerSample_, 0.2f));
  const float bandwidthHz = 300.0f + 7700.0f * std::clamp(s.brightness, 0.0f, 1.0f);
  float cutoffHz =
      std::min(1.2f * noteHz + bandwidthHz * drive * std::sqrt(drive), 0.2f * sampleRate_);
  // Released, the filter stays where the note left it: closing onto the low harmonics as the
  // level falls would turn its phase under them: one player at MIDI 36 sagged 28 cents.
  if (stage_ == Stage::kRelease && lastCutoffHz_ > 0.0f)
    cutoffHz = std::max(cutoffHz, lastCutoffHz_);
  if (cutoffHz != lastCutoffHz_) {  // a held note at steady dynamics keeps its filter
    const float g = std::tan(dsp::kPiF * cutoffHz / sampleRate_);
    a1_ = 1.0f / (1.0f + g * (g + kSvfDamping));
    a2_ = g * a1_;
    a3_ = g * a2_;
    lastCutoffHz_ = cutoffHz;
  }

  const float loudness = ending ? 0.0f
                                : envelope_ * (0.04f + 0.96f * dynamics * dynamics) *
                                      std::clamp(s.expression, 0.0f, 1.0f) *
                                      (0.55f + 0.45f * velocity_) * (1.0f + 0.35f * blat_) *
                                      kOutputGain;
  const float breath = std::clamp(s.breath, 0.0f, 1.0f) * (0.04f + 1.2f * blat_);
  const float step = 1.0f / static_cast<float>(kControlFrames);
  if (wasSilent_ && ageTicks_ == 1) pitch_ = pitch;  // a fresh note starts on its scoop
  inverseCycles_ = 1.0f / (cyclesPerSample_ * pitch);
  gainStep_ = (loudness - gain_) * step;
  pitchStep_ = (pitch - pitch_) * step;
  noiseStep_ = (breath - noise_) * step;
  if (ending) envelope_ = 0.0f;
}

void BrassVoice::renderVoices(BrassVoice* const* voices, int count, float* left, float* right,
                              int frames) {
  for (int done = 0; done < frames;) {
    const int span = std::min(frames - done, kControlFrames);
    Float4 sumLeft[kControlFrames], sumRight[kControlFrames];
    for (int i = 0; i < span; ++i) sumLeft[i] = sumRight[i] = Float4{};
    for (int first = 0; first < count; first += kLanes) {
      const int lanes = std::min(kLanes, count - first);
      Lanes g;  // unused lanes stay silent: zero gain and pan
      int players = 1;
      for (int k = 0; k < lanes; ++k) {
        const BrassVoice& v = *voices[first + k];
        players = std::max(players, v.players_);
        for (int p = 0; p < kMaxPlayers; ++p) {
          g.phase[p][k] = v.phase_[p], g.ic1[p][k] = v.ic1_[p], g.ic2[p][k] = v.ic2_[p];
          g.ratio[p][k] = v.ratio_[p];
          // 1 / dt for the BLEP: exact at the tick, off by the pitch ramp's few ppm in between.
          g.inverseDt[p][k] = v.inverseRatio_[p] * v.inverseCycles_;
          g.panLeft[p][k] = v.panLeft_[p], g.panRight[p][k] = v.panRight_[p];
        }
        g.base[k] = v.cyclesPerSample_;
        g.gain[k] = v.gain_, g.gainStep[k] = v.gainStep_;
        g.pitch[k] = v.pitch_, g.pitchStep[k] = v.pitchStep_;
        g.noise[k] = v.noise_, g.noiseStep[k] = v.noiseStep_;
        g.noiseState[k] = v.noiseState_;
        g.a1[k] = v.a1_, g.a2[k] = v.a2_, g.a3[k] = v.a3_;
        g.bellCoefficient[k] = v.bellCoefficient_;
        g.bellLeft[k] = v.bellLeft_, g.bellRight[k] = v.bellRight_;
      }
      switch (players) {
        case 1:
          renderGroup<1>(g, sumLeft, sumRight, span);
          break;
        case 2:
          renderGroup<2>(g, sumLeft, sumRight, span);
          break;
        default:
          renderGroup<3>(g, sumLeft, sumRight, span);
          break;
      }
      for (int k = 0; k < lanes; ++k) {
        BrassVoice& v = *voices[first + k];
        for (int p = 0; p < kMaxPlayers; ++p)
          v.phase_[p] = g.phase[p][k], v.ic1_[p] = g.ic1[p][k], v.ic2_[p] = g.ic2[p][k];
        v.gain_ = g.gain[k], v.pitch_ = g.pitch[k], v.noise_ = g.noise[k];
        v.noiseState_ = g.noiseState[k];
        v.bellLeft_ = g.bellLeft[k], v.bellRight_ = g.bellRight[k];
      }
    }
    if (count > 0) {
      for (int i = 0; i < span; ++i) {
        left[done + i] += dsp::sumByHalves(sumLeft[i]);
        right[done + i] += dsp::sumByHalves(sumRight[i]);
      }
    }
    done += span;
  }
}

void BrassVoice::render(float* left, float* right, int frames, const BrassSettings& settings) {
  BrassVoice* self = this;
  for (int done = 0; done < frames && active();) {
    if (ticksToGo_ == 0 || fresh_) {
      control(settings);
      if (!active()) return;
      ticksToGo_ = kControlFrames;
    }
    const int span = std::min(frames - done, ticksToGo_);
    renderVoices(&self, 1, left + done, right + done, span);
    done += span;
    ticksToGo_ -= span;
  }
}

}  // namespace reverie::orchestra
