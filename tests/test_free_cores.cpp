// How many threads a render starts by default: the cores this process may use, less those that
// other programs keep busy at a priority that takes a core from a worker.
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "doctest/doctest.h"
#include "engine/free_cores.hpp"
#include "support/command.hpp"

namespace reverie {
namespace {

// A stat line as /proc/PID/task/TID/stat writes it, with the fields the check reads set: the
// state (3), nice (19) and policy (41); the others are plausible numbers.
std::string statLine(const std::string& name, char state, int nice, int policy) {
  std::string line = "4242 (" + name + ") " + state;
  for (int field = 4; field <= 52; ++field) {
    const int value = field == 19 ? nice : field == 41 ? policy : field;
    line += " " + std::to_string(value);
  }
  return line + "\n";
}

// A child process that spins until killed, at a priority of its own.
class Spinner {
 public:
  enum class Priority { kNormal, kNice19, kIdle };
  explicit Spinner(Priority priority) {
    pid_ = fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and the spin.
      if (priority == Priority::kNice19) setpriority(PRIO_PROCESS, 0, 19);
      if (priority == Priority::kIdle) {
        sched_param param{};
        sched_setscheduler(0, SCHED_IDLE, &param);
      }
      volatile unsigned long spin = 0;
      for (;;) spin = spin + 1;
    }
  }
  ~Spinner() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;
  int pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

bool holds(const std::vector<int>& pids, int pid) {
  return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

}  // namespace

TEST_CASE("free cores: a runnable task competes unless it is SCHED_IDLE or nice 10 and up") {
  CHECK(competesForCore(statLine("worker", 'R', 0, SCHED_OTHER)));
  CHECK(competesForCore(statLine("worker", 'R', 9, SCHED_BATCH)));
  CHECK(competesForCore(statLine("jackd", 'R', -20, SCHED_FIFO)));
  CHECK(competesForCore(statLine("audio", 'R', 0, SCHED_RR)));
  CHECK_FALSE(competesForCore(statLine("backup", 'R', 10, SCHED_OTHER)));
  CHECK_FALSE(competesForCore(statLine("fuzzer", 'R', 19, SCHED_OTHER)));
  CHECK_FALSE(competesForCore(statLine("fuzzer", 'R', 0, SCHED_IDLE)));
  CHECK_FALSE(competesForCore(statLine("editor", 'S', 0, SCHED_OTHER)));
  CHECK_FALSE(competesForCore(statLine("disk", 'D', 0, SCHED_OTHER)));
  // A name may hold spaces and parentheses; the fields count from the last ')'.
  CHECK(competesForCore(statLine("a) S 1 (b", 'R', 0, SCHED_OTHER)));
  CHECK_FALSE(competesForCore(statLine("a) R 1 (b", 'S', 0, SCHED_OTHER)));
  // Cut short or garbled: not counted.
  CHECK_FALSE(competesForCore("4242 (cut) R 1 2 3"));
  CHECK_FALSE(competesForCore("no parentheses R"));
  CHECK_FALSE(competesForCore(""));
}

TEST_CASE("free cores: a container's CPU quota, in whole cores rounded up") {
  CHECK(coresOfQuota("200000 100000\n") == 2);  // --cpus=2 (cgroup v2 cpu.max)
  CHECK(coresOfQuota("150000 100000") == 2);    // --cpus=1.5: a second core, part-time
  CHECK(coresOfQuota("50000 100000") == 1);
  CHECK(coresOfQuota("max 100000\n") == 0);     // no quota
  CHECK(coresOfQuota("-1 100000") == 0);        // v1's "no quota"
  CHECK(coresOfQuota("100000000 1000") == 64);  // more than the most threads: 64
  CHECK(coresOfQuota("") == 0);
  CHECK(coresOfQuota("200000") == 0);
  CHECK(coresOfQuota("two cores") == 0);
}

TEST_CASE("free cores: a busy program counts, one at nice 19 or SCHED_IDLE does not") {
  const Spinner normal(Spinner::Priority::kNormal);
  const Spinner niced(Spinner::Priority::kNice19);
  const Spinner idle(Spinner::Priority::kIdle);
  REQUIRE(normal.pid() > 0);
  REQUIRE(niced.pid() > 0);
  REQUIRE(idle.pid() > 0);
  // The children run from their first instruction, but their priority is set a moment after
  // fork: sample until the normal one is seen, then check a few more passes.
  int passes = 0, seenNormal = 0, seenLow = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (passes < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const std::vector<int> pids = competingTasks();
    if (holds(pids, normal.pid())) ++seenNormal;
    if (seenNormal == 0) continue;  // not yet scheduled once
    ++passes;
    if (holds(pids, niced.pid()) || holds(pids, idle.pid())) ++seenLow;
  }
  CHECK(passes == 20);
  CHECK(seenNormal == 20);  // a spinning task is always runnable
  CHECK(seenLow == 0);
  const int free = freeCores();
  CHECK(free >= 1);
  CHECK(free <= allowedCores());
  CHECK(!holds(competingTasks(), static_cast<int>(getpid())));  // never this process's own
}

TEST_CASE("free cores: the affinity mask bounds them, and a render on one core uses one thread") {
  cpu_set_t saved;
  REQUIRE(sched_getaffinity(0, sizeof saved, &saved) == 0);
  int first = 0;
  while (first < CPU_SETSIZE && !CPU_ISSET(first, &saved)) ++first;
  REQUIRE(first < CPU_SETSIZE);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
  const int allowed = allowedCores();
  const int free = freeCores();
  REQUIRE(sched_setaffinity(0, sizeof saved, &saved) == 0);
  CHECK(allowed == 1);
  CHECK(free == 1);
  CHECK(allowedCores() >= 1);
  CHECK(allowedCores() <= std::min(CPU_COUNT(&saved), 64));  // fewer under a CPU quota

  // The command line, started with the same mask by taskset, renders on one thread; left to
  // itself it says how many it chose.
  const test::ScratchFolder folder;
  const std::string args = "render glass-harmonica --length 1 -o one.wav";
  const test::CommandResult pinned =
      test::runReverie(args, folder.path(), "taskset -c " + std::to_string(first));
  REQUIRE(pinned.exitCode == 0);
  CHECK(pinned.err.find("realtime on 1 thread |") != std::string::npos);
  const test::CommandResult chosen = test::runReverie(args + " --threads 2", folder.path());
  REQUIRE(chosen.exitCode == 0);
  CHECK(chosen.err.find("realtime on 2 threads |") != std::string::npos);
}

}  // namespace reverie
