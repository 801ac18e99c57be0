// Test helper: the reverie command run to its end, with its own peak memory.
#pragma once

#include <doctest/doctest.h>
#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/command.hpp"
#include "support/reverie_process.hpp"

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
  ReverieProcess reverie(args, folder, errPath, "", addressSpaceBytes, -1,
                         {"/usr/bin/time", "-f", "%M", "-o", peakPath.string()});
  REQUIRE(reverie.pid() > 0);
  const Ending ending = reverie.finish(600.0);
  REQUIRE_MESSAGE((ending.exited || ending.signal != 0), "still running after 600 s");
  MeasuredRun run;
  run.exitCode = ending.exited ? ending.code : -1;  // time passes reverie's on
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
