// The hall reverb measured from its output: RT60 by Schroeder integration, frequency-dependent
// decay, a decorrelated stereo tail, no ringing modes, glitch-free changes, block-size
// invariance and 60 s of abuse.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <random>

#include "reverie/engine.hpp"
#include "reverie/node_registry.hpp"
#include "support/engine_render.hpp"
#include "support/fft.hpp"
#include "support/node_render.hpp"
#include "support/octave_band.hpp"
#include "support/sample_statistics.hpp"
#include "support/schroeder.hpp"
#include "support/tail_ringing.hpp"

using namespace reverie;
using test::TimedParameter;

namespace {

constexpr double kRate = 48000.0;

std::unique_ptr<Node> makeHall(std::initializer_list<std::pair<const char*, float>> values) {
  return test::makeNode("hall", kRate, values);
}

int hallParameter(std::string_view id) {
  return findParameter(findNodeType("hall")->parameters, id);
}

/// The wet response to a unit impulse in both inputs (a mono source), `seconds` long.
test::Stereo impulseResponse(Node& hall, double seconds, int block = 512) {
  std::vector<float> impulse(static_cast<std::size_t>(seconds * kRate), 0.0f);
  impulse[0] = 1.0f;
  return test::renderStereoNode(hall, impulse, impulse, {}, [block] { return block; });
}

/// T20 of the stereo response in the octave band at `centreHz`.
double bandRt60(const test::Stereo& response, double centreHz) {
  const std::vector<float> left = test::octaveBand(response.left, kRate, centreHz);
  const std::vector<float> right = test::octaveBand(response.right, kRate, centreHz);
  const std::span<const float> channels[] = {left, right};
  return test::rt60BySchroeder(channels, kRate, -5.0, -25.0);
}

std::size_t at(double seconds) {
  return static_cast<std::size_t>(seconds * kRate);
}

/// The share of the power of a Blackman-Harris-windowed frame that lies above `hz`, in dB.
double powerAboveDb(const std::vector<float>& x, std::size_t begin, std::size_t frames, double hz) {
  const std::vector<double> magnitude = test::magnitudeSpectrum(
      std::span<const float>(x.data() + begin, frames), test::Window::kBlackmanHarris, frames);
  double above = 0.0, total = 0.0;
  for (std::size_t k = 0; k < magnitude.size(); ++k) {
    const double power = magnitude[k] * magnitude[k];
    total += power;
    if (static_cast<double>(k) * kRate / static_cast<double>(frames) >= hz) above += power;
  }
  return 10.0 * std::log10(above / total + 1e-30);
}

/// The worst frame of powerAboveDb over [fromSeconds, toSeconds), frames of 2048 every 512.
double worstHighFrequencyShareDb(const std::vector<float>& x, double fromSeconds,
                                 double toSeconds) {
  double worst = -300.0;
  for (std::size_t begin = at(fromSeconds); begin + 2048 <= at(toSeconds); begin += 512)
    worst = std::max(worst, powerAboveDb(x, begin, 2048, 4000.0));
  return worst;
}

}  // namespace

TEST_CASE("hall: RT60 by Schroeder integration is within 10 % of t60 in the 500 Hz-2 kHz octaves") {
  for (float t60 : {1.0f, 2.5f, 5.0f}) {
    std::unique_ptr<Node> hall = makeHall({{"t60", t60}, {"hf_ratio", 1.0f}, {"mix", 1.0f}});
    const test::Stereo response = impulseResponse(*hall, 1.3 * t60 + 0.5);
    const std::span<const float> both[] = {response.left, response.right};
    const double broadband = test::rt60BySchroeder(both, kRate);
    for (double hz : {500.0, 1000.0, 2000.0}) {
      const double measured = bandRt60(response, hz);
      CAPTURE(t60);
      CAPTURE(hz);
      MESSAGE("t60 " << t60 << " s, octave " << hz << " Hz: RT60 (T20, -5..-25 dB) " << measured
                     << " s, error " << 100.0 * (measured / t60 - 1.0) << " %");
      CHECK(measured > 0.9 * t60);
      CHECK(measured < 1.1 * t60);
    }
    MESSAGE("t60 " << t60 << " s: broadband RT60 " << broadband << " s");
  }
}

TEST_CASE("hall: RT60 holds at 44.1 and 96 kHz (line lengths and decay scale with the rate)") {
  for (double rate : {44100.0, 96000.0}) {
    std::unique_ptr<Node> hall =
        test::makeNode("hall", rate, {{"t60", 2.5f}, {"hf_ratio", 1.0f}, {"mix", 1.0f}});
    std::vector<float> impulse(static_cast<std::size_t>(3.6 * rate), 0.0f);
    impulse[0] = 1.0f;
    const test::Stereo response =
        test::renderStereoNode(*hall, impulse, impulse, {}, [] { return 512; });
    const std::vector<float> left = test::octaveBand(response.left, rate, 1000.0);
    const std::vector<float> right = test::octaveBand(response.right, rate, 1000.0);
    const std::span<const float> channels[] = {left, right};
    const double measured = test::rt60BySchroeder(channels, rate);
    MESSAGE(rate << " Hz: RT60 in the 1 kHz octave " << measured << " s (t60 2.5 s)");
    CHECK(measured > 0.9 * 2.5);
    CHECK(measured < 1.1 * 2.5);
  }
}

TEST_CASE("hall: with hf_ratio 0.3 the high octaves die faster than the middle") {
  constexpr float kT60 = 2.5f;
  std::unique_ptr<Node> hall = makeHall({{"t60", kT60}, {"hf_ratio", 0.3f}, {"mix", 1.0f}});
  const test::Stereo response = impulseResponse(*hall, 1.3 * kT60 + 0.5);
  const double mid = bandRt60(response, 1000.0), high = bandRt60(response, 4000.0),
               top = bandRt60(response, 8000.0);
  MESSAGE("t60 2.5 s, hf_ratio 0.3: RT60 at 1 kHz " << mid << " s, 4 kHz " << high << " s, 8 kHz "
                                                    << top << " s");
  CHECK(mid > 0.85 * kT60);
  CHECK(mid < 1.1 * kT60);
  CHECK(high < 0.85 * mid);
  CHECK(top < 0.6 * mid);
  CHECK(top > 0.2 * kT60);  // the shelf reaches t60 x 0.3 near Nyquist, not much less
}

TEST_CASE("hall: a mono impulse leaves a decorrelated stereo tail, and width 0 makes it mono") {
  std::unique_ptr<Node> wide = makeHall({{"mix", 1.0f}});
  const test::Stereo response = impulseResponse(*wide, 1.2);
  const double correlation =
      test::normalizedCorrelation(response.left, response.right, at(0.1), at(1.0));
  MESSAGE("left/right correlation 0.1-1 s after a mono impulse: " << correlation);
  CHECK(std::fabs(correlation) < 0.3);

  std::unique_ptr<Node> mono = makeHall({{"mix", 1.0f}, {"width", 0.0f}});
  const test::Stereo narrow = impulseResponse(*mono, 1.2);
  const double monoCorrelation =
      test::normalizedCorrelation(narrow.left, narrow.right, at(0.1), at(1.0));
  MESSAGE("the same at width 0: " << monoCorrelation);
  CHECK(monoCorrelation > 0.99);
  CHECK(test::rmsDb(response.left, at(0.1), at(1.0)) > -60.0);  // there is a tail
}

TEST_CASE(
    "hall: no mode rings out of the tail (spectral peaks within 10 dB of the 1/3-octave median)") {
  // The tail 0.2-3.2 s after an impulse, its decay undone, power spectra of 8192-frame Hann
  // segments (5.9 Hz) averaged over time and both channels: see tail_ringing.hpp for why one
  // long FFT of a dense tail would scatter +-10 dB bin to bin whatever the reverb.
  constexpr float kT60 = 2.5f;
  constexpr std::size_t kSegment = 8192;
  auto tailOf = [](const test::Stereo& response) {
    return std::array<std::span<const float>, 2>{
        std::span<const float>(response.left.data() + at(0.2), at(3.0)),
        std::span<const float>(response.right.data() + at(0.2), at(3.0))};
  };
  for (float size : {0.0f, 0.7f, 1.0f}) {
    std::unique_ptr<Node> hall =
        makeHall({{"t60", kT60}, {"hf_ratio", 1.0f}, {"mix", 1.0f}, {"size", size}});
    const test::Stereo response = impulseResponse(*hall, 3.4);
    const test::RingingReport report =
        test::findRinging(tailOf(response), kRate, kT60, 50.0, 10000.0, kSegment);
    CAPTURE(size);
    MESSAGE("size " << size << ": worst peak " << report.worstExcessDb
                    << " dB over its 1/3-octave median, at " << report.worstHz << " Hz");
    CHECK(report.worstExcessDb < 10.0);
  }
  // The detector hears a ringing mode: 1 kHz planted in the tail at -40 dB re its start,
  // ringing twice as long; and a steady resonance at -20 dB decaying with the hall.
  std::unique_ptr<Node> hall = makeHall({{"t60", kT60}, {"hf_ratio", 1.0f}, {"mix", 1.0f}});
  const test::Stereo response = impulseResponse(*hall, 3.4);
  const double rms = std::pow(10.0, test::rmsDb(response.left, at(0.2), at(0.3)) / 20.0);
  for (const auto& [levelDb, t60Ratio] : {std::pair{-40.0, 2.0}, std::pair{-16.0, 1.0}}) {
    test::Stereo planted = response;
    for (std::vector<float>* side : {&planted.left, &planted.right})
      for (std::size_t n = at(0.2); n < side->size(); ++n) {
        const double t = static_cast<double>(n - at(0.2)) / kRate;
        (*side)[n] += static_cast<float>(std::pow(10.0, levelDb / 20.0) * rms * std::sqrt(2.0) *
                                         std::pow(10.0, -3.0 * t / (t60Ratio * kT60)) *
                                         std::sin(2.0 * 3.14159265358979 * 1000.0 * t));
      }
    const test::RingingReport flagged =
        test::findRinging(tailOf(planted), kRate, kT60, 50.0, 10000.0, kSegment);
    MESSAGE("with a 1 kHz mode planted at " << levelDb << " dB, decaying " << t60Ratio
                                            << "x slower: " << flagged.worstExcessDb << " dB at "
                                            << flagged.worstHz << " Hz");
    CHECK(flagged.worstExcessDb > 10.0);
    CHECK(std::fabs(flagged.worstHz - 1000.0) < 10.0);
  }
}

TEST_CASE("hall: mix 0 passes the input through bit for bit while the tail moves") {
  std::mt19937 random(5);
  std::uniform_real_distribution<float> bipolar(-0.5f, 0.5f);
  std::vector<float> left(at(2.0)), right(at(2.0));
  for (std::size_t n = 0; n < left.size(); ++n) {
    left[n] = bipolar(random);
    right[n] = bipolar(random);
  }
  const std::vector<TimedParameter> changes = {{at(0.5), hallParameter("size"), 0.1f},
                                               {at(0.9), hallParameter("t60"), 12.0f},
                                               {at(1.3), hallParameter("predelay"), 200.0f}};
  std::unique_ptr<Node> dry = makeHall({{"mix", 0.0f}});
  const test::Stereo out = test::renderStereoNode(*dry, left, right, changes, [] { return 333; });
  CHECK(test::sameSamples(out.left, left));
  CHECK(test::sameSamples(out.right, right));
  std::unique_ptr<Node> wet = makeHall({{"mix", 0.01f}});
  const test::Stereo some = test::renderStereoNode(*wet, left, right, changes, [] { return 333; });
  CHECK_FALSE(test::sameSamples(some.left, left));  // the comparison can fail
}

TEST_CASE("hall: size, t60 and pre-delay jumps while a tone plays glide without clicks") {
  // A 440 Hz tone through the hall, wet only: the output holds nothing above 4 kHz, unless a
  // jump in a delay line's length (or a filter upset) splashes a click across the spectrum.
  std::vector<float> tone(at(4.0));
  for (std::size_t n = 0; n < tone.size(); ++n)
    tone[n] = static_cast<float>(
        0.5 * std::sin(2.0 * 3.14159265358979 * 440.0 * static_cast<double>(n) / kRate));
  const std::vector<TimedParameter> changes = {
      {at(1.5), hallParameter("size"), 0.1f},      {at(1.5), hallParameter("t60"), 0.4f},
      {at(2.2), hallParameter("predelay"), 150.f}, {at(2.6), hallParameter("size"), 1.0f},
      {at(2.6), hallParameter("t60"), 20.0f},      {at(3.1), hallParameter("hf_ratio"), 0.1f}};
  std::unique_ptr<Node> hall = makeHall({{"mix", 1.0f}, {"modulation", 1.0f}});
  const test::Stereo out = test::renderStereoNode(*hall, tone, tone, changes, [] { return 256; });
  const double before = worstHighFrequencyShareDb(out.left, 1.0, 1.5);
  const double during = std::max(worstHighFrequencyShareDb(out.left, 1.45, 4.0),
                                 worstHighFrequencyShareDb(out.right, 1.45, 4.0));
  MESSAGE("power above 4 kHz, worst 43 ms frame: steady " << before << " dB, around the jumps "
                                                          << during << " dB");
  CHECK(during < -55.0);
  CHECK(test::peakAbs(out.left) < 4.0f);
  CHECK(test::rmsDb(out.left, at(3.5), at(4.0)) > -40.0);  // still sounding

  // The measurement hears a click: one step of a tenth of the tone's level.
  std::vector<float> clicked = out.left;
  for (std::size_t n = at(2.0); n < clicked.size(); ++n) clicked[n] += 0.05f;
  const double click = worstHighFrequencyShareDb(clicked, 1.45, 4.0);
  MESSAGE("the same with a planted 0.05 step: " << click << " dB");
  CHECK(click > during + 10.0);
}

TEST_CASE(
    "hall: a tail left in silence never goes subnormal, with or without a host that flushes") {
  // At t60 0.2 s the tail falls 300 dB a second: without care its states would reach the
  // subnormal range (below -758 dBFS) within 3 s and every operation on them would crawl.
  std::unique_ptr<Node> hall = makeHall({{"t60", 0.2f}, {"mix", 1.0f}});
  const test::Stereo response = impulseResponse(*hall, 5.0);
  std::size_t subnormal = 0;
  for (const std::vector<float>* side : {&response.left, &response.right})
    for (float x : *side) subnormal += std::fpclassify(x) == FP_SUBNORMAL ? 1 : 0;
  MESSAGE("subnormal samples in 5 s of a dying tail: "
          << subnormal << ", level after 4 s " << test::rmsDb(response.left, at(4.0), at(5.0))
          << " dB");
  CHECK(subnormal == 0);
  CHECK(test::rmsDb(response.left, at(4.0), at(5.0)) < -300.0);  // it did die away
}

TEST_CASE("hall: blocks of 64 and of random sizes render the same samples, and renders repeat") {
  std::mt19937 random(11);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> left(at(4.0), 0.0f), right(at(4.0), 0.0f);
  for (std::size_t start = 0; start < left.size(); start += at(0.4)) {
    for (std::size_t n = start; n < std::min(left.size(), start + at(0.05)); ++n) {
      left[n] = unit(random) - 0.5f;
      right[n] = unit(random) - 0.5f;
    }
  }
  const auto table = findNodeType("hall")->parameters;
  std::vector<TimedParameter> changes;
  for (std::size_t frame = 1000; frame < left.size(); frame += 7919) {
    const int index = static_cast<int>(random() % table.size());
    const ParameterDescriptor& p = table[static_cast<std::size_t>(index)];
    changes.push_back({frame, index, p.minimum + unit(random) * (p.maximum - p.minimum)});
  }
  auto render = [&](const std::function<int()>& blockSize) {
    std::unique_ptr<Node> hall = makeHall({{"mix", 0.5f}});
    return test::renderStereoNode(*hall, left, right, changes, blockSize);
  };
  const test::Stereo a = render([] { return 64; });
  const test::Stereo b = render([&] { return 1 + static_cast<int>(random() % 1500); });
  const test::Stereo c = render([] { return 64; });
  CHECK(test::rmsDb(a.left, 0, a.left.size()) > -40.0);
  CHECK(test::sameSamples(a.left, b.left));
  CHECK(test::sameSamples(a.right, b.right));
  CHECK(test::sameSamples(a.left, c.left));
  CHECK(test::sameSamples(a.right, c.right));
}

TEST_CASE("hall: 60 s of random input and parameters (some out of range) stay finite and bounded") {
  const std::size_t frames = at(60.0);
  std::mt19937 random(2025);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  // Noise bursts, impulses and silences, sometimes at full scale, sometimes mono.
  std::vector<float> left(frames, 0.0f), right(frames, 0.0f);
  for (std::size_t start = 0; start < frames;) {
    const float amplitude = unit(random) < 0.3f ? 1.0f : unit(random);
    if (unit(random) < 0.3f) {
      left[start] = amplitude;
      right[start] = unit(random) < 0.5f ? amplitude : -amplitude;
      start += at(0.05 + unit(random));
      continue;
    }
    const std::size_t length = at(0.01 + 1.5 * unit(random));
    const bool mono = unit(random) < 0.5f;
    for (std::size_t n = start; n < std::min(frames, start + length); ++n) {
      left[n] = amplitude * (2.0f * unit(random) - 1.0f);
      right[n] = mono ? left[n] : amplitude * (2.0f * unit(random) - 1.0f);
    }
    start += length + at(2.0 * unit(random));
  }
  const auto table = findNodeType("hall")->parameters;
  const int t60 = hallParameter("t60"), size = hallParameter("size"), mix = hallParameter("mix");
  std::vector<TimedParameter> changes;
  for (std::size_t frame = 0; frame < frames - at(4.0);) {
    const int index = static_cast<int>(random() % table.size());
    const ParameterDescriptor& p = table[static_cast<std::size_t>(index)];
    float value = p.minimum + (p.maximum - p.minimum) * (1.4f * unit(random) - 0.2f);
    if (index == t60 && unit(random) < 0.5f) value = 25.0f;  // past the longest
    changes.push_back({frame, index, value});
    // The longest decay while the size sweeps back and forth: the runaway case.
    if (unit(random) < 0.1f) {
      changes.push_back({frame, t60, 20.0f});
      changes.push_back({frame + at(0.3), size, unit(random)});
      changes.push_back({frame + at(0.9), size, unit(random)});
    }
    frame += at(0.01 + 0.3 * unit(random));
  }
  std::sort(changes.begin(), changes.end(),
            [](const TimedParameter& a, const TimedParameter& b) { return a.frame < b.frame; });
  // The last 4 s: silence in, a short decay, wet only: the tail must empty.
  changes.push_back({frames - at(4.0), t60, 0.2f});
  changes.push_back({frames - at(4.0), mix, 1.0f});
  for (std::size_t n = frames - at(4.0); n < frames; ++n) left[n] = right[n] = 0.0f;

  std::unique_ptr<Node> hall = makeHall({});
  const test::Stereo out = test::renderStereoNode(
      *hall, left, right, changes, [&] { return 1 + static_cast<int>(random() % 4096); });
  std::unique_ptr<Node> twin = makeHall({});
  const test::Stereo fixed = test::renderStereoNode(*twin, left, right, changes, [] { return 64; });
  CHECK(test::sameSamples(out.left, fixed.left));
  CHECK(test::sameSamples(out.right, fixed.right));
  const float peak = std::max(test::peakAbs(out.left), test::peakAbs(out.right));
  MESSAGE("peak over 60 s of abuse: " << peak << " (input peak 1)");
  CHECK(test::allFinite(out.left));
  CHECK(test::allFinite(out.right));
  CHECK(peak < 16.0f);  // +12 dB of wet level and a 20 s decay fed full-scale noise
  CHECK(peak > 0.3f);   // it was driven, not muted
  const double last = test::rmsDb(out.left, frames - at(0.5), frames);
  MESSAGE("level in the last half second: " << last << " dB");
  CHECK(last < -100.0);
}

TEST_CASE(
    "hall: through the engine, a synth into the hall renders finite and the same in any blocks") {
  auto render = [](const std::function<int()>& blockSize) {
    Engine engine({kRate, 4096, 9});
    Graph& g = engine.graph();
    const NodeId synth = g.add("synth", "synth");
    const NodeId hall = g.add("hall", "hall");
    g.setParameter(hall, "mix", 0.5f);
    g.add("output", "out");
    g.connect("synth.left", "hall.left");
    g.connect("synth.right", "hall.right");
    g.connect("hall.left", "out.left");
    g.connect("hall.right", "out.right");
    engine.commit();
    std::vector<ScheduledEvent> score;
    for (int i = 0; i < 8; ++i) {
      const std::uint64_t start = static_cast<std::uint64_t>(i) * 12007 + 5;
      score.push_back(test::note(start, synth, 55 + (i * 7) % 19, 0.8f));
      score.push_back(test::noteOff(start + 9000, synth, 55 + (i * 7) % 19));
      score.push_back(test::parameterChange(
          start + 4001, hall, i % 10,
          g.node(hall).parameters()[static_cast<std::size_t>(i % 10)].defaultValue *
              (0.5f + 0.1f * static_cast<float>(i))));
    }
    test::Stereo out = test::renderBlocks(engine, score, at(3.0), blockSize);
    CHECK(engine.stats().nonFiniteSamples == 0);
    return out;
  };
  const test::Stereo a = render([] { return 64; });
  std::mt19937 random(3);
  const test::Stereo b = render([&] { return 1 + static_cast<int>(random() % 4096); });
  CHECK(test::rmsDb(a.left, 0, a.left.size()) > -50.0);
  CHECK(test::sameSamples(a.left, b.left));
  CHECK(test::sameSamples(a.right, b.right));
}
