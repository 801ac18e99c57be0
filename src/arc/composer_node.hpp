// The composer node (audio thread): scenes on bar lines, harmony by tension, the theme and its
// variations, improvisation, swells and automation, all written as sample-accurate events for
// the patch. Its work is spread by concept: composer_node.cpp keeps time and scenes,
// composer_music.cpp writes the notes, composer_controls.cpp the continuous controls.
//
// Determinism: every random choice is made at a tick of the 16th-note grid, in tick order, and
// every control value at a fixed 10 ms grid of absolute frames, so neither block sizes nor
// block boundaries change a single event.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "arc/cadence.hpp"
#include "arc/composer.hpp"
#include "arc/harmony.hpp"
#include "arc/section_notes.hpp"
#include "arc/theme_player.hpp"
#include "dsp/random.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/node.hpp"
#include "reverie/transport.hpp"

namespace reverie::arc {

class ComposerNode final : public Node {
 public:
  ComposerNode() : Node(kComposerType) {}

  /// Control thread, before the node is published.
  void setScript(std::shared_ptr<const ComposerScript> script);
  void setCues(std::vector<ComposerCue> cues);
  /// Any thread: the scene being performed (the scene count once the arc has ended).
  int publishedScene() const noexcept { return publishedScene_.load(std::memory_order_relaxed); }
  /// The thread that runs generate(): the frame the last scene ended on.
  std::optional<std::uint64_t> endFrame() const noexcept {
    return ended_ ? std::optional<std::uint64_t>(endedAt_) : std::nullopt;
  }
  std::uint64_t sceneStartFrame() const noexcept { return sceneStart_; }

 protected:
  void onPrepare(const PrepareInfo&) override;
  void render(const float* const*, float* const*, int) noexcept override {}
  void onParameterChanged(int index) noexcept override;
  void onEvent(const Event& event) noexcept override;
  void generate(int frames, EventSink& sink) noexcept override;

 private:
  /// Writes every tick, control, cue and note-off before frame `end` of the composer's clock.
  void run(std::uint64_t end) noexcept;

  // ---- following an outside clock (composer_follow.cpp) ----
  /// A block led by `sink.transport()`: ticks on the clock's 16ths, waiting while it stops.
  void follow(int frames, EventSink& sink) noexcept;
  /// Starts again and replays the decisions, discarding their events, up to the clock's
  /// 16th `sixteenth` (the position of this block's first frame).
  void resync(double sixteenth, double framesPer16th, EventSink& sink) noexcept;
  /// The composer's clock frame of the next tick while following (one per outside 16th).
  std::uint64_t followTickFrame() const noexcept;
  /// Runs through the next tick (while following) and moves the tick segment on.
  void followTick() noexcept;
  /// Ends every sounding note, on `sink`'s first frame.
  void releaseAll(EventSink& sink) noexcept;

  // ---- time and scenes (composer_node.cpp) ----
  void layOut();
  void restart() noexcept;
  void enterScene(std::size_t index, double startSeconds) noexcept;
  void tick(std::uint64_t frame) noexcept;
  void leaveScene(std::uint64_t frame) noexcept;
  void pressAdvance(bool down, bool& wasDown) noexcept;
  /// True at a tick where the scene ends: its bars played (unless it holds), its hold's limit,
  /// or a cued change at the scene's exit point.
  bool endsHere(int bar, int inBar) const noexcept;
  const Scene& sceneData() const noexcept { return script_->arc.scenes[scene_]; }
  const SceneProgram& program() const noexcept { return script_->scenes[scene_]; }
  const SectionBinding& binding(int section) const noexcept {
    return script_->sections[static_cast<std::size_t>(section)];
  }
  std::uint64_t framesOf(double seconds) const noexcept {
    return static_cast<std::uint64_t>(std::llround(seconds * info().sampleRate));
  }
  double scenePosition(std::uint64_t frame) const noexcept;
  float tensionAt(std::uint64_t frame) noexcept;
  float dynamicsAt(std::uint64_t frame) const noexcept {
    return sceneData().dynamics.valueAt(scenePosition(frame));
  }
  /// Ends every note of `section` and forgets the chord it held.
  void releaseSection(std::uint64_t frame, int section) noexcept;

  // ---- notes (composer_music.cpp) ----
  void startBar(std::uint64_t frame, int bar) noexcept;
  void startPhrase() noexcept;
  int voiceCalm(std::size_t i, std::array<std::uint8_t, 16>& keys) const noexcept;
  void voiceSections(std::uint64_t frame) noexcept;
  void timpaniBar(std::uint64_t frame, int section, int bar, int phraseBar) noexcept;
  void shatter(std::uint64_t frame, int section, dsp::Random& random, float velocity) noexcept;
  void music(std::uint64_t frame, int inBar) noexcept;
  void improvise(std::uint64_t frame, int section, float density, float dynamics,
                 float tension) noexcept;
  void tickTock(std::uint64_t frame, int section, int inBar) noexcept;
  void stab(std::uint64_t frame, int section, int inBar, float tension, float dynamics) noexcept;

  // ---- cues, holds and stingers (composer_cues.cpp) ----
  /// A live control (a parameter, a key): done as a cue at the start of the next block.
  void requestLive(CueAction action, int value) noexcept;
  void drainInbox() noexcept;
  /// What a cue does, at `frame`: the one path of cue lists, parameters, MIDI and OSC.
  void applyCue(const ComposerCue& cue, std::uint64_t frame) noexcept;
  /// The cues at beats of the performance up to this tick (on a beat).
  void beatCues(std::uint64_t frame, int bar, int inBar) noexcept;
  bool holding() const noexcept;
  /// The bar whose music bar `bar` plays: itself, or in a held scene's vamp its last phrase's.
  int musicBar(int bar) const noexcept;
  void fireStingers(std::uint64_t frame, int inBar) noexcept;
  void fireStinger(std::uint64_t frame, Stinger stinger) noexcept;
  /// Ends a timpani roll stinger: the scene's pattern again.
  void endRoll(std::uint64_t frame) noexcept;
  float cheerAt(std::uint64_t frame) const noexcept;
  float stingerSwellAt(std::uint64_t frame) const noexcept;
  int timpaniTonic() const noexcept { return 36 + tonic_ + (tonic_ < 2 ? 12 : 0); }
  /// The crystal's drop: the key's fifth, in the octave above middle C's.
  int dropKey() const noexcept {
    return 72 + (tonic_ + 7) % 12 + 12 * (((tonic_ + 7) % 12) < 5 ? 1 : 0);
  }

  // ---- continuous controls (composer_controls.cpp) ----
  float swell(std::uint64_t frame) const noexcept;
  float breath(std::uint64_t frame) const noexcept;
  void control(std::uint64_t frame) noexcept;

  static constexpr std::uint32_t kVoicings = 5;
  enum class HarmonicRhythm : std::uint8_t { kBar, kHalfBar, kTwoBars };

  std::shared_ptr<const ComposerScript> script_;
  std::unique_ptr<const Timeline> timeline_;  ///< the script's arc at this node's rate
  SectionNotes notes_;
  dsp::Random random_;
  ChordChooser chooser_;
  Chord chord_;
  ThemePlayer theme_;
  CadencePlanner cadence_;

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
  std::uint64_t endedAt_ = 0;
  bool advanceRequested_ = false, advanceHigh_ = false, pedalDown_ = false;
  std::atomic<int> publishedScene_{0};

  int improviserStep_ = -1, improviserDegree_ = 4;
  std::array<std::uint8_t, 64> voicing_{};  ///< by section: how it spaces this phrase's chords
  HarmonicRhythm harmonicRhythm_ = HarmonicRhythm::kBar;
  std::vector<Key128> chordHeld_;  ///< by section: the chord it holds

  // Cues: the list's, sorted by frame and by beat, and the live ones of the last block.
  std::vector<ComposerCue> frameCues_, beatCues_;
  std::size_t nextFrameCue_ = 0, nextBeatCue_ = 0;
  std::array<ComposerCue, 32> inbox_{};
  int inboxCount_ = 0;
  int advanceTarget_ = -1;  ///< the scene a cued change goes to, -1: the next
  int barsBefore_ = 0;      ///< bars of the performance before this scene
  int musicBar_ = 0;
  struct PendingStinger {
    Stinger stinger = Stinger::kShatter;
    Quantise quantise = Quantise::kBeat;
  };
  std::array<PendingStinger, 32> pending_{};
  int pendingCount_ = 0;
  std::array<bool, kStingerCount> stingerPadDown_{};
  dsp::Random stingerRandom_;
  std::uint64_t cheerStart_ = 0, cheerEnd_ = 0, swellStart_ = 0, swellEnd_ = 0, rollEnd_ = 0;
  bool rolling_ = false;

  // Following: the composer's own clock runs on, its ticks stretched onto the outside 16ths.
  bool followSynced_ = false;      ///< false: the next rolling block resyncs
  double followNext_ = 0.0;        ///< the outside 16th expected at the next block's start
  std::uint64_t ticksDone_ = 0;    ///< outside 16ths the composer has ticked since the song start
  std::uint64_t lastTickV_ = 0;    ///< the composer-clock frame of the last of them
  std::uint64_t tickLengthV_ = 0;  ///< composer-clock frames from it to the next tick
};

}  // namespace reverie::arc
