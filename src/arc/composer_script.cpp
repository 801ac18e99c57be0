// The composer's script (control thread): an arc resolved against the graph its patch was built
// into, so that the audio thread finds every section, parameter and scene by index.
#include "arc/composer.hpp"
#include "arc/composer_roles.hpp"
#include "instruments/audience/audience_node.hpp"
#include "instruments/orchestra/brass_node.hpp"
#include "instruments/orchestra/strings_node.hpp"
#include "instruments/orchestra/timpani_node.hpp"
#include "reverie/errors.hpp"

namespace reverie::arc {
namespace {

/// The section a patch node is for the composer, or nothing when its role is kOther.
SectionBinding bindSection(const std::string& name, NodeId id, const Node& node, Role role) {
  SectionBinding b;
  b.name = name;
  b.node = id;
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
  return b;
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
    sectionIndex[spec.name] = static_cast<int>(script->sections.size());
    script->sections.push_back(bindSection(spec.name, id->second, node, role));
  }
  for (const Scene& scene : arc.scenes) {
    SceneProgram program;
    for (const std::string& name : scene.sections) {
      const auto it = sectionIndex.find(name);
      if (it == sectionIndex.end()) continue;
      const Role role = script->sections[static_cast<std::size_t>(it->second)].role;
      program.sections |= std::uint64_t{1} << it->second;
      if (playsChords(role, scene)) program.chords |= std::uint64_t{1} << it->second;
      if (program.lead < 0 && mayLead(role)) program.lead = it->second;
    }
    for (Texture texture : scene.textures) program.textures |= 1u << static_cast<int>(texture);
    for (const Automation& automation : scene.automation) {
      const auto id = ids.find(automation.node);
      if (id == ids.end())
        throw GraphError("automation of '" + automation.node + "': no such node in the patch");
      // The arc parser found the parameter's row by name; here it is only checked.
      const std::size_t rows = graph.node(id->second).parameters().size();
      if (automation.parameterIndex < 0 ||
          static_cast<std::size_t>(automation.parameterIndex) >= rows)
        throw GraphError("automation: node '" + automation.node + "' has no parameter '" +
                         automation.parameter + "'");
      program.automation.push_back({id->second, automation.parameterIndex, automation.curve});
    }
    script->scenes.push_back(std::move(program));
  }
  return script;
}

}  // namespace reverie::arc
