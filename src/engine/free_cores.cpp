// How many threads an offline render starts: the allowed cores (affinity, CPU quota) less
// those that other programs keep runnable at a priority that would take them from a worker.
#include "engine/free_cores.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>

namespace reverie {
namespace {

constexpr int kMostCores = 64;
// Fields of /proc/PID/stat (proc(5)), counted from 1: the state, the nice value, the policy.
constexpr int kStateField = 3;
constexpr int kNiceField = 19;
constexpr int kPolicyField = 41;
// Below this nice value a task takes a worker's core in earnest: nice 10 weighs 110 against a
// worker's 1024, under a tenth of the core.
constexpr long kLowestCompetingNice = 9;
constexpr long kSchedDeadline = 6;  // not named by every libc's <sched.h>
// The samples freeCores averages, and the pause between them.
constexpr int kSamples = 5;
constexpr std::chrono::milliseconds kSamplePause{4};

bool readLong(std::string_view text, long& value) {
  if (text.empty() || text.size() > 20) return false;
  const std::string copy(text);
  char* end = nullptr;
  value = std::strtol(copy.c_str(), &end, 10);
  return end == copy.c_str() + copy.size();
}

bool isNumber(const char* name) {
  if (*name == '\0') return false;
  for (; *name != '\0'; ++name)
    if (*name < '0' || *name > '9') return false;
  return true;
}

// Reads a small file whole; empty when it cannot (the task has gone meanwhile).
std::string readSmallFile(const std::string& path) {
  std::string text;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[1024];
  const ssize_t got = read(fd, buffer, sizeof buffer);
  if (got > 0) text.assign(buffer, static_cast<std::size_t>(got));
  close(fd);
  return text;
}

// Calls visit(pid, stat) for every thread of every process but this one.
template <typename Visit>
void forEachOtherTask(const Visit& visit) {
  DIR* processes = opendir("/proc");
  if (processes == nullptr) return;
  const int self = static_cast<int>(getpid());
  while (const dirent* process = readdir(processes)) {
    if (!isNumber(process->d_name)) continue;
    const int pid = std::atoi(process->d_name);
    if (pid == self) continue;
    const std::string tasksPath = std::string("/proc/") + process->d_name + "/task";
    DIR* tasks = opendir(tasksPath.c_str());
    if (tasks == nullptr) continue;
    while (const dirent* task = readdir(tasks)) {
      if (!isNumber(task->d_name)) continue;
      const std::string stat = readSmallFile(tasksPath + "/" + task->d_name + "/stat");
      if (!stat.empty()) visit(pid, std::string_view(stat));
    }
    closedir(tasks);
  }
  closedir(processes);
}

}  // namespace

std::string_view statField(std::string_view stat, int field) {
  // The name (field 2) sits in parentheses and may hold spaces and ')': fields after it start
  // after the last ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return {};
  std::string_view rest = stat.substr(close + 1);
  for (int index = kStateField;; ++index) {
    const std::size_t begin = rest.find_first_not_of(' ');
    if (begin == std::string_view::npos) return {};
    rest.remove_prefix(begin);
    const std::size_t end = std::min(rest.find(' '), rest.size());
    if (index == field) return rest.substr(0, end);
    rest.remove_prefix(end);
  }
}

int coresOfQuota(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return 0;
  long quota = 0, period = 0;
  if (!readLong(text.substr(0, space), quota) || !readLong(text.substr(space + 1), period))
    return 0;  // "max 100000": no quota
  if (quota <= 0 || period <= 0) return 0;
  return static_cast<int>(std::min<long>((quota + period - 1) / period, kMostCores));
}

int allowedCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cores = 0;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
  if (cores <= 0) cores = static_cast<int>(std::thread::hardware_concurrency());
  // A container's quota, as its own cgroup namespace shows it at the root: v2, then v1.
  int quota = coresOfQuota(readSmallFile("/sys/fs/cgroup/cpu.max"));
  if (quota == 0) {
    const std::string v1 = readSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
    if (!v1.empty())
      quota = coresOfQuota(v1.substr(0, v1.find('\n')) + " " +
                           readSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
  }
  if (quota > 0) cores = std::min(cores, quota);
  return std::clamp(cores, 1, kMostCores);
}

bool competesForCore(std::string_view stat) {
  if (statField(stat, kStateField) != "R") return false;
  long nice = 0, policy = 0;
  if (!readLong(statField(stat, kNiceField), nice) ||
      !readLong(statField(stat, kPolicyField), policy))
    return false;
  if (policy == SCHED_IDLE) return false;
  const bool realTime = policy == SCHED_FIFO || policy == SCHED_RR || policy == kSchedDeadline;
  return realTime || nice <= kLowestCompetingNice;
}

std::vector<int> competingTasks() {
  std::vector<int> pids;
  forEachOtherTask([&](int pid, std::string_view stat) {
    if (competesForCore(stat)) pids.push_back(pid);
  });
  return pids;
}

int freeCores() {
  const int allowed = allowedCores();
  if (allowed == 1) return 1;
  std::size_t busy = 0;
  for (int i = 0; i < kSamples; ++i) {
    if (i > 0) std::this_thread::sleep_for(kSamplePause);
    busy += competingTasks().size();
  }
  const long meanBusy = std::lround(static_cast<double>(busy) / kSamples);
  return static_cast<int>(std::clamp<long>(allowed - meanBusy, 1, allowed));
}

}  // namespace reverie
