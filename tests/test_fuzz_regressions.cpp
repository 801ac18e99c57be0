// Every input kept in tests/fuzz_regressions/ (each crashes a TOML fuzz target), replayed
// through the path the fuzz target takes (fuzz/toml_checks.hpp) in the normal build: each must
// end in a documented error, with no crash, no other exception and no broken promise. Each file
// runs in a child process, so a crash fails its own check instead of ending the whole suite.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "../fuzz/toml_checks.hpp"
#include "support/command.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kRegressions = fs::path(REVERIE_TEST_DATA_DIR) / "fuzz_regressions";

enum ChildExit { kRejected = 0, kAccepted = 10, kViolation = 11, kOtherException = 12 };

// Runs one input in a child process; returns its wait status.
int replay(const fs::path& file, bool isArc) {
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    // A crash is the child's own: doctest's handlers would report it as the parent's test.
    for (const int signal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT})
      std::signal(signal, SIG_DFL);
    int code = kOtherException;
    try {
      const std::string text = reverie::test::readText(file);
      if (isArc) setenv("REVERIE_PRESET_PATH", REVERIE_SOURCE_DIR "/presets", 1);
      const reverie::fuzz::Outcome outcome =
          isArc ? reverie::fuzz::runArc(text, REVERIE_SOURCE_DIR "/presets/arcs/fuzz.toml")
                : reverie::fuzz::runPreset(text);
      if (!outcome.violation.empty())
        std::fprintf(stderr, "broken promise: %s\n", outcome.violation.c_str());
      code = !outcome.violation.empty() ? kViolation : outcome.accepted ? kAccepted : kRejected;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "undocumented exception: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "undocumented exception of an unknown type\n");
    }
    std::fflush(nullptr);
    _exit(code);
  }
  REQUIRE(child > 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  return status;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  switch (WEXITSTATUS(status)) {
    case kRejected:
      return "rejected with a documented error";
    case kAccepted:
      return "accepted (expected a documented error)";
    case kViolation:
      return "broke a promise (see stderr)";
    case kOtherException:
      return "threw an undocumented exception (see stderr)";
    default:
      return "exited with status " + std::to_string(WEXITSTATUS(status));
  }
}

void replayFolder(const std::string& kind) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kRegressions / kind))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE_MESSAGE(!files.empty(), "no regression inputs in " << (kRegressions / kind));
  for (const fs::path& file : files) {
    const std::string name = kind + "/" + file.filename().string();
    const int status = replay(file, kind == "arc");
    const bool rejected = WIFEXITED(status) && WEXITSTATUS(status) == kRejected;
    CHECK_MESSAGE(rejected, name << ": " << describe(status));
  }
}

}  // namespace

TEST_CASE("fuzz regressions: every preset input the fuzzer crashed on is refused cleanly") {
  replayFolder("preset");
}

TEST_CASE("fuzz regressions: every arc input the fuzzer crashed on is refused cleanly") {
  replayFolder("arc");
}
