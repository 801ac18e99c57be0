// Instrument: an Engine, the LiveRenderer that turns MIDI into its events, and the LivePatch that
// swaps what it plays; the same three `reverie play` plays through.
#include "reverie/instrument.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <optional>

#include "arc/composer.hpp"
#include "engine/spsc_queue.hpp"
#include "live/live_patch.hpp"
#include "live/live_renderer.hpp"
#include "live/program_list.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/preset.hpp"

namespace reverie {
namespace {

MidiEvent channelMessage(std::uint32_t frame, int kind, int channel, int data1, int data2) {
  return {frame, static_cast<std::uint8_t>(kind | (channel & 0x0F)),
          static_cast<std::uint8_t>(data1 & 0x7F), static_cast<std::uint8_t>(data2 & 0x7F)};
}

}  // namespace

MidiEvent MidiEvent::noteOn(std::uint32_t frame, int channel, int key, int velocity) {
  return channelMessage(frame, 0x90, channel, key, std::clamp(velocity, 1, 127));
}
MidiEvent MidiEvent::noteOff(std::uint32_t frame, int channel, int key) {
  return channelMessage(frame, 0x80, channel, key, 64);
}
MidiEvent MidiEvent::controlChange(std::uint32_t frame, int channel, int controller, int value) {
  return channelMessage(frame, 0xB0, channel, controller, value);
}
MidiEvent MidiEvent::pitchBend(std::uint32_t frame, int channel, float bend) {
  // The inverse of the translator's scaling: -1 -> 0, 0 -> 8192, +1 -> 16383.
  const float b = std::clamp(bend, -1.0f, 1.0f);
  const int value = 8192 + static_cast<int>(std::lround(b < 0.0f ? b * 8192.0f : b * 8191.0f));
  return channelMessage(frame, 0xE0, channel, value & 0x7F, value >> 7);
}
MidiEvent MidiEvent::channelPressure(std::uint32_t frame, int channel, int pressure) {
  return channelMessage(frame, 0xD0, channel, pressure, 0);
}
MidiEvent MidiEvent::programChange(std::uint32_t frame, int channel, int program) {
  return channelMessage(frame, 0xC0, channel, program, 0);
}

struct Instrument::Impl {
  explicit Impl(const InstrumentConfig& c)
      : config(c),
        engine({c.sampleRate, c.maxBlockFrames, c.seed}),
        renderer(engine, 1, midi::VelocityCurve{}, c.mpe),
        patch(engine, renderer, c.mpe) {}

  InstrumentConfig config;
  Engine engine;
  live::LiveRenderer renderer;
  live::LivePatch patch;
  std::optional<live::ProgramList> programs;  // listed at the first program change
  // Written by the audio thread (peaks) or the control thread (voices, scene); read anywhere.
  std::array<std::atomic<float>, 2> peak{}, maxPeak{};
  std::atomic<int> voices{-1}, scene{-1};
  // The arc's composer as the control thread last loaded it (kInvalidNode for a preset).
  std::atomic<NodeId> composer{kInvalidNode};
  // The audio thread's: the arc controls asked for, those the composer `sentTo` was given, and
  // a next scene asked for. Index: kTensionSource, kTension, kPlay (ArcControl order, less one).
  static constexpr std::array<float, 3> kArcDefaults{0.0f, 0.5f, 1.0f};
  std::array<float, 3> arcWanted = kArcDefaults, arcSent = kArcDefaults;
  NodeId sentTo = kInvalidNode;
  bool nextScene = false;
  // The nodes of the loaded preset that map macros, and which (bit k: macro k + 1); sent whole
  // from the control thread after each load. The audio thread keeps the last.
  struct MacroTargets {
    std::array<NodeId, 32> nodes{};
    std::array<std::uint8_t, 32> macros{};
    std::size_t count = 0;
  };
  SpscQueue<MacroTargets> macroTargets{8};
  bool macroTargetsPending = false;  // control thread: a load whose targets did not fit yet
  MacroTargets targets;              // the audio thread's
  std::array<float, kInstrumentMacros> macroValue{};
  std::uint8_t macroSet = 0, macroDirty = 0;  // bit k: macro k + 1

  void publishMacroTargets();
  void sendMacros() noexcept;

  void publishComposer() {
    composer.store(patch.composer(), std::memory_order_release);
    publishMacroTargets();
  }
  bool sendComposer(NodeId node, int index, float value) noexcept {
    live::TimedEvent e;
    e.isMidi = false;  // frame -1: at the start of the next block
    e.node = {node, {0, EventType::kParameter, 0, static_cast<std::uint16_t>(index), value}};
    return renderer.postTimed(e);
  }
  void sendArcControls() noexcept;
};

void Instrument::Impl::publishMacroTargets() {
  MacroTargets next;
  for (const NodeId id : patch.nodes()) {
    std::uint8_t macros = 0;
    for (int k = 0; k < kInstrumentMacros; ++k)
      if (engine.graph().node(id).mapsController(Node::kMacroSource + k))
        macros = static_cast<std::uint8_t>(macros | 1u << k);
    if (macros != 0 && next.count < next.nodes.size()) {
      next.nodes[next.count] = id;
      next.macros[next.count++] = macros;
    }
  }
  macroTargetsPending = !macroTargets.push(next);  // else `update` tries again
}

void Instrument::Impl::sendMacros() noexcept {
  bool fresh = false;
  while (macroTargets.pop(targets)) fresh = true;
  if (fresh) macroDirty = macroSet;  // a new preset is given the macros set so far
  for (int k = 0; k < kInstrumentMacros && macroDirty != 0; ++k) {
    if ((macroDirty & 1u << k) == 0) continue;
    bool sent = true;
    for (std::size_t i = 0; i < targets.count; ++i) {
      if ((targets.macros[i] & 1u << k) == 0) continue;
      live::TimedEvent e;
      e.isMidi = false;  // frame -1: at the start of the next block
      e.node = {
          targets.nodes[i],
          {0, EventType::kControlChange, 0, static_cast<std::uint16_t>(Node::kMacroSource + k),
           macroValue[static_cast<std::size_t>(k)]}};
      sent = renderer.postTimed(e) && sent;
    }
    if (sent) macroDirty = static_cast<std::uint8_t>(macroDirty & ~(1u << k));
  }
}

// The audio thread's timed queue carries nothing else in an Instrument: it is the one producer.
void Instrument::Impl::sendArcControls() noexcept {
  const NodeId node = composer.load(std::memory_order_acquire);
  if (node != sentTo) {  // a new arc starts from the composer's defaults
    sentTo = node;
    arcSent = kArcDefaults;
  }
  if (node == kInvalidNode) {
    nextScene = false;
    return;
  }
  constexpr int kIndex[] = {arc::composer_parameter::kTensionSource,
                            arc::composer_parameter::kLiveTension, arc::composer_parameter::kPlay};
  for (std::size_t i = 0; i < arcWanted.size(); ++i)
    if (arcWanted[i] != arcSent[i] && sendComposer(node, kIndex[i], arcWanted[i]))
      arcSent[i] = arcWanted[i];
  if (nextScene) {  // a press and its release: the composer moves on the rising edge
    nextScene = !(sendComposer(node, arc::composer_parameter::kAdvance, 1.0f) &&
                  sendComposer(node, arc::composer_parameter::kAdvance, 0.0f));
  }
}

Instrument::Instrument(std::string_view nameOrPath, const InstrumentConfig& config)
    : impl_(std::make_unique<Impl>(config)) {
  load(nameOrPath);
}

Instrument::~Instrument() = default;

void Instrument::load(std::string_view nameOrPath) {
  const std::filesystem::path path = findPreset(nameOrPath);
  if (isArcFile(path))
    load(loadArc(path));
  else
    load(loadPatch(path));
}

void Instrument::load(const Patch& patch) {
  impl_->patch.load(patch);
  impl_->publishComposer();
}

void Instrument::load(const Arc& arc) {
  impl_->patch.load(arc);
  impl_->publishComposer();
}

std::string Instrument::update() {
  Impl& m = *impl_;
  std::string said;
  midi::ProgramRequest request;
  std::uint64_t requests = 0;
  if (m.renderer.latestProgramRequest(request, requests)) {
    const int number = request.bank * 128 + request.program;
    if (!m.programs) m.programs.emplace();
    if (const auto preset = m.programs->find(number)) {
      try {
        load(preset->path.string());
        said = "program " + std::to_string(number + 1) + ": " + name();
      } catch (const std::exception& e) {
        said = "program " + std::to_string(number + 1) + " failed: " + e.what();
      }
    } else {
      said = "program " + std::to_string(number + 1) + " has no preset";
    }
  }
  if (m.macroTargetsPending) m.publishMacroTargets();
  m.patch.tick();
  m.voices.store(m.patch.voices(), std::memory_order_relaxed);
  const NodeId composer = m.patch.composer();
  m.scene.store(composer == kInvalidNode ? -1 : arc::composerScene(m.engine.graph().node(composer)),
                std::memory_order_relaxed);
  return said;
}

const std::string& Instrument::name() const {
  return impl_->patch.name();
}

const InstrumentConfig& Instrument::config() const {
  return impl_->config;
}

int Instrument::latencyFrames() const {
  return impl_->engine.latencyFrames();
}

bool Instrument::post(const MidiEvent& event) noexcept {
  return impl_->renderer.post(event);
}

void Instrument::setTransport(const Transport& transport) noexcept {
  impl_->engine.setTransport(transport);
}

void Instrument::setArcControl(ArcControl which, float value) noexcept {
  Impl& m = *impl_;
  const float v = std::isfinite(value) ? std::clamp(value, 0.0f, 1.0f) : 0.0f;
  switch (which) {
    case ArcControl::kTensionSource:
      m.arcWanted[0] = v >= 0.5f ? 1.0f : 0.0f;
      break;
    case ArcControl::kTension:
      m.arcWanted[1] = v;
      break;
    case ArcControl::kNextScene:
      m.nextScene = m.nextScene || v >= 0.5f;
      break;
    case ArcControl::kPlay:
      m.arcWanted[2] = v >= 0.5f ? 1.0f : 0.0f;
      break;
  }
}

void Instrument::setMacro(int index, float value) noexcept {
  Impl& m = *impl_;
  if (index < 0 || index >= kInstrumentMacros) return;
  m.macroValue[static_cast<std::size_t>(index)] =
      std::isfinite(value) ? std::clamp(value, 0.0f, 1.0f) : 0.0f;
  m.macroSet = static_cast<std::uint8_t>(m.macroSet | 1u << index);
  m.macroDirty = static_cast<std::uint8_t>(m.macroDirty | 1u << index);
}

void Instrument::process(float* const* out, int frames,
                         std::span<const MidiEvent> events) noexcept {
  Impl& m = *impl_;
  if (frames <= 0) return;
  m.sendArcControls();
  m.sendMacros();
  m.renderer.render(out, frames, events);
  for (std::size_t channel = 0; channel < 2; ++channel) {
    float peak = 0.0f;
    for (int i = 0; i < frames; ++i) peak = std::max(peak, std::fabs(out[channel][i]));
    m.peak[channel].store(peak, std::memory_order_relaxed);
    if (peak > m.maxPeak[channel].load(std::memory_order_relaxed))
      m.maxPeak[channel].store(peak, std::memory_order_relaxed);  // the audio thread alone writes
  }
}

InstrumentMeters Instrument::meters() const noexcept {
  const Impl& m = *impl_;
  const EngineStats stats = m.engine.stats();
  InstrumentMeters meters;
  for (std::size_t channel = 0; channel < 2; ++channel) {
    meters.peak[channel] = m.peak[channel].load(std::memory_order_relaxed);
    meters.maxPeak[channel] = m.maxPeak[channel].load(std::memory_order_relaxed);
  }
  meters.framesRendered = stats.framesRendered;
  meters.notesPlayed = m.renderer.notesPlayed();
  meters.droppedEvents = stats.droppedEvents + m.renderer.droppedMessages();
  meters.nonFiniteSamples = stats.nonFiniteSamples;
  meters.swaps = stats.planSwaps;
  meters.limiterGainDb = stats.limiterGainDb;
  meters.voices = m.voices.load(std::memory_order_relaxed);
  meters.scene = m.scene.load(std::memory_order_relaxed);
  return meters;
}

}  // namespace reverie
