// buildArc: the patch's graph plus a composer node holding the resolved script.
#include "arc/arc_setup.hpp"

#include "arc/composer.hpp"

namespace reverie::arc {

ArcNodes buildArc(const Arc& arc, Graph& graph, std::string_view namePrefix) {
  ArcNodes nodes;
  nodes.ids = buildGraph(arc.patch, graph, namePrefix);
  std::string name = std::string(namePrefix) + "composer";
  while (graph.find(name) != kInvalidNode) name = "arc-" + name;
  nodes.composer = graph.add("composer", name);
  setComposerScript(graph.node(nodes.composer), makeComposerScript(arc, graph, nodes.ids));
  return nodes;
}

double arcSeconds(const Arc& arc) {
  double seconds = 0.0;
  // A held scene lasts until its cue; uncued, as long as its hold allows.
  for (const Scene& scene : arc.scenes)
    seconds += barSeconds(arc, scene) *
               (scene.hold && scene.holdMaxBars > 0 ? scene.holdMaxBars : scene.bars);
  return seconds + arc.tailSeconds;
}

}  // namespace reverie::arc
