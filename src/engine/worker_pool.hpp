// A fixed pool of threads that help the audio thread render the independent steps of a block.
//
// The audio thread publishes a block (a new generation) and renders steps itself; each worker
// that is awake claims steps (or parts of a long block's steps, see RenderPlan::kPartFrames)
// the same way, one at a time, by a compare-exchange on the step's state tagged with the
// generation, so a worker that wakes late can never touch a later block.
// The audio thread never waits for a step nobody has claimed: it runs it. It waits only for a
// step a worker is rendering at that moment, and a worker never allocates, locks or waits while
// it holds one.
//
// Live, idle workers spin for a while (the next block usually comes within a period), then
// yield, then sleep on a futex that the audio thread wakes with one system call per block when
// someone sleeps. Spinning costs a core while playing; the gain is a worker already awake when
// the callback starts, which is what the live callback's worst case needs. Offline the next
// block comes at once: workers spin up to 10 ms between blocks and never yield inside one,
// since a yield or a sleep gives the core to any other runnable program for a time slice.
//
// Workers run at the audio thread's priority. A realtime audio thread (JACK's, a DAW's) waits
// for a step a worker holds; were the worker an ordinary thread, any other program could take
// its core in the middle of that step and the callback would be late. So the audio thread
// notes its scheduling (two system calls, when a new thread runs a block and every 256 blocks)
// and each worker, between blocks, takes the same realtime policy and priority, or its own
// back when the audio thread is not realtime. Where the system refuses it (no realtime
// allowance), the worker keeps its own and counts the refusal (see scheduling()).
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace reverie {

/// The work of one block, shared by the audio thread and the workers.
class ParallelWork {
 public:
  virtual ~ParallelWork() = default;
  /// Claims and runs one ready task of `generation`; false when none was claimable now (all
  /// claimed, or waiting for others, or the generation has passed).
  virtual bool runOne(std::uint64_t generation) noexcept = 0;
  /// True once every task of `generation` is done (or the generation has passed).
  virtual bool finished(std::uint64_t generation) const noexcept = 0;
};

class WorkerPool {
 public:
  /// How an idle worker waits (see the top of this file).
  enum class Wait { kLive, kOffline };
  /// Control thread: starts `workers` threads (0: the audio thread renders alone).
  explicit WorkerPool(int workers, std::function<void()> onStart = {}, Wait wait = Wait::kLive);
  /// Control thread, once the audio thread has stopped: stops and joins the workers.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int workers() const { return static_cast<int>(threads_.size()); }

  /// Whether the workers follow the audio thread's realtime priority (any thread).
  struct Scheduling {
    int priority = 0;   ///< the audio thread's realtime priority (0 when not realtime)
    int following = 0;  ///< workers at that realtime policy and priority now
    int refused = 0;    ///< workers the system would not give it
  };
  Scheduling scheduling() const noexcept;

  // ---- audio thread ----
  /// Runs `generation` of `work` here and on every worker that is free; returns when it is done.
  void run(ParallelWork& work, std::uint64_t generation) noexcept;
  /// True when no worker can still be looking at the work of a generation before `generation`:
  /// each one is between blocks, or in `generation` or a later one. What only earlier blocks
  /// used may then be freed.
  bool quietSince(std::uint64_t generation) const noexcept;

 private:
  void workerLoop(int worker, const std::function<void()>& onStart) noexcept;
  void waitForBlock(std::uint32_t seen) noexcept;
  void noteAudioThread() noexcept;
  /// A worker's standing against the audio thread's realtime priority.
  enum class Standing { kOrdinary, kRaised, kRefused };
  void followAudioThread(std::uint64_t& followed, Standing& standing) noexcept;

  std::vector<std::thread> threads_;
  std::atomic<ParallelWork*> work_{nullptr};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint32_t> wake_{0};  // the futex word: bumped once per block
  std::atomic<int> sleepers_{0};
  // Per worker: 0 between blocks; else 1 + a generation read before it looked at work_, so no
  // older than the block it works on.
  std::unique_ptr<std::atomic<std::uint64_t>[]> inside_;
  std::atomic<bool> stop_{false};
  Wait wait_ = Wait::kLive;
  // The audio thread's scheduling as it last noted it (see worker_pool.cpp); 0 before the
  // first block.
  std::atomic<std::uint64_t> audioScheduling_{0};
  // Audio thread only: the last thread that ran a block, and the blocks since it looked at its
  // scheduling.
  pthread_t audioThread_{};
  int blocksSinceNote_ = 0;
  std::atomic<int> following_{0};
  std::atomic<int> refused_{0};
};

}  // namespace reverie
