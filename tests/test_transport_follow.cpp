// The composer under an outside clock (issues 12 and 14): its ticks on the clock's 16ths at
// the clock's tempo, its scene changes on the clock's bar lines, waiting while the clock stops,
// and a jump of the position giving the notes of a performance that played through.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "support/arc_render.hpp"
#include "support/following_composer.hpp"

namespace reverie {
namespace {

using test::FollowingComposer;
using test::Heard;

constexpr double kRate = 48000.0;

int totalBars(const Arc& arc) {
  int bars = 0;
  for (const Scene& s : arc.scenes) bars += s.bars;
  return bars;
}

}  // namespace

TEST_CASE("following: scene changes land on the outside bar lines at 92 and then 130 bpm") {
  const Arc& arc = test::arcNamed("the-performance");
  REQUIRE(arc.beatsPerBar == 4);
  FollowingComposer host(arc);
  host.clock.beatsPerMinute = 92.0;
  const std::vector<double> changes = test::sceneStartBeats(arc);
  int landed = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    if (i == 2) host.clock.beatsPerMinute = 130.0;  // the host's tempo moves; the arc with it
    // Up to the frame before the bar line the scene is the old one; on it, the next.
    const std::uint64_t to = host.framesTo(changes[i]);
    REQUIRE(to > 0);
    host.play(to);
    CHECK(host.scene() == static_cast<int>(i));
    const std::size_t before = host.heard.size();
    host.play(1);
    CHECK(host.scene() == static_cast<int>(i + 1));
    // The new scene's first chord sounds on that frame (the scenes after the first all play).
    bool noteOn = false;
    for (std::size_t e = before; e < host.heard.size(); ++e)
      noteOn = noteOn || host.heard[e].event.type == EventType::kNoteOn;
    CHECK(noteOn);
    landed += host.scene() == static_cast<int>(i + 1) && noteOn;
  }
  MESSAGE("scene changes on the frame of the outside bar line (92, 92, 130, 130, 130 bpm): "
          << landed << " of 5");

  // Every note starts on a 16th of the outside clock: at 130 bpm a 16th is 48000 * 60 / 130 / 4
  // frames; check the notes of the next two bars against that grid.
  const std::uint64_t start = host.frame;
  const double startBeat = host.clock.beat;
  host.heard.clear();
  host.play(host.framesTo(startBeat + 8.0));
  const double sixteenth = kRate * 60.0 / 130.0 / 4.0;
  int onGrid = 0, notes = 0;
  for (const Heard& h : host.heard) {
    if (h.event.type != EventType::kNoteOn) continue;
    ++notes;
    const double n = std::round(static_cast<double>(h.frame - start) / sixteenth + startBeat * 4.0);
    const auto expected =
        start + static_cast<std::uint64_t>(std::ceil((n - startBeat * 4.0) * sixteenth - 1e-6));
    onGrid += h.frame == expected;
  }
  MESSAGE("notes on the outside 16ths at 130 bpm: " << onGrid << " of " << notes);
  CHECK(notes > 10);
  CHECK(onGrid == notes);
}

TEST_CASE("following: a stopped clock holds the arc where it is, notes released") {
  const Arc& arc = test::arcNamed("the-performance");
  FollowingComposer host(arc);
  host.clock.beatsPerMinute = 120.0;
  host.play(host.framesTo(test::sceneStartBeats(arc)[1] + 6.0));  // into the third scene
  const int scene = host.scene();
  host.clock.rolling = false;
  host.heard.clear();
  host.play(static_cast<std::uint64_t>(10.0 * kRate));
  int ons = 0, offs = 0;
  for (const Heard& h : host.heard) {
    ons += h.event.type == EventType::kNoteOn;
    offs += h.event.type == EventType::kNoteOff;
  }
  MESSAGE("10 s stopped: " << ons << " note-ons, " << offs << " note-offs (the release)");
  CHECK(ons == 0);
  CHECK(offs > 0);
  for (const Heard& h : host.heard) CHECK(h.frame == host.frame - 10 * 48000);
  CHECK(host.scene() == scene);
  // Rolling again from where it stopped, it plays on in the same scene.
  host.clock.rolling = true;
  host.heard.clear();
  host.play(host.framesTo(host.clock.beat + 4.0));
  CHECK(host.scene() == scene);
  CHECK(!host.heard.empty());
}

TEST_CASE("following: a jump to bar 40 gives the notes of a performance that played through") {
  const Arc& arc = test::arcNamed("the-performance");
  constexpr double kJumpBeat = 39 * 4.0;  // bar 40, counted from 1
  constexpr double kBeats = 8 * 4.0;      // compare eight bars from there

  FollowingComposer through(arc);
  through.clock.beatsPerMinute = 120.0;
  through.play(through.framesTo(kJumpBeat));
  const std::uint64_t jumpFrame = through.frame;
  through.play(through.framesTo(kJumpBeat + kBeats));

  FollowingComposer jumped(arc);
  jumped.clock.beatsPerMinute = 120.0;
  jumped.play(jumped.framesTo(10.0));  // some bars from the start, then the jump
  jumped.clock.beat = kJumpBeat;
  const std::uint64_t jumpedAt = jumped.frame;
  jumped.play(jumped.framesTo(kJumpBeat + kBeats));

  const std::vector<Heard> a = test::noteOnsFrom(through, jumpFrame),
                           b = test::noteOnsFrom(jumped, jumpedAt);
  const int same = test::sameNoteOns(a, b);
  MESSAGE("bars 40-47: " << a.size() << " note-ons played through, " << b.size()
                         << " after the jump, " << same << " identical");
  CHECK(a.size() > 20);
  CHECK(a.size() == b.size());
  CHECK(same == static_cast<int>(a.size()));
  CHECK(jumped.scene() == through.scene());

  // A loop back (bar 48 to bar 40) replays the same bars again.
  through.heard.clear();
  through.clock.beat = kJumpBeat;
  const std::uint64_t loopAt = through.frame;
  through.play(through.framesTo(kJumpBeat + kBeats));
  const std::vector<Heard> again = test::noteOnsFrom(through, loopAt);
  CHECK(again.size() == a.size());
  const int looped = test::sameNoteOns(a, again);
  CHECK(looped == static_cast<int>(a.size()));

  // The fast-forward's cost, for a jump to the arc's last bar (one block, measured once).
  FollowingComposer last(arc);
  last.clock.beatsPerMinute = 120.0;
  last.clock.beat = (totalBars(arc) - 1) * 4.0;
  const auto t0 = std::chrono::steady_clock::now();
  last.play(256);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("a jump to the last bar (" << totalBars(arc) << "): " << ms
                                     << " ms for the fast-forward and a 256-frame block");
  CHECK(last.scene() == static_cast<int>(arc.scenes.size()) - 1);
}

TEST_CASE("following at the arc's own tempo plays the arc's own notes") {
  // The first two scenes of the-performance are at 92 bpm in 4/4: led by a clock at 92 bpm the
  // composer makes the same notes as alone, each within a frame (a tick lands on the first
  // frame at or after the clock's 16th; alone, on the nearest).
  const Arc& arc = test::arcNamed("the-performance");
  REQUIRE(arc.scenes[0].tempo == 92.0);
  REQUIRE(arc.scenes[1].tempo == 92.0);
  FollowingComposer own(arc), led(arc);
  own.clock.external = false;
  led.clock.beatsPerMinute = 92.0;
  const std::uint64_t frames = led.framesTo(test::sceneStartBeats(arc)[1]) - 1;
  own.play(frames);
  led.play(frames);
  std::vector<Heard> a, b;
  for (const Heard& h : own.heard)
    if (h.event.type == EventType::kNoteOn) a.push_back(h);
  for (const Heard& h : led.heard)
    if (h.event.type == EventType::kNoteOn) b.push_back(h);
  int same = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    same +=
        a[i].node == b[i].node && a[i].event.index == b[i].event.index &&
        a[i].event.value == b[i].event.value &&
        std::llabs(static_cast<long long>(a[i].frame) - static_cast<long long>(b[i].frame)) <= 1;
  MESSAGE("scenes 1-2 at 92 bpm: " << a.size() << " note-ons alone, " << b.size() << " led, "
                                   << same << " the same within a frame");
  CHECK(a.size() > 20);
  CHECK(a.size() == b.size());
  CHECK(same == static_cast<int>(a.size()));
}

}  // namespace reverie
