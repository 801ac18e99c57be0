// How many threads an offline render should start: the cores this process may run on, less
// those other programs keep busy at a priority that would take the core from a worker.
#pragma once

#include <string_view>
#include <vector>

namespace reverie {

/// The cores this process may run on: its CPU affinity (taskset, a container's cpuset), or
/// every online core when that cannot be read, and no more than a CPU quota allows (a container
/// started with --cpus; cgroup v2 cpu.max or v1 cpu.cfs_quota_us); 1 to 64.
int allowedCores();

/// The whole cores a cgroup CPU quota grants, rounded up: "150000 100000" (v2 cpu.max, or v1's
/// quota and period) is 2; 0 for no quota ("max", -1) or text that is not a quota.
int coresOfQuota(std::string_view quotaAndPeriod);

/// Field `field` of a /proc/PID/stat or /proc/PID/task/TID/stat line, counted as proc(5) counts
/// them (3 the state, 40 the realtime priority, 41 the policy); empty when the line is shorter.
/// The name (field 2) may hold spaces and ')': the fields after it are found after the last ')'.
std::string_view statField(std::string_view stat, int field);

/// Whether a task whose /proc/PID/task/TID/stat reads `stat` keeps a core busy against an
/// offline render: runnable (state R) and not SCHED_IDLE, at nice below 10 or in a real-time
/// class. A worker at nice 0 keeps almost all of its core beside a task at nice 10 or more
/// (weight 110 or less against 1024) or a SCHED_IDLE one, so those do not count.
bool competesForCore(std::string_view stat);

/// The process ids of the tasks (threads) that competesForCore now, other than this process's
/// own, each once per thread; from one pass over /proc (empty where /proc cannot be read).
std::vector<int> competingTasks();

/// allowedCores() less the cores the competing tasks keep busy (the mean of a few samples a
/// few milliseconds apart), at least 1. Unlike the load average, this neither counts the
/// previous render (a minute's average keeps it for a minute, so a script's second render
/// started on one thread) nor background jobs at low priority.
int freeCores();

}  // namespace reverie
