// The LV2 plugin in jalv, headless, under a dummy JACK server of the test's own: an A4 sent to
// its MIDI port comes out of its audio ports at 440 Hz.
#include <doctest/doctest.h>
#include <jack/jack.h>
#include <signal.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "live/jack_rig.hpp"
#include "support/command.hpp"
#include "support/spectrum_peaks.hpp"

namespace reverie::test {
namespace {

using namespace std::chrono_literals;
constexpr double kRate = 48000.0;

// A saved jalv state (what `jalv -l DIR` restores): the plugin with `preset` chosen.
void writeState(const std::filesystem::path& folder, const std::string& preset) {
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "manifest.ttl")
      << "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
         "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
         "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
         "<state.ttl> a pset:Preset ;\n"
         "    lv2:appliesTo <urn:reverie:instrument> ;\n"
         "    rdfs:seeAlso <state.ttl> .\n";
  std::ofstream(folder / "state.ttl") << "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
                                         "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
                                         "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
                                         "<> a pset:Preset ;\n"
                                         "    lv2:appliesTo <urn:reverie:instrument> ;\n"
                                         "    state:state [ <urn:distrho:preset> \""
                                      << preset << "\" ] .\n";
}

}  // namespace

TEST_CASE("plugin: jalv plays the LV2 plugin under a dummy JACK server, A4 at 440 Hz") {
  if (std::getenv("LV2_PATH") == nullptr) setenv("LV2_PATH", REVERIE_PLUGIN_DIR "/lv2", 1);
  ScratchFolder folder;
  Child jackd = startDummyServer("reverie-jalv", folder.path(), {.monitor = true});
  Rig rig;
  rig.client = connectClient("reverie-jalv-test");
  REQUIRE_MESSAGE(rig.client != nullptr,
                  "the dummy JACK server did not start: " << readText(folder / "jackd.log"));
  const std::string preset = "water-drop";
  writeState(folder / "state", preset);
  Child jalv({"/usr/bin/jalv", "-i", "-n", "reverie-lv2", "-l", (folder / "state").string()},
             folder / "jalv.log");
  const bool ready = waitForPort(rig.client, "reverie-lv2:lv2_events_in", 20s) &&
                     waitForPort(rig.client, "reverie-lv2:lv2_audio_out_2", 5s);
  REQUIRE_MESSAGE(ready, "jalv did not open the plugin's ports: " << readText(folder / "jalv.log"));

  const auto frame = [](double seconds) { return static_cast<jack_nframes_t>(seconds * kRate); };
  const double noteOn = 0.5, noteOff = 2.3;
  rig.notes.push_back({frame(noteOn), {0x90, 69, 100}, 3});
  rig.notes.push_back({frame(noteOff), {0x80, 69, 0}, 3});
  rig.recorded.assign(frame(3.0), 0.0f);
  rig.midiOut =
      jack_port_register(rig.client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  rig.in[0] = jack_port_register(rig.client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  jack_set_process_callback(rig.client, &Rig::process, &rig);
  jack_set_xrun_callback(
      rig.client,
      [](void* self) {
        static_cast<Rig*>(self)->xruns++;
        return 0;
      },
      &rig);
  REQUIRE(jack_activate(rig.client) == 0);
  REQUIRE(jack_connect(rig.client, "reverie-jalv-test:midi_out", "reverie-lv2:lv2_events_in") == 0);
  REQUIRE(jack_connect(rig.client, "reverie-lv2:lv2_audio_out_1", "system:playback_1") == 0);
  REQUIRE(jack_connect(rig.client, "reverie-lv2:lv2_audio_out_2", "system:playback_2") == 0);
  REQUIRE(jack_connect(rig.client, "system:monitor_1", "reverie-jalv-test:in_1") == 0);
  std::this_thread::sleep_for(300ms);
  rig.startFrame = jack_frame_time(rig.client) + 256;
  rig.recording = true;
  std::this_thread::sleep_for(3200ms);
  rig.recording = false;
  const int xruns = rig.xruns.load();
  const std::size_t sent = rig.sent.load();
  jack_deactivate(rig.client);
  jack_client_close(rig.client);
  const int jalvExit = jalv.stop(SIGTERM);
  CHECK(jackd.stop(SIGTERM) == 0);  // the server this test started, by its own PID
  const std::string log = readText(folder / "jalv.log");
  CAPTURE(log);
  CHECK(log.find("cannot load preset") == std::string::npos);

  // From 150 ms after the note was sent (JACK's period, the limiter's look-ahead, the attack)
  // for a second.
  const std::span<const float> heard(rig.recorded.data() + frame(noteOn + 0.15), frame(1.0));
  float peak = 0.0f;
  for (float x : heard) peak = std::max(peak, std::fabs(x));
  const double measured = fundamentalHz(heard, kRate, 440.0);
  const double cents = centsBetween(measured, 440.0);
  MESSAGE(preset << " through jalv: A4 heard at " << measured << " Hz, " << cents << " cents; peak "
                 << peak << "; notes sent " << sent << "; jalv exited " << jalvExit << "; xruns "
                 << xruns << " (tolerated)");
  CHECK(sent == 2);
  CHECK(peak > 0.01f);
  CHECK(std::fabs(cents) < 2.0);
}

}  // namespace reverie::test
