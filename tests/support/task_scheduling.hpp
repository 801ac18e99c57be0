// Test helper: the scheduling of a process's threads, as /proc (and `ps -L`) shows it.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "engine/free_cores.hpp"

namespace reverie::test {

/// A thread's name, scheduling policy (SCHED_OTHER 0, SCHED_FIFO 1, ...) and realtime priority,
/// -1 where its stat could not be read.
struct TaskScheduling {
  std::string name;
  int policy = -1;
  int priority = -1;
};

/// The thread whose /proc folder is `task` (/proc/PID/task/TID).
inline TaskScheduling taskScheduling(const std::filesystem::path& task) {
  TaskScheduling s;
  std::ifstream(task / "comm") >> s.name;
  std::ifstream file(task / "stat");
  const std::string stat((std::istreambuf_iterator<char>(file)), {});
  const std::string priority(statField(stat, 40)), policy(statField(stat, 41));
  if (!priority.empty() && !policy.empty()) {
    s.priority = std::stoi(priority);
    s.policy = std::stoi(policy);
  }
  return s;
}

/// Every thread of process `pid` (of this process: "self").
inline std::vector<TaskScheduling> threadsOf(const std::string& pid) {
  std::vector<TaskScheduling> tasks;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + pid + "/task", error))
    tasks.push_back(taskScheduling(entry.path()));
  return tasks;
}

}  // namespace reverie::test
