// The node interface: a DSP unit with audio ports, events and a parameter table.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "reverie/event.hpp"
#include "reverie/parameter.hpp"
#include "reverie/smoothed_value.hpp"
#include "reverie/transport.hpp"

namespace reverie {

class Node;

/// Most audio ports a node type may declare on each side.
inline constexpr int kMaxPorts = 16;

/// What a node type does for an arc's composer: which part it plays and how it is driven.
enum class NodeRole : std::uint8_t {
  kStrings,       ///< chords (tremolo in a tremolo scene), the theme; its tremolo is driven
  kWinds,         ///< the theme and the improviser's lines
  kPad,           ///< sustained chords (a winds node set to "pad")
  kBrass,         ///< chords, stabs (its articulation is driven), the theme
  kChoir,         ///< chords and the theme
  kTimpani,       ///< strokes, rolls and the heartbeat (its pattern and heart rate are driven)
  kCrystal,       ///< struck: the drop and the improviser's lines
  kShards,        ///< shattered: the shatters of a panic
  kBowedCrystal,  ///< bowed: chords high up and the drop
  kAudience,      ///< murmur, applause, cheers, coughs and whispers, by its parameters
  kTuning,        ///< the orchestra tuning up: the A at a tuning scene's start
  kKeys,          ///< any other node that plays notes: the chords
  kOther,         ///< not played by the composer (effects, mixers, sources, the output)
  kClock,         ///< never a type's own: the node an arc names as its clock (ticks)
};

/// The port lists most node types declare: a stereo pair, and one mono port in or out.
inline constexpr std::string_view kStereoPorts[] = {"left", "right"};
inline constexpr std::string_view kMonoInPort[] = {"in"};
inline constexpr std::string_view kMonoOutPort[] = {"out"};

/// A NodeType's `create` for a node class built with no arguments: `.create = createNode<T>`.
template <class T>
std::unique_ptr<Node> createNode() {
  return std::make_unique<T>();
}

/// Static description of a node type: the single source of truth for presets, MIDI and docs.
struct NodeType {
  std::string_view name;                           ///< type name used in presets, e.g. "oscillator"
  std::string_view description;                    ///< one line for `reverie nodes`
  std::span<const std::string_view> inputs = {};   ///< mono audio input ports, by name
  std::span<const std::string_view> outputs = {};  ///< mono audio output ports, by name
  std::span<const ParameterDescriptor> parameters = {};
  bool acceptsNotes = false;  ///< plays notes (appears as a target for scores and MIDI)
  bool isOutput = false;      ///< its inputs (left, right) feed the master bus
  std::unique_ptr<Node> (*create)() = nullptr;
  std::span<const ListParameterDescriptor> lists = {};  ///< list parameters (presets only)
  /// Writes events for other nodes (the composer): the engine calls Node::generate before any
  /// node of the block renders, so what it writes lands sample-accurately in the same block.
  bool generatesEvents = false;
  /// What the composer does with a node of this type (see roleFor).
  NodeRole role = NodeRole::kOther;
  /// Where a choice parameter decides the role (a winds node set to "pad"): its index, and
  /// the role each of its choices gives; -1 and empty when `role` alone holds.
  int roleParameter = -1;
  std::span<const NodeRole> roleByChoice = {};
  /// The parameter a MIDI pitch-bend range (RPN 0) sets, in semitones; -1 when it has none.
  int bendRangeParameter = -1;
  /// The choice parameter that makes the node play MPE's lower zone (choice kMpeLowerZone);
  /// -1 when it takes no MPE.
  int mpeParameter = -1;
  static constexpr float kMpeLowerZone = 1.0f;

  /// The role of a node whose role parameter holds `choice` (any value when it has none).
  constexpr NodeRole roleFor(float choice) const {
    if (roleParameter < 0 || roleByChoice.empty()) return role;
    const float rounded = choice + 0.5f;  // choices are whole indices; round like the node does
    const std::size_t index = rounded < 1.0f ? 0 : static_cast<std::size_t>(rounded);
    return roleByChoice[index < roleByChoice.size() ? index : roleByChoice.size() - 1];
  }
};

/// Where an event generator writes: the engine queues each event for its node's step.
class EventSink {
 public:
  /// Audio thread: queues `event` (frame relative to the block) for `node`; false when the
  /// block's event storage is full (the event is dropped and counted).
  virtual bool emit(NodeId node, const Event& event) noexcept = 0;
  /// Audio thread: the outside clock at the block's first frame (see reverie/transport.hpp);
  /// not external when nothing leads.
  virtual const Transport& transport() const noexcept {
    static constexpr Transport kOwnTime{};
    return kOwnTime;
  }

 protected:
  ~EventSink() = default;
};

/// What a node learns at prepare time. The seed is the node's own, derived from the
/// engine seed and the node's name, so adding a node never changes another's randomness.
struct PrepareInfo {
  double sampleRate = 48000.0;
  int maxBlockFrames = 4096;
  std::uint64_t seed = 0;
  bool operator==(const PrepareInfo&) const = default;
};

/// One block of work for a node (audio thread).
struct ProcessBlock {
  const float* const* inputs = nullptr;  ///< one buffer per input port (silence if unconnected)
  float* const* outputs = nullptr;       ///< one buffer per output port
  int frames = 0;
  /// Sorted by frame, each in [firstFrame, firstFrame + frames): frames count from the start of
  /// the engine's block, which a parallel engine may render in parts.
  std::span<const Event> events;
  /// Where this part starts in the engine's block (0 when the block is rendered whole); the
  /// buffers above already start there.
  int firstFrame = 0;
};

class Node {
 public:
  explicit Node(const NodeType& type);
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const NodeType& type() const { return type_; }
  /// What the composer does with this node, by its type and (where it decides) a choice.
  NodeRole role() const {
    return type_.roleParameter >= 0 ? type_.roleFor(parameterTarget(type_.roleParameter))
                                    : type_.role;
  }
  std::span<const ParameterDescriptor> parameters() const { return type_.parameters; }

  /// Control thread, before publication: may allocate; sizes everything for the largest block.
  void prepare(const PrepareInfo& info);
  bool isPreparedFor(const PrepareInfo& info) const { return prepared_ && info_ == info; }

  /// Control thread, only while no published plan holds the node: sets a value at once.
  void setParameterDirect(int index, float value);
  /// Control thread, before publication: a controller (CC 0-127, or kChannelPressureSource
  /// for aftertouch) sets a parameter, 0..1 mapped linearly onto [minimum, maximum] and smoothed
  /// like any change. Returns false when the table (kMaxControllerMappings) is full.
  bool mapController(int source, int parameterIndex, float minimum, float maximum);
  static constexpr int kChannelPressureSource = 128;
  /// Macro 1 is this source, macro 8 this + 7: a host's macro parameters, sent to the node as a
  /// kControlChange whose index is the source (only the node's mappings hear it).
  static constexpr int kMacroSource = 129;
  static constexpr int kMacroCount = 8;
  static constexpr int kMaxControllerMappings = 16;
  /// Any thread, once built: a mapping from `source` is in the table.
  bool mapsController(int source) const noexcept;

  /// Control thread, before publication: sets a list parameter (values already validated).
  virtual void setList(int /*index*/, std::span<const float> /*values*/) {}

  /// The value the parameter is heading to (control thread before publication, or audio thread).
  float parameterTarget(int index) const {
    return parameters_[static_cast<size_t>(index)].target();
  }

  /// Audio thread: renders the block, splitting it at every event's frame (sample-accurate).
  void process(const ProcessBlock& block) noexcept;

  /// Audio thread, for types with `generatesEvents`: writes the events of the next `frames`
  /// frames for other nodes, before any node renders them. Wait-free like render().
  virtual void generate(int /*frames*/, EventSink& /*sink*/) noexcept {}

  /// Audio thread, after `process`: for a send effect that mixes its input, unchanged but for
  /// a gain, into its output (out = in * gain + wet), that gain for each frame of the block, the
  /// same on every channel; empty for any other node. Stems split a shared effect by it.
  std::span<const float> dryGains() const noexcept {
    return {dryGains_.data(), dryGains_.empty() ? 0 : static_cast<std::size_t>(blockFrames_)};
  }
  /// Control thread, once prepared: true for a send effect (see dryGains()).
  bool mixesDry() const noexcept { return !dryGains_.empty(); }

  /// Any thread: voices sounding at the end of the last block (for a status display).
  int publishedVoices() const noexcept { return publishedVoices_.load(std::memory_order_relaxed); }

 protected:
  /// Control thread: allocate voices, delay lines and so on.
  virtual void onPrepare(const PrepareInfo&) {}
  /// Audio thread: render `frames` frames; the pointers are already offset to the span.
  virtual void render(const float* const* in, float* const* out, int frames) noexcept = 0;
  /// Audio thread: a note or controller event, at the current frame.
  virtual void onEvent(const Event&) noexcept {}
  /// Audio thread (or control thread before publication): a parameter got a new target.
  virtual void onParameterChanged(int /*index*/) noexcept {}
  /// Audio thread: voices sounding now; a node that plays notes says, for publishedVoices().
  virtual int countSoundingVoices() const noexcept { return 0; }
  /// Audio thread: true if controllers on `channel` belong to single notes (an MPE member
  /// channel), so the node's controller mappings ignore them.
  virtual bool isPerNoteChannel(int /*channel*/) const noexcept { return false; }

  SmoothedValue& parameter(int index) { return parameters_[static_cast<size_t>(index)]; }
  const PrepareInfo& info() const { return info_; }
  /// onPrepare of a send effect: keep a dry gain per frame (see dryGains()).
  void keepDryGains() { dryGains_.assign(static_cast<std::size_t>(info_.maxBlockFrames), 1.0f); }
  /// render() of a send effect: where this span's dry gains go, `frames` of them.
  float* dryGainsOut() noexcept { return dryGains_.data() + spanStart_; }

 private:
  void applyParameter(int index, float value, bool immediate) noexcept;
  void applyEvent(const Event& event) noexcept;
  // Channel volume and pan (CC7, CC10) for nodes that play notes in stereo.
  void setChannelStrip(int controller, float value) noexcept;
  void applyChannelStrip(float* left, float* right, int frames) noexcept;

  struct ControllerMapping {
    int source = -1;
    int parameter = 0;
    float minimum = 0.0f, maximum = 1.0f;
  };
  const NodeType& type_;
  std::vector<SmoothedValue> parameters_;
  ControllerMapping mappings_[kMaxControllerMappings];
  int mappingCount_ = 0;
  PrepareInfo info_;
  bool prepared_ = false;
  std::vector<float> dryGains_;  // a send effect's, maxBlockFrames long
  int spanStart_ = 0, blockFrames_ = 0;
  std::atomic<int> publishedVoices_{0};
  bool stripActive_ = false;
  float stripVolume_ = 1.0f, stripPan_ = 64.0f / 127.0f;
  float stripTargetLeft_ = 1.0f, stripTargetRight_ = 1.0f, stripLeft_ = 1.0f, stripRight_ = 1.0f;
  float stripCoefficient_ = 1.0f;
};

}  // namespace reverie
