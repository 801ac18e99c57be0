// The engine: publishes compiled plans to the audio thread and renders them, live or offline.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "reverie/event.hpp"
#include "reverie/graph.hpp"
#include "reverie/transport.hpp"

namespace reverie {

struct RenderPlan;
class WorkerPool;
class PlanWork;
class MasterBus;
namespace dsp {
class MasterLimiter;
}
template <typename T>
class SpscQueue;

struct EngineConfig {
  double sampleRate = 48000.0;  ///< 22,050 to 192,000 Hz
  int maxBlockFrames = 4096;    ///< largest block `process` renders in one go (1 to 4096)
  std::uint64_t seed = 1;       ///< feeds every node's random generator
  float ceilingDb = -1.0f;      ///< master true-peak limiter ceiling, dBTP (-60 to 0; NaN: -1)
  /// Threads that render a block: the audio thread and threads - 1 workers started here (1 to
  /// 64). The output is the same, bit for bit, whatever the count.
  int threads = 1;
  /// Called first on each worker thread (when threads > 1): name it, raise its priority to the
  /// audio thread's, or mark it for a test. It may allocate and lock; rendering has not begun.
  std::function<void()> onWorkerStart = {};
  /// How workers wait for the next block (threads > 1). Live, the default: they spin for some
  /// tens of microseconds, yield, then sleep until it comes, so idle cores stay free while
  /// playing. Offline: blocks follow each other at once, so they spin up to 10 ms, never
  /// yielding; a thread that yields or sleeps hands its core to any other runnable program for
  /// a whole time slice (milliseconds, even to one at nice 19), which cost a two-thread render
  /// a third of its speed beside two background jobs. The samples are the same either way.
  bool offline = false;
};

/// Counters the audio thread publishes (read them from any thread).
struct EngineStats {
  std::uint64_t framesRendered = 0;
  std::uint64_t planSwaps = 0;
  std::uint64_t droppedEvents = 0;     ///< event buffers or queues were full
  std::uint64_t nonFiniteSamples = 0;  ///< NaN/Inf replaced by silence at the master
  float limiterGainDb = 0.0f;          ///< current master gain reduction
  /// The render workers (threads - 1) and the audio thread's realtime priority, which they take
  /// between blocks (0 while it is not realtime): how many have it, and how many the system
  /// refused it (they stay ordinary threads, which other programs can hold up mid-block).
  int workers = 0;
  int audioRealtimePriority = 0;
  int realtimeWorkers = 0;
  int refusedWorkers = 0;
};

/// Sees the audio of every node as a block renders, for offline analysis (stems). Its calls come
/// on the audio thread and follow its rules: no allocation, lock or wait.
class RenderObserver {
 public:
  virtual ~RenderObserver() = default;
  /// After the node `id` rendered `block`: its inputs (connections already summed), outputs.
  virtual void nodeRendered(NodeId id, const Node& node, const ProcessBlock& block) noexcept = 0;
  /// After every node: the master bus of the block, before the limiter.
  virtual void busRendered(const float* left, const float* right, int frames) noexcept = 0;
};

class Engine final : public ParameterSink {
 public:
  /// Throws std::invalid_argument for a sample rate or block size out of range.
  explicit Engine(const EngineConfig& config = {});
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineConfig& config() const { return config_; }

  // ---- control thread ----
  /// The graph to edit; edits reach the audio thread at the next `commit`.
  Graph& graph() { return graph_; }
  /// Compiles the graph, prepares new nodes and publishes the plan; the audio thread swaps it
  /// in at its next block boundary. Throws GraphError (and keeps the old plan) on a cycle.
  void commit();
  /// Sends an event to a node, applied at the start of the audio thread's next block.
  bool send(NodeId node, const Event& event);
  /// Frees plans the audio thread has retired. `commit` calls it too.
  void collectGarbage();
  /// Delay the master limiter adds, in frames.
  int latencyFrames() const;
  EngineStats stats() const;
  bool sendParameter(NodeId node, int index, float value) override;
  /// `observer` (or nullptr) sees every block from the next one on. Set it before rendering
  /// starts; it must outlive the blocks it sees.
  void setObserver(RenderObserver* observer) noexcept {
    observer_.store(observer, std::memory_order_release);
  }

  // ---- audio thread ----
  /// Renders `frames` stereo frames into output[0] and output[1]. `events` carry frame offsets
  /// relative to the start of this call. Wait-free: no allocation, lock or system call.
  void process(float* const* output, int frames, std::span<const NodeEvent> events = {}) noexcept;
  /// The outside clock at the first frame of the next `process` (a host's timeline, JACK
  /// transport, MIDI clock, Link). Between calls the engine moves it on by the frames it
  /// renders, so a caller sets it only when the clock says something new.
  void setTransport(const Transport& transport) noexcept { transport_ = transport; }
  const Transport& transport() const noexcept { return transport_; }

 private:
  struct Message;
  void renderChunk(float* left, float* right, int frames, std::span<const NodeEvent> events,
                   int eventOffset) noexcept;
  void drainMessages() noexcept;
  void dispatch(NodeId node, const Event& event) noexcept;

  EngineConfig config_;
  Graph graph_;
  std::unique_ptr<SpscQueue<Message>> toAudio_;
  std::unique_ptr<SpscQueue<RenderPlan*>> retired_;
  std::unique_ptr<MasterBus> master_;
  RenderPlan* current_ = nullptr;  // audio thread
  std::atomic<std::uint64_t> framesRendered_{0};
  std::atomic<std::uint64_t> planSwaps_{0};
  std::atomic<std::uint64_t> droppedEvents_{0};
  std::atomic<std::uint64_t> nonFiniteSamples_{0};
  std::atomic<float> limiterGainDb_{0.0f};
  std::atomic<RenderObserver*> observer_{nullptr};
  Transport transport_;  // audio thread
  // Parallel rendering: the pool, the block's work, and plans swapped out while a worker may
  // still be looking at them (handed back once the workers are quiet).
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<PlanWork> work_;
  std::uint64_t generation_ = 0;
  static constexpr int kMaxDeferred = 8;
  RenderPlan* deferred_[kMaxDeferred] = {};
  std::uint64_t deferredFrom_[kMaxDeferred] = {};  // the first generation that did not use it
  int deferredCount_ = 0;
};

}  // namespace reverie
