// compile(): from the editable graph to a render plan with buffers assigned by liveness.
#include "engine/render_plan.hpp"

#include <algorithm>
#include <cstring>

namespace reverie {

int RenderPlan::findStep(NodeId id) const noexcept {
  const auto it = std::lower_bound(lookup.begin(), lookup.end(), std::pair<NodeId, int>{id, -1});
  return it != lookup.end() && it->first == id ? it->second : -1;
}

bool RenderPlan::queueEvent(int step, const Event& event) noexcept {
  if (pendingCount == kEventsPerBlock) return false;
  pending[static_cast<std::size_t>(pendingCount++)] = {step, event};
  return true;
}

void RenderPlan::sortEvents() noexcept {
  // Counting sort by step keeps arrival order; then insertion sort by frame inside each step,
  // also stable, and cheap because events mostly arrive in time order. With nothing pending,
  // clearEvents() has already left every count at zero.
  if (pendingCount == 0) return;
  for (Step& step : steps) step.eventCount = 0;
  for (int i = 0; i < pendingCount; ++i)
    ++steps[static_cast<std::size_t>(pending[static_cast<std::size_t>(i)].step)].eventCount;
  int first = 0;
  for (Step& step : steps) {
    step.firstEvent = first;
    first += step.eventCount;
    step.eventCount = 0;
  }
  for (int i = 0; i < pendingCount; ++i) {
    const PendingEvent& p = pending[static_cast<std::size_t>(i)];
    Step& step = steps[static_cast<std::size_t>(p.step)];
    Event* group = sortedEvents.data() + step.firstEvent;
    int at = step.eventCount++;
    while (at > 0 && group[at - 1].frame > p.event.frame) {
      group[at] = group[at - 1];
      --at;
    }
    group[at] = p.event;
  }
}

void RenderPlan::clearEvents() noexcept {
  if (pendingCount == 0) return;
  for (Step& step : steps) step.eventCount = 0;
  pendingCount = 0;
}

ProcessBlock RenderPlan::blockOf(const Step& step, int frames) const noexcept {
  ProcessBlock block;
  block.inputs = inputs.data() + step.firstInput;
  block.outputs = outputs.data() + step.firstOutput;
  block.frames = frames;
  block.events = {sortedEvents.data() + step.firstEvent, static_cast<std::size_t>(step.eventCount)};
  return block;
}

int RenderPlan::partsOf(int frames) noexcept {
  return std::clamp(frames / kPartFrames, 1, kMaxParts);
}

void RenderPlan::renderPart(const Step& step, int first, int frames, int blockFrames) noexcept {
  const std::size_t begin = static_cast<std::size_t>(first);
  const std::size_t end = begin + static_cast<std::size_t>(frames);
  for (int m = step.firstMix; m < step.firstMix + step.mixCount; ++m) {
    const InputMix& mix = mixes[static_cast<std::size_t>(m)];
    float* target = buffers[static_cast<std::size_t>(mix.target)];
    const float* firstSource =
        buffers[static_cast<std::size_t>(mixSources[static_cast<std::size_t>(mix.firstSource)])];
    std::memcpy(target + begin, firstSource + begin, (end - begin) * sizeof(float));
    for (int s = 1; s < mix.sourceCount; ++s) {
      const float* source = buffers[static_cast<std::size_t>(
          mixSources[static_cast<std::size_t>(mix.firstSource + s)])];
      for (std::size_t i = begin; i < end; ++i) target[i] += source[i];
    }
  }
  // This part's own pointers and events (sorted by frame); the last part takes the rest.
  ProcessBlock block = blockOf(step, blockFrames);
  const float* in[kMaxPorts];
  float* out[kMaxPorts];
  for (std::size_t i = 0; i < step.node->type().inputs.size(); ++i) in[i] = block.inputs[i] + begin;
  for (std::size_t i = 0; i < step.node->type().outputs.size(); ++i)
    out[i] = block.outputs[i] + begin;
  const auto from = [&](int frame) {
    return std::partition_point(block.events.begin(), block.events.end(), [frame](const Event& e) {
      return static_cast<int>(e.frame) < frame;
    });
  };
  const auto eventsEnd = first + frames >= blockFrames ? block.events.end() : from(first + frames);
  block.events = {from(first), eventsEnd};
  block.inputs = in;
  block.outputs = out;
  block.frames = frames;
  block.firstFrame = first;
  step.node->process(block);
}

std::unique_ptr<RenderPlan> compile(const Graph& graph, int maxBlockFrames, bool parallel) {
  const std::vector<NodeId> order = topologicalOrder(graph);
  const std::size_t n = order.size();

  // Dense indices (graph order = id order) and each node's first input and output slot.
  std::vector<const Graph::Entry*> entries;
  std::vector<NodeId> ids;
  std::vector<int> inputBase(n + 1, 0), outputBase(n + 1, 0);
  for (const auto& [id, entry] : graph.entries()) {
    const std::size_t i = ids.size();
    ids.push_back(id);
    entries.push_back(&entry);
    inputBase[i + 1] = inputBase[i] + static_cast<int>(entry.node->type().inputs.size());
    outputBase[i + 1] = outputBase[i] + static_cast<int>(entry.node->type().outputs.size());
  }
  auto dense = [&](NodeId id) {
    return static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
  };
  std::vector<int> stepOf(n);
  for (std::size_t s = 0; s < n; ++s) stepOf[dense(order[s])] = static_cast<int>(s);

  // Sources of every input slot (compressed rows), and the last step reading each output slot.
  const auto& connections = graph.connections();
  std::vector<int> sourceStart(static_cast<std::size_t>(inputBase[n]) + 1, 0);
  std::vector<int> lastUse(static_cast<std::size_t>(outputBase[n]), -1);
  std::vector<std::pair<int, int>> slots;  // (input slot, output slot) per connection
  slots.reserve(connections.size());
  for (const Connection& c : connections) {
    const std::size_t from = dense(c.from.node), to = dense(c.to.node);
    const int input = inputBase[to] + c.to.port, output = outputBase[from] + c.from.port;
    slots.emplace_back(input, output);
    ++sourceStart[static_cast<std::size_t>(input) + 1];
    lastUse[static_cast<std::size_t>(output)] =
        std::max(lastUse[static_cast<std::size_t>(output)], stepOf[to]);
  }
  for (std::size_t i = 1; i < sourceStart.size(); ++i) sourceStart[i] += sourceStart[i - 1];
  std::vector<int> sources(connections.size());
  {
    std::vector<int> cursor(sourceStart.begin(), sourceStart.end() - 1);
    for (const auto& [input, output] : slots)
      sources[static_cast<std::size_t>(cursor[static_cast<std::size_t>(input)]++)] = output;
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
  std::vector<int> bufferOf(static_cast<std::size_t>(outputBase[n]), 0);  // output slot -> buffer
  std::vector<std::vector<int>> releaseAfter(n);
  std::vector<int> inputBuffers, outputBuffers;
  inputBuffers.reserve(static_cast<std::size_t>(inputBase[n]));
  outputBuffers.reserve(static_cast<std::size_t>(outputBase[n]));
  plan->steps.reserve(n);

  for (std::size_t s = 0; s < n; ++s) {
    const std::size_t i = dense(order[s]);
    const Graph::Entry& entry = *entries[i];
    const NodeType& type = entry.node->type();
    RenderPlan::Step step;
    step.node = entry.node.get();
    step.id = entry.id;
    step.isOutput = type.isOutput;
    step.generatesEvents = type.generatesEvents;
    step.firstInput = static_cast<int>(inputBuffers.size());
    step.firstMix = static_cast<int>(plan->mixes.size());
    for (int input = inputBase[i]; input < inputBase[i + 1]; ++input) {
      const int first = sourceStart[static_cast<std::size_t>(input)];
      const int count = sourceStart[static_cast<std::size_t>(input) + 1] - first;
      if (count == 0) {
        inputBuffers.push_back(0);
      } else if (count == 1) {
        inputBuffers.push_back(
            bufferOf[static_cast<std::size_t>(sources[static_cast<std::size_t>(first)])]);
      } else {
        RenderPlan::InputMix mix;
        mix.target = allocate();
        mix.firstSource = static_cast<int>(plan->mixSources.size());
        mix.sourceCount = count;
        for (int k = first; k < first + count; ++k)
          plan->mixSources.push_back(
              bufferOf[static_cast<std::size_t>(sources[static_cast<std::size_t>(k)])]);
        plan->mixes.push_back(mix);
        inputBuffers.push_back(mix.target);
        releaseAfter[s].push_back(mix.target);
      }
    }
    step.mixCount = static_cast<int>(plan->mixes.size()) - step.firstMix;
    // Outputs are allocated before this step's inputs are released, so they never alias.
    step.firstOutput = static_cast<int>(outputBuffers.size());
    for (int output = outputBase[i]; output < outputBase[i + 1]; ++output) {
      const int buffer = allocate();
      bufferOf[static_cast<std::size_t>(output)] = buffer;
      outputBuffers.push_back(buffer);
      const int last = lastUse[static_cast<std::size_t>(output)];
      releaseAfter[last < 0 ? s : static_cast<std::size_t>(last)].push_back(buffer);
    }
    // A parallel plan never hands a buffer on: a later step could run before this one's readers.
    if (!parallel)
      for (int buffer : releaseAfter[s]) freeBuffers.push_back(buffer);
    if (step.generatesEvents) plan->generatorSteps.push_back(static_cast<int>(plan->steps.size()));
    if (step.isOutput) plan->outputSteps.push_back(static_cast<int>(plan->steps.size()));
    plan->steps.push_back(step);
    plan->owners.push_back(entry.node);
    plan->lookup.emplace_back(entry.id, static_cast<int>(s));
  }
  std::sort(plan->lookup.begin(), plan->lookup.end());

  plan->bufferCount = bufferCount;
  const std::size_t frames = static_cast<std::size_t>(maxBlockFrames);
  plan->memory.assign(static_cast<std::size_t>(bufferCount) * frames, 0.0f);
  for (int b = 0; b < bufferCount; ++b)
    plan->buffers.push_back(plan->memory.data() + static_cast<std::size_t>(b) * frames);
  for (int b : inputBuffers) plan->inputs.push_back(plan->buffers[static_cast<std::size_t>(b)]);
  for (int b : outputBuffers) plan->outputs.push_back(plan->buffers[static_cast<std::size_t>(b)]);
  plan->pending.resize(RenderPlan::kEventsPerBlock);
  plan->sortedEvents.resize(RenderPlan::kEventsPerBlock);

  // Who reads whom, by step: the order of a parallel block.
  std::vector<std::vector<int>> readers(n);
  for (const Connection& c : connections) {
    const int from = stepOf[dense(c.from.node)], to = stepOf[dense(c.to.node)];
    std::vector<int>& list = readers[static_cast<std::size_t>(from)];
    if (std::find(list.begin(), list.end(), to) == list.end()) list.push_back(to);
  }
  std::vector<std::vector<int>> reads(n);
  plan->firstDependent.push_back(0);
  for (std::size_t s = 0; s < n; ++s) {
    std::sort(readers[s].begin(), readers[s].end());
    for (int reader : readers[s]) {
      plan->dependents.push_back(reader);
      reads[static_cast<std::size_t>(reader)].push_back(static_cast<int>(s));
    }
    plan->firstDependent.push_back(static_cast<int>(plan->dependents.size()));
  }
  plan->firstPredecessor.push_back(0);
  for (std::size_t s = 0; s < n; ++s) {
    plan->predecessors.insert(plan->predecessors.end(), reads[s].begin(), reads[s].end());
    plan->firstPredecessor.push_back(static_cast<int>(plan->predecessors.size()));
  }
  plan->parallel = parallel;
  if (parallel) {
    plan->stepState = std::make_unique<std::atomic<std::uint64_t>[]>(n);
    plan->claimOrder = std::make_unique<std::atomic<int>[]>(n);
    plan->stepCost = std::make_unique<std::atomic<float>[]>(n);
    for (std::size_t s = 0; s < n; ++s) {
      plan->claimOrder[s].store(static_cast<int>(s), std::memory_order_relaxed);
      plan->stepCost[s].store(0.0f, std::memory_order_relaxed);
    }
    plan->pathCost.assign(n, 0.0f);
    plan->orderScratch.assign(n, 0);
  }
  return plan;
}

}  // namespace reverie
