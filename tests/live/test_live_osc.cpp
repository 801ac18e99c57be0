// `reverie play --osc` under a dummy JACK server: notes over UDP and over TCP (SLIP framing, as
// liblo sends it) heard at their pitch, bundles placed on their frames, refusals answered with
// /reverie/fail and inaudible, /reverie/status answered, and with an arc the notify stream
// (scene, bar, tension ten times a second, parameter echoes) and /reverie/scene/next.
// Replies come to a socket of the test's own (oscsend's ephemeral port would lose them).
#include <doctest/doctest.h>
#include <jack/jack.h>
#include <lo/lo.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "live/jack_rig.hpp"
#include "support/command.hpp"
#include "support/spectrum_peaks.hpp"

using namespace reverie;
using namespace std::chrono_literals;
using test::Child;

namespace {

constexpr double kRate = 48000.0;

/// The test's own OSC socket: sends from its port and collects what comes back.
struct Client {
  struct Got {
    std::string address, types;
    std::vector<std::string> text;
    std::vector<double> numbers;
  };
  lo_server server = lo_server_new(nullptr, nullptr);
  lo_address target;
  std::vector<Got> got;
  explicit Client(int port) : target(lo_address_new("127.0.0.1", std::to_string(port).c_str())) {
    lo_server_add_method(
        server, nullptr, nullptr,
        [](const char* path, const char* types, lo_arg** argv, int argc, lo_message, void* self) {
          Got g{path, types, {}, {}};
          // Copied out: liblo's arguments are 4-byte aligned in the message, and its union
          // (8-byte members) may not be read there in place.
          for (int i = 0; i < argc; ++i) {
            const auto* bytes = reinterpret_cast<const char*>(argv[i]);
            if (types[i] == 's') g.text.emplace_back(bytes);
            if (types[i] == 'i') {
              std::int32_t value;
              std::memcpy(&value, bytes, sizeof value);
              g.numbers.push_back(value);
            }
            if (types[i] == 'f') {
              float value;
              std::memcpy(&value, bytes, sizeof value);
              g.numbers.push_back(value);
            }
          }
          static_cast<Client*>(self)->got.push_back(g);
          return 0;
        },
        this);
  }
  ~Client() {
    lo_address_free(target);
    lo_server_free(server);
  }
  void send(const char* path, lo_message m) {
    lo_send_message_from(target, server, path, m);
    lo_message_free(m);
  }
  void bundle(const char* path, lo_message m, double secondsAhead) {
    lo_timetag tag;
    lo_timetag_now(&tag);
    const double whole = std::floor(secondsAhead);
    tag.sec += static_cast<std::uint32_t>(static_cast<std::int64_t>(whole));
    const auto frac = static_cast<std::uint64_t>(tag.frac) +
                      static_cast<std::uint64_t>((secondsAhead - whole) * 4294967296.0);
    tag.sec += static_cast<std::uint32_t>(frac >> 32);
    tag.frac = static_cast<std::uint32_t>(frac);
    lo_bundle b = lo_bundle_new(tag);
    lo_bundle_add_message(b, path, m);
    lo_send_bundle_from(target, server, b);
    lo_bundle_free_recursive(b);
  }
  /// Takes what has come, for `wait`.
  void listen(std::chrono::milliseconds wait) {
    const auto end = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < end) lo_server_recv_noblock(server, 10);
  }
  int count(const std::string& address) const {
    int n = 0;
    for (const Got& g : got) n += g.address == address;
    return n;
  }
};

lo_message notes(int channel, int key, int velocity) {
  lo_message m = lo_message_new();
  lo_message_add_int32(m, channel);
  lo_message_add_int32(m, key);
  lo_message_add_int32(m, velocity);
  return m;
}

lo_message off(int channel, int key) {
  lo_message m = lo_message_new();
  lo_message_add_int32(m, channel);
  lo_message_add_int32(m, key);
  return m;
}

int freePort() {
  return 30000 + static_cast<int>(getpid() % 10000);
}

/// The first recorded frame from `from` whose sample stands clear of silence.
std::int64_t onset(const std::vector<float>& audio, std::size_t from) {
  for (std::size_t i = from; i < audio.size(); ++i)
    if (std::fabs(audio[i]) > 2e-3f) return static_cast<std::int64_t>(i);
  return -1;
}

}  // namespace

TEST_CASE("live: OSC notes over UDP and TCP at their pitch, bundles on their frames, refusals") {
  test::ScratchFolder folder;
  Child jackd = test::startDummyServer("reverie-osc", folder.path(), {.monitor = true});
  test::writeSinePatch(folder / "sine.toml", -12.0, 0.002, 0.02);
  test::Rig rig;
  rig.client = test::connectClient("reverie-osc");
  REQUIRE_MESSAGE(rig.client != nullptr, test::readText(folder / "jackd.log"));
  const int port = freePort();
  Child reverie({REVERIE_CLI_PATH, "play", (folder / "sine.toml").string(), "--host-api", "jack",
                 "--midi-api", "jack", "--midi-input", "none", "--osc", std::to_string(port)},
                folder / "reverie.log");
  REQUIRE_MESSAGE(test::waitForPort(rig.client, "reverie:out_0", 15s),
                  test::readText(folder / "reverie.log"));
  rig.recorded.assign(static_cast<std::size_t>(5.0 * kRate), 0.0f);
  rig.midiOut =
      jack_port_register(rig.client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  rig.in[0] = jack_port_register(rig.client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  jack_set_process_callback(rig.client, &test::Rig::process, &rig);
  REQUIRE(jack_activate(rig.client) == 0);
  REQUIRE(jack_connect(rig.client, "system:monitor_1", "reverie-osc:in_1") == 0);
  std::this_thread::sleep_for(500ms);
  rig.startFrame = jack_frame_time(rig.client) + 256;
  rig.recording = true;
  const auto start = std::chrono::steady_clock::now();
  auto at = [&](double seconds) {
    std::this_thread::sleep_until(start + std::chrono::duration<double>(seconds));
  };

  Client client(port);
  at(0.3);
  client.send("/reverie/note", notes(1, 69, 100));  // A4 over UDP
  at(1.0);
  client.send("/reverie/noteoff", off(1, 69));
  // E5 over TCP, SLIP-framed.
  lo_address tcp = lo_address_new_with_proto(LO_TCP, "127.0.0.1", std::to_string(port).c_str());
  lo_address_set_stream_slip(tcp, 1);
  at(1.2);
  lo_send(tcp, "/reverie/note", "iii", 1, 76, 100);
  at(1.9);
  lo_send(tcp, "/reverie/noteoff", "ii", 1, 76);
  // Malformed, in the silence: refused, and nothing sounds.
  at(2.1);
  client.send("/reverie/note", notes(1, 200, 100));
  client.send("/reverie/nosuch", lo_message_new());
  // Two bundles sent 130 ms apart, timetagged 100 ms and 400 ms after the first was sent: the
  // second note must start 300 ms after the first, whatever the sending jitter.
  at(2.5);
  const auto firstSent = std::chrono::steady_clock::now();
  client.bundle("/reverie/note", notes(1, 72, 100), 0.1);
  at(2.63);
  const double sinceFirst =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - firstSent).count();
  client.bundle("/reverie/noteoff", off(1, 72), 0.3 - sinceFirst);
  client.bundle("/reverie/note", notes(1, 79, 100), 0.4 - sinceFirst);
  at(3.4);
  client.send("/reverie/noteoff", off(1, 79));
  client.bundle("/reverie/note", notes(1, 84, 1), -0.5);  // late: played at once, counted
  at(3.5);
  client.send("/reverie/noteoff", off(1, 84));
  client.send("/reverie/status", lo_message_new());
  client.listen(1500ms);
  rig.recording = false;
  jack_deactivate(rig.client);
  jack_client_close(rig.client);
  lo_address_free(tcp);
  const int exit = reverie.stop(SIGINT);
  const std::string log = test::readText(folder / "reverie.log");
  CAPTURE(log);
  CHECK(exit == 0);
  CHECK(jackd.stop(SIGTERM) == 0);

  const std::vector<float>& audio = rig.recorded;
  auto frame = [](double s) { return static_cast<std::size_t>(s * kRate); };
  auto pitch = [&](double from, double expected) {
    const double hz =
        test::fundamentalHz(std::span(audio).subspan(frame(from), 16384), kRate, expected);
    MESSAGE("heard " << hz << " Hz for " << expected << " Hz (" << test::centsBetween(hz, expected)
                     << " cents)");
    return std::fabs(test::centsBetween(hz, expected));
  };
  CHECK(pitch(0.5, 440.0) < 5.0);     // UDP
  CHECK(pitch(1.4, 659.2551) < 5.0);  // TCP
  // Silence after the refusals (2.1 s) until the bundles (2.6 s).
  float gapPeak = 0.0f;
  for (std::size_t i = frame(2.15); i < frame(2.55); ++i)
    gapPeak = std::max(gapPeak, std::fabs(audio[i]));
  MESSAGE("peak between the refused messages and the bundles: " << gapPeak);
  CHECK(gapPeak < 1e-3f);
  const std::int64_t first = onset(audio, frame(2.5));
  const std::int64_t second = onset(audio, static_cast<std::size_t>(first) + frame(0.25));
  const double spacingMs = static_cast<double>(second - first) * 1000.0 / kRate;
  MESSAGE("bundles timetagged 300 ms apart (sent 130 ms apart) started "
          << second - first << " frames = " << spacingMs << " ms apart");
  CHECK(first > 0);
  CHECK(std::fabs(spacingMs - 300.0) < 2.0);
  CHECK(pitch(static_cast<double>(first) / kRate + 0.02, 523.2511) < 5.0);

  int fails = 0;
  for (const Client::Got& g : client.got)
    if (g.address == "/reverie/fail") {
      ++fails;
      MESSAGE("/reverie/fail " << g.text.at(0) << " \"" << g.text.at(1) << "\"");
    }
  CHECK(fails == 2);
  bool status = false;
  for (const Client::Got& g : client.got)
    if (g.address == "/reverie/status" && g.numbers.size() == 5) {
      status = true;
      MESSAGE("/reverie/status voices " << g.numbers[0] << " cpu " << g.numbers[1] << " xruns "
                                        << g.numbers[2] << " dropped " << g.numbers[3] << " late "
                                        << g.numbers[4]);
      CHECK(g.numbers[4] >= 1);  // the late bundle
    }
  CHECK(status);
  CHECK(log.find("OSC messages") != std::string::npos);
}

TEST_CASE("live: OSC notify streams scene, bar, tension and every parameter change; TCP status") {
  test::ScratchFolder folder;
  Child jackd = test::startDummyServer("reverie-osc2", folder.path(), {.monitor = false});
  test::Rig rig;
  rig.client = test::connectClient("reverie-osc2");
  REQUIRE(rig.client != nullptr);
  const int port = freePort() + 1;
  Child reverie({REVERIE_CLI_PATH, "play", "glass-harmonica", "--host-api", "jack", "--midi-api",
                 "jack", "--arc", "clockwork", "--tension-cc", "1", "--osc", std::to_string(port)},
                folder / "reverie.log");
  const bool ready = test::waitForPort(rig.client, "reverie-midi:reverie", 15s) &&
                     test::waitForPort(rig.client, "reverie:out_0", 5s);
  REQUIRE_MESSAGE(ready, test::readText(folder / "reverie.log"));
  // The tension wheel (CC1, mapped to the composer's live tension by --tension-cc) half a
  // second after the subscription: its echo must reach the subscriber.
  rig.notes.push_back({static_cast<jack_nframes_t>(0.5 * kRate), {0xB0, 1, 100}, 3});
  rig.midiOut =
      jack_port_register(rig.client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  jack_set_process_callback(rig.client, &test::Rig::process, &rig);
  REQUIRE(jack_activate(rig.client) == 0);
  REQUIRE(jack_connect(rig.client, "reverie-osc2:midi_out", "reverie-midi:reverie") == 0);
  Client client(port);
  // The JACK ports can appear before the OSC socket is bound (a datagram sent then is lost):
  // subscribe until the arc's scene, which a subscription is answered with at once, comes back.
  for (int attempt = 0; attempt < 50 && client.count("/reverie/scene") == 0; ++attempt) {
    lo_message subscribe = lo_message_new();
    lo_message_add_int32(subscribe, 1);
    client.send("/reverie/notify", subscribe);
    client.listen(100ms);
  }
  REQUIRE_MESSAGE(client.count("/reverie/scene") == 1, test::readText(folder / "reverie.log"));
  rig.startFrame = jack_frame_time(rig.client) + 256;
  rig.recording = true;
  client.listen(1000ms);
  // /reverie/status over TCP (SLIP-framed), answered over the same connection.
  lo_server tcpClient = lo_server_new_with_proto(nullptr, LO_TCP, nullptr);
  bool tcpAnswered = false;
  lo_server_add_method(
      tcpClient, "/reverie/status", nullptr,
      [](const char*, const char*, lo_arg**, int argc, lo_message m, void* answered) {
        *static_cast<bool*>(answered) =
            argc == 5 && lo_address_get_protocol(lo_message_get_source(m)) == LO_TCP;
        return 0;
      },
      &tcpAnswered);
  lo_address tcp = lo_address_new_with_proto(LO_TCP, "127.0.0.1", std::to_string(port).c_str());
  lo_address_set_stream_slip(tcp, 1);
  lo_message question = lo_message_new();
  lo_send_message_from(tcp, tcpClient, "/reverie/status", question);
  lo_message_free(question);
  for (int i = 0; i < 100 && !tcpAnswered; ++i) lo_server_recv_noblock(tcpClient, 10);
  lo_address_free(tcp);
  lo_server_free(tcpClient);
  CHECK(tcpAnswered);
  lo_message param = lo_message_new();
  lo_message_add_string(param, "composer.advance_note");
  lo_message_add_float(param, 20.0f);
  client.send("/reverie/param", param);
  client.send("/reverie/scene/next", lo_message_new());
  lo_message nosuch = lo_message_new();
  lo_message_add_string(nosuch, "no-such-preset");
  client.send("/reverie/preset", nosuch);  // refused by the control thread, answered
  lo_message drop = lo_message_new();
  lo_message_add_string(drop, "water-drop");
  client.send("/reverie/preset", drop);
  client.listen(2500ms);  // a bar of 7/8 at 120 is 1.75 s
  rig.recording = false;
  jack_deactivate(rig.client);
  jack_client_close(rig.client);
  const int exit = reverie.stop(SIGINT);
  const std::string log = test::readText(folder / "reverie.log");
  CAPTURE(log);
  CHECK(exit == 0);
  CHECK(jackd.stop(SIGTERM) == 0);

  const int tensions = client.count("/reverie/tension");
  MESSAGE("in 3.5 s: /reverie/tension " << tensions << ", /reverie/bar "
                                        << client.count("/reverie/bar") << ", /reverie/scene "
                                        << client.count("/reverie/scene"));
  CHECK(tensions >= 25);
  CHECK(tensions <= 40);
  std::vector<std::string> scenes;
  bool echoed = false;
  double wheel = -1.0;
  int echoes = 0, composed = 0;
  for (const Client::Got& g : client.got) {
    if (g.address == "/reverie/scene") scenes.push_back(g.text.at(0));
    if (g.address != "/reverie/param") continue;
    ++echoes;
    if (g.text.at(0) == "composer.advance_note") echoed = g.numbers.at(0) == 20.0;
    if (g.text.at(0) == "composer.live_tension") wheel = g.numbers.at(0);
    composed += g.text.at(0).rfind("composer.", 0) != 0;  // the composer's automation
  }
  MESSAGE("/reverie/param echoes: " << echoes << "; the CC1 wheel at 100 echoed as "
                                    << "composer.live_tension " << wheel << "; " << composed
                                    << " of the arc's own changes to its nodes");
  CHECK(std::fabs(wheel - 100.0 / 127.0) < 1e-4);
  CHECK(composed >= 1);
  REQUIRE(scenes.size() >= 2);
  CHECK(scenes.front() == "workshop");
  CHECK(scenes.back() == "lifting-the-machine");
  CHECK(client.count("/reverie/bar") >= 2);
  CHECK(echoed);
  bool presetRefused = false;
  for (const Client::Got& g : client.got)
    if (g.address == "/reverie/fail" && g.text.at(0) == "/reverie/preset") {
      presetRefused = true;
      MESSAGE("/reverie/fail /reverie/preset \"" << g.text.at(1) << "\"");
    }
  CHECK(presetRefused);
  CHECK(log.find("OSC preset: water-drop") != std::string::npos);
}
