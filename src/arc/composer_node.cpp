// The composer node's time and scenes (composer_node.hpp): the clock, scene changes on bar
// lines (by the script, or a live cue), and the order in which ticks, controls and note-offs
// of a block are written.
#include "arc/composer_node.hpp"

#include <algorithm>
#include <cmath>

#include "reverie/errors.hpp"

namespace reverie {
namespace {

constexpr std::string_view kSources[] = {"script", "live"};
constexpr std::string_view kHoldModes[] = {"arc", "on", "off"};
constexpr std::string_view kStingerChoices[] = {"none", "shatter", "drop", "cheer",
                                                "stab", "swell",   "roll"};
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
    {"hold", "Which scenes hold (vamp until cued): as the arc says, every one, or none", "", 0.0f,
     2.0f, 0.0f, 0.0f, kHoldModes},
    {"stinger", "Setting a stinger fires it, quantised as the arc says (then reads none)", "", 0.0f,
     6.0f, 0.0f, 0.0f, kStingerChoices},
    {"goto_scene", "Setting N (1 = the first scene) goes to scene N at the scene's exit point", "",
     0.0f, 10000.0f, 0.0f, 0.0f},
    {"play", "0: the composer falls silent and waits (the patch still plays from MIDI); 1: plays",
     "", 0.0f, 1.0f, 1.0f, 0.0f},
};
static_assert(indicesMatch(kParameters,
                           {{arc::composer_parameter::kTensionSource, "tension_source"},
                            {arc::composer_parameter::kLiveTension, "live_tension"},
                            {arc::composer_parameter::kAdvance, "advance"},
                            {arc::composer_parameter::kAdvanceNote, "advance_note"},
                            {arc::composer_parameter::kAdvanceController, "advance_cc"},
                            {arc::composer_parameter::kHold, "hold"},
                            {arc::composer_parameter::kStinger, "stinger"},
                            {arc::composer_parameter::kGoto, "goto_scene"},
                            {arc::composer_parameter::kPlay, "play"}}));
static_assert(kSources[arc::composer_parameter::kScriptTension] == "script" &&
              kSources[arc::composer_parameter::kLiveTensionSource] == "live");
static_assert(kHoldModes[arc::composer_parameter::kHoldAsArc] == "arc" &&
              kHoldModes[arc::composer_parameter::kHoldOn] == "on" &&
              kHoldModes[arc::composer_parameter::kHoldOff] == "off");
static_assert(std::size(kStingerChoices) == reverie::kStingerCount + 1);

/// Continuous controls are sent on a grid of absolute frames, this far apart.
constexpr double kControlSeconds = 0.01;

}  // namespace

const NodeType kComposerType{
    .name = "composer",
    .description =
        "The arc's composer: performs an arc's scenes on the patch (reverie adds it to every arc)",
    .parameters = kParameters,
    .create = createNode<arc::ComposerNode>,
    .generatesEvents = true,
};

namespace arc {

void ComposerNode::setScript(std::shared_ptr<const ComposerScript> script) {
  script_ = std::move(script);
  std::size_t automations = 0;
  if (script_)
    for (const SceneProgram& scene : script_->scenes)
      automations = std::max(automations, scene.automation.size());
  notes_.bind(script_ ? &script_->sections : nullptr, automations);
  chordHeld_.assign(script_ ? script_->sections.size() : 0, {});
  layOut();
  restart();
}

void ComposerNode::onPrepare(const PrepareInfo&) {
  layOut();
  restart();
}

/// The script's arc in frames at this node's rate: the one source of bar lines and ticks.
void ComposerNode::layOut() {
  timeline_ = script_ ? std::make_unique<const Timeline>(script_->arc, info().sampleRate) : nullptr;
}

void ComposerNode::onParameterChanged(int index) noexcept {
  if (index == composer_parameter::kAdvance)
    pressAdvance(parameter(index).target() > 0.5f, advanceHigh_);
  // A trigger: each setting fires once, and the parameter reads 0 again.
  if (index == composer_parameter::kStinger || index == composer_parameter::kGoto) {
    const int value = static_cast<int>(parameter(index).target());
    parameter(index).setImmediate(0.0f);
    if (value > 0)
      requestLive(index == composer_parameter::kStinger ? CueAction::kStinger : CueAction::kGoto,
                  value - 1);
  }
}

/// Live control: a chosen key or pedal asks for the next scene.
void ComposerNode::onEvent(const Event& event) noexcept {
  const int note = static_cast<int>(parameter(composer_parameter::kAdvanceNote).target());
  const int cc = static_cast<int>(parameter(composer_parameter::kAdvanceController).target());
  if (event.type == EventType::kNoteOn && note >= 0 && event.index == note)
    requestLive(CueAction::kNext, 0);
  if (event.type == EventType::kControlChange && cc >= 0 && event.index == cc)
    pressAdvance(event.value >= 0.5f, pedalDown_);
  // The arc's stinger keys and controllers (a pad: fired when pressed).
  if (!script_) return;
  const Arc& a = script_->arc;
  for (std::size_t k = 0; k < static_cast<std::size_t>(kStingerCount); ++k) {
    if (event.type == EventType::kNoteOn && event.index == a.stingerNote[k])
      requestLive(CueAction::kStinger, static_cast<int>(k));
    if (event.type == EventType::kControlChange && event.index == a.stingerController[k]) {
      const bool down = event.value >= 0.5f;
      if (down && !stingerPadDown_[k]) requestLive(CueAction::kStinger, static_cast<int>(k));
      stingerPadDown_[k] = down;
    }
  }
}

void ComposerNode::pressAdvance(bool down, bool& wasDown) noexcept {
  if (down && !wasDown) requestLive(CueAction::kNext, 0);
  wasDown = down;
}

void ComposerNode::generate(int frames, EventSink& sink) noexcept {
  if (!script_ || script_->scenes.empty()) return;
  if (parameter(composer_parameter::kPlay).target() < 0.5f) {  // off: silent, deciding nothing
    if (!resting_) releaseAll(sink);
    resting_ = true;
    followSynced_ = false;  // on again under an outside clock, it finds the clock's place
    return;
  }
  resting_ = false;
  if (sink.transport().external) {
    follow(frames, sink);
    return;
  }
  followSynced_ = false;  // back under an outside clock, the composer finds its place again
  notes_.beginBlock(sink, position_);
  drainInbox();
  run(position_ + static_cast<std::uint64_t>(frames));
  notes_.endBlock();
}

void ComposerNode::run(std::uint64_t end) noexcept {
  if (end <= position_) return;
  for (;;) {
    const std::uint64_t off = notes_.nextOffFrame();
    const std::uint64_t cue =
        nextFrameCue_ < frameCues_.size() ? frameCues_[nextFrameCue_].frame : UINT64_MAX;
    const std::uint64_t next = std::min({off, cue, nextTick_, nextControl_});
    if (next >= end) break;
    if (off == next) {
      notes_.dueOffs(next);
    } else if (cue == next) {
      applyCue(frameCues_[nextFrameCue_++], next);
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
}

void ComposerNode::restart() noexcept {
  position_ = 0;
  controlIndex_ = 0;
  nextControl_ = 0;
  controlFrames_ = kControlSeconds * info().sampleRate;
  random_.reseed(info().seed);
  notes_.reset();
  for (auto& k : chordHeld_) k = {};
  advanceRequested_ = advanceHigh_ = pedalDown_ = false;
  advanceTarget_ = -1;
  nextFrameCue_ = nextBeatCue_ = 0;
  inboxCount_ = pendingCount_ = 0;
  stingerPadDown_.fill(false);
  barsBefore_ = musicBar_ = 0;
  rolling_ = false;
  cheerStart_ = cheerEnd_ = swellStart_ = swellEnd_ = rollEnd_ = 0;
  stingerRandom_.reseed(info().seed ^ dsp::mixSeed(0x5717'6e72));
  // A cue list replays from the same state: what its cues set is set afresh.
  if (!frameCues_.empty() || !beatCues_.empty())
    for (int index : {composer_parameter::kTensionSource, composer_parameter::kLiveTension,
                      composer_parameter::kHold})
      parameter(index).setImmediate(
          type().parameters[static_cast<std::size_t>(index)].defaultValue);
  ended_ = false;
  theme_.reset();
  voicing_.fill(0);
  cadence_.reset();
  harmonicRhythm_ = HarmonicRhythm::kBar;
  // As a new node has them: a restart (a cue list, a jump of an outside clock) plays the same.
  chord_ = {};
  improviserStep_ = -1;
  improviserDegree_ = 4;
  if (script_ && !script_->scenes.empty()) enterScene(0, 0.0);
}

void ComposerNode::enterScene(std::size_t index, double startSeconds) noexcept {
  scene_ = index;
  publishedScene_.store(static_cast<int>(index), std::memory_order_relaxed);
  const Arc& a = script_->arc;
  const Scene& s = a.scenes[index];
  barSeconds_ = timeline_->spans()[index].barSeconds;
  ticksPerBar_ = timeline_->ticksPerBar();
  ticksPerBeat_ = timeline_->ticksPerBeat();
  tickSeconds_ = barSeconds_ / ticksPerBar_;
  sceneStartSeconds_ = startSeconds;
  sceneStart_ = timeline_->tickFrame(index, startSeconds, 0);
  sceneEnd_ = timeline_->endFrame(index, startSeconds);
  tickIndex_ = 0;
  nextTick_ = sceneStart_;
  tonic_ = ((a.homeKey + s.transpose) % 12 + 12) % 12;
  chooser_.reset(a.mode);
  // Each scene draws from a stream of its own: a scene's take does not hang on how many
  // draws the scenes before it made.
  random_.reseed(info().seed ^ dsp::mixSeed(index + 1));
  notes_.forgetAutomation();
  theme_.stop();
}

void ComposerNode::tick(std::uint64_t frame) noexcept {
  if (ended_) {
    nextTick_ = UINT64_MAX;
    return;
  }
  const int bar = tickIndex_ / ticksPerBar_;
  const int inBar = tickIndex_ % ticksPerBar_;
  if (inBar % ticksPerBeat_ == 0) beatCues(frame, bar, inBar);
  if (endsHere(bar, inBar)) {
    const std::size_t next = advanceRequested_ && advanceTarget_ >= 0
                                 ? static_cast<std::size_t>(advanceTarget_)
                                 : scene_ + 1;
    advanceRequested_ = false;
    // On a bar line, or on a beat inside the bar where the scene exits on beats.
    const double at =
        timeline_->barStartSeconds(scene_, sceneStartSeconds_, bar) + inBar * tickSeconds_;
    barsBefore_ += bar + (inBar > 0 ? 1 : 0);
    leaveScene(frame);
    if (next >= script_->scenes.size()) {
      ended_ = true;
      endedAt_ = frame;
      publishedScene_.store(static_cast<int>(script_->scenes.size()), std::memory_order_relaxed);
      nextTick_ = UINT64_MAX;
      return;
    }
    enterScene(next, at);
    tick(frame);
    return;
  }
  musicBar_ = musicBar(bar);
  if (inBar == 0) startBar(frame, musicBar_);
  music(frame, inBar);
  fireStingers(frame, inBar);
  ++tickIndex_;
  nextTick_ = timeline_->tickFrame(scene_, sceneStartSeconds_, tickIndex_);
}

bool ComposerNode::endsHere(int bar, int inBar) const noexcept {
  const Scene& s = sceneData();
  const bool holds = holding();
  if (inBar == 0 && bar == s.bars && !holds) return true;
  if (holds && s.holdMaxBars > 0 && inBar == 0 && bar >= s.holdMaxBars) return true;
  // Past its bars, a scene no longer held ends at its next exit point, as a cue would.
  const bool released = !holds && (bar > s.bars || (bar == s.bars && inBar > 0));
  if (!released && (!advanceRequested_ || tickIndex_ == 0)) return false;
  switch (s.exit) {
    case SceneExit::kBeat:
      return inBar % ticksPerBeat_ == 0;
    case SceneExit::kPhrase:  // a phrase of the scene, or of its vamp
      return inBar == 0 && musicBar(bar) % kPhraseBars == 0;
    case SceneExit::kBar:
      break;
  }
  return inBar == 0;
}

/// At a scene's end everything is released: the next scene articulates its first chord
/// afresh on its bar line, and sections that do not play on fall silent.
void ComposerNode::leaveScene(std::uint64_t frame) noexcept {
  for (std::size_t i = 0; i < chordHeld_.size(); ++i) releaseSection(frame, static_cast<int>(i));
  theme_.stop();
}

void ComposerNode::releaseSection(std::uint64_t frame, int section) noexcept {
  notes_.release(frame, section);
  chordHeld_[static_cast<std::size_t>(section)] = {};
}

float ComposerNode::tensionAt(std::uint64_t frame) noexcept {
  if (static_cast<int>(parameter(composer_parameter::kTensionSource).target()) ==
      composer_parameter::kLiveTensionSource)
    return parameter(composer_parameter::kLiveTension).target();
  return sceneData().tension.valueAt(scenePosition(frame));
}

double ComposerNode::scenePosition(std::uint64_t frame) const noexcept {
  if (sceneEnd_ <= sceneStart_ || frame <= sceneStart_) return 0.0;
  return std::min(
      1.0, static_cast<double>(frame - sceneStart_) / static_cast<double>(sceneEnd_ - sceneStart_));
}

int composerScene(const Node& composer) {
  if (&composer.type() != &kComposerType) return 0;
  return static_cast<const ComposerNode&>(composer).publishedScene();
}

std::optional<std::uint64_t> composerEndFrame(const Node& composer) {
  if (&composer.type() != &kComposerType) return std::nullopt;
  return static_cast<const ComposerNode&>(composer).endFrame();
}

std::uint64_t composerSceneStart(const Node& composer) {
  if (&composer.type() != &kComposerType) return 0;
  return static_cast<const ComposerNode&>(composer).sceneStartFrame();
}

void setComposerCues(Node& composer, std::vector<ComposerCue> cues) {
  if (&composer.type() != &kComposerType)
    throw GraphError("setComposerCues: the node is not a composer");
  static_cast<ComposerNode&>(composer).setCues(std::move(cues));
}

void setComposerScript(Node& composer, std::shared_ptr<const ComposerScript> script) {
  if (&composer.type() != &kComposerType)
    throw GraphError("setComposerScript: the node is not a composer");
  static_cast<ComposerNode&>(composer).setScript(std::move(script));
}

}  // namespace arc
}  // namespace reverie
