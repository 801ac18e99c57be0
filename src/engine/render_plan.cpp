// compile(): from the editable graph to a render plan with buffers assigned by liveness.
#include "engine/render_plan.hpp"

#include <algorithm>
#include <map>

namespace reverie {

int RenderPlan::findStep(NodeId id) const noexcept {
  std::size_t lo = 0, hi = lookup.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (lookup[mid].first < id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < lookup.size() && lookup[lo].first == id ? lookup[lo].second : -1;
}

std::unique_ptr<RenderPlan> compile(const Graph& graph, int maxBlockFrames) {
  const std::vector<NodeId> order = topologicalOrder(graph);
  std::map<NodeId, int> stepOf;
  for (std::size_t i = 0; i < order.size(); ++i) stepOf[order[i]] = static_cast<int>(i);

  // Readers of each output port, and the step after which its buffer can be reused.
  std::map<std::pair<NodeId, int>, std::vector<PortRef>> sourcesOf;  // input port -> outputs
  std::map<std::pair<NodeId, int>, int> lastUse;                     // output port -> step
  for (const Connection& c : graph.connections()) {
    sourcesOf[{c.to.node, c.to.port}].push_back(c.from);
    int& last = lastUse[{c.from.node, c.from.port}];
    last = std::max(last, stepOf[c.to.node]);
  }

  auto plan = std::make_unique<RenderPlan>();
  plan->maxBlockFrames = maxBlockFrames;
  std::vector<int> freeBuffers;
  int bufferCount = 1;  // buffer 0: silence
  auto allocate = [&]() {
    if (freeBuffers.empty()) return bufferCount++;
    const int b = freeBuffers.back();
    freeBuffers.pop_back();
    return b;
  };
  std::map<std::pair<NodeId, int>, int> bufferOf;  // output port -> buffer
  std::vector<std::vector<int>> releaseAfter(order.size());
  std::vector<int> inputBuffers, outputBuffers;

  for (std::size_t s = 0; s < order.size(); ++s) {
    const NodeId id = order[s];
    const Graph::Entry& entry = graph.entry(id);
    const NodeType& type = entry.node->type();
    RenderPlan::Step step;
    step.node = entry.node.get();
    step.id = id;
    step.isOutput = type.isOutput;
    step.firstInput = static_cast<int>(inputBuffers.size());
    step.firstMix = static_cast<int>(plan->mixes.size());
    step.firstEvent = static_cast<int>(s) * RenderPlan::kEventsPerNode;
    for (int port = 0; port < static_cast<int>(type.inputs.size()); ++port) {
      const auto found = sourcesOf.find({id, port});
      if (found == sourcesOf.end()) {
        inputBuffers.push_back(0);
      } else if (found->second.size() == 1) {
        inputBuffers.push_back(bufferOf.at({found->second[0].node, found->second[0].port}));
      } else {
        RenderPlan::InputMix mix;
        mix.target = allocate();
        mix.firstSource = static_cast<int>(plan->mixSources.size());
        mix.sourceCount = static_cast<int>(found->second.size());
        for (const PortRef& source : found->second)
          plan->mixSources.push_back(bufferOf.at({source.node, source.port}));
        plan->mixes.push_back(mix);
        inputBuffers.push_back(mix.target);
        releaseAfter[s].push_back(mix.target);
      }
    }
    step.mixCount = static_cast<int>(plan->mixes.size()) - step.firstMix;
    // Outputs are allocated before this step's inputs are released, so they never alias.
    step.firstOutput = static_cast<int>(outputBuffers.size());
    for (int port = 0; port < static_cast<int>(type.outputs.size()); ++port) {
      const int buffer = allocate();
      bufferOf[{id, port}] = buffer;
      outputBuffers.push_back(buffer);
      const auto use = lastUse.find({id, port});
      releaseAfter[use == lastUse.end() ? s : static_cast<std::size_t>(use->second)].push_back(buffer);
    }
    for (int buffer : releaseAfter[s]) freeBuffers.push_back(buffer);
    plan->steps.push_back(step);
    plan->owners.push_back(entry.node);
    plan->lookup.emplace_back(id, static_cast<int>(s));
  }
  std::sort(plan->lookup.begin(), plan->lookup.end());

  plan->bufferCount = bufferCount;
  plan->memory.assign(static_cast<std::size_t>(bufferCount) * static_cast<std::size_t>(maxBlockFrames), 0.0f);
  for (int b = 0; b < bufferCount; ++b)
    plan->buffers.push_back(plan->memory.data() + static_cast<std::size_t>(b) * static_cast<std::size_t>(maxBlockFrames));
  for (int b : inputBuffers) plan->inputs.push_back(plan->buffers[static_cast<std::size_t>(b)]);
  for (int b : outputBuffers) plan->outputs.push_back(plan->buffers[static_cast<std::size_t>(b)]);
  plan->events.resize(order.size() * RenderPlan::kEventsPerNode);
  return plan;
}

}  // namespace reverie
