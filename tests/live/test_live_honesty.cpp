// `reverie play` tells the truth under a dummy JACK server: its xrun count is the server's, a
// program wired to the 'reverie' port is heard once per note, and a flood of program changes
// without a preset gives a few summed-up lines.
#include <doctest/doctest.h>
#include <jack/jack.h>
#include <signal.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "live/jack_rig.hpp"
#include "reverie/preset.hpp"
#include "support/command.hpp"

namespace test = reverie::test;
using test::Child;
using test::Rig;

namespace {

using namespace std::chrono_literals;

/// `reverie play FILE` on the test's server, MIDI and audio through JACK.
Child startPlay(const std::filesystem::path& folder, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {
      REVERIE_CLI_PATH, "play", (folder / "sine.toml").string(), "--host-api", "jack",
      "--midi-api",     "jack"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return Child(argv, folder / "reverie.log");
}

/// The whole number right after `prefix` in `line`, or -1.
long long numberAfter(const std::string& line, const std::string& prefix) {
  const std::size_t at = line.find(prefix);
  if (at == std::string::npos) return -1;
  const std::size_t from = at + prefix.size();
  std::size_t end = from;
  while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end]))) ++end;
  return end > from ? std::stoll(line.substr(from, end - from)) : -1;
}

bool endsWith(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

/// The number after `label` in reverie's closing line ("stopped after 4.1 s; notes 50, xruns 3
/// ..."), or -1.
long long closingFigure(const std::string& log, const std::string& label) {
  const std::size_t stopped = log.rfind("stopped after");
  if (stopped == std::string::npos) return -1;
  const std::string line = log.substr(stopped, log.find('\n', stopped) - stopped);
  return numberAfter(line, label + " ");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Registers the rig's MIDI output and activates it.
bool activateSender(Rig& rig) {
  rig.midiOut =
      jack_port_register(rig.client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  jack_set_process_callback(rig.client, &Rig::process, &rig);
  jack_set_xrun_callback(
      rig.client,
      [](void* self) {
        ++static_cast<Rig*>(self)->xruns;
        return 0;
      },
      &rig);
  return rig.midiOut != nullptr && jack_activate(rig.client) == 0;
}

void closeSender(Rig& rig) {
  if (rig.client == nullptr) return;
  jack_deactivate(rig.client);
  jack_client_close(rig.client);
  rig.client = nullptr;
}

/// Waits until the port has at least one connection (reverie's poll connected it).
bool waitForConnection(jack_client_t* client, const std::string& port, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (!test::connectionsOf(client, port.c_str()).empty()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("live: the xruns reverie play reports are the JACK server's own, equal within one") {
  test::ScratchFolder folder;
  // A period of 64 frames (1.3 ms) and a verbose server, whose log says when reverie's xrun
  // client was activated and deactivated and every xrun it detected in between.
  Child jackd =
      test::startDummyServer("reverie-xruns", folder.path(), {.periodFrames = 64, .verbose = true});
  test::writeSinePatch(folder / "sine.toml", -18.0, 0.005, 0.02);
  Rig rig;
  rig.client = test::connectClient("reverie-flood");
  REQUIRE_MESSAGE(rig.client != nullptr,
                  "the dummy JACK server did not start: " << test::readText(folder / "jackd.log"));
  Child reverie = startPlay(folder.path(), {"--buffer", "64"});
  const bool ready = test::waitForPort(rig.client, "reverie-midi:reverie", 15s) &&
                     test::waitForPort(rig.client, "reverie:out_0", 5s);
  REQUIRE_MESSAGE(ready,
                  "reverie did not open its ports: " << test::readText(folder / "reverie.log"));

  // The flood: 1500 notes a second for 4 s, into the 'reverie' port. The load: every 150th
  // cycle (about 5 a second) the sender itself overruns by 3 ms, which the server reports as
  // an xrun of its own to every client; the flood and the machine add their own.
  constexpr int kNotes = 6000;
  for (int i = 0; i < kNotes; ++i) {
    const auto key = static_cast<unsigned char>(48 + i % 36);
    rig.notes.push_back({static_cast<jack_nframes_t>(i * 32), {0x90, key, 90}, 3});
    rig.notes.push_back({static_cast<jack_nframes_t>(i * 32 + 16), {0x80, key, 0}, 3});
  }
  rig.stallEvery = 150;
  rig.stall = 3ms;
  REQUIRE(activateSender(rig));
  REQUIRE(jack_connect(rig.client, "reverie-flood:midi_out", "reverie-midi:reverie") == 0);
  std::this_thread::sleep_for(300ms);
  rig.startFrame = jack_frame_time(rig.client) + 64;
  rig.recording = true;
  std::this_thread::sleep_for(4300ms);
  rig.recording = false;
  const int senderSaw = rig.xruns.load();
  const std::size_t sent = rig.sent.load();
  closeSender(rig);
  std::this_thread::sleep_for(300ms);
  const int reverieExit = reverie.stop(SIGINT);
  std::this_thread::sleep_for(200ms);  // the server logs the client's going away
  CHECK(jackd.stop(SIGTERM) == 0);     // the server this test started, by its own PID

  const std::string log = test::readText(folder / "reverie.log");
  const std::string serverLog = test::readText(folder / "jackd.log");
  // The server's xrun lines ("JackEngine::XRun: client = ... was not finished", and a driver's
  // "... XRun" if it had one) while reverie's xrun client was active; and, as a cross-check, the
  // xrun notifications (notify = 3) the server sent to that client.
  std::istringstream lines(serverLog);
  std::string line;
  bool active = false, seenActivation = false, seenDeactivation = false;
  long long serverXruns = 0, serverXrunsOverall = 0, notified = 0;
  // "ClientActivate ref = 5 name = reverie-xruns" and its Deactivate twin.
  const auto about = [](const std::string& line, const char* what) {
    return numberAfter(line, std::string(what) + " ref = ") >= 0 &&
           endsWith(line, " name = reverie-xruns");
  };
  while (std::getline(lines, line)) {
    if (about(line, "ClientActivate")) active = seenActivation = true;
    if (about(line, "ClientDeactivate")) {
      active = false;
      seenDeactivation = true;
    }
    if (contains(line, "XRun")) {
      ++serverXrunsOverall;
      if (active) ++serverXruns;
    }
    if (endsWith(line, "client = reverie-xruns name = reverie-xruns notify = 3")) ++notified;
  }
  const long long reported = closingFigure(log, "xruns");
  CAPTURE(log);
  MESSAGE("xruns: reverie play reported "
          << reported << "; the server logged " << serverXruns << " while reverie listened ("
          << serverXrunsOverall << " in all, " << notified
          << " notifications sent to reverie); the sender's own client saw " << senderSaw
          << "; notes sent " << sent / 2
          << " (a late sender's MIDI can be lost or read twice by the server; without the stalls "
             "all arrive)"
          << ", reverie played " << closingFigure(log, "notes"));
  CHECK(reverieExit == 0);
  CHECK(seenActivation);
  CHECK(seenDeactivation);
  CHECK(contains(log, "(counted by the JACK server)"));
  CHECK(serverXruns > 0);  // the load did provoke xruns, so the comparison means something
  CHECK(reported >= 0);
  CHECK(std::llabs(reported - serverXruns) <= 1);
}

TEST_CASE(
    "live: with --midi-input all, a program wired to the 'reverie' port is heard once per note") {
  test::ScratchFolder folder;
  Child jackd = test::startDummyServer("reverie-once", folder.path());
  test::writeSinePatch(folder / "sine.toml", -18.0, 0.005, 0.02);
  Rig wired, plain;
  wired.client = test::connectClient("reverie-wired");
  REQUIRE_MESSAGE(wired.client != nullptr,
                  "the dummy JACK server did not start: " << test::readText(folder / "jackd.log"));
  plain.client = test::connectClient("reverie-plain");
  REQUIRE(plain.client != nullptr);
  Child reverie = startPlay(folder.path());  // --midi-input all, the default
  const bool ready = test::waitForPort(wired.client, "reverie-midi:reverie", 15s) &&
                     test::waitForPort(wired.client, "reverie:out_0", 5s);
  REQUIRE_MESSAGE(ready,
                  "reverie did not open its ports: " << test::readText(folder / "reverie.log"));

  // 30 notes from a program wired to the 'reverie' port, 20 from a device that is not.
  constexpr int kWiredNotes = 30, kPlainNotes = 20;
  for (int i = 0; i < kWiredNotes; ++i) {
    const auto at = static_cast<jack_nframes_t>(i * 2400);  // 20 a second
    wired.notes.push_back({at, {0x90, 60, 100}, 3});
    wired.notes.push_back({at + 1200, {0x80, 60, 0}, 3});
  }
  for (int i = 0; i < kPlainNotes; ++i) {
    const auto at = static_cast<jack_nframes_t>(600 + i * 2400);
    plain.notes.push_back({at, {0x90, 67, 100}, 3});
    plain.notes.push_back({at + 1200, {0x80, 67, 0}, 3});
  }
  REQUIRE(activateSender(wired));
  REQUIRE(activateSender(plain));
  // The ordinary workflow: 'all' connects the new program at once, and then the user (or the
  // program) wires it to the 'reverie' port; reverie's own connection must go.
  REQUIRE(waitForConnection(wired.client, "reverie-wired:midi_out", 5s));
  const std::vector<std::string> before =
      test::connectionsOf(wired.client, "reverie-wired:midi_out");
  REQUIRE(jack_connect(wired.client, "reverie-wired:midi_out", "reverie-midi:reverie") == 0);
  REQUIRE(waitForConnection(plain.client, "reverie-plain:midi_out", 5s));
  std::this_thread::sleep_for(600ms);
  const std::vector<std::string> after =
      test::connectionsOf(wired.client, "reverie-wired:midi_out");
  const std::vector<std::string> plainConnections =
      test::connectionsOf(plain.client, "reverie-plain:midi_out");

  const jack_nframes_t start = jack_frame_time(wired.client) + 512;
  wired.startFrame = plain.startFrame = start;
  wired.recording = plain.recording = true;
  std::this_thread::sleep_for(1800ms);
  wired.recording = plain.recording = false;
  const std::size_t sent = wired.sent.load() + plain.sent.load();
  closeSender(wired);
  closeSender(plain);
  std::this_thread::sleep_for(1200ms);  // reverie polls its MIDI devices twice a second
  const int reverieExit = reverie.stop(SIGINT);
  jackd.stop(SIGTERM);

  const std::string log = test::readText(folder / "reverie.log");
  CAPTURE(log);
  auto join = [](const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
  };
  const long long played = closingFigure(log, "notes");
  MESSAGE("the wired program's connections before wiring: "
          << join(before) << "; after: " << join(after)
          << "; the plain device's: " << join(plainConnections));
  MESSAGE("notes sent " << sent / 2 << " (" << kWiredNotes << " wired + " << kPlainNotes
                        << " plain); reverie played " << played);
  CHECK(reverieExit == 0);
  CHECK(before.size() == 1);  // reverie's own connection, made because of 'all'
  CHECK(after == std::vector<std::string>{"reverie-midi:reverie"});
  CHECK(plainConnections.size() == 1);
  CHECK(sent == 2 * (kWiredNotes + kPlainNotes));
  CHECK(played == kWiredNotes + kPlainNotes);  // not 80: no note arrived twice
  CHECK(contains(log, "MIDI input 'reverie-wired:midi_out' is wired to the 'reverie' port"));
  CHECK(contains(log, "MIDI input 'reverie-plain:midi_out' disconnected"));
}

TEST_CASE("live: a flood of program changes without a preset gives a few summed-up lines") {
  test::ScratchFolder folder;
  Child jackd = test::startDummyServer("reverie-programs", folder.path());
  test::writeSinePatch(folder / "sine.toml", -18.0, 0.005, 0.02);
  Rig rig;
  rig.client = test::connectClient("reverie-programs");
  REQUIRE_MESSAGE(rig.client != nullptr,
                  "the dummy JACK server did not start: " << test::readText(folder / "jackd.log"));
  Child reverie = startPlay(folder.path());
  const bool ready = test::waitForPort(rig.client, "reverie-midi:reverie", 15s) &&
                     test::waitForPort(rig.client, "reverie:out_0", 5s);
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
  REQUIRE(index < 128);
  // 3000 program changes to program 128, which no preset has, 1000 a second; then water-drop.
  constexpr int kFlood = 3000;
  for (int i = 0; i < kFlood; ++i)
    rig.notes.push_back({static_cast<jack_nframes_t>(i * 48), {0xC0, 127, 0}, 2});
  rig.notes.push_back({static_cast<jack_nframes_t>(kFlood * 48 + 24000),
                       {0xC0, static_cast<unsigned char>(dropProgram), 0},
                       2});
  REQUIRE(activateSender(rig));
  REQUIRE(jack_connect(rig.client, "reverie-programs:midi_out", "reverie-midi:reverie") == 0);
  std::this_thread::sleep_for(300ms);
  rig.startFrame = jack_frame_time(rig.client) + 256;
  rig.recording = true;
  std::this_thread::sleep_for(4000ms);
  rig.recording = false;
  const std::size_t sent = rig.sent.load();
  closeSender(rig);
  std::this_thread::sleep_for(300ms);
  const int reverieExit = reverie.stop(SIGINT);
  jackd.stop(SIGTERM);

  const std::string log = test::readText(folder / "reverie.log");
  CAPTURE(log);
  std::istringstream lines(log);
  std::string line;
  int noPresetLines = 0;
  long long summedUp = 0;
  while (std::getline(lines, line)) {
    if (!contains(line, "program 128 has no preset")) continue;
    ++noPresetLines;
    const long long more = numberAfter(line, "(×");
    summedUp += more >= 0 && contains(line, " more in the last 10 s)") ? more : 1;
  }
  const long long dropped = closingFigure(log, "dropped");
  MESSAGE(sent << " program changes sent (" << kFlood << " without a preset); " << noPresetLines
               << " lines about them, summing up " << summedUp
               << " (MIDI messages dropped: " << dropped << ")");
  CHECK(reverieExit == 0);
  CHECK(sent == kFlood + 1);
  CHECK(noPresetLines >= 1);
  CHECK(noPresetLines <= 3);  // the first at once, then one per 10 s and one when playing stops
  CHECK(summedUp <= kFlood);
  // Every one counted, unless an input queue had to drop it. A JACK cycle the server skips
  // (an xrun, under a loaded machine) can lose what the sender wrote in it: at most one
  // period's worth, 256 frames at one change per 48 frames.
  const int xruns = rig.xruns.load();
  const long long lostAtXruns = kFlood - (summedUp + dropped);
  MESSAGE("xruns seen by the sender: " << xruns
                                       << "; program changes unaccounted for: " << lostAtXruns);
  CHECK(lostAtXruns >= 0);
  CHECK(lostAtXruns <= 6LL * xruns);
  CHECK(contains(
      log, "program " + std::to_string(dropProgram + 1) + ": water-drop"));  // the list still works
}
