// WorkerPool: workers that spin, yield (live only), then sleep on a futex between blocks.
#include "engine/worker_pool.hpp"

#include <linux/futex.h>
#include <sched.h>
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
// How often the audio thread looks at its own scheduling again (see noteAudioThread).
constexpr int kBlocksBetweenNotes = 256;

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

// The audio thread's note (audioScheduling_): a count of the notes taken in the high 32 bits,
// so each note differs from the last, the policy in bits 16-31, the priority in bits 0-15.
int policyOf(std::uint64_t note) {
  return static_cast<int>((note >> 16) & 0xFFFF);
}
int priorityOf(std::uint64_t note) {
  return static_cast<int>(note & 0xFFFF);
}

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

void WorkerPool::noteAudioThread() noexcept {
  // pthread_self reads a register. The two system calls (they neither lock, allocate nor wait)
  // come with a new audio thread, and every kBlocksBetweenNotes blocks, for a thread whose
  // priority changed while it ran, or a new one given the last one's descriptor (glibc reuses
  // them). The audio thread alone writes the note, so it reads its own last one back.
  const std::uint64_t last = audioScheduling_.load(std::memory_order_relaxed);
  const pthread_t self = pthread_self();
  if (last != 0 && pthread_equal(self, audioThread_) && ++blocksSinceNote_ < kBlocksBetweenNotes)
    return;
  audioThread_ = self;
  blocksSinceNote_ = 0;
  const int policy = sched_getscheduler(0);
  sched_param param{};
  const bool realTime =
      (policy == SCHED_FIFO || policy == SCHED_RR) && sched_getparam(0, &param) == 0;
  const std::uint32_t scheduling = realTime
                                       ? std::uint32_t(static_cast<std::uint16_t>(policy)) << 16 |
                                             static_cast<std::uint16_t>(param.sched_priority)
                                       : std::uint32_t{SCHED_OTHER} << 16;
  if (last != 0 && static_cast<std::uint32_t>(last) == scheduling) return;
  audioScheduling_.store(((last >> 32) + 1) << 32 | scheduling, std::memory_order_release);
}

void WorkerPool::followAudioThread(std::uint64_t& followed, Standing& standing) noexcept {
  const std::uint64_t note = audioScheduling_.load(std::memory_order_acquire);
  if (note == followed) return;
  followed = note;
  const int policy = policyOf(note);
  sched_param param{};
  param.sched_priority = priorityOf(note);
  if (policy == SCHED_FIFO || policy == SCHED_RR) {
    // sched_setscheduler with 0 sets the calling thread on Linux.
    if (sched_setscheduler(0, policy, &param) == 0) {
      if (standing != Standing::kRaised) following_.fetch_add(1, std::memory_order_relaxed);
      if (standing == Standing::kRefused) refused_.fetch_sub(1, std::memory_order_relaxed);
      standing = Standing::kRaised;
    } else if (standing == Standing::kOrdinary) {  // raised before: it keeps that priority
      refused_.fetch_add(1, std::memory_order_relaxed);
      standing = Standing::kRefused;
    }
    return;
  }
  // The audio thread is an ordinary one now: so are we.
  if (standing == Standing::kRaised) {
    param.sched_priority = 0;
    sched_setscheduler(0, SCHED_OTHER, &param);
    following_.fetch_sub(1, std::memory_order_relaxed);
  } else if (standing == Standing::kRefused) {
    refused_.fetch_sub(1, std::memory_order_relaxed);
  }
  standing = Standing::kOrdinary;
}

WorkerPool::Scheduling WorkerPool::scheduling() const noexcept {
  const std::uint64_t note = audioScheduling_.load(std::memory_order_acquire);
  Scheduling s;
  s.priority = priorityOf(note);
  s.following = following_.load(std::memory_order_relaxed);
  s.refused = refused_.load(std::memory_order_relaxed);
  return s;
}

void WorkerPool::run(ParallelWork& work, std::uint64_t generation) noexcept {
  if (!threads_.empty()) {
    noteAudioThread();
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
  pthread_setname_np(pthread_self(), "reverie-render");  // as top -H and ps -L show it
  if (onStart) onStart();
  dsp::ScopedFlushDenormals flushDenormals;  // as the audio thread renders
  std::uint32_t seen = wake_.load(std::memory_order_seq_cst);
  std::uint64_t followed = 0;
  Standing standing = Standing::kOrdinary;
  while (!stop_.load(std::memory_order_seq_cst)) {
    // Between blocks, holding no step: the only place a worker makes system calls of its own.
    followAudioThread(followed, standing);
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
