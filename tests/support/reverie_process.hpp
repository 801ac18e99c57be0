// Test helper: the reverie command as a child process the test can signal, and wait for.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace reverie::test {

/// How a child ended: its exit code, the signal that killed it, or neither if it had to be
/// killed for hanging.
struct Ending {
  bool exited = false;
  int code = -1;
  int signal = 0;
  double seconds = 0.0;  ///< from the call to finish() to its end
};

/// The reverie command started directly, without a shell (a shell would ignore SIGINT for a
/// background job), with stderr in a file outside its working folder and no terminal.
class ReverieProcess {
 public:
  /// `stdoutDescriptor`: where its standard output goes (-1: /dev/null). `launcher`: a command
  /// (absolute path first) that runs reverie, such as GNU time; none by default.
  ReverieProcess(const std::vector<std::string>& args, const std::filesystem::path& folder,
                 const std::filesystem::path& errFile, const std::string& presetPath = "",
                 rlim_t addressSpaceBytes = 0, int stdoutDescriptor = -1,
                 const std::vector<std::string>& launcher = {}) {
    const std::string path =
        std::string(REVERIE_SOURCE_DIR) + "/presets" + (presetPath.empty() ? "" : ":" + presetPath);
    std::vector<std::string> argv = launcher;
    argv.push_back(REVERIE_CLI_PATH);
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> pointers;
    for (std::string& a : argv) pointers.push_back(a.data());
    pointers.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec.
      const int in = open("/dev/null", O_RDONLY);
      const int err = open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || err < 0 || chdir(folder.c_str()) != 0) _exit(127);
      dup2(in, STDIN_FILENO);
      dup2(stdoutDescriptor >= 0 ? stdoutDescriptor : in, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      setenv("REVERIE_PRESET_PATH", path.c_str(), 1);
      for (int s : {SIGINT, SIGTERM, SIGHUP}) ::signal(s, SIG_DFL);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      if (addressSpaceBytes != 0) {
        const rlimit limit{addressSpaceBytes, addressSpaceBytes};
        setrlimit(RLIMIT_AS, &limit);
      }
      execv(pointers[0], pointers.data());
      _exit(127);
    }
  }
  ~ReverieProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ReverieProcess(const ReverieProcess&) = delete;
  ReverieProcess& operator=(const ReverieProcess&) = delete;

  pid_t pid() const { return pid_; }

  void send(int signal) const {
    if (pid_ > 0) kill(pid_, signal);
  }

  /// Sends `signal` `afterMs` milliseconds after the child has its own handler for it (as
  /// /proc/PID/status shows it), so it reaches the command and not the default action.
  /// Starting a process takes a varying while on a loaded machine: a test that signals after a
  /// fixed delay from the start can find it still loading its libraries. False, sending
  /// nothing, if no handler appears within 20 s.
  bool sendOnceCaught(int signal, int afterMs) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    const std::uint64_t bit = std::uint64_t{1} << (signal - 1);
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
      for (std::string line; std::getline(status, line);) {
        if (line.rfind("SigCgt:", 0) != 0 || (std::stoull(line.substr(7), nullptr, 16) & bit) == 0)
          continue;
        std::this_thread::sleep_for(std::chrono::milliseconds(afterMs));
        send(signal);
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  /// Waits up to `limitSeconds` for it to end; a child still running then is killed and
  /// reported as neither exited nor signalled.
  Ending finish(double limitSeconds) {
    Ending ending;
    const auto start = std::chrono::steady_clock::now();
    int status = 0;
    while (pid_ > 0) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        ending.exited = WIFEXITED(status);
        ending.code = ending.exited ? WEXITSTATUS(status) : -1;
        ending.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        break;
      }
      ending.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (ending.seconds > limitSeconds) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return ending;  // it hung
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ending.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return ending;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace reverie::test
