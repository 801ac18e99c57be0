// What the live tests share: child processes stopped by their own PID, a dummy JACK server of
// the test's own, and a JACK client that sends scheduled MIDI and records the monitor ports.
#pragma once

#include <jack/jack.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace reverie::test {

/// A child process with its stdout and stderr in a file; stopped by its own PID only.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ~Child() { stop(SIGKILL); }
  Child(const Child&) = delete;  // one owner kills it
  Child& operator=(const Child&) = delete;
  Child(Child&& other) noexcept : pid_(other.pid_), status_(other.status_) { other.pid_ = -1; }
  /// Sends `signal` and waits (unless it has already ended); returns the exit status (or -signal).
  int stop(int signal);
  /// Still running? Reaps it (keeping its status) if it has ended.
  bool alive();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int status_ = 0;
};

struct DummyServerOptions {
  bool monitor = false;  ///< -m: system:monitor_N carry what reaches the fake card
  int periodFrames = 256;
  bool verbose = false;  ///< -v: the server logs client activation and every notification
};

/// Points this process (and the reverie it starts) at a dummy JACK server of its own, named
/// `name` plus the test's PID, logging to `folder`/jackd.log.
Child startDummyServer(const std::string& name, const std::filesystem::path& folder,
                       DummyServerOptions options = {});

/// A stereo sine patch for `reverie play` to load: its pitch is unambiguous, and any change of
/// preset shows in its spectrum.
void writeSinePatch(const std::filesystem::path& path, double levelDb = -12.0,
                    double attackSeconds = 0.01, double releaseSeconds = 0.05);

/// A JACK client of the test's own, once the server answers (null after five seconds).
jack_client_t* connectClient(const char* name);

/// Waits for a port to exist (up to `limit`).
bool waitForPort(jack_client_t* client, const char* name, std::chrono::seconds limit);

/// Full names of the ports `port` is connected to.
std::vector<std::string> connectionsOf(jack_client_t* client, const char* port);

/// The test's JACK client: sends scheduled MIDI and records the monitor ports.
struct Rig {
  struct Note {
    jack_nframes_t frame;
    unsigned char bytes[3];
    int size;
  };
  jack_client_t* client = nullptr;
  jack_port_t* midiOut = nullptr;
  jack_port_t* in[2] = {nullptr, nullptr};
  std::vector<Note> notes;  // sorted by frame, filled before activation
  std::size_t nextNote = 0;
  std::vector<float> recorded;  // left channel, indexed by frame time - startFrame
  jack_nframes_t startFrame = 0;
  std::atomic<bool> recording{false};
  std::atomic<int> xruns{0};
  std::atomic<std::size_t> sent{0};
  /// While recording, every `stallEvery`th cycle busy-waits `stall` (0: never): a late client
  /// the server reports as an xrun.
  int stallEvery = 0;
  std::chrono::microseconds stall{0};
  int cycle = 0;

  static int process(jack_nframes_t frames, void* self) {
    return static_cast<Rig*>(self)->run(frames);
  }
  int run(jack_nframes_t frames);
};

}  // namespace reverie::test
