// The render workers take the audio thread's realtime priority between blocks, drop it again
// when an ordinary thread renders, and count a refusal where the system will not give it.
// Read from /proc, as `ps -L` would show it, not only from the engine's own counters.
#include <doctest/doctest.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "reverie/engine.hpp"
#include "support/task_scheduling.hpp"

using namespace reverie;

namespace {

constexpr int kPriority = 10;

/// An engine of two synths (steps the workers can take) whose workers record their thread ids.
struct TwoThreadEngine {
  std::mutex mutex;
  std::vector<pid_t> workers;
  Engine engine;

  explicit TwoThreadEngine(std::function<void()> alsoOnStart = {})
      : engine(config(std::move(alsoOnStart))) {
    const NodeId out = engine.graph().add("output", "out");
    for (const char* name : {"a", "b"}) {
      const NodeId synth = engine.graph().add("synth", name);
      engine.graph().connect({synth, 0}, {out, 0});
      engine.graph().connect({synth, 1}, {out, 1});
    }
    engine.commit();
  }

  EngineConfig config(std::function<void()> alsoOnStart) {
    EngineConfig c;
    c.maxBlockFrames = 256;
    c.threads = 2;
    c.onWorkerStart = [this, alsoOnStart] {
      if (alsoOnStart) alsoOnStart();
      const std::lock_guard<std::mutex> lock(mutex);
      workers.push_back(static_cast<pid_t>(syscall(SYS_gettid)));
    };
    return c;
  }

  /// On a thread of its own at `policy` (SCHED_FIFO at kPriority, or SCHED_OTHER), renders
  /// blocks until `done` holds or 5 s have passed; true if `done` held.
  template <class Done>
  bool renderUntil(int policy, Done&& done) {
    bool held = false, scheduled = false;
    std::thread audio([&] {
      sched_param param{};
      param.sched_priority = policy == SCHED_OTHER ? 0 : kPriority;
      scheduled = pthread_setschedparam(pthread_self(), policy, &param) == 0;
      if (!scheduled) return;
      std::array<float, 256> left{}, right{};
      float* out[] = {left.data(), right.data()};
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (!held && std::chrono::steady_clock::now() < until) {
        engine.process(out, 256, {});
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the workers loop
        held = done();
      }
    });
    audio.join();
    REQUIRE_MESSAGE(scheduled, "this test needs realtime scheduling (root, or an rtprio limit of "
                                   << kPriority << ")");
    return held;
  }

  test::TaskScheduling worker() {
    const std::lock_guard<std::mutex> lock(mutex);
    REQUIRE(workers.size() == 1);
    const test::TaskScheduling worker =
        test::taskScheduling("/proc/self/task/" + std::to_string(workers[0]));
    REQUIRE(worker.policy >= 0);  // its stat was read
    return worker;
  }
};

/// Clears CAP_SYS_NICE from the calling thread's effective capabilities (threads hold their
/// own), so only the rtprio limit decides whether it may take a realtime priority.
void dropNiceCapability() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  REQUIRE(syscall(SYS_capget, &header, data) == 0);
  data[CAP_SYS_NICE / 32].effective &= ~(1u << (CAP_SYS_NICE % 32));
  REQUIRE(syscall(SYS_capset, &header, data) == 0);
}

}  // namespace

TEST_CASE("worker priority: workers take a realtime audio thread's priority and give it back") {
  TwoThreadEngine rig;
  const bool followed = rig.renderUntil(SCHED_FIFO, [&] {
    return rig.engine.stats().realtimeWorkers == 1 && rig.worker().policy == SCHED_FIFO;
  });
  const test::TaskScheduling raised = rig.worker();
  const EngineStats stats = rig.engine.stats();
  MESSAGE("under a SCHED_FIFO " << kPriority << " audio thread: worker '" << raised.name
                                << "' policy " << raised.policy << ", priority " << raised.priority
                                << "; engine: " << stats.realtimeWorkers << " of " << stats.workers
                                << " at priority " << stats.audioRealtimePriority);
  CHECK(followed);
  CHECK(raised.name == "reverie-render");
  CHECK(raised.policy == SCHED_FIFO);
  CHECK(raised.priority == kPriority);
  CHECK(stats.workers == 1);
  CHECK(stats.audioRealtimePriority == kPriority);
  CHECK(stats.refusedWorkers == 0);

  // An ordinary thread renders now (another host, or the same one without realtime).
  const bool dropped = rig.renderUntil(SCHED_OTHER, [&] {
    return rig.engine.stats().realtimeWorkers == 0 && rig.worker().policy == SCHED_OTHER;
  });
  const test::TaskScheduling ordinary = rig.worker();
  MESSAGE("under an ordinary audio thread: worker policy " << ordinary.policy << ", priority "
                                                           << ordinary.priority);
  CHECK(dropped);
  CHECK(ordinary.policy == SCHED_OTHER);
  CHECK(ordinary.priority == 0);
  CHECK(rig.engine.stats().audioRealtimePriority == 0);
}

TEST_CASE("worker priority: a refused worker is counted and stays an ordinary thread") {
  // Without CAP_SYS_NICE, the rtprio limit decides: hold it at 0 while the test runs.
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_RTPRIO, &saved) == 0);
  rlimit none = saved;
  none.rlim_cur = 0;
  REQUIRE(setrlimit(RLIMIT_RTPRIO, &none) == 0);
  {
    TwoThreadEngine rig(dropNiceCapability);
    const bool counted =
        rig.renderUntil(SCHED_FIFO, [&] { return rig.engine.stats().refusedWorkers == 1; });
    const test::TaskScheduling worker = rig.worker();
    const EngineStats stats = rig.engine.stats();
    MESSAGE("refused: " << stats.refusedWorkers << " of " << stats.workers << ", worker policy "
                        << worker.policy << "; audio thread at priority "
                        << stats.audioRealtimePriority);
    CHECK(counted);
    CHECK(stats.realtimeWorkers == 0);
    CHECK(stats.audioRealtimePriority == kPriority);
    CHECK(worker.policy == SCHED_OTHER);
  }
  REQUIRE(setrlimit(RLIMIT_RTPRIO, &saved) == 0);
}
