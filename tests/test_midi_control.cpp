// MIDI controllers with their standard meanings, measured in the audio: MPE per-note bend,
// pressure and timbre on the crystal, channel volume and pan, sostenuto and the soft pedal.
#include <doctest/doctest.h>

#include <cmath>

#include "midi/midi_translator.hpp"
#include "reverie/engine.hpp"
#include "support/engine_render.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"

using namespace reverie;

namespace {

constexpr double kRate = 48000.0;

/// A crystal (or synth) into the output, played by MIDI messages at given times.
struct MidiRig {
  Engine engine{{kRate, 512, 1}};
  NodeId node = kInvalidNode;
  midi::Translator translator;
  std::vector<ScheduledEvent> events;

  MidiRig(const char* type, std::initializer_list<std::pair<const char*, float>> parameters,
          bool mpe = false) {
    Graph& g = engine.graph();
    node = g.add(type, "player");
    for (const auto& [id, value] : parameters) g.setParameter(node, id, value);
    const NodeId out = g.add("output", "out");
    g.connect({node, 0}, {out, 0});
    g.connect({node, 1}, {out, 1});
    engine.commit();
    const midi::ChannelTarget target{node, findParameter(g.node(node).parameters(), "bend_range")};
    for (int c = 0; c < 16; ++c) translator.setTargets(c, {&target, 1});
    translator.setMpe(mpe);
  }
  void at(double seconds, midi::Message m) {
    const auto frame = static_cast<std::uint64_t>(seconds * kRate);
    translator.translate(m, 0, [&](const NodeEvent& e) {
      events.push_back({frame, e.node, e.event});
    });
  }
  test::Stereo render(double seconds) {
    return test::renderBlocks(engine, events, static_cast<std::size_t>(seconds * kRate),
                              [] { return 512; });
  }
};

std::span<const float> between(const std::vector<float>& x, double from, double to) {
  return {x.data() + static_cast<std::size_t>(from * kRate),
          static_cast<std::size_t>((to - from) * kRate)};
}

}  // namespace

TEST_CASE("midi control: MPE member channels bend, press and brighten one note each") {
  MidiRig rig("crystal", {{"geometry", 0.0f}, {"t60", 8.0f}, {"level", -12.0f}, {"mpe", 1.0f}},
              true);
  // A4 on member channel 2, E5 on member channel 3; at 1 s channel 2 bends +1 semitone
  // (1/48 of the member range) and brightens; channel 3 is left alone.
  rig.at(0.0, {0x91, 69, 100});
  rig.at(0.0, {0x92, 76, 100});
  const int bend = 8192 + static_cast<int>(std::lround(8191.0 / 48.0));
  rig.at(1.0, {0xE1, static_cast<std::uint8_t>(bend & 0x7F), static_cast<std::uint8_t>(bend >> 7)});
  rig.at(1.0, {0xB1, 74, 127});
  // Manager-channel RPN 0 sets the zone's bend range; a member's is ignored.
  rig.at(1.0, {0xB2, 101, 0});
  rig.at(1.0, {0xB2, 100, 0});
  rig.at(1.0, {0xB2, 6, 2});
  const test::Stereo out = rig.render(2.0);
  const auto before = between(out.left, 0.3, 0.95), after = between(out.left, 1.2, 1.95);
  const double a4Before = test::peakNear(before, kRate, 440.0, 0.02);
  const double bentAfter = test::peakNear(after, kRate, 466.16, 0.02);
  const double e5After = test::peakNear(after, kRate, 659.26, 0.02);
  MESSAGE("channel 2's A4: " << a4Before << " Hz, bent to " << bentAfter << " Hz ("
                             << test::centsBetween(bentAfter, a4Before)
                             << " cents); channel 3's E5 after: " << e5After << " Hz");
  CHECK(std::fabs(test::centsBetween(bentAfter, a4Before) - 100.0) < 1.0);
  CHECK(std::fabs(test::centsBetween(e5After, 659.255)) < 1.0);
  // Timbre: channel 2's note has more upper partials relative to its fundamental.
  const auto peaks = test::spectralPeaks(after, kRate, 40, 80.0);
  double bentSecond = -300.0, e5Second = -300.0, bentFirst = -300.0, e5First = -300.0;
  for (const auto& p : peaks) {
    if (std::fabs(test::centsBetween(p.frequencyHz, 466.16)) < 20) bentFirst = p.amplitudeDb;
    if (std::fabs(test::centsBetween(p.frequencyHz, 2 * 466.16)) < 20) bentSecond = p.amplitudeDb;
    if (std::fabs(test::centsBetween(p.frequencyHz, 659.26)) < 20) e5First = p.amplitudeDb;
    if (std::fabs(test::centsBetween(p.frequencyHz, 2 * 659.26)) < 20) e5Second = p.amplitudeDb;
  }
  MESSAGE("second partial re the first: brightened note "
          << bentSecond - bentFirst << " dB, untouched note " << e5Second - e5First << " dB");
  CHECK(bentSecond - bentFirst > e5Second - e5First + 6.0);
}

TEST_CASE(
    "midi control: channel volume (CC7) follows 40 log10 and pan (CC10) moves between channels") {
  MidiRig rig("synth", {{"waveform", 0.0f},
                        {"attack", 0.0f},
                        {"sustain", 1.0f},
                        {"detune", 0.0f},
                        {"level", -12.0f}});
  rig.at(0.0, {0x90, 69, 100});
  rig.at(1.0, {0xB0, 7, 64});  // 40 log10(64/127) = -11.9 dB
  rig.at(2.0, {0xB0, 7, 127});
  rig.at(2.0, {0xB0, 10, 0});  // hard left
  const test::Stereo out = rig.render(3.0);
  const double full = test::rmsDb(out.left, static_cast<std::size_t>(0.5 * kRate),
                                  static_cast<std::size_t>(0.9 * kRate));
  const double half = test::rmsDb(out.left, static_cast<std::size_t>(1.5 * kRate),
                                  static_cast<std::size_t>(1.9 * kRate));
  const double left = test::rmsDb(out.left, static_cast<std::size_t>(2.5 * kRate),
                                  static_cast<std::size_t>(2.9 * kRate));
  const double right = test::rmsDb(out.right, static_cast<std::size_t>(2.5 * kRate),
                                   static_cast<std::size_t>(2.9 * kRate));
  MESSAGE("CC7 64: " << half - full << " dB; CC10 0: left " << left - full << " dB, right "
                     << right - full << " dB");
  CHECK(half - full == doctest::Approx(40.0 * std::log10(64.0 / 127.0)).epsilon(0.02));
  CHECK(left - full == doctest::Approx(3.01).epsilon(0.05));  // constant power: +3 dB on one side
  CHECK(right < -100.0);
}

TEST_CASE(
    "midi control: sostenuto holds only the keys down when it was pressed; the soft pedal "
    "softens") {
  midi::Translator translator;
  const midi::ChannelTarget target{9, -1};
  translator.setTargets(0, {&target, 1});
  std::vector<Event> events;
  auto send = [&](midi::Message m) {
    translator.translate(m, 0, [&](const NodeEvent& e) { events.push_back(e.event); });
  };
  send({0x90, 60, 100});
  send({0xB0, 66, 127});  // sostenuto catches 60
  send({0x90, 64, 100});
  send({0x80, 60, 0});  // held
  send({0x80, 64, 0});  // not caught: ends now
  send({0xB0, 66, 0});  // 60 ends here
  send({0xB0, 67, 127});
  send({0x90, 67, 127});  // soft pedal: 0.6 of full
  REQUIRE(events.size() == 5);
  CHECK((events[2].type == EventType::kNoteOff && events[2].index == 64));
  CHECK((events[3].type == EventType::kNoteOff && events[3].index == 60));
  CHECK(events[4].value == doctest::Approx(0.6f));
}
