// WorkerPool: workers that spin, yield (live only), then sleep on a futex between blocks.
#include "engine/worker_pool.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <climits>

#include "dsp/denormals.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace reverie {
namespace {

// About 20-50 us of spinning, then a few hundred yields, before a worker sleeps: long enough to
// stay awake between the blocks of an offline render and of a callback at 64 frames.
constexpr int kSpins = 4000;
constexpr int kYields = 200;
// Inside a block, looks at the steps before a worker with nothing to claim starts yielding.
constexpr int kSpinsInBlock = 256;
// Offline: how long a worker spins for the next block before it sleeps, and how many spins go
// between looks at the clock.
constexpr auto kOfflineSpin = std::chrono::milliseconds(10);
constexpr int kSpinsPerClockLook = 256;

inline void cpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

void futexWait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr,
          nullptr, 0);
}

void futexWakeAll(std::atomic<std::uint32_t>& word) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the futex word is a plain 32-bit integer");

}  // namespace

WorkerPool::WorkerPool(int workers, std::function<void()> onStart, Wait wait) : wait_(wait) {
  const std::size_t count = static_cast<std::size_t>(workers > 0 ? workers : 0);
  inside_ = std::make_unique<std::atomic<std::uint64_t>[]>(count);
  for (std::size_t i = 0; i < count; ++i) inside_[i].store(0, std::memory_order_relaxed);
  threads_.reserve(count);
  for (int i = 0; i < workers; ++i)
    threads_.emplace_back([this, i, onStart] { workerLoop(i, onStart); });
}

bool WorkerPool::quietSince(std::uint64_t generation) const noexcept {
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    const std::uint64_t inside = inside_[i].load(std::memory_order_seq_cst);
    if (inside != 0 && inside - 1 < generation) return false;
  }
  return true;
}

WorkerPool::~WorkerPool() {
  stop_.store(true, std::memory_order_seq_cst);
  wake_.fetch_add(1, std::memory_order_seq_cst);
  futexWakeAll(wake_);
  for (std::thread& thread : threads_) thread.join();
}

void WorkerPool::run(ParallelWork& work, std::uint64_t generation) noexcept {
  if (!threads_.empty()) {
    work_.store(&work, std::memory_order_seq_cst);
    generation_.store(generation, std::memory_order_seq_cst);
    wake_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) futexWakeAll(wake_);
  }
  // The audio thread works too, and only waits where a worker holds a step it needs.
  while (!work.finished(generation))
    if (!work.runOne(generation)) cpuRelax();
}

void WorkerPool::waitForBlock(std::uint32_t seen) noexcept {
  if (wait_ == Wait::kOffline) {
    const auto until = std::chrono::steady_clock::now() + kOfflineSpin;
    for (int i = 1;; ++i) {
      if (wake_.load(std::memory_order_acquire) != seen) return;
      cpuRelax();
      if (i % kSpinsPerClockLook == 0 && std::chrono::steady_clock::now() >= until) break;
    }
  } else {
    for (int i = 0; i < kSpins; ++i) {
      if (wake_.load(std::memory_order_acquire) != seen) return;
      cpuRelax();
    }
    for (int i = 0; i < kYields; ++i) {
      if (wake_.load(std::memory_order_acquire) != seen) return;
      std::this_thread::yield();
    }
  }
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  // The audio thread bumps wake_ before it reads sleepers_; reading wake_ after announcing
  // ourselves means a block published in between is seen here, or its wake-up reaches us.
  while (wake_.load(std::memory_order_seq_cst) == seen && !stop_.load(std::memory_order_seq_cst))
    futexWait(wake_, seen);
  sleepers_.fetch_sub(1, std::memory_order_seq_cst);
}

void WorkerPool::workerLoop(int worker, const std::function<void()>& onStart) noexcept {
  if (onStart) onStart();
  dsp::ScopedFlushDenormals flushDenormals;  // as the audio thread renders
  std::uint32_t seen = wake_.load(std::memory_order_seq_cst);
  while (!stop_.load(std::memory_order_seq_cst)) {
    waitForBlock(seen);
    seen = wake_.load(std::memory_order_seq_cst);
    if (stop_.load(std::memory_order_seq_cst)) break;
    // Announce before looking: the audio thread frees what a generation used only when no
    // worker announced an older one, so what we read after this stays alive until we leave.
    std::atomic<std::uint64_t>& inside = inside_[static_cast<std::size_t>(worker)];
    inside.store(generation_.load(std::memory_order_seq_cst) + 1, std::memory_order_seq_cst);
    ParallelWork* work = work_.load(std::memory_order_seq_cst);
    const std::uint64_t generation = generation_.load(std::memory_order_seq_cst);
    // Nothing to claim for a while (the audio thread holds the last step, or another program
    // holds our core): live, give the core away between looks rather than spin it; offline,
    // keep it, or the next step waits a time slice for it to come back.
    const int spinsInBlock = wait_ == Wait::kOffline ? INT_MAX : kSpinsInBlock;
    for (int idle = 0; work != nullptr && !work->finished(generation);) {
      if (work->runOne(generation)) {
        idle = 0;
      } else if (idle < spinsInBlock - 1) {
        ++idle;
        cpuRelax();
      } else {
        std::this_thread::yield();
      }
    }
    inside.store(0, std::memory_order_seq_cst);
  }
}

}  // namespace reverie
