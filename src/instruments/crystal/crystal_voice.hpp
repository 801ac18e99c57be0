// One voice of the crystal instrument: a bank of up to 64 modes and the exciter that drives it.
#pragma once

#include <cstdint>
#include <limits>

#include "dsp/modal_kernel.hpp"
#include "dsp/random.hpp"
#include "instruments/crystal/mode_table.hpp"

namespace reverie::crystal {

/// Successive modes are this far apart in phase (radians): in the stereo field and in the drift.
inline constexpr double kGoldenAngle = 2.399963;
/// The voice's own grid, in frames: its energy is read, and its drift and bow pitch move, on it.
inline constexpr int kCheckFrames = 256;

enum class Exciter { kStrike = 0, kBow = 1, kShatter = 2 };

/// Everything a voice needs from the node's parameters, derived once when they change.
struct VoiceSettings {
  double sampleRate = 48000.0;
  Geometry geometry = Geometry::kGlass;
  int maxModes = 32;
  double stretch = 1.0;
  double pairSplitHz = 0.0;
  double t60Seconds = 4.0;  ///< of the principal mode
  double damping = 1.0;     ///< higher modes: T60 / ratio^damping
  double brightness = 0.5;  ///< 0 dark (steep tilt) .. 1 flat
  double hardness = 0.5;    ///< mallet: soft (long contact) .. hard (short)
  double position = 0.2;    ///< strike/pickup position along the body, 0..1
  double spread = 0.5;      ///< stereo spread of the modes
  Exciter exciter = Exciter::kStrike;
  double bowPressure = 0.5;     ///< 0..1 friction strength
  double bowSpeed = 0.5;        ///< 0..1
  double releaseSeconds = 0.5;  ///< T60 once the key is up
  double shardDensity = 0.6;    ///< shatter: how thick the shower of shards is
  double driftCents = 0.0;      ///< slow spiralling detune of every mode (0 = none)
  double driftRateHz = 0.15;
  const double* customRatios = nullptr;  ///< geometry kCustom: the preset's ratio list
  int customCount = 0;
  dsp::DriftKernel drift = dsp::driftKernel();  ///< the drift step for this CPU
};

class CrystalVoice {
 public:
  /// Audio thread: starts a note (a re-strike of a sounding voice keeps its ringing). `seed`
  /// feeds the voice's own generator, so voices never share random draws.
  void start(int key, float velocity, double noteHz, const VoiceSettings& settings,
             std::uint64_t seed);
  /// Key up (and no pedal): the modes damp to the release T60.
  void release(const VoiceSettings& settings);
  /// Stolen: damp to silence in a few milliseconds, with no step in the signal.
  void fadeOut(const VoiceSettings& settings);
  /// New pitch for the same note (pitch bend): rotations change, amplitudes stay.
  void setPitch(double noteHz, const VoiceSettings& settings);
  /// Bow pressure from aftertouch or the mod wheel, 0..1, added to the velocity's.
  void setPressure(float pressure) { extraPressure_ = pressure; }
  /// MPE timbre (CC74 of the note's channel), 0..1, 0.5 neutral: tilts the modes' output.
  void setTimbre(float timbre);
  /// The MIDI channel that started the voice, and its per-note bend in semitones (MPE).
  int channel() const { return channel_; }
  void setChannel(int channel) { channel_ = channel; }
  double noteBend() const { return noteBend_; }
  void setNoteBend(double semitones) { noteBend_ = semitones; }

  /// Adds `frames` frames of this voice to mid[] and side[]. `scratch` holds frames floats.
  void render(float* mid, float* side, float* scratch, int frames, dsp::ModalKernel kernel,
              dsp::BowedKernel bowed, const VoiceSettings& settings);

  /// Adds `frames` frames of `count` (1..dsp::kBowedTogether) bowing voices to mid[] and
  /// side[], in steps they share so that the bowed kernel renders them side by side: the same
  /// bits as rendering each in turn, in the order given.
  static void renderBowing(CrystalVoice* const* voices, int count, float* mid, float* side,
                           int frames, dsp::BowedKernel bowed, const VoiceSettings& settings);

  bool active() const { return active_; }
  /// The bow is on the body: from note-on to release (a pedal holds it).
  bool bowing() const { return bowing_; }
  bool held() const { return held_; }
  bool fading() const { return fading_; }
  int key() const { return key_; }
  unsigned long age() const { return age_; }
  void setAge(unsigned long age) { age_ = age; }
  void setHeld(bool held) { held_ = held; }
  /// Sum of the squared mode amplitudes, updated after each render.
  double energy() const { return energy_; }

 private:
  void setRadii(double t60Scale, double maxT60Seconds, const VoiceSettings& settings);
  /// Retunes every mode to its drifted frequency at the voice's current time.
  void applyDrift(const VoiceSettings& settings);
  /// Sets mode m ringing at `hz`, keeping its decay.
  void tuneMode(int m, double hz, const VoiceSettings& settings);
  /// Every mode at its nominal (or drifted) frequency times the bow's pitch correction.
  void retune(const VoiceSettings& settings);
  /// While the bow is on: nudges its pitch correction toward the principal's nominal pitch.
  void trackBowPitch(const VoiceSettings& settings);
  /// Before a step of at most `left` frames: the drift moves if the voice is on its grid.
  /// Returns the step's length, which ends at the grid.
  int beginStep(int left, const VoiceSettings& settings);
  /// After a step of `frames` frames: the voice's clock moves on, and on the grid the bow's
  /// pitch and the energy are read.
  void endStep(int frames, const VoiceSettings& settings);
  /// The voice as the bowed kernel takes it, its output going to mid[] and side[] and its
  /// principal's states to listenRe[] and listenIm[].
  dsp::BowedVoice bowedVoice(float* mid, float* side, float* listenRe, float* listenIm);
  void renderShards(float* mid, float* side, int frames, dsp::ModalKernel kernel,
                    const VoiceSettings& s);
  void startShard(const VoiceSettings& s);
  /// A bowed voice's modes tilted brighter than the bow can bear: the bow's coupling keeps
  /// the brightest stable tilt and the rest tilts only what the modes radiate (velocityGain_).
  void splitBowGains(double exponent);

  static constexpr int kShards = 16;
  alignas(64) float re_[kMaxModes], im_[kMaxModes], c_[kMaxModes], s_[kMaxModes];
  alignas(64) float gain_[kMaxModes], side_[kMaxModes];
  float baseGain_[kMaxModes] = {};  // gain_ before the MPE timbre tilt
  // Bowed: the weights the bow reads the velocity with (see splitBowGains).
  alignas(64) float velocityGain_[kMaxModes] = {};
  double centre_[kMaxModes] = {};  // a mode's ratio, or its split pair's centre
  double tilt_ = 0.0;              // the brightness's tilt exponent, before the MPE timbre's
  alignas(64) float shardRe_[kShards], shardIm_[kShards], shardC_[kShards], shardS_[kShards];
  alignas(64) float shardGain_[kShards], shardSide_[kShards];
  double ratio_[kMaxModes] = {};  // frequency / note frequency
  // Drift (see applyDrift): each mode's depth (octaves from the principal), and its rotation at
  // the undrifted pitch the drift turns from, valid while the voice's pitch is driftBaseHz_.
  double driftDepth_[kMaxModes] = {};
  double baseOmega_[kMaxModes] = {}, baseCos_[kMaxModes] = {}, baseSin_[kMaxModes] = {};
  double driftBaseHz_ = 0.0;
  double radius_[kMaxModes] = {};  // per-sample decay of each mode
  int order_[kMaxModes] = {};
  int modeCount_ = 0;
  int groups_ = 0;
  double noteHz_ = 440.0;
  int key_ = -1;
  int channel_ = 0;
  double noteBend_ = 0.0;
  float timbre_ = 0.5f;
  float velocity_ = 0.0f;
  bool active_ = false, held_ = false, fading_ = false;
  unsigned long age_ = 0;
  long voiceFrame_ = 0;  // frames since note-on: the voice's own clock
  double energy_ = 0.0;
  Exciter exciter_ = Exciter::kStrike;
  // Strike: an impulse; the mallet's softness is in the modes' gains.
  bool struck_ = false;
  float strikeAmplitude_ = 0.0f;
  dsp::Random random_;
  // Bow: friction driven by the relative velocity of bow and body.
  float bowVelocity_ = 0.0f, bowForce_ = 0.0f, extraPressure_ = 0.0f;
  bool bowing_ = false;  // the bow is on the body: from note-on to release (a pedal holds it)
  float bowCouplingScale_ = 1.0f;  // a weaker grip below kBowFullGripHz
  // The largest passive coupling: 0.9 / the sum of the squared mode gains.
  float bowCouplingLimit_ = 1.0f;
  // Friction drags a bowed mode flat (more at low notes and high pressure). The voice listens to
  // its principal's phase advance and scales every mode by bowPitchScale_ until it sings at
  // its nominal pitch; when the bow lifts the scale goes back to 1, so the free ring carries on
  // in tune.
  double bowPitchScale_ = 1.0;
  int principalA_ = -1, principalB_ = -1;  // the order-1 modes (a pair, or one)
  int balanceFrames_ = 0;                  // released bowed pair: frames left to even it out
  double principalRatio_ = 1.0;            // their mean ratio: the pitch the note names
  // The principal's clock: its unwrapped phase, and the frames at which that phase passed
  // whole cycles (interpolated) since the last reading.
  // Whole turns of the principal counted as its value passes the direction it was first heard
  // in (the value turned back by that direction: the positive real axis), timed to a fraction
  // of a frame. Unwinding counts back, and a turn is counted only past the most ever made, as
  // an unwrapped phase would; the angles are taken only where a turn ends, not every frame.
  struct PhaseClock {
    double refRe = 0.0, refIm = 0.0;     // the first value heard
    float lastRe = 0.0f, lastIm = 0.0f;  // the last value heard
    double lastTurnedIm = 0.0;           // its imaginary part once turned back by ref
    bool referenced = false;
    int winding = 0, most = 0;
    double firstCycleFrame = -1.0, lastCycleFrame = -1.0;
    int cycles = 0;
    void reset();
    /// Frames firstFrame, firstFrame + 1, ... give the principal's states re[] and im[].
    void listen(const float* re, const float* im, int frames, double firstFrame);
    /// Frame t, whose value turned back by the reference has the imaginary part y (lastY at
    /// the frame before): counts the turn if the value crossed the positive real axis.
    void turn(const float* re, const float* im, int t, double lastY, double y, double firstFrame);
  };
  // The bowed kernel's velocity under the bow for the next frame; NaN once anything but the
  // bow has touched the modes (see dsp::BowDrive::contact).
  float bowContact_ = std::numeric_limits<float>::quiet_NaN();
  PhaseClock principalClock_;
  long trackedFrames_ = 0;
  // Shatter: a Poisson shower of shards that thins out and drifts onto the modes.
  long shardFrame_ = 0;  // frames since the shower began
  int framesToShard_ = 0;
  int nextShardLane_ = 0;
  bool showering_ = false;
};

}  // namespace reverie::crystal
