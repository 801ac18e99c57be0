// Benchmarks that run `reverie render` as a child: its wall time and peak resident memory.
#include "cli/bench_renders.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "reverie/errors.hpp"

namespace reverie::cli {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// `reverie render ARGS` run as a child process: its wall time and peak resident memory.
struct ChildRender {
  double seconds = 0.0, peakMiB = 0.0;
};

ChildRender runRenderChild(const std::vector<std::string>& arguments) {
  std::vector<std::string> words{"reverie", "render"};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  const auto start = Clock::now();
  const pid_t child = fork();
  if (child < 0) throw RuntimeFailure("bench: cannot fork");
  if (child == 0) {
    const int quiet = open("/dev/null", O_WRONLY);
    dup2(quiet, STDOUT_FILENO);
    dup2(quiet, STDERR_FILENO);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  const double seconds = secondsSince(start);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string command = "reverie render";
    for (const std::string& argument : arguments) command += " " + argument;
    throw RuntimeFailure("bench: '" + command + "' failed; run it to see why");
  }
  return {seconds, static_cast<double>(usage.ru_maxrss) / 1024.0};
}

}  // namespace

/// Long renders of an instrument preset through `reverie render` itself, each in its own
/// process: peak resident memory (which streaming keeps flat) and the realtime factor of the
/// whole command, writing included.
void benchLongRenders(bool eightHours) {
  std::string folder = (std::filesystem::temp_directory_path() / "reverie-bench-XXXXXX").string();
  if (mkdtemp(folder.data()) == nullptr) throw RuntimeFailure("bench: cannot create a folder");
  struct Case {
    const char* what;
    double seconds;
    std::vector<std::string> extra;
  };
  std::vector<Case> cases = {{"10 minutes", 600.0, {}},
                             {"1 hour", 3600.0, {}},
                             {"1 hour, --target-lufs -16", 3600.0, {"--target-lufs", "-16"}}};
  if (eightHours) cases.push_back({"8 hours", 8.0 * 3600.0, {}});
  std::printf(
      "long renders of 'glass-harmonica' to FLAC (24-bit, 48 kHz), each a 'reverie "
      "render' of its own:\n");
  double hourSeconds = 0.0;
  for (const Case& c : cases) {
    std::vector<std::string> arguments = {
        "glass-harmonica",    "--length", std::to_string(c.seconds), "--tail", "0", "-q", "-o",
        folder + "/take.flac"};
    arguments.insert(arguments.end(), c.extra.begin(), c.extra.end());
    const ChildRender child = runRenderChild(arguments);
    if (c.seconds == 3600.0 && c.extra.empty()) hourSeconds = child.seconds;
    std::printf("  %-27s peak memory %6.1f MiB resident (aim < 100), %6.1fx realtime, %.0f s\n",
                c.what, child.peakMiB, c.seconds / child.seconds, child.seconds);
  }
  if (!eightHours)
    std::printf("  (8 hours with 'reverie bench --long': about %.0f more minutes here)\n",
                8.0 * hourSeconds / 60.0);
  std::filesystem::remove_all(folder);
}

/// A batch of takes (`render --seeds`) one at a time and all cores at a time: the throughput.
void benchBatch() {
  const int cores = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 64);
  std::string folder = (std::filesystem::temp_directory_path() / "reverie-bench-XXXXXX").string();
  if (mkdtemp(folder.data()) == nullptr) throw RuntimeFailure("bench: cannot create a folder");
  const std::string seeds = "1-" + std::to_string(2 * cores);
  auto batch = [&](int atOnce) {
    return runRenderChild({"the-performance", "--length", "40", "--seeds", seeds, "--threads",
                           std::to_string(atOnce), "-q", "-o", folder + "/take-{seed}.flac"})
        .seconds;
  };
  const double one = batch(1);
  const double all = batch(cores);
  std::printf(
      "batch, %d takes of 'the-performance' (40 s each) to FLAC: one at a time %.1f s, %d at a "
      "time %.1f s: %.2fx the throughput (aim >= 1.8x on 2 cores)\n",
      2 * cores, one, cores, all, one / all);
  std::filesystem::remove_all(folder);
}

}  // namespace reverie::cli
