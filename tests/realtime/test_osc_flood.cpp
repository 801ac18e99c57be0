// OSC flooding live play: 10,000 messages a second for 10 s over UDP into the OSC server while
// the audio thread renders. Nothing may crash, every drop must be counted, and the audio thread
// must neither allocate nor lock (the trap) however hard the server thread works, with the
// parameter echo on (the sender subscribes) and a tenth of the flood moving a parameter.
#include <doctest/doctest.h>
#include <lo/lo.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "live/live_renderer.hpp"
#include "osc/osc_controller.hpp"
#include "osc/osc_server.hpp"
#include "osc/param_echo.hpp"
#include "realtime/alloc_trap.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"

using namespace reverie;
using namespace std::chrono_literals;

TEST_CASE("osc: 10,000 messages a second for 10 s: no crash, drops counted, audio thread clean") {
  Engine engine({48000.0, 4096, 1});
  const NodeId synth = engine.graph().add("synth", "tone");
  const NodeId out = engine.graph().add("output", "out");
  engine.graph().connect({synth, 0}, {out, 0});
  engine.graph().connect({synth, 1}, {out, 1});
  engine.commit();
  live::LiveRenderer renderer(engine, 1, {});
  live::Routing routing;
  for (auto& t : routing.targets) t[0] = {synth, -1};
  routing.counts.fill(1);
  REQUIRE(renderer.setRouting(routing));
  osc::Controller controller(renderer, 48000.0);
  osc::ParameterEcho echo;
  engine.setObserver(&echo);
  const NodeId ids[] = {synth, out};
  controller.setDirectory(osc::makeDirectory(engine.graph(), ids, kInvalidNode, {}));
  // A port of this process's own; the next ones if another program holds it.
  int port = 40000 + static_cast<int>(getpid() % 20000);
  std::unique_ptr<osc::Server> owned;
  for (int attempt = 0; attempt < 20 && !owned; ++attempt, ++port) {
    try {
      owned = std::make_unique<osc::Server>(port, controller, renderer, 48000.0, 0.0, &echo);
    } catch (const std::exception& e) {
      MESSAGE(e.what());
    }
  }
  REQUIRE(owned != nullptr);
  --port;
  osc::Server& server = *owned;

  std::atomic<bool> stop{false};
  test::resetViolations();
  std::thread audio([&] {
    test::setAudioThread(true);
    float left[256], right[256];
    float* channels[] = {left, right};
    auto next = std::chrono::steady_clock::now();
    while (!stop.load()) {
      const auto now = std::chrono::steady_clock::now();
      renderer.render(
          channels, 256,
          std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
      next += std::chrono::microseconds(5333);  // 256 frames at 48 kHz: real time
      std::this_thread::sleep_until(next);
    }
    test::setAudioThread(false);
  });

  lo_address target = lo_address_new("127.0.0.1", std::to_string(port).c_str());
  // The sender's own socket: liblo's default client socket in this process is the server's.
  lo_server sender = lo_server_new(nullptr, nullptr);
  REQUIRE(sender != nullptr);
  // A subscriber, so the audio thread publishes every change it applies (the echo) meanwhile.
  lo_send_from(target, sender, LO_TT_IMMEDIATE, "/reverie/notify", "i", 1);
  constexpr std::uint64_t kSubscriptions = 1;
  std::uint64_t sent = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int burst = 0; burst < 1000; ++burst) {  // 100 messages every 10 ms
    for (int i = 0; i < 100; ++i, ++sent) {
      const int key = 36 + static_cast<int>(sent % 48);
      switch (sent % 10) {
        case 0:
        case 1:
        case 2:
          lo_send_from(target, sender, LO_TT_IMMEDIATE, "/reverie/note", "iii",
                       1 + static_cast<int>(sent % 16), key, 90);
          break;
        case 3:
        case 4:
        case 5:
          lo_send_from(target, sender, LO_TT_IMMEDIATE, "/reverie/noteoff", "ii",
                       1 + static_cast<int>(sent % 16), key);
          break;
        case 6:
          lo_send_from(target, sender, LO_TT_IMMEDIATE, "/reverie/param", "sf", "tone.cutoff",
                       200.0f + static_cast<float>(sent % 5000));
          break;
        case 7: {  // a bundle 50 ms ahead
          lo_timetag tag;
          lo_timetag_now(&tag);
          tag.frac += 214748365u;  // 0.05 s
          if (tag.frac < 214748365u) ++tag.sec;
          lo_bundle bundle = lo_bundle_new(tag);
          lo_message m = lo_message_new();
          lo_message_add_int32(m, 1);
          lo_message_add_float(m, -0.3f);
          lo_bundle_add_message(bundle, "/reverie/bend", m);
          lo_send_bundle_from(target, sender, bundle);
          lo_bundle_free_recursive(bundle);
          break;
        }
        case 8:
          lo_send_from(target, sender, LO_TT_IMMEDIATE, "/reverie/note", "iii", 1, 300,
                       90);  // refused
          break;
        default:
          lo_send_from(target, sender, LO_TT_IMMEDIATE, "/reverie/cc", "iii", 1, 1,
                       static_cast<int>(sent % 128));
      }
    }
    std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * (burst + 1)));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Let the server take what the socket still holds.
  for (int i = 0; i < 20 && server.received() < sent; ++i) std::this_thread::sleep_for(50ms);
  stop = true;
  audio.join();
  lo_address_free(target);
  lo_server_free(sender);  // its socket got the refusals; nobody read them

  const std::uint64_t received = server.received();
  MESSAGE("sent " << sent << " messages (and " << kSubscriptions << " subscription) in " << seconds
                  << " s; the server received " << received << " ("
                  << static_cast<std::int64_t>(sent + kSubscriptions - received)
                  << " lost in the sockets); refused " << controller.failures()
                  << "; dropped at the audio queue " << renderer.droppedMessages() << "; late "
                  << renderer.lateEvents() << "; notes played " << renderer.notesPlayed()
                  << "; engine drops " << engine.stats().droppedEvents << "; echoes dropped "
                  << echo.dropped() << "; allocations on the audio thread "
                  << test::allocationViolations() << ", locks " << test::lockViolations());
  CHECK(sent == 100000);
  CHECK(received <= sent + kSubscriptions);
  CHECK(received > sent / 2);
  CHECK(controller.failures() > received / 20);  // every tenth sent was malformed
  CHECK(renderer.notesPlayed() > 1000);
  CHECK(test::allocationViolations() == 0);
  CHECK(test::lockViolations() == 0);
}

TEST_CASE("osc: timetagged composer cues split the block, and the echo runs, with no allocation") {
  const Arc arc = loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/clockwork.toml");
  Engine engine({48000.0, 256, 1});
  const arc::ArcNodes nodes = arc::buildArc(arc, engine.graph());
  engine.commit();
  live::LiveRenderer renderer(engine, 1, {});
  osc::Controller controller(renderer, 48000.0);
  std::vector<NodeId> ids;
  for (const auto& [name, id] : nodes.ids) ids.push_back(id);
  std::vector<std::string> scenes;
  for (const Scene& s : arc.scenes) scenes.push_back(s.name);
  controller.setDirectory(osc::makeDirectory(engine.graph(), ids, nodes.composer, scenes));
  osc::ParameterEcho echo;
  engine.setObserver(&echo);
  echo.setEnabled(true);
  // Queued before the audio thread starts (handle allocates): stingers, holds and tensions on
  // frames that fall inside blocks, several to a block.
  std::vector<osc::Outgoing> out;
  const char* stingers[] = {"shatter", "drop", "cheer", "stab", "swell", "roll"};
  for (int i = 0; i < 60; ++i) {
    const std::int64_t frame = 24000 + i * 12007;
    controller.handle("/reverie/stinger", std::vector{osc::Arg::string(stingers[i % 6])}, frame, "",
                      out);
    controller.handle("/reverie/tension", std::vector{osc::Arg::real((i % 10) / 10.0)}, frame + 3,
                      "", out);
    controller.handle("/reverie/hold", std::vector{osc::Arg::integer(i % 2)}, frame + 100, "", out);
  }
  REQUIRE(out.empty());  // every one accepted
  constexpr int kBlock = 256;
  float left[kBlock], right[kBlock];
  float* output[] = {left, right};
  test::resetViolations();
  test::setAudioThread(true);
  for (int b = 0; b < 48000 * 16 / kBlock; ++b)
    renderer.render(output, kBlock, static_cast<std::int64_t>(b) * 5'333'333);
  test::setAudioThread(false);
  std::size_t fired = 0, changes = 0;
  osc::ParameterChange c;
  while (echo.pop(c)) {
    ++changes;
    fired += c.node == nodes.composer && c.index == arc::composer_parameter::kStinger;
  }
  MESSAGE("16 s of clockwork with 180 timetagged composer cues: "
          << fired << " stingers echoed, " << changes << " changes, " << echo.dropped()
          << " dropped; late " << renderer.lateEvents() << "; allocations "
          << test::allocationViolations() << ", locks " << test::lockViolations());
  CHECK(fired == 60);
  CHECK(renderer.lateEvents() == 0);
  CHECK(test::allocationViolations() == 0);
  CHECK(test::lockViolations() == 0);
}
