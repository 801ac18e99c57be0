// "tuning": the orchestra tuning up. The oboe gives the A; strings and brass come in from
// scattered pitches (some from a neighbouring open string), wander, overshoot and settle onto
// A in their octaves, until the whole orchestra holds one pitch class.
#include <algorithm>
#include <array>
#include <cmath>

#include "dsp/random.hpp"
#include "instruments/orchestra/brass_voice.hpp"
#include "instruments/orchestra/string_voice.hpp"
#include "instruments/orchestra/wind_voice.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

enum { kTuning, kSettle, kScatter, kStrings, kBrass, kVibrato, kDynamics, kLevel };
constexpr ParameterDescriptor kParameters[] = {
    rows::tuning("The A the oboe gives (A4)"),
    {"settle", "Seconds from the oboe's A until every player holds A", "s", 3.0f, 60.0f, 8.0f},
    {"scatter", "How far from A the players start", "cents", 0.0f, 200.0f, 70.0f},
    {"strings", "String players", "players", 0.0f, 12.0f, 8.0f},
    {"brass", "Brass players", "players", 0.0f, 6.0f, 3.0f},
    {"vibrato", "Vibrato of the strings once settled", "cents", 0.0f, 30.0f, 6.0f},
    rows::dynamics("How hard everyone plays", 0.45f, 0.0f),
    rows::level(-6.0f),
};
static_assert(indicesMatch(kParameters, {{kTuning, "tuning"},
                                         {kSettle, "settle"},
                                         {kScatter, "scatter"},
                                         {kStrings, "strings"},
                                         {kBrass, "brass"},
                                         {kVibrato, "vibrato"},
                                         {kDynamics, "dynamics"},
                                         {kLevel, "level"}}));

constexpr int kMaxStrings = 12, kMaxBrass = 6, kWaypoints = 5;
// The octave of A each string player settles on, violins to basses (A4 = 0), and the
// neighbouring open string some of them start from (in semitones; 0 = none).
constexpr int kStringOctave[kMaxStrings] = {0, 0, 1, 0, -1, -1, -2, -2, 0, 1, -1, -3};
constexpr int kStringNeighbour[kMaxStrings] = {7, 0, 0, -7, 0, -5, 0, 7, 0, -5, 0, 0};
constexpr int kBrassOctave[kMaxBrass] = {-1, -2, -1, 0, -2, -1};
// Seconds into the scene (as fractions of `settle`) when each section comes in.
constexpr double kStringsEnter = 0.12, kBrassEnter = 0.3;
constexpr int kGlideGrid = 16;  // pitches are updated every 16 samples of the scene

/// A pitch path in cents from the player's A: times (samples from the scene's start) and
/// offsets, piecewise linear in cents, holding the last value (exactly 0) forever after.
struct PitchPath {
  std::array<double, kWaypoints> at{}, cents{};
  double centsAt(double frame) const {
    if (frame <= at[0]) return cents[0];
    for (int i = 1; i < kWaypoints; ++i)
      if (frame < at[static_cast<std::size_t>(i)]) {
        const double t = (frame - at[static_cast<std::size_t>(i - 1)]) /
                         (at[static_cast<std::size_t>(i)] - at[static_cast<std::size_t>(i - 1)]);
        return cents[static_cast<std::size_t>(i - 1)] +
               t * (cents[static_cast<std::size_t>(i)] - cents[static_cast<std::size_t>(i - 1)]);
      }
    return cents[kWaypoints - 1];
  }
};

class TuningNode final : public Node {
 public:
  TuningNode() : Node(kTuningType) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    random_.reseed(info.seed);
    oboe_.prepare(info.sampleRate, dsp::mixSeed(info.seed ^ 0x0b0e));
    for (int i = 0; i < kMaxStrings; ++i)
      strings_[static_cast<std::size_t>(i)].prepare(info.sampleRate,
                                                    dsp::mixSeed(info.seed + 101u * (i + 1)));
    for (int i = 0; i < kMaxBrass; ++i)
      brass_[static_cast<std::size_t>(i)].prepare(info.sampleRate,
                                                  dsp::mixSeed(info.seed + 997u * (i + 1)));
  }

  int countSoundingVoices() const noexcept override {
    int count = oboe_.active();
    for (const auto& s : strings_) count += s.active();
    for (const auto& b : brass_) count += b.active();
    return count;
  }

  void onEvent(const Event& event) noexcept override {
    const bool on = event.type == EventType::kNoteOn && event.value > 0.0f;
    const bool off =
        event.type == EventType::kNoteOff ||
        (event.type == EventType::kNoteOn && event.value <= 0.0f) ||
        event.type == EventType::kAllNotesOff ||
        (event.type == EventType::kControlChange && (event.index == 120 || event.index == 123));
    if (on) begin(event.value);
    if (off) end(event.type == EventType::kControlChange && event.index == 120);
  }

  void render(const float* const*, float* const* out, int frames) noexcept override {
    std::fill(out[0], out[0] + frames, 0.0f);
    std::fill(out[1], out[1] + frames, 0.0f);
    int done = 0;
    while (done < frames) {
      // Up to the next point of the pitch grid, counted from the scene's start.
      const int toGrid = kGlideGrid - static_cast<int>(frame_ % kGlideGrid);
      const int span = std::min(frames - done, toGrid);
      if (frame_ % kGlideGrid == 0) updatePitches();
      float* left = out[0] + done;
      float* right = out[1] + done;
      if (oboe_.active()) oboe_.render(left, right, span, windSettings_);
      for (int i = 0; i < kMaxStrings; ++i) {
        auto& s = strings_[static_cast<std::size_t>(i)];
        if (!stringStarted_[static_cast<std::size_t>(i)] && playing_ &&
            frame_ >= stringEntry_[static_cast<std::size_t>(i)] && i < stringCount_) {
          stringStarted_[static_cast<std::size_t>(i)] = true;
          s.start(stringHz(i), velocity_, stringSettings_);
        }
        if (s.active()) s.render(left, right, span, stringSettings_);
      }
      for (int i = 0; i < kMaxBrass; ++i) {
        auto& b = brass_[static_cast<std::size_t>(i)];
        if (!brassStarted_[static_cast<std::size_t>(i)] && playing_ &&
            frame_ >= brassEntry_[static_cast<std::size_t>(i)] && i < brassCount_) {
          brassStarted_[static_cast<std::size_t>(i)] = true;
          b.start(brassHz(i), velocity_ * 0.8f);
        }
        if (b.active()) b.render(left, right, span, brassSettings_);
      }
      frame_ += static_cast<std::uint64_t>(span);
      done += span;
    }
    SmoothedValue& level = parameter(kLevel);
    float gain = decibelsToGain(level.current());
    for (int i = 0; i < frames; ++i) {
      if (level.isRamping()) gain = decibelsToGain(level.next());
      out[0][i] *= gain;
      out[1][i] *= gain;
    }
  }

 private:
  double aHz(int octave) const {
    return parameterTarget(kTuning) * std::exp2(static_cast<double>(octave));
  }
  double stringHz(int i) const {
    return aHz(kStringOctave[static_cast<std::size_t>(i)]) *
           std::exp2(stringPath_[static_cast<std::size_t>(i)].centsAt(static_cast<double>(frame_)) /
                     1200.0);
  }
  double brassHz(int i) const {
    return aHz(kBrassOctave[static_cast<std::size_t>(i)]) *
           std::exp2(brassPath_[static_cast<std::size_t>(i)].centsAt(static_cast<double>(frame_)) /
                     1200.0);
  }

  /// A player's path: in at `entry` from `startCents`, a wandering approach with one
  /// overshoot, exactly on A by `settleFrame` (and a little before, for most).
  PitchPath makePath(double entry, double startCents, double settleFrame) noexcept {
    PitchPath p;
    const double landing = entry + (settleFrame - entry) * (0.55 + 0.4 * random_.uniform());
    const double overshoot = (startCents > 0 ? -1.0 : 1.0) * (4.0 + 10.0 * random_.uniform());
    p.at = {entry, entry + (landing - entry) * 0.35, entry + (landing - entry) * 0.7,
            entry + (landing - entry) * 0.88, landing};
    p.cents = {startCents, startCents * (0.35 + 0.2 * random_.uniform()), overshoot,
               overshoot * 0.3, 0.0};
    return p;
  }

  void begin(float velocity) noexcept {
    const double rate = info().sampleRate;
    const double settle = parameterTarget(kSettle) * rate;
    const double scatter = parameterTarget(kScatter);
    frame_ = 0;
    playing_ = true;
    velocity_ = velocity;
    stringCount_ = static_cast<int>(parameterTarget(kStrings));
    brassCount_ = static_cast<int>(parameterTarget(kBrass));
    const float dynamics = parameterTarget(kDynamics);
    windSettings_ = {};
    windSettings_.instrument = orchestra::WindInstrument::kOboe;
    windSettings_.dynamics = dynamics + 0.15f;
    windSettings_.vibratoCents = 0.0f;  // the reference pitch does not waver
    windSettings_.attackSeconds = 0.15f;
    windSettings_.releaseSeconds = 0.6f;
    stringSettings_ = {};
    stringSettings_.players = 1;
    stringSettings_.dynamics = dynamics;
    stringSettings_.vibratoCents = parameterTarget(kVibrato);
    stringSettings_.vibratoDelaySeconds = static_cast<float>(parameterTarget(kSettle)) * 0.9f;
    stringSettings_.attackSeconds = 0.4f;
    stringSettings_.releaseSeconds = 0.8f;
    brassSettings_ = {};
    brassSettings_.players = 1;
    brassSettings_.dynamics = dynamics * 0.8f;
    brassSettings_.vibratoCents = 0.0f;
    brassSettings_.attackSeconds = 0.3f;
    brassSettings_.releaseSeconds = 0.6f;
    oboe_.start(aHz(0), velocity, windSettings_);
    for (int i = 0; i < kMaxStrings; ++i) {
      const auto k = static_cast<std::size_t>(i);
      stringStarted_[k] = false;
      stringEntry_[k] = onGrid(settle * (kStringsEnter + 0.25 * random_.uniform()));
      const int neighbour = kStringNeighbour[k];
      const double start = neighbour != 0 && scatter > 0.0
                               ? neighbour * 100.0 + 0.3 * scatter * random_.bipolar()
                               : scatter * random_.bipolar();
      stringPath_[k] = makePath(static_cast<double>(stringEntry_[k]), start, settle);
    }
    for (int i = 0; i < kMaxBrass; ++i) {
      const auto k = static_cast<std::size_t>(i);
      brassStarted_[k] = false;
      brassEntry_[k] = onGrid(settle * (kBrassEnter + 0.2 * random_.uniform()));
      brassPath_[k] =
          makePath(static_cast<double>(brassEntry_[k]), 0.7 * scatter * random_.bipolar(), settle);
    }
  }

  /// Entries fall on the pitch grid, where a span always begins, so they never depend on
  /// how the host splits blocks.
  static std::uint64_t onGrid(double frame) noexcept {
    return static_cast<std::uint64_t>(frame / kGlideGrid) * kGlideGrid;
  }

  void end(bool now) noexcept {
    playing_ = false;
    auto stop = [now](auto& voice) {
      if (!voice.active()) return;
      if (now)
        voice.silence();
      else
        voice.release();
    };
    stop(oboe_);
    for (auto& s : strings_) stop(s);
    for (auto& b : brass_) stop(b);
  }

  void updatePitches() noexcept {
    for (int i = 0; i < kMaxStrings; ++i)
      if (stringStarted_[static_cast<std::size_t>(i)] &&
          strings_[static_cast<std::size_t>(i)].active())
        strings_[static_cast<std::size_t>(i)].setFrequencyHz(stringHz(i));
    for (int i = 0; i < kMaxBrass; ++i)
      if (brassStarted_[static_cast<std::size_t>(i)] &&
          brass_[static_cast<std::size_t>(i)].active())
        brass_[static_cast<std::size_t>(i)].setFrequencyHz(brassHz(i));
  }

  orchestra::WindVoice oboe_;
  std::array<orchestra::StringVoice, kMaxStrings> strings_{};
  std::array<orchestra::BrassVoice, kMaxBrass> brass_{};
  std::array<PitchPath, kMaxStrings> stringPath_{};
  std::array<PitchPath, kMaxBrass> brassPath_{};
  std::array<std::uint64_t, kMaxStrings> stringEntry_{};
  std::array<std::uint64_t, kMaxBrass> brassEntry_{};
  std::array<bool, kMaxStrings> stringStarted_{};
  std::array<bool, kMaxBrass> brassStarted_{};
  orchestra::WindSettings windSettings_;
  orchestra::StringSettings stringSettings_;
  orchestra::BrassSettings brassSettings_;
  dsp::Random random_;
  std::uint64_t frame_ = 0;  // samples since the scene began
  float velocity_ = 0.8f;
  int stringCount_ = 0, brassCount_ = 0;
  bool playing_ = false;
};

}  // namespace

const NodeType kTuningType{
    .name = "tuning",
    .description = "The orchestra tuning up: the oboe's A, then strings and brass gliding onto it",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<TuningNode>,
    .role = NodeRole::kTuning,
};

}  // namespace reverie
