// Test helper: the reverie command run to its end, with its own peak memory.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/command.hpp"

namespace reverie::test {

struct MeasuredRun {
  int exitCode = -1;
  std::string err;
  long peakKilobytes = 0;  ///< reverie's maximum resident set
};

/// Runs `reverie ARGS` in `folder` under GNU time, which reports reverie's own peak memory, its
/// stdout discarded and its stderr kept. Not wait4 on a child forked from the test: Linux
/// carries the peak of that forked copy of the test process over exec, and after the heavier
/// tests the copy alone is over a gigabyte, which would hide reverie's own figure.
/// `addressSpaceBytes`: a cap on reverie's address space (0: none).
inline MeasuredRun runMeasured(const std::vector<std::string>& args,
                               const std::filesystem::path& folder, rlim_t addressSpaceBytes = 0) {
  const std::filesystem::path errPath = folder / ".stderr";
  const std::filesystem::path peakPath = folder / ".peak";
  std::vector<std::string> words = {"/usr/bin/time", "-f", "%M", "-o", peakPath.string(),
                                    REVERIE_CLI_PATH};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  const std::string presets = std::string(REVERIE_SOURCE_DIR) + "/presets";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    if (addressSpaceBytes != 0) {
      const rlimit limit{addressSpaceBytes, addressSpaceBytes};
      setrlimit(RLIMIT_AS, &limit);
    }
    const int err = open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = open("/dev/null", O_WRONLY);
    if (err < 0 || null < 0 || chdir(folder.c_str()) != 0) _exit(126);
    dup2(err, STDERR_FILENO);
    dup2(null, STDOUT_FILENO);
    setenv("REVERIE_PRESET_PATH", presets.c_str(), 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  MeasuredRun run;
  run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;  // time passes reverie's on
  run.err = readText(errPath);
  const std::string peak = readText(peakPath);  // "%M": kilobytes, last line
  const std::size_t lastLine = peak.find_last_of('\n', peak.size() >= 2 ? peak.size() - 2 : 0);
  run.peakKilobytes = std::atol(peak.c_str() + (lastLine == std::string::npos ? 0 : lastLine + 1));
  REQUIRE_MESSAGE(run.peakKilobytes > 0, "GNU time reported no peak: " << peak);
  std::filesystem::remove(errPath);
  std::filesystem::remove(peakPath);
  return run;
}

}  // namespace reverie::test
