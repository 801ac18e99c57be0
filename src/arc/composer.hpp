// The composer: an event-generating node that performs an arc on a patch's sections.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
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

/// Composer parameters by index, for hosts that drive it live.
namespace composer_parameter {
enum : int { kTensionSource = 0, kLiveTension, kAdvance, kAdvanceNote, kAdvanceController };
/// The choices of kTensionSource: the arc's tension curve, or live_tension.
enum TensionSource : int { kScriptTension, kLiveTensionSource };
}  // namespace composer_parameter

}  // namespace reverie::arc
