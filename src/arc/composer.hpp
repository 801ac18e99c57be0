// The composer: an event-generating node that performs an arc on a patch's sections.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reverie/arc.hpp"
#include "reverie/graph.hpp"

namespace reverie::arc {

/// What a patch node does for the composer: its type's role (NodeType::role), or kClock for
/// the node the arc names as its clock.
using Role = NodeRole;

/// A patch node the composer writes to, with the parameters it drives (-1 where absent).
struct SectionBinding {
  std::string name;
  NodeId node = kInvalidNode;
  Role role = Role::kOther;
  int tremolo = -1, tremoloRate = -1, articulation = -1, pattern = -1, heartRate = -1;
  int murmur = -1, applause = -1, cheers = -1, coughs = -1, whispers = -1;
  /// The audience's coughs and whispers per minute as the patch sets them: heard while it
  /// murmurs, hushed otherwise.
  float coughRate = 0.0f, whisperRate = 0.0f;
  /// Where the section voices chords: the bass at or above `bassLow`, the other tones in
  /// [low, high]. bassLow = 0: the section plays no chords.
  int bassLow = 0, low = 0, high = 0;
};

struct AutomationBinding {
  NodeId node = kInvalidNode;
  int parameter = 0;
  Curve curve;
};

/// One scene resolved against the graph: which sections play, with what.
struct SceneProgram {
  std::uint64_t sections = 0;  ///< bit i: section i plays
  std::uint64_t chords = 0;    ///< bit i: section i plays the scene's chords
  std::uint32_t textures = 0;  ///< bit per Texture
  int lead = -1;               ///< the section that states the theme, or -1
  std::vector<AutomationBinding> automation;
  bool has(Texture t) const noexcept { return (textures >> static_cast<int>(t)) & 1u; }
  bool plays(int section) const noexcept { return (sections >> section) & 1u; }
  bool playsChords(int section) const noexcept { return (chords >> section) & 1u; }
};

/// Everything the composer reads on the audio thread, built once on the control thread.
struct ComposerScript {
  Arc arc;
  std::vector<SectionBinding> sections;  ///< at most 64
  std::vector<SceneProgram> scenes;
};

/// Resolves an arc against the graph its patch was built into (`ids` from buildGraph).
/// Throws GraphError if the patch has more than 64 playing nodes.
std::shared_ptr<const ComposerScript> makeComposerScript(const Arc& arc, const Graph& graph,
                                                         const std::map<std::string, NodeId>& ids);

/// Gives a composer node (type "composer") its script. Control thread, before the plan that
/// holds the node is published.
void setComposerScript(Node& composer, std::shared_ptr<const ComposerScript> script);

/// Any thread: the scene a composer is performing (the scene count once its arc has ended).
int composerScene(const Node& composer);
/// The thread that runs the composer (offline): the frame its last scene ended on, or nothing
/// while it plays; and the frame the scene it plays started on.
std::optional<std::uint64_t> composerEndFrame(const Node& composer);
std::uint64_t composerSceneStart(const Node& composer);

/// Composer parameters by index, for hosts that drive it live (MIDI, OSC). Every one takes
/// effect at the start of the composer's next block; a cue list (setComposerCues) does the same
/// things on exact frames.
namespace composer_parameter {
enum : int {
  kTensionSource = 0,
  kLiveTension,
  kAdvance,  ///< rising past 0.5: the next scene, at the scene's exit point
  kAdvanceNote,
  kAdvanceController,
  kHold,     ///< a HoldMode: scenes hold as the arc says, all hold, or none does
  kStinger,  ///< set to 1 + a Stinger: fires it (every time it is set), then reads 0 again
  kGoto,     ///< set to 1 + a scene index: goes there at the scene's exit point, then reads 0
  kPlay,     ///< 1: the composer plays; 0: it releases its notes and waits, deciding nothing
};
/// The choices of kTensionSource: the arc's tension curve, or live_tension.
enum TensionSource : int { kScriptTension, kLiveTensionSource };
/// The choices of kHold: "arc" (each scene's hold key), "on" (the scene playing and every
/// later one holds until cued), "off" (none holds: a held scene ends at its next exit point
/// once its bars are played).
enum HoldMode : int { kHoldAsArc, kHoldOn, kHoldOff };
}  // namespace composer_parameter

/// What a cue does (a line of a cue file, or a live control).
enum class CueAction : std::uint8_t {
  kNext,           ///< the next scene, at the playing scene's exit point
  kGoto,           ///< scene `value`, at the playing scene's exit point
  kHold,           ///< hold mode `value` (composer_parameter::HoldMode)
  kStinger,        ///< fire Stinger `value`, quantised as the arc says
  kTension,        ///< live tension `amount`, and tension from live
  kTensionSource,  ///< tension from composer_parameter::TensionSource `value`
};

/// One cue for an offline performance: at an absolute frame, or at a beat of the performance
/// as played (bar 0 beat 0 = the start; bars are counted across scenes, a scene cut short on a
/// beat counting its last bar whole).
struct ComposerCue {
  bool atBeat = false;
  std::uint64_t frame = 0;  ///< when !atBeat
  int bar = 0, beat = 0;    ///< when atBeat, from 0
  CueAction action = CueAction::kNext;
  int value = 0;
  float amount = 0.0f;
};

/// Gives a composer its cues (any order; equal times keep their order). Control thread,
/// before the node is published; every render of the node replays them.
void setComposerCues(Node& composer, std::vector<ComposerCue> cues);

}  // namespace reverie::arc
