// The engine: plan hand-off between threads, event dispatch and the master bus.
#include "reverie/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "dsp/denormals.hpp"
#include "dsp/random.hpp"
#include "engine/master_bus.hpp"
#include "engine/plan_work.hpp"
#include "engine/render_plan.hpp"
#include "engine/spsc_queue.hpp"
#include "reverie/errors.hpp"

namespace reverie {

/// Control -> audio: a new plan, or an event for a node, in the order they were sent.
struct Engine::Message {
  RenderPlan* plan = nullptr;  // non-null: swap this plan in
  NodeId node = kInvalidNode;
  Event event;
};

namespace {

/// The engine's side of EventSink: a generator's events go into the plan like a host's.
class PlanSink final : public EventSink {
 public:
  PlanSink(RenderPlan& plan, std::atomic<std::uint64_t>& dropped, const Transport& transport)
      : plan_(plan), dropped_(dropped), transport_(transport) {}
  bool emit(NodeId node, const Event& event) noexcept override {
    const int step = plan_.findStep(node);
    if (step >= 0 && plan_.queueEvent(step, event)) return true;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const Transport& transport() const noexcept override { return transport_; }

 private:
  RenderPlan& plan_;
  std::atomic<std::uint64_t>& dropped_;
  const Transport& transport_;
};

constexpr std::size_t kMessageCapacity = 8192;
constexpr std::size_t kRetiredCapacity = 256;
constexpr double kLimiterLookaheadSeconds = 0.001;
constexpr double kLimiterReleaseSeconds = 0.08;
constexpr float kLowestCeilingDb = -60.0f;

/// The ceiling the master limiter honours: never above full scale (0 dBTP), never so low that
/// it mutes, and a ceiling that is not a number falls back to the default.
float effectiveCeilingDb(float requestedDb) {
  if (std::isnan(requestedDb)) return EngineConfig{}.ceilingDb;
  return std::clamp(requestedDb, kLowestCeilingDb, 0.0f);
}
}  // namespace

Engine::Engine(const EngineConfig& config) : config_(config) {
  if (!(config.sampleRate >= 22050.0 && config.sampleRate <= 192000.0))
    throw std::invalid_argument("sample rate must be between 22050 and 192000 Hz");
  if (config.maxBlockFrames < 1 || config.maxBlockFrames > 4096)
    throw std::invalid_argument("block size must be between 1 and 4096 frames");
  if (config.threads < 1 || config.threads > 64)
    throw std::invalid_argument("threads must be between 1 and 64");
  toAudio_ = std::make_unique<SpscQueue<Message>>(kMessageCapacity);
  retired_ = std::make_unique<SpscQueue<RenderPlan*>>(kRetiredCapacity);
  config_.ceilingDb = effectiveCeilingDb(config.ceilingDb);
  master_ = std::make_unique<MasterBus>(
      config.sampleRate,
      static_cast<int>(std::lround(kLimiterLookaheadSeconds * config.sampleRate)),
      static_cast<float>(kLimiterReleaseSeconds * config.sampleRate),
      std::pow(10.0f, config_.ceilingDb / 20.0f), config.maxBlockFrames);
  graph_.setParameterSink(this);
  if (config.threads > 1) {
    work_ = std::make_unique<PlanWork>(*master_);
    pool_ = std::make_unique<WorkerPool>(
        config.threads - 1, config.onWorkerStart,
        config.offline ? WorkerPool::Wait::kOffline : WorkerPool::Wait::kLive);
  }
}

Engine::~Engine() {
  // The audio thread has stopped: the workers go first, then every plan still around is ours.
  pool_.reset();
  for (int i = 0; i < deferredCount_; ++i) delete deferred_[i];
  delete current_;
  Message message;
  while (toAudio_->pop(message)) delete message.plan;
  collectGarbage();
}

void Engine::commit() {
  collectGarbage();
  for (const auto& [id, entry] : graph_.entries()) {
    const PrepareInfo info{config_.sampleRate, config_.maxBlockFrames,
                           dsp::mixSeed(config_.seed ^ dsp::hashName(entry.name))};
    if (!entry.node->isPreparedFor(info)) entry.node->prepare(info);
  }
  std::unique_ptr<RenderPlan> plan = compile(graph_, config_.maxBlockFrames, pool_ != nullptr);
  Message message;
  message.plan = plan.get();
  // The control thread may wait; the audio thread never does. A stalled audio thread
  // (nobody calling process) must not hang us forever.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!toAudio_->push(message)) {
    collectGarbage();
    if (std::chrono::steady_clock::now() > deadline)
      throw RuntimeFailure("the audio thread is not taking new plans (is it running?)");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  plan.release();  // owned by the queue now; the audio thread retires it, we free it
  graph_.markAllLive();
}

bool Engine::send(NodeId node, const Event& event) {
  Message message;
  message.node = node;
  message.event = event;
  message.event.frame = 0;
  if (toAudio_->push(message)) return true;
  droppedEvents_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool Engine::sendParameter(NodeId node, int index, float value) {
  Event event;
  event.type = EventType::kParameter;
  event.index = static_cast<std::uint16_t>(index);
  event.value = value;
  return send(node, event);
}

void Engine::collectGarbage() {
  RenderPlan* plan = nullptr;
  while (retired_->pop(plan)) delete plan;
}

int Engine::latencyFrames() const {
  return master_->latencyFrames();
}

EngineStats Engine::stats() const {
  EngineStats s;
  s.framesRendered = framesRendered_.load(std::memory_order_relaxed);
  s.planSwaps = planSwaps_.load(std::memory_order_relaxed);
  s.droppedEvents = droppedEvents_.load(std::memory_order_relaxed);
  s.nonFiniteSamples = nonFiniteSamples_.load(std::memory_order_relaxed);
  s.limiterGainDb = limiterGainDb_.load(std::memory_order_relaxed);
  if (pool_) {
    const WorkerPool::Scheduling scheduling = pool_->scheduling();
    s.workers = pool_->workers();
    s.audioRealtimePriority = scheduling.priority;  // 0 unless realtime
    s.realtimeWorkers = scheduling.following;
    s.refusedWorkers = scheduling.refused;
  }
  return s;
}

// ---------------------------------------------------------------- audio thread

void Engine::process(float* const* output, int frames, std::span<const NodeEvent> events) noexcept {
  dsp::ScopedFlushDenormals flushDenormals;
  for (int done = 0; done < frames;) {
    const int chunk = std::min(frames - done, config_.maxBlockFrames);
    renderChunk(output[0] + done, output[1] + done, chunk, events, done);
    transport_ = transport_.advanced(chunk, config_.sampleRate);
    done += chunk;
  }
  limiterGainDb_.store(20.0f * std::log10(std::max(master_->currentGain(), 1e-6f)),
                       std::memory_order_relaxed);
}

void Engine::drainMessages() noexcept {
  while (const Message* message = toAudio_->front()) {
    if (message->plan != nullptr) {
      // Hand the old plan back first; if the return queue is full, swap next block instead.
      RenderPlan* old = current_;
      RenderPlan* next = message->plan;
      // Events already queued for this block move to the new plan before the old one is
      // handed back (after the push, the control thread may free it at any moment).
      if (old != nullptr) {
        // Swap next block instead, never wait: when the return queue is full, or (in parallel)
        // too many plans wait for the workers to leave them.
        if (pool_ ? deferredCount_ == kMaxDeferred : retired_->full()) return;
        for (int i = 0; i < old->pendingCount; ++i) {
          const RenderPlan::PendingEvent& p = old->pending[static_cast<std::size_t>(i)];
          const int step = next->findStep(old->steps[static_cast<std::size_t>(p.step)].id);
          if (step < 0 || !next->queueEvent(step, p.event))
            droppedEvents_.fetch_add(1, std::memory_order_relaxed);
        }
        old->pendingCount = 0;
        if (pool_) {
          // This block and those after it render the new plan.
          deferred_[deferredCount_] = old;
          deferredFrom_[deferredCount_++] = generation_ + 1;
        } else {
          retired_->push(old);
        }
      }
      current_ = next;
      planSwaps_.fetch_add(1, std::memory_order_relaxed);
    } else {
      dispatch(message->node, message->event);
    }
    toAudio_->popFront();
  }
}

void Engine::dispatch(NodeId node, const Event& event) noexcept {
  const int step = current_ != nullptr ? current_->findStep(node) : -1;
  if (step < 0 || !current_->queueEvent(step, event))
    droppedEvents_.fetch_add(1, std::memory_order_relaxed);
}

void Engine::renderChunk(float* left, float* right, int frames, std::span<const NodeEvent> events,
                         int eventOffset) noexcept {
  // Plans swapped out in parallel go back once no worker can be looking at them.
  // Oldest first: once no worker is inside a block before the first one that did not use it.
  while (deferredCount_ > 0 && !retired_->full() && pool_->quietSince(deferredFrom_[0])) {
    retired_->push(deferred_[0]);
    --deferredCount_;
    for (int i = 0; i < deferredCount_; ++i) {
      deferred_[i] = deferred_[i + 1];
      deferredFrom_[i] = deferredFrom_[i + 1];
    }
  }
  drainMessages();
  RenderObserver* const observer = observer_.load(std::memory_order_acquire);
  if (current_ != nullptr) {
    for (const NodeEvent& e : events) {
      const long frame = static_cast<long>(e.event.frame) - eventOffset;
      if (frame < 0 || frame >= frames) continue;
      Event local = e.event;
      local.frame = static_cast<std::uint32_t>(frame);
      dispatch(e.node, local);
    }
    RenderPlan& plan = *current_;
    // Generators (the composer) write this block's events before anything renders.
    if (!plan.generatorSteps.empty()) {
      PlanSink sink(plan, droppedEvents_, transport_);
      for (int step : plan.generatorSteps)
        plan.steps[static_cast<std::size_t>(step)].node->generate(frames, sink);
    }
    plan.sortEvents();
    master_->begin(&plan, left, right);
    if (plan.parallel) {
      // The steps, and the master bus after them, part by part in any order their inputs allow;
      // every buffer is a step's own, so what each read and wrote is still there to observe.
      work_->begin(plan, frames, ++generation_);
      pool_->run(*work_, generation_);
      if (!PlanWork::masterInParts(frames)) master_->renderPart(0, frames);
      if (observer != nullptr)
        for (const RenderPlan::Step& step : plan.steps)
          observer->nodeRendered(step.id, *step.node, plan.blockOf(step, frames));
    } else {
      // Buffers are reused once read: each step is observed, and summed, as it renders.
      master_->clear(0, frames);
      for (const RenderPlan::Step& step : plan.steps) {
        plan.renderStep(step, frames);
        const ProcessBlock block = plan.blockOf(step, frames);
        if (observer != nullptr) observer->nodeRendered(step.id, *step.node, block);
        if (step.isOutput) master_->add(block.inputs, 0, frames);
      }
      master_->limit(0, frames);
    }
    plan.clearEvents();
  } else {
    master_->begin(nullptr, left, right);
    master_->renderPart(0, frames);
  }
  if (observer != nullptr) observer->busRendered(master_->busLeft(), master_->busRight(), frames);
  if (const std::uint64_t nonFinite = master_->takeNonFinite(); nonFinite != 0)
    nonFiniteSamples_.fetch_add(nonFinite, std::memory_order_relaxed);
  framesRendered_.fetch_add(static_cast<std::uint64_t>(frames), std::memory_order_relaxed);
}

}  // namespace reverie
