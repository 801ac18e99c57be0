// The live tests' rig: spawn, dummy server, sender and recorder.
#include "live/jack_rig.hpp"

#include <fcntl.h>
#include <jack/midiport.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <thread>

extern char** environ;

namespace reverie::test {

using namespace std::chrono_literals;

Child::Child(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  // fork and exec rather than posix_spawn: the child asks to be killed when this process dies,
  // so a test that aborts (an assertion, a sanitizer) leaves no JACK server or player behind.
  // Between fork and exec only async-signal-safe calls.
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test died before the request took
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0) _exit(127);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    dup2(in, STDIN_FILENO);
    execve(args[0], args.data(), environ);
    _exit(127);
  }
  pid_ = pid;
}

int Child::stop(int signal) {
  if (pid_ > 0) {
    kill(pid_, signal);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
}

bool Child::alive() {
  if (pid_ > 0 && waitpid(pid_, &status_, WNOHANG) == pid_) pid_ = -1;
  return pid_ > 0;
}

Child startDummyServer(const std::string& name, const std::filesystem::path& folder,
                       DummyServerOptions options) {
  const std::string server = name + "-" + std::to_string(getpid());
  setenv("JACK_DEFAULT_SERVER", server.c_str(), 1);
  setenv("JACK_NO_START_SERVER", "1", 1);
  setenv("JACK_NO_AUDIO_RESERVATION", "1", 1);
  setenv("REVERIE_PRESET_PATH", (std::string(REVERIE_SOURCE_DIR) + "/presets").c_str(), 1);
  // A verbose server makes this process's own JACK clients print its log lines too.
  jack_set_info_function([](const char*) {});
  std::vector<std::string> argv = {"/usr/bin/jackd", "-n", server};
  if (options.verbose) argv.push_back("-v");
  for (const char* arg : {"-d", "dummy", "-r", "48000", "-p"}) argv.push_back(arg);
  argv.push_back(std::to_string(options.periodFrames));
  if (options.monitor) argv.push_back("-m");
  return Child(argv, folder / "jackd.log");
}

void writeSinePatch(const std::filesystem::path& path, double levelDb, double attackSeconds,
                    double releaseSeconds) {
  std::ofstream(path) << "format_version = 1\n"
                         "[[node]]\nname = \"tone\"\ntype = \"synth\"\n"
                         "params = { waveform = \"sine\", attack = "
                      << attackSeconds << ", release = " << releaseSeconds
                      << ", sustain = 1.0, detune = 0.0, level = " << levelDb
                      << " }\n"
                         "[[node]]\nname = \"out\"\ntype = \"output\"\n"
                         "[[connect]]\nfrom = \"tone.left\"\nto = \"out.left\"\n"
                         "[[connect]]\nfrom = \"tone.right\"\nto = \"out.right\"\n";
}

jack_client_t* connectClient(const char* name) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::this_thread::sleep_for(100ms);
    jack_status_t status{};
    if (jack_client_t* client = jack_client_open(name, JackNoStartServer, &status)) return client;
  }
  return nullptr;
}

bool waitForPort(jack_client_t* client, const char* name, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (jack_port_by_name(client, name) != nullptr) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

std::vector<std::string> connectionsOf(jack_client_t* client, const char* port) {
  std::vector<std::string> names;
  const jack_port_t* handle = jack_port_by_name(client, port);
  if (handle == nullptr) return names;
  if (const char** list = jack_port_get_all_connections(client, handle)) {
    for (const char** p = list; *p != nullptr; ++p) names.emplace_back(*p);
    jack_free(list);
  }
  return names;
}

int Rig::run(jack_nframes_t frames) {
  const jack_nframes_t now = jack_last_frame_time(client);
  void* midi = jack_port_get_buffer(midiOut, frames);
  jack_midi_clear_buffer(midi);
  if (!recording.load()) return 0;
  if (stallEvery > 0 && ++cycle % stallEvery == 0) {
    const auto until = std::chrono::steady_clock::now() + stall;
    while (std::chrono::steady_clock::now() < until) {
    }
  }
  // Frames since startFrame, signed: under load a cycle's frame time can still lie before
  // startFrame (jack_frame_time runs ahead of a late cycle), and an unsigned difference would
  // then wrap and send every note at once.
  const std::int64_t elapsed = static_cast<std::int32_t>(now - startFrame);
  const std::int64_t end = elapsed + static_cast<std::int64_t>(frames);
  while (nextNote < notes.size() && static_cast<std::int64_t>(notes[nextNote].frame) < end) {
    const Note& n = notes[nextNote];
    const std::int64_t offset =
        std::max<std::int64_t>(0, static_cast<std::int64_t>(n.frame) - elapsed);
    if (jack_midi_event_write(midi, static_cast<jack_nframes_t>(offset), n.bytes,
                              static_cast<size_t>(n.size)) != 0)
      break;  // full: next cycle
    ++nextNote;
  }
  sent.store(nextNote);
  if (in[0] != nullptr) {
    const auto* left = static_cast<const float*>(jack_port_get_buffer(in[0], frames));
    for (jack_nframes_t i = 0; i < frames; ++i) {
      const std::int64_t at = elapsed + i;
      if (at >= 0 && at < static_cast<std::int64_t>(recorded.size()))
        recorded[static_cast<std::size_t>(at)] = left[i];
    }
  }
  return 0;
}

}  // namespace reverie::test
