// Benchmarks that run `reverie render` as a child: its wall time and peak resident memory.
#include "cli/bench_renders.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "reverie/errors.hpp"

namespace reverie::cli {
namespace {

using Clock = std::chrono::steady_clock;

/// A new folder under the temporary directory for a bench's files, removed with all it holds
/// when the bench ends, a failed render's included.
class ScratchFolder {
 public:
  ScratchFolder()
      : path_((std::filesystem::temp_directory_path() / "reverie-bench-XXXXXX").string()) {
    if (mkdtemp(path_.data()) == nullptr) throw RuntimeFailure("bench: cannot create a folder");
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  /// `name` inside the folder.
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// `reverie render ARGS` run as a child process: its wall time and peak resident memory.
struct ChildRender {
  double seconds = 0.0, peakMiB = 0.0;
};

/// Runs `reverie render ARGUMENTS` in a child process. `oneCore`: held to the first core this
/// process may use, so that "one thread" is one core (a render writes its file on a thread of
/// its own, which would otherwise take the second core's idle time).
ChildRender runRenderChild(const std::vector<std::string>& arguments, bool oneCore = false) {
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
    cpu_set_t allowed;
    if (oneCore && sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
      for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        cpu_set_t first;
        CPU_ZERO(&first);
        CPU_SET(cpu, &first);
        sched_setaffinity(0, sizeof first, &first);
        break;
      }
    }
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

/// Each comparison's renders run this many times, one and all in turn (smallestInTurn).
constexpr int kRounds = 3;

/// The wall seconds of a render on one thread held to one core, and on `cores` threads, the
/// shortest of kRounds each. `arguments(threads)`: the `reverie render` arguments.
template <class Arguments>
std::pair<double, double> renderOnOneAndAll(int cores, Arguments&& arguments) {
  return smallestInTurn(
      kRounds, [&] { return runRenderChild(arguments(1), true).seconds; },
      [&] { return runRenderChild(arguments(cores)).seconds; });
}

/// A Standard MIDI File (format 0, 480 ticks a quarter, 120 bpm) of all 16 channels playing
/// for `seconds`: each channel its own General MIDI program (channel 10 the drums), chords of
/// one to three notes from a fixed pseudo-random sequence, so every run renders the same file.
int writeSixteenChannels(const std::string& path, int seconds) {
  struct Note {
    std::uint32_t tick;
    std::uint8_t status, key, velocity;
  };
  std::vector<Note> notes;
  constexpr std::uint8_t kPrograms[16] = {48, 61, 68, 52, 8,  0,  73, 32,
                                          40, 0,  56, 71, 19, 89, 46, 11};
  std::uint32_t state = 7;
  auto next = [&state](std::uint32_t range) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % range;
  };
  const std::uint32_t end = static_cast<std::uint32_t>(seconds) * 960;  // 960 ticks a second
  int count = 0;
  for (int channel = 0; channel < 16; ++channel) {
    for (std::uint32_t tick = next(480); tick < end; tick += 240 + 240 * next(4)) {
      const std::uint32_t length = 240u << next(3);
      const int chord = 1 + static_cast<int>(next(3));
      const int root = 40 + static_cast<int>(next(36));
      for (int k = 0; k < chord; ++k) {
        const auto key = static_cast<std::uint8_t>(channel == 9 ? 35 + next(20) : root + 4 * k);
        const auto velocity = static_cast<std::uint8_t>(50 + next(60));
        notes.push_back({tick, static_cast<std::uint8_t>(0x90 | channel), key, velocity});
        notes.push_back({tick + length, static_cast<std::uint8_t>(0x80 | channel), key, 0});
        ++count;
      }
    }
  }
  std::stable_sort(notes.begin(), notes.end(),
                   [](const Note& a, const Note& b) { return a.tick < b.tick; });
  std::string track;
  auto quantity = [&track](std::uint32_t value) {  // a variable-length quantity
    char bytes[5];
    int n = 0;
    do bytes[n++] = static_cast<char>(value & 0x7F);
    while ((value >>= 7) != 0);
    while (n-- > 0) track += static_cast<char>(bytes[n] | (n > 0 ? 0x80 : 0));
  };
  quantity(0);
  track += "\xFF\x51\x03\x07\xA1\x20";  // tempo: 500,000 us a quarter
  for (int channel = 0; channel < 16; ++channel) {
    quantity(0);
    track += static_cast<char>(0xC0 | channel);
    track += static_cast<char>(kPrograms[channel]);
  }
  std::uint32_t last = 0;
  for (const Note& note : notes) {
    quantity(note.tick - last);
    last = note.tick;
    track += static_cast<char>(note.status);
    track += static_cast<char>(note.key);
    track += static_cast<char>(note.velocity);
  }
  quantity(0);
  track += std::string("\xFF\x2F\x00", 3);  // end of track
  auto bigEndian = [](std::uint32_t value, int bytes) {
    std::string out;
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
    return out;
  };
  std::ofstream file(path, std::ios::binary);
  file << "MThd" << bigEndian(6, 4) << bigEndian(0, 2) << bigEndian(1, 2) << bigEndian(480, 2)
       << "MTrk" << bigEndian(static_cast<std::uint32_t>(track.size()), 4) << track;
  if (!file) throw RuntimeFailure("bench: cannot write " + path);
  return count;
}

}  // namespace

int benchCores() {
  return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 64);
}

/// A 16-channel General MIDI file through `reverie render` on one thread and on every core.
void benchMidiFile() {
  const int cores = benchCores();
  const ScratchFolder folder;
  constexpr int kSeconds = 120;
  const int notes = writeSixteenChannels(folder / "gm.mid", kSeconds);
  const auto [one, all] = renderOnOneAndAll(cores, [&](int threads) -> std::vector<std::string> {
    return {folder / "gm.mid", "--threads", std::to_string(threads), "--tail", "0", "-q", "-o",
            folder / "gm.flac"};
  });
  std::printf(
      "a 16-channel General MIDI file (%d s, %d notes) to FLAC, best of %d: one thread (one core) "
      "%.1fx realtime, %d threads %.1fx: %.2fx the speed of one\n",
      kSeconds, notes, kRounds, kSeconds / one, cores, kSeconds / all, one / all);
}

/// Long renders of an instrument preset through `reverie render` itself, each in its own
/// process: peak resident memory (which streaming keeps flat) and the realtime factor of the
/// whole command, writing included.
void benchLongRenders(bool eightHours) {
  const ScratchFolder folder;
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
        "glass-harmonica",   "--length", std::to_string(c.seconds), "--tail", "0", "-q", "-o",
        folder / "take.flac"};
    arguments.insert(arguments.end(), c.extra.begin(), c.extra.end());
    const ChildRender child = runRenderChild(arguments);
    if (c.seconds == 3600.0 && c.extra.empty()) hourSeconds = child.seconds;
    std::printf("  %-27s peak memory %6.1f MiB resident (aim < 100), %6.1fx realtime, %.0f s\n",
                c.what, child.peakMiB, c.seconds / child.seconds, child.seconds);
  }
  if (!eightHours)
    std::printf("  (8 hours with 'reverie bench --long': about %.0f more minutes here)\n",
                8.0 * hourSeconds / 60.0);
}

/// A batch of takes (`render --seeds`) one at a time and all cores at a time: the throughput.
void benchBatch() {
  const int cores = benchCores();
  const ScratchFolder folder;
  const std::string seeds = "1-" + std::to_string(2 * cores);
  const auto [one, all] = renderOnOneAndAll(cores, [&](int atOnce) -> std::vector<std::string> {
    return {"the-performance",
            "--length",
            "40",
            "--seeds",
            seeds,
            "--threads",
            std::to_string(atOnce),
            "-q",
            "-o",
            folder / "take-{seed}.flac"};
  });
  std::printf(
      "batch, %d takes of 'the-performance' (40 s each) to FLAC, best of %d: one at a time (one "
      "core) %.1f s, %d at a time %.1f s: %.2fx the throughput (aim >= 1.8x on 2 cores)\n",
      2 * cores, kRounds, one, cores, all, one / all);
}

}  // namespace reverie::cli
