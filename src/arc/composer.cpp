// The composer node: scenes on bar lines, harmony by tension, the theme and its variations,
// improvisation, swells and automation, all written as sample-accurate events for the patch.
//
// Determinism: every random choice is made at a tick of the 16th-note grid, in tick order, and
// every control value at a fixed 10 ms grid of absolute frames, so neither block sizes nor
// block boundaries change a single event.
#include "arc/composer.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "arc/harmony.hpp"
#include "dsp/random.hpp"
#include "instruments/audience/audience_node.hpp"
#include "instruments/orchestra/brass_node.hpp"
#include "instruments/orchestra/strings_node.hpp"
#include "instruments/orchestra/timpani_node.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/errors.hpp"
#include "reverie/node.hpp"

namespace reverie {
namespace {

constexpr std::string_view kSources[] = {"script", "live"};
constexpr ParameterDescriptor kParameters[] = {
    {"tension_source", "Where tension comes from: the arc's curve or live_tension", "", 0.0f, 1.0f,
     0.0f, 0.0f, kSources},
    {"live_tension", "Tension when tension_source = live (map a controller to it)", "", 0.0f, 1.0f,
     0.5f, 0.0f},
    {"advance", "Rising past 0.5: move to the next scene at the next bar line", "", 0.0f, 1.0f,
     0.0f, 0.0f},
    {"advance_note", "This key's note-on moves to the next scene (-1: none)", "", -1.0f, 127.0f,
     -1.0f, 0.0f},
    {"advance_cc", "This controller (a pedal) moves to the next scene when pressed (-1: none)", "",
     -1.0f, 127.0f, -1.0f, 0.0f},
};
static_assert(indicesMatch(kParameters,
                           {{arc::composer_parameter::kTensionSource, "tension_source"},
                            {arc::composer_parameter::kLiveTension, "live_tension"},
                            {arc::composer_parameter::kAdvance, "advance"},
                            {arc::composer_parameter::kAdvanceNote, "advance_note"},
                            {arc::composer_parameter::kAdvanceController, "advance_cc"}}));
static_assert(kSources[arc::composer_parameter::kScriptTension] == "script" &&
              kSources[arc::composer_parameter::kLiveTensionSource] == "live");

constexpr int kPhraseBars = 4;

/// Cadence plans, a phrase of four bars in half bars: diatonic steps (0 = I ... 6 = vii) or
/// kV7. Every one holds the tonic and the subdominant side (IV or ii) so the key stays clear
/// whichever a phrase draws; they differ in where the tonic falls, what stands between and
/// how the phrase closes (home, on vi, on IV; never a whole bar of V7, which with the brass's
/// bright partials and a phrase that breathes into its close read as the dominant's key). A
/// scene's first bar is the tonic anyway.
constexpr std::uint8_t kV7 = 7;
constexpr std::array<std::array<std::uint8_t, 8>, 11> kCadencePlans = {{
    {0, 0, 3, 3, kV7, kV7, 0, 0},  // I | IV | V7 | I
    {0, 0, 5, 5, 1, kV7, 0, 0},    // I | vi | ii V7 | I
    {0, 3, 0, kV7, 5, 3, kV7, 0},  // I IV | I V7 | vi IV | V7 I
    {0, kV7, 0, 3, 0, kV7, 5, 5},  // I V7 | I IV | I V7 | vi
    {0, 5, 3, 0, 1, kV7, 0, 0},    // I vi | IV I | ii V7 | I
    {0, 3, 5, kV7, 0, 0, 3, 3},    // I IV | vi V7 | I | IV
    {0, 0, 3, 1, kV7, kV7, 5, 5},  // I | IV ii | V7 | vi
    {0, 2, 3, 0, 1, kV7, 0, 5},    // I iii | IV I | ii V7 | I vi
    {5, 5, 3, 3, kV7, kV7, 0, 0},  // vi | IV | V7 | I
    {3, 3, 0, 0, kV7, kV7, 0, 0},  // IV | I | V7 | I
    {0, 0, 5, 3, 1, kV7, 0, 0},    // I | vi IV | ii V7 | I
}};
/// What leads to the scene's closing V7 - I: V7 itself, ii or IV.
constexpr std::uint8_t kLastApproach[] = {kV7, 1, 3};
constexpr int kMaxPendingOffs = 1024;
// The timpani's stroke patterns and the brass's articulations, as their parameters' values.
constexpr float kSinglePattern = static_cast<float>(timpani_parameter::Pattern::kSingle);
constexpr float kRollPattern = static_cast<float>(timpani_parameter::Pattern::kRoll);
constexpr float kHeartbeatPattern = static_cast<float>(timpani_parameter::Pattern::kHeartbeat);
constexpr float kSustained = static_cast<float>(brass_parameter::kSustain);
constexpr float kStabbed = static_cast<float>(brass_parameter::kStab);
constexpr double kControlSeconds = 0.01;
constexpr float kHeldBreathMurmur = 0.02f;  // the audience's murmur in a silence: room tone

using arc::Role;

struct Key128 {
  std::uint64_t bits[2] = {0, 0};
  bool test(int k) const noexcept { return (bits[k >> 6] >> (k & 63)) & 1u; }
  void set(int k) noexcept { bits[k >> 6] |= std::uint64_t{1} << (k & 63); }
  void reset(int k) noexcept { bits[k >> 6] &= ~(std::uint64_t{1} << (k & 63)); }
  bool any() const noexcept { return (bits[0] | bits[1]) != 0; }
};

struct PendingOff {
  std::uint64_t frame = 0;
  std::uint8_t section = 0;
  std::uint8_t key = 0;
};

/// A note of the theme as the composer plays it: semitones above the scene's tonic, ticks long.
struct ThemeNote {
  int semitones = 0;
  int ticks = 4;
};

/// Control values the composer last sent to one section, to send only changes.
struct SentControls {
  float cc1 = -1, cc11 = -1, cc74 = -1, tremolo = -1, tremoloRate = -1, heartRate = -1;
  float murmur = -1, applause = -1, cheers = -1, articulation = -1, coughs = -1, whispers = -1;
};

class ComposerNode final : public Node {
 public:
  ComposerNode() : Node(kComposerType) {}

  void setScript(std::shared_ptr<const arc::ComposerScript> script) {
    script_ = std::move(script);
    const std::size_t n = script_ ? script_->sections.size() : 0;
    sounding_.assign(n, {});
    chordHeld_.assign(n, {});
    sent_.assign(n, {});
    std::size_t automations = 0;
    if (script_)
      for (const arc::SceneProgram& scene : script_->scenes)
        automations = std::max(automations, scene.automation.size());
    sentAutomation_.assign(automations, -1e30f);
    offs_.assign(kMaxPendingOffs, {});
    restart();
  }

 protected:
  void onPrepare(const PrepareInfo&) override { restart(); }
  void render(const float* const*, float* const*, int) noexcept override {}

  void onParameterChanged(int index) noexcept override {
    if (index == arc::composer_parameter::kAdvance)
      pressAdvance(parameter(index).target() > 0.5f, advanceHigh_);
  }

  /// Live control: a chosen key or pedal asks for the next scene.
  void onEvent(const Event& event) noexcept override {
    const int note = static_cast<int>(parameter(arc::composer_parameter::kAdvanceNote).target());
    const int cc =
        static_cast<int>(parameter(arc::composer_parameter::kAdvanceController).target());
    if (event.type == EventType::kNoteOn && note >= 0 && event.index == note)
      advanceRequested_ = true;
    if (event.type == EventType::kControlChange && cc >= 0 && event.index == cc)
      pressAdvance(event.value >= 0.5f, pedalDown_);
  }

  void pressAdvance(bool down, bool& wasDown) noexcept {
    if (down && !wasDown) advanceRequested_ = true;
    wasDown = down;
  }

 public:
  /// Any thread: the scene being performed (the scene count once the arc has ended).
  int publishedScene() const noexcept { return publishedScene_.load(std::memory_order_relaxed); }

 protected:
  void generate(int frames, EventSink& sink) noexcept override {
    if (!script_ || script_->scenes.empty()) return;
    sink_ = &sink;
    const std::uint64_t end = position_ + static_cast<std::uint64_t>(frames);
    for (;;) {
      const std::uint64_t off = nextOffFrame();
      const std::uint64_t next = std::min({off, nextTick_, nextControl_});
      if (next >= end) break;
      if (off == next) {
        dueOffs(next);
      } else if (nextControl_ == next) {
        control(next);
        ++controlIndex_;
        nextControl_ = static_cast<std::uint64_t>(
            std::llround(static_cast<double>(controlIndex_) * controlFrames_));
      } else {
        tick(next);
      }
    }
    position_ = end;
    sink_ = nullptr;
  }

 private:
  // ---- clock and scenes ----

  void restart() noexcept {
    position_ = 0;
    controlIndex_ = 0;
    nextControl_ = 0;
    controlFrames_ = kControlSeconds * info().sampleRate;
    random_.reseed(info().seed);
    offCount_ = 0;
    for (auto& k : sounding_) k = {};
    for (auto& k : chordHeld_) k = {};
    for (auto& s : sent_) s = {};
    for (float& v : sentAutomation_) v = -1e30f;
    advanceRequested_ = advanceHigh_ = pedalDown_ = false;
    ended_ = false;
    themeActive_ = false;
    dealt_ = kVariations;
    voicing_.fill(0);
    plansDealt_ = static_cast<int>(kCadencePlans.size());
    plan_ = 0;
    harmonicRhythm_ = HarmonicRhythm::kBar;
    if (script_ && !script_->scenes.empty()) enterScene(0, 0.0);
  }

  const Scene& sceneData() const noexcept { return script_->arc.scenes[scene_]; }
  const arc::SceneProgram& program() const noexcept { return script_->scenes[scene_]; }

  std::uint64_t frameAt(double seconds) const noexcept {
    return static_cast<std::uint64_t>(std::llround(seconds * info().sampleRate));
  }

  void enterScene(std::size_t index, double startSeconds) noexcept {
    scene_ = index;
    publishedScene_.store(static_cast<int>(index), std::memory_order_relaxed);
    const Arc& a = script_->arc;
    const Scene& s = a.scenes[index];
    barSeconds_ = barSeconds(a, s);
    ticksPerBar_ = std::max(1, a.beatsPerBar * 16 / a.beatUnit);
    ticksPerBeat_ = std::max(1, ticksPerBar_ / a.beatsPerBar);
    tickSeconds_ = barSeconds_ / ticksPerBar_;
    sceneStartSeconds_ = startSeconds;
    sceneStart_ = frameAt(startSeconds);
    sceneEnd_ = frameAt(startSeconds + barSeconds_ * s.bars);
    tickIndex_ = 0;
    nextTick_ = sceneStart_;
    tonic_ = ((a.homeKey + s.transpose) % 12 + 12) % 12;
    chooser_.reset(a.mode);
    // Each scene draws from a stream of its own: a scene's take does not hang on how many
    // draws the scenes before it made.
    random_.reseed(info().seed ^ dsp::mixSeed(index + 1));
    // A new scene's automation is sent afresh, whatever the last scene left in its slots.
    for (float& v : sentAutomation_) v = -1e30f;
    themeActive_ = false;
  }

  void tick(std::uint64_t frame) noexcept {
    if (ended_) {
      nextTick_ = UINT64_MAX;
      return;
    }
    const int bar = tickIndex_ / ticksPerBar_;
    const int inBar = tickIndex_ % ticksPerBar_;
    if (inBar == 0 && (bar >= sceneData().bars || (advanceRequested_ && bar > 0))) {
      advanceRequested_ = false;
      const double at = sceneStartSeconds_ + bar * barSeconds_;
      leaveScene(frame);
      if (scene_ + 1 >= script_->scenes.size()) {
        ended_ = true;
        publishedScene_.store(static_cast<int>(script_->scenes.size()), std::memory_order_relaxed);
        nextTick_ = UINT64_MAX;
        return;
      }
      enterScene(scene_ + 1, at);
      tick(frame);
      return;
    }
    if (inBar == 0) startBar(frame, bar);
    music(frame, inBar);
    ++tickIndex_;
    // Bar lines first, then ticks inside the bar: bar lines land exactly where Timeline puts them.
    nextTick_ = frameAt(sceneStartSeconds_ + (tickIndex_ / ticksPerBar_) * barSeconds_ +
                        (tickIndex_ % ticksPerBar_) * tickSeconds_);
  }

  /// At a scene's end everything is released: the next scene articulates its first chord
  /// afresh on its bar line, and sections that do not play on fall silent.
  void leaveScene(std::uint64_t frame) noexcept {
    for (std::size_t i = 0; i < sounding_.size(); ++i) releaseSection(frame, static_cast<int>(i));
    themeActive_ = false;
  }

  // ---- harmony, theme and textures ----

  float tensionAt(std::uint64_t frame) noexcept {
    if (static_cast<int>(parameter(arc::composer_parameter::kTensionSource).target()) ==
        arc::composer_parameter::kLiveTensionSource)
      return parameter(arc::composer_parameter::kLiveTension).target();
    return sceneData().tension.valueAt(scenePosition(frame));
  }

  double scenePosition(std::uint64_t frame) const noexcept {
    if (sceneEnd_ <= sceneStart_ || frame <= sceneStart_) return 0.0;
    return std::min(1.0, static_cast<double>(frame - sceneStart_) /
                             static_cast<double>(sceneEnd_ - sceneStart_));
  }

  void startBar(std::uint64_t frame, int bar) noexcept {
    const arc::SceneProgram& p = program();
    const Scene& s = sceneData();
    const float tension = tensionAt(frame);
    if (p.has(Texture::kSilence)) {
      if (bar == 0)
        for (std::size_t i = 0; i < sounding_.size(); ++i)
          releaseSection(frame, static_cast<int>(i));
      return;
    }
    const int phraseBar = bar % kPhraseBars;
    if (phraseBar == 0) startPhrase();
    // The theme starts with a phrase, if the phrase has room for it.
    const double themeBars = script_->arc.theme.totalBeats() / script_->arc.beatsPerBar;
    if (p.has(Texture::kTheme) && p.lead >= 0 && phraseBar == 0 &&
        s.bars - bar >= std::ceil(themeBars) - 1e-9)
      startTheme(tension, bar / kPhraseBars);
    // The chord of this bar: by plan in a cadence, on the tonic where the theme is first
    // stated, else chosen by tension.
    if (p.has(Texture::kCadence)) {
      chord_ = cadenceChord(bar, false);
    } else if (bar == 0 && p.has(Texture::kTheme) && tension < 0.6f) {
      chooser_.reset(script_->arc.mode);
      chord_ = chooser_.tonic();
    } else if (!(harmonicRhythm_ == HarmonicRhythm::kTwoBars && phraseBar % 2 == 1 &&
                 tension < 0.6f)) {
      chord_ = chooser_.next(tension, random_, melodyNow());
    }
    voiceSections(frame);

    for (std::size_t i = 0; i < sounding_.size(); ++i) {
      const int section = static_cast<int>(i);
      if (!p.plays(section)) continue;
      const arc::SectionBinding& b = script_->sections[i];
      switch (b.role) {
        case Role::kTimpani:
          timpaniBar(frame, section, bar, phraseBar);
          break;
        case Role::kTuning:
          if (bar == 0 && p.has(Texture::kTuning)) noteOn(frame, section, 69, 0.7f);
          break;
        case Role::kCrystal:
        case Role::kBowedCrystal:
          // The drop falls after a bar of silence; where the crystal improvises (a waking) it
          // falls on every bar line, softer as the dynamics fade, so the scene never goes silent.
          if (p.has(Texture::kDrop) &&
              (p.has(Texture::kImprovise) || bar == std::min(1, s.bars - 1))) {
            const int key = 72 + (tonic_ + 7) % 12 + 12 * (((tonic_ + 7) % 12) < 5 ? 1 : 0);
            noteOn(frame, section, key, 0.25f + 0.5f * s.dynamics.valueAt(scenePosition(frame)));
          }
          break;
        case Role::kShards:
          // The first shatter opens the scene; panic shatters again and again.
          if (p.has(Texture::kShatter) && (bar == 0 || random_.uniform() < 2.0f * (tension - 0.5f)))
            shatter(frame, section);
          break;
        default:
          break;
      }
    }
  }

  /// Each phrase is voiced and harmonised afresh: how every section spaces its chords, how
  /// fast the harmony moves (a chord a bar, two, or one for two calm bars) and, in a cadence,
  /// which plan of chords it follows.
  void startPhrase() noexcept {
    const arc::SceneProgram& p = program();
    for (std::size_t i = 0; i < sounding_.size(); ++i)
      if (p.playsChords(static_cast<int>(i)))
        voicing_[i] = static_cast<std::uint8_t>(random_.next() % (2 * kVoicings));
    const float rhythm = random_.uniform();
    harmonicRhythm_ = rhythm < 0.5f    ? HarmonicRhythm::kBar
                      : rhythm < 0.75f ? HarmonicRhythm::kHalfBar
                                       : HarmonicRhythm::kTwoBars;
    if (p.has(Texture::kCadence)) plan_ = dealPlan();
  }

  /// The cadence texture's chord for a bar (or its second half): the phrase's plan, and the
  /// scene ends (ii or IV) V7 - I.
  arc::Chord cadenceChord(int bar, bool secondHalf) noexcept {
    const int bars = sceneData().bars;
    const auto step = [this](int s) {
      if (s != kV7) return chooser_.diatonic(s);
      chooser_.diatonic(4);
      return chooser_.dominant();
    };
    if (bar == bars - 1 || (bar == 0 && !secondHalf)) return step(0);
    if (bar == bars - 2)
      return step(secondHalf ? kV7 : kLastApproach[plan_ % std::size(kLastApproach)]);
    const std::size_t slot = static_cast<std::size_t>(bar % kPhraseBars) * 2 + (secondHalf ? 1 : 0);
    return step(kCadencePlans[static_cast<std::size_t>(plan_)][slot]);
  }

  /// The next cadence plan from this take's shuffled deck of them.
  int dealPlan() noexcept {
    constexpr int kPlans = static_cast<int>(kCadencePlans.size());
    if (plansDealt_ >= kPlans) {
      for (int k = 0; k < kPlans; ++k)
        planDeck_[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(k);
      for (int k = kPlans - 1; k > 0; --k)
        std::swap(planDeck_[static_cast<std::size_t>(k)],
                  planDeck_[random_.next() % static_cast<std::uint32_t>(k + 1)]);
      plansDealt_ = 0;
    }
    return planDeck_[static_cast<std::size_t>(plansDealt_++)];
  }

  /// A calm chord in section `i`'s voicing for this phrase: open from three heights, close at
  /// the top of its range, or open over the chord's third (not the tonic). Close thirds stay
  /// high: low in the range they would rub, as orchestrators know.
  int voiceCalm(std::size_t i, std::array<std::uint8_t, 16>& keys) const noexcept {
    const arc::SectionBinding& b = script_->sections[i];
    // Half the voicings carry the bass an octave up, where the section's range has room.
    const int bassLow =
        voicing_[i] >= kVoicings && b.bassLow + 12 < b.low ? b.bassLow + 12 : b.bassLow;
    switch (voicing_[i] % kVoicings) {
      case 1:
        return arc::voiceOpen(chord_, tonic_, bassLow, b.low, b.high + 5, keys);
      case 2:
        return arc::voiceOpen(chord_, tonic_, bassLow, b.low + 5, b.high + 5, keys);
      case 3:
        return arc::voiceChord(chord_, tonic_, bassLow, std::max(b.low, b.high - 11), b.high, keys);
      case 4:  // IV, ii, vi over their thirds; dominants keep their root below, the key clear
        if (chord_.function == 1 || chord_.function == 3 || chord_.function == 5)
          return arc::voiceOpen(arc::firstInversion(chord_), tonic_, bassLow, b.low - 7, b.high + 5,
                                keys);
        [[fallthrough]];
      default:
        return arc::voiceOpen(chord_, tonic_, bassLow, b.low - 7, b.high + 5, keys);
    }
  }

  void voiceSections(std::uint64_t frame) noexcept {
    const arc::SceneProgram& p = program();
    const float tension = tensionAt(frame);
    const float d = sceneData().dynamics.valueAt(scenePosition(frame));
    const float velocity = 0.35f + 0.55f * d;
    // Consonant or calm chords stand in the phrase's voicing; in the panic, harsh chords crush
    // together into one octave at the top of the section's range, where semitones grind.
    const bool harsh = arc::harshIntervals(chord_) > 0;
    for (std::size_t i = 0; i < sounding_.size(); ++i) {
      const int section = static_cast<int>(i);
      if (!p.playsChords(section)) continue;
      const arc::SectionBinding& b = script_->sections[i];
      int low = b.low;
      if (harsh && tension > 0.7f) low = std::max(low, b.high - 12);
      std::array<std::uint8_t, 16> keys{};
      const int count = !harsh || tension < 0.5f
                            ? voiceCalm(i, keys)
                            : arc::voiceChord(chord_, tonic_, b.bassLow, low, b.high, keys);
      Key128 next;
      for (int k = 0; k < count; ++k) next.set(keys[static_cast<std::size_t>(k)]);
      Key128& held = chordHeld_[i];
      for (int key = 0; key < 128; ++key) {
        if (held.test(key) && !next.test(key)) noteOff(frame, section, key);
      }
      for (int key = 0; key < 128; ++key) {
        if (next.test(key) && !held.test(key)) noteOn(frame, section, key, velocity);
      }
      held = next;
    }
  }

  void timpaniBar(std::uint64_t frame, int section, int bar, int phraseBar) noexcept {
    const arc::SceneProgram& p = program();
    const arc::SectionBinding& b = script_->sections[static_cast<std::size_t>(section)];
    const int tonicKey = 36 + tonic_ + (tonic_ < 2 ? 12 : 0);
    const float d = sceneData().dynamics.valueAt(scenePosition(frame));
    if (p.has(Texture::kHeartbeat)) {
      if (bar == 0) {
        setParameter(frame, b.node, b.pattern, kHeartbeatPattern);
        noteOn(frame, section, tonicKey, 0.4f + 0.5f * d);
      }
      return;
    }
    if (p.has(Texture::kRoll)) {
      if (phraseBar == kPhraseBars - 1) {
        setParameter(frame, b.node, b.pattern, kRollPattern);
        const int key = (chord_.bass() + tonic_) % 12 == (tonic_ + 7) % 12
                            ? tonicKey + 7 - (tonicKey + 7 > 50 ? 12 : 0)
                            : tonicKey;
        noteOn(frame, section, key, 0.3f + 0.6f * d);
        scheduleOff(frame + static_cast<std::uint64_t>(
                                std::llround(barSeconds_ * 0.98 * info().sampleRate)),
                    section, key);
      }
      return;
    }
    if (p.has(Texture::kChorale) && phraseBar == 0) {
      setParameter(frame, b.node, b.pattern, kSinglePattern);
      noteOn(frame, section, tonicKey, 0.3f + 0.6f * d);
      scheduleOff(frame + static_cast<std::uint64_t>(std::llround(barSeconds_ * info().sampleRate)),
                  section, tonicKey);
    }
  }

  void shatter(std::uint64_t frame, int section) noexcept {
    const float d = sceneData().dynamics.valueAt(scenePosition(frame));
    const int notes = 2 + static_cast<int>(random_.next() % 3);
    for (int n = 0; n < notes; ++n) {
      const int pitch = chord_.pitches[static_cast<std::size_t>(
          random_.next() % static_cast<std::uint32_t>(std::max(1, chord_.count)))];
      const int key = 72 + (tonic_ + pitch) % 12 + 12 * static_cast<int>(random_.next() % 2);
      noteOn(frame, section, key, 0.4f + 0.5f * d);
      scheduleOff(frame + static_cast<std::uint64_t>(std::llround(barSeconds_ * info().sampleRate)),
                  section, key);
    }
  }

  /// Builds this phrase's variation of the theme and starts it at the current tick.
  void startTheme(float tension, int phrase) noexcept {
    const Arc& a = script_->arc;
    const Theme& theme = a.theme;
    const double ticksPerBeat = static_cast<double>(ticksPerBeat_);
    themeCount_ = 0;
    // The first phrase states the theme as written; later ones vary it, more freely as
    // tension rises, each take dealing the variations in an order of its own.
    const int variation = phrase > 0 ? dealVariation() : 0;
    const int shift = variation == 2 ? (random_.uniform() < 0.5f ? 1 : -1) : 0;
    // An octave away (up, or down for a lead that already sings high): one of the variations,
    // and now and then the first statement, which keeps its written line.
    const bool away = variation == 7 || (variation == 0 && random_.uniform() < 0.4f);
    const int octave =
        away ? (leadBase(script_->sections[static_cast<std::size_t>(program().lead)].role) >= 72
                    ? -12
                    : 12)
             : 0;
    const int first = theme.degrees.empty() ? 0 : theme.degrees.front();
    const auto writtenTicks = [&](std::size_t i) {
      return std::max(1, static_cast<int>(std::lround(theme.beats[i] * ticksPerBeat)));
    };
    int borrowed = 0;  // ticks the dotted note before took from this one
    for (std::size_t i = 0; i < theme.degrees.size() && themeCount_ < kMaxTheme; ++i) {
      int degree = theme.degrees[i];
      if (variation == 3) degree = 2 * first - degree;  // inversion about the first note
      degree += shift;                                  // a sequence a step up or down
      int ticks = writtenTicks(i) - borrowed;
      int semitones = arc::degreeSemitones(a.mode, degree) + octave;
      if (variation == 4 && i + 1 == theme.degrees.size() / 2) ticks *= 2;  // a held middle
      // Dotted: of two equal notes, the first takes half the second's length.
      const bool dot = variation == 5 && borrowed == 0 && i + 1 < theme.degrees.size() &&
                       writtenTicks(i + 1) == ticks && ticks >= 2;
      borrowed = dot ? ticks / 2 : 0;
      ticks += borrowed;
      // Panic bends the line: at high tension some notes slip a semitone.
      if (tension > 0.7f && random_.uniform() < (tension - 0.7f) * 1.2f)
        semitones += random_.uniform() < 0.5f ? 1 : -1;
      if (variation == 6 && ticks >= 4 && themeCount_ + 2 < kMaxTheme) {
        // A turn: the note, its upper neighbour for a 16th, the note again.
        const int upper = arc::degreeSemitones(a.mode, degree + 1) + octave;
        theme_[themeCount_++] = {semitones, ticks - 2};
        theme_[themeCount_++] = {upper, 1};
        theme_[themeCount_++] = {semitones, 1};
        continue;
      }
      if (variation == 1 && ticks >= 4 && i + 1 < theme.degrees.size() &&
          themeCount_ + 1 < kMaxTheme) {
        // Ornament: the note's second half passes toward the next.
        const int nextDegree = theme.degrees[i + 1] + shift;
        const int passing = arc::degreeSemitones(a.mode, degree + (nextDegree > degree   ? 1
                                                                   : nextDegree < degree ? -1
                                                                                         : 0)) +
                            octave;
        theme_[themeCount_++] = {semitones, ticks / 2};
        theme_[themeCount_++] = {passing, ticks - ticks / 2};
        continue;
      }
      theme_[themeCount_++] = {semitones, ticks};
    }
    themeActive_ = themeCount_ > 0;
    themeNote_ = 0;
    themeNextTick_ = tickIndex_;
  }

  /// The next theme variation (1-7) from this take's shuffled deck: passing notes, a sequence,
  /// the inversion, a held middle, dotted rhythm, turns, another octave.
  int dealVariation() noexcept {
    if (dealt_ >= kVariations) {
      for (int k = 0; k < kVariations; ++k)
        deck_[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(k + 1);
      for (int k = kVariations - 1; k > 0; --k)
        std::swap(deck_[static_cast<std::size_t>(k)],
                  deck_[random_.next() % static_cast<std::uint32_t>(k + 1)]);
      dealt_ = 0;
    }
    return deck_[static_cast<std::size_t>(dealt_++)];
  }

  /// The theme's note at the current tick (semitones above the tonic, 0..11), or -1.
  int melodyNow() const noexcept {
    if (!themeActive_) return -1;
    int note = themeNote_, tick = themeNextTick_;
    // themeNextTick_ is where note themeNote_ starts; the one sounding may be the one before.
    if (tick > tickIndex_ && note > 0) {
      --note;
    } else if (tick > tickIndex_) {
      return -1;
    }
    return ((theme_[static_cast<std::size_t>(note)].semitones % 12) + 12) % 12;
  }

  int leadBase(Role role) const noexcept {
    switch (role) {
      case Role::kBrass:
        return 48;
      case Role::kCrystal:
      case Role::kShards:
        return 72;
      case Role::kBowedCrystal:
        return 60;  // a bowed soloist sings in the violin's middle register
      case Role::kStrings:
        return 60;
      case Role::kChoir:
        return 57;
      default:
        return 60;
    }
  }

  void music(std::uint64_t frame, int inBar) noexcept {
    const arc::SceneProgram& p = program();
    if (p.has(Texture::kSilence)) return;
    const Scene& s = sceneData();
    const double x = scenePosition(frame);
    const float tension = tensionAt(frame);
    const float density = s.density.valueAt(x);
    const float d = s.dynamics.valueAt(x);

    // A second chord in the bar when the music is dense, or the phrase moves in half bars.
    if (inBar == ticksPerBar_ / 2 && ticksPerBar_ >= 8 &&
        (density > 0.6f || harmonicRhythm_ == HarmonicRhythm::kHalfBar) &&
        !p.has(Texture::kCadence)) {
      chord_ = chooser_.next(tension, random_, melodyNow());
      voiceSections(frame);
    } else if (inBar == ticksPerBar_ / 2 && ticksPerBar_ >= 8 && p.has(Texture::kCadence)) {
      chord_ = cadenceChord(tickIndex_ / ticksPerBar_, true);
      voiceSections(frame);
    }

    if (themeActive_ && tickIndex_ == themeNextTick_ && p.lead >= 0) {
      const ThemeNote& note = theme_[themeNote_];
      const Role role = script_->sections[static_cast<std::size_t>(p.lead)].role;
      const int key = leadBase(role) + tonic_ + note.semitones;
      const float accent = inBar % ticksPerBeat_ == 0 ? 0.1f : 0.0f;
      noteOn(frame, p.lead, key, std::min(1.0f, 0.45f + 0.45f * d + accent));
      scheduleOff(frame + static_cast<std::uint64_t>(
                              std::llround(note.ticks * tickSeconds_ * 0.92 * info().sampleRate)),
                  p.lead, key);
      themeNextTick_ = tickIndex_ + note.ticks;
      if (++themeNote_ >= themeCount_) themeActive_ = false;
    }

    for (std::size_t i = 0; i < sounding_.size(); ++i) {
      const int section = static_cast<int>(i);
      if (!p.plays(section)) continue;
      const Role role = script_->sections[i].role;
      if ((role == Role::kCrystal || role == Role::kBowedCrystal) && p.has(Texture::kImprovise) &&
          inBar % 2 == 0)
        improvise(frame, section, density, d, tension);
      if (role == Role::kClock && p.has(Texture::kTicking) && inBar % 2 == 0)
        tickTock(frame, section, inBar);
      if (role == Role::kBrass && p.has(Texture::kStabs)) stab(frame, section, inBar, tension, d);
    }
  }

  /// The crystal improvising on the theme and the chord: calm, it arpeggiates the chord; as
  /// tension rises it walks the theme and steps between its notes.
  void improvise(std::uint64_t frame, int section, float density, float dynamics,
                 float tension) noexcept {
    if (random_.uniform() > 0.05f + 0.8f * density) return;
    const Theme& theme = script_->arc.theme;
    const float chordShare = 0.9f - 0.65f * std::clamp(tension, 0.0f, 1.0f);
    const float choice = random_.uniform();
    int semitones;
    if (choice < chordShare || theme.degrees.empty()) {
      const int pitch = chord_.pitches[static_cast<std::size_t>(
          random_.next() % static_cast<std::uint32_t>(std::max(1, chord_.count)))];
      semitones = pitch + 12 * static_cast<int>(random_.next() % 2);
    } else if (choice < chordShare + (1.0f - chordShare) * 0.55f) {
      improviserStep_ = (improviserStep_ + 1) % static_cast<int>(theme.degrees.size());
      improviserDegree_ = theme.degrees[static_cast<std::size_t>(improviserStep_)];
      semitones = arc::degreeSemitones(script_->arc.mode, improviserDegree_);
    } else {
      improviserDegree_ =
          std::clamp(improviserDegree_ + static_cast<int>(random_.next() % 5) - 2, -3, 12);
      semitones = arc::degreeSemitones(script_->arc.mode, improviserDegree_);
    }
    const Role role = script_->sections[static_cast<std::size_t>(section)].role;
    const int base = leadBase(role);
    // A bowed soloist keeps to two octaves above its base; a struck crystal may ring higher.
    const int key = std::clamp(base + tonic_ + semitones, base - 12,
                               base + (role == Role::kBowedCrystal ? 24 : 36));
    const int ticks = 2 + static_cast<int>(random_.next() % 6);
    noteOn(frame, section, key, 0.3f + 0.55f * dynamics * (0.7f + 0.3f * random_.uniform()));
    scheduleOff(
        frame + static_cast<std::uint64_t>(std::llround(ticks * tickSeconds_ * info().sampleRate)),
        section, key);
  }

  /// The clock's escapement: a tick on every eighth note, alternately on the key's fifth high in
  /// the seventh octave and a fourth below, the bar's first a little stronger; short and dry.
  void tickTock(std::uint64_t frame, int section, int inBar) noexcept {
    const int tick = 96 + (tonic_ + 7) % 12;
    const int key = (inBar / 2) % 2 == 0 ? tick : tick - 5;
    const float d = sceneData().dynamics.valueAt(scenePosition(frame));
    noteOn(frame, section, key, (inBar == 0 ? 0.55f : 0.4f) * (0.7f + 0.6f * d));
    scheduleOff(frame + std::max<std::uint64_t>(1, frameAt(0.05)), section, key);
  }

  /// Brass stabs: on the beat, then off the beat, then on 16ths as tension climbs.
  void stab(std::uint64_t frame, int section, int inBar, float tension, float dynamics) noexcept {
    float chance = 0.0f;
    if (inBar % ticksPerBeat_ == 0)
      chance = 0.4f + 0.6f * tension;
    else if (inBar % 2 == 0)
      chance = 0.8f * tension;
    else
      chance = std::max(0.0f, tension - 0.6f) * 1.5f;
    if (random_.uniform() >= chance) return;
    std::array<std::uint8_t, 16> keys{};
    const int count = arc::voiceChord(chord_, tonic_, 45, 57, 72, keys);
    const float velocity = std::min(1.0f, 0.55f + 0.4f * dynamics + (inBar == 0 ? 0.1f : 0.0f));
    const auto length =
        static_cast<std::uint64_t>(std::llround(tickSeconds_ * 1.8 * info().sampleRate));
    for (int k = 0; k < count && k < 6; ++k) {
      noteOn(frame, section, keys[static_cast<std::size_t>(k)], velocity);
      scheduleOff(frame + std::max<std::uint64_t>(1, length), section,
                  keys[static_cast<std::size_t>(k)]);
    }
  }

  // ---- continuous controls ----

  /// Swells into the phrase end: up over most of the phrase, back down across its last beat.
  float swell(std::uint64_t frame) const noexcept {
    const double phraseSeconds = barSeconds_ * kPhraseBars;
    const double t =
        std::fmod(static_cast<double>(frame - std::min(frame, sceneStart_)) / info().sampleRate,
                  phraseSeconds) /
        phraseSeconds;
    const double rise = 0.88;
    const double env = t < rise ? std::pow(t / rise, 1.5) : (1.0 - t) / (1.0 - rise);
    return static_cast<float>(0.6 + 0.4 * env);
  }

  /// A cadence breathes with its phrases: each opens in full on the tonic, softens through the
  /// subdominant into the dominant (breathing in) and grows again into the cadence's tonic, a
  /// little above the scene's dynamics, so a triumph is loud yet not flat and its loudest chords
  /// are the tonic. Short phrases breathe in pairs, so every breath lasts 8 s or more.
  float breath(std::uint64_t frame) const noexcept {
    const double phrase = barSeconds_ * kPhraseBars;
    const double breathSeconds = phrase * std::max(1.0, std::ceil(8.0 / phrase - 1e-9));
    const double t =
        std::fmod(static_cast<double>(frame - std::min(frame, sceneStart_)) / info().sampleRate,
                  breathSeconds) /
        breathSeconds;
    const double u = t < 0.45 ? 1.0 - t / 0.45 : std::min(1.0, (t - 0.45) / 0.3);
    const double env = u * u * (3.0 - 2.0 * u);
    return static_cast<float>(0.6 + 0.5 * env);
  }

  void control(std::uint64_t frame) noexcept {
    if (ended_) return;
    const arc::SceneProgram& p = program();
    const Scene& s = sceneData();
    const double x = scenePosition(frame);
    const float tension = tensionAt(frame);
    const float d =
        std::min(1.0f, s.dynamics.valueAt(x) * (p.has(Texture::kSwell)     ? swell(frame)
                                                : p.has(Texture::kCadence) ? breath(frame)
                                                                           : 1.0f));
    const float brightness = s.brightness.valueAt(x);
    for (std::size_t i = 0; i < sounding_.size(); ++i) {
      const arc::SectionBinding& b = script_->sections[i];
      SentControls& sent = sent_[i];
      const bool plays = p.plays(static_cast<int>(i));
      switch (b.role) {
        case Role::kTimpani:
          if (plays && p.has(Texture::kHeartbeat)) {
            // The heart pounds with tension, not with the orchestra's dynamics.
            sendController(frame, b.node, 11, 0.45f + 0.55f * tension, sent.cc11);
            sendController(frame, b.node, 1, 0.3f + 0.6f * tension, sent.cc1);
            break;
          }
          [[fallthrough]];
        case Role::kStrings:
        case Role::kWinds:
        case Role::kPad:
        case Role::kBrass:
        case Role::kChoir:
          if (!plays) break;
          sendController(frame, b.node, 11, 0.3f + 0.7f * d, sent.cc11);
          sendController(frame, b.node, 1, std::clamp(0.6f * d + 0.4f * brightness, 0.0f, 1.0f),
                         sent.cc1);
          break;
        case Role::kCrystal:
        case Role::kShards:
        case Role::kBowedCrystal:
          if (plays) sendController(frame, b.node, 74, brightness, sent.cc74);
          break;
        default:
          break;
      }
      if (b.role == Role::kStrings) {
        const bool tremolo = plays && p.has(Texture::kTremolo);
        sendParameter(frame, b.node, b.tremolo, tremolo ? 0.15f + 0.35f * tension : 0.0f,
                      sent.tremolo);
        sendParameter(frame, b.node, b.tremoloRate, 6.0f + 10.0f * tension, sent.tremoloRate);
      }
      if (b.role == Role::kTimpani && plays && p.has(Texture::kHeartbeat))
        sendParameter(frame, b.node, b.heartRate, 55.0f + 95.0f * tension, sent.heartRate);
      if (b.role == Role::kBrass && plays)
        sendParameter(frame, b.node, b.articulation, p.has(Texture::kStabs) ? kStabbed : kSustained,
                      sent.articulation);
      if (b.role == Role::kAudience) {
        const bool murmur = plays && p.has(Texture::kMurmur);
        const bool applause = plays && p.has(Texture::kApplause);
        const float level = s.dynamics.valueAt(x);
        // In a silence the hall is never dead: the held breath of the crowd, barely a stir.
        const float stir = p.has(Texture::kSilence) ? kHeldBreathMurmur : 0.0f;
        sendParameter(frame, b.node, b.murmur, murmur ? 0.15f + 0.55f * (1.0f - level) : stir,
                      sent.murmur);
        sendParameter(frame, b.node, b.applause, applause ? level : 0.0f, sent.applause);
        sendParameter(frame, b.node, b.cheers,
                      applause ? std::clamp((level - 0.55f) * 2.2f, 0.0f, 1.0f) : 0.0f,
                      sent.cheers);
        // While the music plays (or the hall applauds) nobody coughs or whispers.
        sendParameter(frame, b.node, b.coughs, murmur ? b.coughRate : 0.0f, sent.coughs);
        sendParameter(frame, b.node, b.whispers, murmur ? b.whisperRate : 0.0f, sent.whispers);
      }
    }
    for (std::size_t a = 0; a < p.automation.size(); ++a) {
      const arc::AutomationBinding& binding = p.automation[a];
      sendParameter(frame, binding.node, binding.parameter, binding.curve.valueAt(x),
                    sentAutomation_[a]);
    }
  }

  // ---- events ----

  Event at(std::uint64_t frame, EventType type, int index, float value) const noexcept {
    Event e;
    e.frame = static_cast<std::uint32_t>(frame - position_);
    e.type = type;
    e.index = static_cast<std::uint16_t>(index);
    e.value = value;
    return e;
  }

  void sendController(std::uint64_t frame, NodeId node, int controller, float value,
                      float& last) noexcept {
    if (std::abs(value - last) < 0.002f) return;
    last = value;
    sink_->emit(node, at(frame, EventType::kControlChange, controller, value));
  }

  void sendParameter(std::uint64_t frame, NodeId node, int index, float value,
                     float& last) noexcept {
    if (index < 0 || std::abs(value - last) < 1e-4f * (1.0f + std::abs(value))) return;
    last = value;
    sink_->emit(node, at(frame, EventType::kParameter, index, value));
  }

  void setParameter(std::uint64_t frame, NodeId node, int index, float value) noexcept {
    if (index >= 0) sink_->emit(node, at(frame, EventType::kParameter, index, value));
  }

  void noteOn(std::uint64_t frame, int section, int key, float velocity) noexcept {
    if (key < 0 || key > 127) return;
    Key128& sounding = sounding_[static_cast<std::size_t>(section)];
    const NodeId node = script_->sections[static_cast<std::size_t>(section)].node;
    if (sounding.test(key)) {
      cancelOffs(section, key);
      sink_->emit(node, at(frame, EventType::kNoteOff, key, 0.5f));
    }
    sounding.set(key);
    sink_->emit(node, at(frame, EventType::kNoteOn, key, std::clamp(velocity, 0.05f, 1.0f)));
  }

  void noteOff(std::uint64_t frame, int section, int key) noexcept {
    Key128& sounding = sounding_[static_cast<std::size_t>(section)];
    if (!sounding.test(key)) return;
    sounding.reset(key);
    cancelOffs(section, key);
    sink_->emit(script_->sections[static_cast<std::size_t>(section)].node,
                at(frame, EventType::kNoteOff, key, 0.5f));
  }

  void releaseSection(std::uint64_t frame, int section) noexcept {
    const Key128 sounding = sounding_[static_cast<std::size_t>(section)];
    for (int key = 0; key < 128; ++key)
      if (sounding.test(key)) noteOff(frame, section, key);
    chordHeld_[static_cast<std::size_t>(section)] = {};
  }

  void scheduleOff(std::uint64_t frame, int section, int key) noexcept {
    if (offCount_ == kMaxPendingOffs) {  // never expected; end the oldest rather than lose this
      dueOffs(nextOffFrame());
      if (offCount_ == kMaxPendingOffs) return;
    }
    offs_[static_cast<std::size_t>(offCount_++)] = {frame, static_cast<std::uint8_t>(section),
                                                    static_cast<std::uint8_t>(key)};
  }

  void cancelOffs(int section, int key) noexcept {
    for (int i = 0; i < offCount_;) {
      const PendingOff& off = offs_[static_cast<std::size_t>(i)];
      if (off.section == section && off.key == key) {
        offs_[static_cast<std::size_t>(i)] = offs_[static_cast<std::size_t>(--offCount_)];
      } else {
        ++i;
      }
    }
  }

  std::uint64_t nextOffFrame() const noexcept {
    std::uint64_t next = UINT64_MAX;
    for (int i = 0; i < offCount_; ++i)
      next = std::min(next, offs_[static_cast<std::size_t>(i)].frame);
    return next;
  }

  /// Ends every scheduled note due at `frame` (in the order they were scheduled).
  void dueOffs(std::uint64_t frame) noexcept {
    for (int i = 0; i < offCount_;) {
      const PendingOff off = offs_[static_cast<std::size_t>(i)];
      if (off.frame <= frame) {
        // Keep the order of the rest: shift down (the list is short).
        for (int j = i; j + 1 < offCount_; ++j)
          offs_[static_cast<std::size_t>(j)] = offs_[static_cast<std::size_t>(j + 1)];
        --offCount_;
        Key128& sounding = sounding_[off.section];
        if (sounding.test(off.key)) {
          sounding.reset(off.key);
          sink_->emit(script_->sections[off.section].node,
                      at(std::max(frame, position_), EventType::kNoteOff, off.key, 0.5f));
        }
      } else {
        ++i;
      }
    }
  }

  static constexpr int kMaxTheme = 128;
  static constexpr int kVariations = 7;
  static constexpr std::uint32_t kVoicings = 5;

  std::shared_ptr<const arc::ComposerScript> script_;
  EventSink* sink_ = nullptr;
  dsp::Random random_;
  arc::ChordChooser chooser_;
  arc::Chord chord_;

  std::uint64_t position_ = 0;
  std::uint64_t nextTick_ = 0, nextControl_ = 0;
  std::uint64_t controlIndex_ = 0;
  double controlFrames_ = 480.0;

  std::size_t scene_ = 0;
  double sceneStartSeconds_ = 0.0, barSeconds_ = 2.0, tickSeconds_ = 0.125;
  std::uint64_t sceneStart_ = 0, sceneEnd_ = 0;
  int ticksPerBar_ = 16, ticksPerBeat_ = 4, tickIndex_ = 0;
  int tonic_ = 0;
  bool ended_ = false;
  bool advanceRequested_ = false, advanceHigh_ = false, pedalDown_ = false;
  std::atomic<int> publishedScene_{0};

  std::array<ThemeNote, kMaxTheme> theme_{};
  int themeCount_ = 0, themeNote_ = 0, themeNextTick_ = 0;
  bool themeActive_ = false;
  int improviserStep_ = -1, improviserDegree_ = 4;
  std::array<std::uint8_t, kVariations> deck_{};
  int dealt_ = kVariations;
  std::array<std::uint8_t, 64> voicing_{};  ///< by section: how it spaces this phrase's chords
  std::array<std::uint8_t, kCadencePlans.size()> planDeck_{};
  int plansDealt_ = static_cast<int>(kCadencePlans.size());
  int plan_ = 0;  ///< the cadence plan of this phrase
  enum class HarmonicRhythm : std::uint8_t { kBar, kHalfBar, kTwoBars };
  HarmonicRhythm harmonicRhythm_ = HarmonicRhythm::kBar;

  std::vector<Key128> sounding_, chordHeld_;
  std::vector<SentControls> sent_;
  std::vector<float> sentAutomation_;
  std::vector<PendingOff> offs_;
  int offCount_ = 0;
};

}  // namespace

const NodeType kComposerType{
    .name = "composer",
    .description =
        "The arc's composer: performs an arc's scenes on the patch (reverie adds it to every arc)",
    .parameters = kParameters,
    .create = []() -> std::unique_ptr<Node> { return std::make_unique<ComposerNode>(); },
    .generatesEvents = true,
};

namespace arc {
namespace {

/// Where each role voices chords (bass floor, low, high), or nothing.
struct ChordRange {
  int bassLow, low, high;
};
ChordRange chordRangeOf(Role role) {
  switch (role) {
    case Role::kStrings:
      return {36, 55, 76};
    case Role::kPad:
      return {48, 57, 74};
    case Role::kChoir:
      return {41, 53, 72};
    case Role::kBrass:
      return {38, 50, 67};
    case Role::kBowedCrystal:
      return {60, 67, 84};
    case Role::kKeys:
      return {48, 60, 72};
    default:
      return {0, 0, 0};
  }
}

/// Whether a section of `role` plays the scene's chords: in a chorale; strings in a tremolo
/// too; brass not when it stabs.
bool playsChords(Role role, const Scene& scene) {
  if (chordRangeOf(role).bassLow == 0) return false;
  if (role == Role::kStrings && scene.has(Texture::kTremolo)) return true;
  if (role == Role::kBrass && scene.has(Texture::kStabs)) return false;
  return scene.has(Texture::kChorale);
}

int leadPriority(Role role) {
  switch (role) {
    case Role::kWinds:
    case Role::kBrass:
    case Role::kCrystal:
    case Role::kBowedCrystal:
    case Role::kStrings:
    case Role::kChoir:
    case Role::kPad:
    case Role::kKeys:
      return 1;
    default:
      return 0;
  }
}

}  // namespace

std::shared_ptr<const ComposerScript> makeComposerScript(const Arc& arc, const Graph& graph,
                                                         const std::map<std::string, NodeId>& ids) {
  auto script = std::make_shared<ComposerScript>();
  script->arc = arc;
  std::map<std::string, int> sectionIndex;
  for (const NodeSpec& spec : arc.patch.nodes) {
    const auto id = ids.find(spec.name);
    if (id == ids.end()) continue;
    const Node& node = graph.node(id->second);
    // The clock is the one the arc names; every other role is the node's (its type's, or the
    // choice that decides it, as the patch set it).
    const Role role = !arc.clock.empty() && spec.name == arc.clock ? Role::kClock : node.role();
    if (role == Role::kOther) continue;
    if (script->sections.size() == 64)
      throw GraphError("an arc's patch may have at most 64 playing nodes");
    SectionBinding b;
    b.name = spec.name;
    b.node = id->second;
    b.role = role;
    // A role names the node type whose parameters the composer drives (the table of each
    // type checks these indices against its rows).
    if (role == Role::kStrings) {
      b.tremolo = strings_parameter::kTremolo;
      b.tremoloRate = strings_parameter::kTremoloRate;
    }
    if (role == Role::kBrass) b.articulation = brass_parameter::kArticulation;
    if (role == Role::kTimpani) {
      b.pattern = timpani_parameter::kPattern;
      b.heartRate = timpani_parameter::kHeartRate;
    }
    const ChordRange range = chordRangeOf(role);
    b.bassLow = range.bassLow, b.low = range.low, b.high = range.high;
    if (role == Role::kAudience) {
      b.murmur = audience_parameter::kMurmur;
      b.applause = audience_parameter::kApplause;
      b.cheers = audience_parameter::kCheers;
      b.coughs = audience_parameter::kCoughs;
      b.whispers = audience_parameter::kWhispers;
      // As the patch set them (built into the node before this script).
      b.coughRate = node.parameterTarget(b.coughs);
      b.whisperRate = node.parameterTarget(b.whispers);
    }
    sectionIndex[spec.name] = static_cast<int>(script->sections.size());
    script->sections.push_back(std::move(b));
  }
  for (const Scene& scene : arc.scenes) {
    SceneProgram program;
    for (const std::string& name : scene.sections) {
      const auto it = sectionIndex.find(name);
      if (it == sectionIndex.end()) continue;
      program.sections |= std::uint64_t{1} << it->second;
      if (playsChords(script->sections[static_cast<std::size_t>(it->second)].role, scene))
        program.chords |= std::uint64_t{1} << it->second;
      if (program.lead < 0 &&
          leadPriority(script->sections[static_cast<std::size_t>(it->second)].role) > 0)
        program.lead = it->second;
    }
    for (Texture texture : scene.textures) program.textures |= 1u << static_cast<int>(texture);
    for (const Automation& automation : scene.automation) {
      const auto id = ids.find(automation.node);
      if (id == ids.end())
        throw GraphError("automation of '" + automation.node + "': no such node in the patch");
      const int index =
          findParameter(graph.node(id->second).type().parameters, automation.parameter);
      if (index < 0)
        throw GraphError("automation: node '" + automation.node + "' has no parameter '" +
                         automation.parameter + "'");
      program.automation.push_back({id->second, index, automation.curve});
    }
    script->scenes.push_back(std::move(program));
  }
  return script;
}

int composerScene(const Node& composer) {
  if (&composer.type() != &kComposerType) return 0;
  return static_cast<const ComposerNode&>(composer).publishedScene();
}

void setComposerScript(Node& composer, std::shared_ptr<const ComposerScript> script) {
  if (&composer.type() != &kComposerType)
    throw GraphError("setComposerScript: the node is not a composer");
  static_cast<ComposerNode&>(composer).setScript(std::move(script));
}

}  // namespace arc
}  // namespace reverie
