// `reverie play` for real, against a JACK server of the test's own (dummy back end): notes go
// in over JACK MIDI to reverie's virtual port, and what reaches the fake sound card is recorded
// from the server's monitor ports and measured.
#include <doctest/doctest.h>
#include <jack/jack.h>
#include <sched.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "live/jack_rig.hpp"
#include "reverie/preset.hpp"
#include "support/command.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"
#include "support/task_scheduling.hpp"

namespace test = reverie::test;
using test::Child;
using test::connectClient;
using test::Rig;
using test::waitForPort;

namespace {

using namespace std::chrono_literals;
constexpr double kRate = 48000.0;

Child startDummyServer(const std::string& name, const std::filesystem::path& folder, bool monitor) {
  return test::startDummyServer(name, folder, {.monitor = monitor});
}

}  // namespace

TEST_CASE(
    "live: reverie play under a dummy JACK server plays every note at its pitch, and program "
    "change switches the sound") {
  test::ScratchFolder folder;
  Child jackd = startDummyServer("reverie-test", folder.path(), true);
  test::writeSinePatch(folder / "sine.toml");
  Rig rig;
  rig.client = connectClient("reverie-test");
  REQUIRE_MESSAGE(rig.client != nullptr,
                  "the dummy JACK server did not start: " << test::readText(folder / "jackd.log"));
  Child reverie({REVERIE_CLI_PATH, "play", (folder / "sine.toml").string(), "--host-api", "jack",
                 "--midi-api", "jack", "--buffer", "256"},
                folder / "reverie.log");
  const bool ready = waitForPort(rig.client, "reverie-midi:reverie", 15s) &&
                     waitForPort(rig.client, "reverie:out_0", 5s);
  REQUIRE_MESSAGE(ready,
                  "reverie did not open its ports: " << test::readText(folder / "reverie.log"));

  // The program that picks water-drop, counted the way `play` counts: presets in order, no arcs.
  int dropProgram = -1, index = 0;
  for (const reverie::PresetInfo& info : reverie::listPresets()) {
    if (info.kind == "arcs") continue;
    if (info.name == "water-drop") dropProgram = index;
    ++index;
  }
  REQUIRE(dropProgram >= 0);
  REQUIRE(dropProgram < 128);

  // Keys and times: three notes on the sine, the program change, then A4 on the water drop.
  const int keys[] = {69, 76, 60, 69};
  const double noteAt[] = {0.5, 1.7, 2.9, 4.6};
  auto frame = [](double seconds) { return static_cast<jack_nframes_t>(seconds * kRate); };
  for (int i = 0; i < 3; ++i) {
    rig.notes.push_back({frame(noteAt[i]), {0x90, static_cast<unsigned char>(keys[i]), 100}, 3});
    rig.notes.push_back(
        {frame(noteAt[i] + 0.8), {0x80, static_cast<unsigned char>(keys[i]), 0}, 3});
  }
  rig.notes.push_back({frame(4.0), {0xC0, static_cast<unsigned char>(dropProgram), 0}, 2});
  rig.notes.push_back({frame(noteAt[3]), {0x90, 69, 110}, 3});
  rig.notes.push_back({frame(noteAt[3] + 1.2), {0x80, 69, 0}, 3});
  rig.recorded.assign(frame(6.5), 0.0f);

  rig.midiOut =
      jack_port_register(rig.client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  rig.in[0] = jack_port_register(rig.client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  rig.in[1] = jack_port_register(rig.client, "in_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  jack_set_process_callback(rig.client, &Rig::process, &rig);
  jack_set_xrun_callback(
      rig.client,
      [](void* self) {
        static_cast<Rig*>(self)->xruns++;
        return 0;
      },
      &rig);
  REQUIRE(jack_activate(rig.client) == 0);
  REQUIRE(jack_connect(rig.client, "reverie-test:midi_out", "reverie-midi:reverie") == 0);
  REQUIRE(jack_connect(rig.client, "system:monitor_1", "reverie-test:in_1") == 0);
  REQUIRE(jack_connect(rig.client, "system:monitor_2", "reverie-test:in_2") == 0);
  std::this_thread::sleep_for(300ms);
  rig.startFrame = jack_frame_time(rig.client) + 256;
  rig.recording = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(6700));
  rig.recording = false;
  const int xruns = rig.xruns.load();
  jack_deactivate(rig.client);
  jack_client_close(rig.client);
  std::this_thread::sleep_for(1500ms);  // reverie polls its MIDI devices twice a second

  // Bad choices, while the server runs: exit 2 and the valid choices listed.
  const auto badDevice = test::runReverie(
      "play --host-api jack --audio-device nosuch --midi-input none --seconds 1", folder.path());
  const auto badRate = test::runReverie(
      "play --host-api jack -r 44100 --midi-input none --seconds 1", folder.path());
  const auto badBuffer = test::runReverie("play --buffer 5 --seconds 1", folder.path());
  MESSAGE("bad device: " << badDevice.err << "bad rate: " << badRate.err
                         << "bad buffer: " << badBuffer.err);
  CHECK(badDevice.exitCode == 2);
  CHECK(badDevice.err.find("system") != std::string::npos);  // the valid device, listed
  CHECK(badRate.exitCode == 2);
  CHECK(badRate.err.find("48000") != std::string::npos);
  CHECK(badBuffer.exitCode == 2);
  CHECK(badBuffer.err.find("16 to 4096") != std::string::npos);

  const int reverieExit = reverie.stop(SIGINT);
  const std::string log = test::readText(folder / "reverie.log");
  CAPTURE(log);
  CHECK(reverieExit == 0);
  CHECK(log.find("program " + std::to_string(dropProgram + 1) + ": water-drop") !=
        std::string::npos);
  // With --midi-input all (the default) the test's MIDI port, wired to the 'reverie' port, is
  // heard through that port only (test_live_honesty.cpp counts the notes).
  CHECK(log.find("MIDI input 'reverie-test:midi_out' is wired to the 'reverie' port") !=
        std::string::npos);
  CHECK(jackd.stop(SIGTERM) == 0);  // the server this test started, by its own PID

  const std::vector<float>& audio = rig.recorded;
  auto segment = [&](double from, double to) {
    return std::span<const float>(audio.data() + frame(from), frame(to) - frame(from));
  };
  double centroidBefore = 0.0;
  for (int i = 0; i < 4; ++i) {
    const double expected = 440.0 * std::exp2((keys[i] - 69) / 12.0);
    // From 150 ms after the note was sent (latency and attack) for half a second.
    const auto heard = segment(noteAt[i] + 0.15, noteAt[i] + 0.65);
    const double measured = test::fundamentalHz(heard, kRate, expected);
    const double cents = 1200.0 * std::log2(measured / expected);
    MESSAGE("note " << keys[i] << ": heard " << measured << " Hz, " << cents << " cents from "
                    << expected << " Hz");
    CHECK(std::fabs(cents) < 5.0);
    const double centroid = test::spectralCentroidHz(heard, kRate);
    if (i == 0) centroidBefore = centroid;
    if (i == 3) {
      MESSAGE("A4 before the program change: centroid "
              << centroidBefore << " Hz; after (water-drop): " << centroid << " Hz");
      CHECK(centroid > 1.5 * centroidBefore);
    }
  }
  // Between notes, silence: the sine's notes end when their keys go up.
  const auto gap = segment(1.45, 1.65);
  float gapPeak = 0.0f;
  for (float x : gap) gapPeak = std::max(gapPeak, std::fabs(x));
  CHECK(gapPeak < 0.01f);
  MESSAGE("xruns reported by the dummy server during the run: " << xruns << " (tolerated)");
}

TEST_CASE("live: reverie play's render workers take the JACK process thread's realtime priority") {
  test::ScratchFolder folder;
  Child jackd = startDummyServer("reverie-priority", folder.path(), false);
  jack_client_t* probe = connectClient("reverie-probe");
  REQUIRE(probe != nullptr);
  Child reverie({REVERIE_CLI_PATH, "play", "water-drop", "--host-api", "jack", "--threads", "3",
                 "--midi-input", "none"},
                folder / "reverie.log");
  const bool ready = waitForPort(probe, "reverie:out_0", 15s);
  jack_client_close(probe);
  REQUIRE(ready);
  // The workers follow between blocks; a block comes every 5.3 ms.
  int jackPriority = 0, workers = 0, following = 0;
  std::string seen;
  for (const auto end = std::chrono::steady_clock::now() + 5s;
       std::chrono::steady_clock::now() < end; std::this_thread::sleep_for(50ms)) {
    jackPriority = workers = following = 0;
    seen.clear();
    const std::vector<test::TaskScheduling> tasks = test::threadsOf(std::to_string(reverie.pid()));
    for (const test::TaskScheduling& task : tasks)
      if (task.name != "reverie-render" && task.policy == SCHED_FIFO)
        jackPriority = std::max(jackPriority, task.priority);
    for (const test::TaskScheduling& task : tasks) {
      seen += task.name + " " + std::to_string(task.policy) + "/" + std::to_string(task.priority) +
              "; ";
      if (task.name != "reverie-render") continue;
      ++workers;
      if (task.policy == SCHED_FIFO && task.priority == jackPriority) ++following;
    }
    if (jackPriority > 0 && workers == 2 && following == 2) break;
  }
  reverie.stop(SIGINT);
  const std::string log = test::readText(folder / "reverie.log");
  MESSAGE("reverie's threads (name policy/priority): " << seen);
  MESSAGE(log);
  REQUIRE_MESSAGE(jackPriority > 0, "the dummy server gave no thread realtime priority");
  CHECK(workers == 2);
  CHECK(following == 2);
  CHECK(log.find("refused") == std::string::npos);
}

TEST_CASE(
    "live: when the JACK server dies under reverie play, it reports the lost device and exits 1") {
  test::ScratchFolder folder;
  Child jackd = startDummyServer("reverie-lost", folder.path(), false);
  jack_client_t* probe = connectClient("reverie-probe");
  REQUIRE(probe != nullptr);
  Child reverie(
      {REVERIE_CLI_PATH, "play", "water-drop", "--host-api", "jack", "--midi-input", "none"},
      folder / "reverie.log");
  const bool ready = waitForPort(probe, "reverie:out_0", 15s);
  jack_client_close(probe);
  REQUIRE(ready);
  std::this_thread::sleep_for(500ms);
  jackd.stop(SIGTERM);
  // The status loop notices within about a second; give it a few.
  const auto end = std::chrono::steady_clock::now() + 8s;
  while (reverie.alive() && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(100ms);
  const bool exited = !reverie.alive();
  const int status = reverie.stop(SIGKILL);
  const std::string log = test::readText(folder / "reverie.log");
  MESSAGE("reverie after the server died: " << log);
  CHECK(exited);
  CHECK(status == 1);
  CHECK(log.find("the audio device went away") != std::string::npos);
}

TEST_CASE(
    "live: editing the preset while it plays reloads it; a broken edit keeps the old one playing") {
  test::ScratchFolder folder;
  Child jackd = startDummyServer("reverie-edit", folder.path(), false);
  jack_client_t* probe = connectClient("reverie-probe");
  REQUIRE(probe != nullptr);
  const auto preset = folder / "edit-me.toml";
  auto write = [&](const std::string& waveform, bool broken) {
    std::ofstream(preset) << "format_version = 1\n[[node]]\nname = \"tone\"\ntype = "
                             "\"synth\"\nparams = { waveform = \""
                          << waveform
                          << "\" }\n[[node]]\nname = \"out\"\ntype = \"output\"\n[[connect]]\nfrom "
                             "= \"tone.left\"\nto = \"out.left\"\n"
                          << (broken ? "[[connect]]\nfrom = \"tone.nowhere\"\n" : "");
  };
  write("sine", false);
  Child reverie(
      {REVERIE_CLI_PATH, "play", preset.string(), "--host-api", "jack", "--midi-input", "none"},
      folder / "reverie.log");
  REQUIRE(waitForPort(probe, "reverie:out_0", 15s));
  std::this_thread::sleep_for(
      1200ms);  // file times have whole-second resolution on some filesystems
  write("saw", true);
  std::this_thread::sleep_for(1500ms);
  const bool playingAfterBrokenEdit =
      reverie.alive() && jack_port_by_name(probe, "reverie:out_0") != nullptr;
  std::string hostileKey = "a";  // 50,000 parts overflowed toml++'s stack before the screen
  for (int i = 1; i < 50000; ++i) hostileKey += ".a";
  std::ofstream(preset) << "format_version = 1\n" << hostileKey << " = 1\n";
  std::this_thread::sleep_for(1500ms);
  const bool playingAfterHostileEdit =
      reverie.alive() && jack_port_by_name(probe, "reverie:out_0") != nullptr;
  write("square", false);
  std::this_thread::sleep_for(1500ms);
  const bool playingAfterGoodEdit =
      reverie.alive() && jack_port_by_name(probe, "reverie:out_0") != nullptr;
  jack_client_close(probe);
  const int status = reverie.stop(SIGINT);
  jackd.stop(SIGTERM);
  const std::string log = test::readText(folder / "reverie.log");
  MESSAGE("reverie's log: " << log);
  CHECK(playingAfterBrokenEdit);
  CHECK(log.find("edit-me.toml:13:8: error: synth 'tone' has no output port 'nowhere'") !=
        std::string::npos);  // located
  CHECK(log.find("still playing the previous version") != std::string::npos);
  CHECK(playingAfterHostileEdit);
  CHECK(log.find("edit-me.toml:2:1: error: dotted key has 50000 parts") != std::string::npos);
  CHECK(playingAfterGoodEdit);
  CHECK(log.find("reloaded") != std::string::npos);
  CHECK(status == 0);
}

TEST_CASE(
    "live: play --arc runs an arc under the player; the chosen key moves it to the next scene at a "
    "bar line") {
  test::ScratchFolder folder;
  Child jackd = startDummyServer("reverie-arc", folder.path(), true);
  // The player's own preset: a sine. The arc waits in silence (100 bars) until the next-scene key.
  std::ofstream(folder / "sine.toml") << R"(format_version = 1
[[node]]
name = "tone"
type = "synth"
params = { waveform = "sine", attack = 0.01, release = 0.05, sustain = 1.0, level = -12.0 }
[[node]]
name = "out"
type = "output"
[[connect]]
from = "tone.left"
to = "out.left"
)";
  std::ofstream(folder / "stage.toml") << R"(format_version = 1
[[node]]
name = "keys"
type = "synth"
params = { waveform = "saw", attack = 0.005, release = 0.05, sustain = 1.0, level = -12.0 }
[[node]]
name = "out"
type = "output"
[[connect]]
from = "keys.left"
to = "out.left"
[[connect]]
from = "keys.right"
to = "out.right"
)";
  std::ofstream(folder / "waiting.toml") << R"(format_version = 1
patch = "stage.toml"
[music]
tempo = 120
[[scene]]
name = "waiting"
bars = 100
texture = "silence"
[[scene]]
name = "sounding"
bars = 100
sections = ["keys"]
texture = ["chorale"]
)";
  Rig rig;
  rig.client = connectClient("reverie-arc-test");
  REQUIRE_MESSAGE(rig.client != nullptr,
                  "the dummy JACK server did not start: " << test::readText(folder / "jackd.log"));
  Child reverie({REVERIE_CLI_PATH, "play", (folder / "sine.toml").string(), "--arc",
                 (folder / "waiting.toml").string(), "--next-note", "21", "--tension-cc", "1",
                 "--host-api", "jack", "--midi-api", "jack"},
                folder / "reverie.log");
  const bool ready = waitForPort(rig.client, "reverie-midi:reverie", 15s) &&
                     waitForPort(rig.client, "reverie:out_0", 5s);
  REQUIRE_MESSAGE(ready,
                  "reverie did not open its ports: " << test::readText(folder / "reverie.log"));

  auto frame = [](double seconds) { return static_cast<jack_nframes_t>(seconds * kRate); };
  rig.notes.push_back({frame(0.5), {0xB0, 1, 100}, 3});   // the tension wheel moves
  rig.notes.push_back({frame(1.0), {0x90, 21, 100}, 3});  // the next-scene key
  rig.notes.push_back({frame(1.05), {0x80, 21, 0}, 3});
  rig.recorded.assign(frame(6.0), 0.0f);
  rig.midiOut =
      jack_port_register(rig.client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  rig.in[0] = jack_port_register(rig.client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  rig.in[1] = jack_port_register(rig.client, "in_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  jack_set_process_callback(rig.client, &Rig::process, &rig);
  REQUIRE(jack_activate(rig.client) == 0);
  REQUIRE(jack_connect(rig.client, "reverie-arc-test:midi_out", "reverie-midi:reverie") == 0);
  REQUIRE(jack_connect(rig.client, "system:monitor_1", "reverie-arc-test:in_1") == 0);
  std::this_thread::sleep_for(300ms);
  rig.startFrame = jack_frame_time(rig.client) + 256;
  rig.recording = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(6200));
  rig.recording = false;
  jack_deactivate(rig.client);
  jack_client_close(rig.client);
  std::this_thread::sleep_for(700ms);  // the status poll names the new scene
  const int status = reverie.stop(SIGINT);
  jackd.stop(SIGTERM);
  const std::string log = test::readText(folder / "reverie.log");
  MESSAGE("reverie's log: " << log);

  auto rmsDb = [&](double from, double to) {
    double sum = 0.0;
    for (std::size_t i = frame(from); i < frame(to); ++i)
      sum += static_cast<double>(rig.recorded[i]) * rig.recorded[i];
    return 10.0 * std::log10(sum / static_cast<double>(frame(to) - frame(from)) + 1e-20);
  };
  // Before the key: the arc waits in silence. A bar is 2 s, so the next scene has begun by 3.2 s.
  const double before = rmsDb(0.1, 0.95), after = rmsDb(3.3, 5.9);
  std::size_t onset = frame(1.2);
  while (onset < rig.recorded.size() && std::fabs(rig.recorded[onset]) < 1e-4f) ++onset;
  MESSAGE("RMS before the key " << before << " dB, after the next bar line " << after
                                << " dB; the chord starts at " << static_cast<double>(onset) / kRate
                                << " s (the key at 1.0 s)");
  CHECK(log.find(
            "arc 'waiting' runs underneath (2 scenes, tension from CC1, next scene on key 21)") !=
        std::string::npos);
  CHECK(log.find("scene 1/2: waiting") != std::string::npos);
  CHECK(log.find("scene 2/2: sounding") != std::string::npos);
  CHECK(before < -80.0);
  CHECK(after > -40.0);
  CHECK(onset > frame(1.0));
  CHECK(onset <= frame(3.1));
  CHECK(status == 0);
}
