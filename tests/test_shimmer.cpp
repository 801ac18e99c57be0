// The shimmer halo measured on its output: dry pass-through, octave peaks in the tail, stability
// under abuse, block-size invariance and a tail that grows with feedback.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "dsp/allpass_diffuser.hpp"
#include "dsp/pitch_shifter.hpp"
#include "reverie/engine.hpp"
#include "reverie/node_registry.hpp"
#include "support/engine_render.hpp"
#include "support/node_render.hpp"

using namespace reverie;
using test::parameterChange;

namespace {

constexpr double kPi = 3.14159265358979;

// A sine burst with 5 ms raised-cosine edges (hard edges would splash energy over every band).
std::vector<float> sineBurst(double rate, double hz, double seconds, double totalSeconds) {
  std::vector<float> x(static_cast<std::size_t>(totalSeconds * rate), 0.0f);
  const std::size_t length = static_cast<std::size_t>(seconds * rate),
                    edge = static_cast<std::size_t>(0.005 * rate);
  for (std::size_t n = 0; n < length; ++n) {
    const std::size_t fromEdge = std::min(n, length - 1 - n);
    const double ramp =
        fromEdge < edge ? 0.5 - 0.5 * std::cos(kPi * static_cast<double>(fromEdge) / edge) : 1.0;
    x[n] =
        static_cast<float>(0.5 * ramp * std::sin(2.0 * kPi * hz * static_cast<double>(n) / rate));
  }
  return x;
}

// Goertzel on a Hann-windowed span: the amplitude of the component at `hz`, in dBFS.
double toneLevelDb(const std::vector<float>& x, double beginSeconds, double endSeconds, double hz,
                   double rate) {
  const std::size_t begin = static_cast<std::size_t>(beginSeconds * rate);
  const std::size_t count = static_cast<std::size_t>(endSeconds * rate) - begin;
  const double coeff = 2.0 * std::cos(2.0 * kPi * hz / rate);
  double s1 = 0.0, s2 = 0.0, windowSum = 0.0;
  for (std::size_t n = 0; n < count; ++n) {
    const double w =
        0.5 - 0.5 * std::cos(2.0 * kPi * static_cast<double>(n) / static_cast<double>(count));
    const double s = x[begin + n] * w + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
    windowSum += w;
  }
  const double power = std::max(0.0, s1 * s1 + s2 * s2 - coeff * s1 * s2);
  return 20.0 * std::log10(2.0 * std::sqrt(power) / windowSum + 1e-12);
}

// The strongest component within +-3 % of `hz` (a delay-line shifter turns a tone into a line
// cluster 1/window apart around ratio * f, so the exact frequency may sit between two lines).
double peakNearDb(const std::vector<float>& x, double beginSeconds, double endSeconds, double hz,
                  double rate) {
  double peak = -300.0;
  for (double f = hz * 0.97; f <= hz * 1.03; f += 1.0)
    peak = std::max(peak, toneLevelDb(x, beginSeconds, endSeconds, f, rate));
  return peak;
}

double meanSquare(const std::vector<float>& x, double beginSeconds, double endSeconds,
                  double rate) {
  double sum = 0.0;
  const std::size_t begin = static_cast<std::size_t>(beginSeconds * rate),
                    end = static_cast<std::size_t>(endSeconds * rate);
  for (std::size_t n = begin; n < end; ++n) sum += static_cast<double>(x[n]) * x[n];
  return sum / static_cast<double>(end - begin);
}

}  // namespace

TEST_CASE("shimmer: mix 0 passes the input through bit for bit, whatever the loop does") {
  auto render = [](bool throughShimmer, float mix) {
    Engine engine({48000.0, 512, 7});
    Graph& g = engine.graph();
    const NodeId osc = g.add("oscillator", "osc");
    g.setParameter(osc, "waveform", 1.0f);  // saw: every band busy
    g.setParameter(osc, "frequency", 330.0f);
    const NodeId out = g.add("output", "out");
    std::vector<ScheduledEvent> score;
    if (throughShimmer) {
      const NodeId halo = g.add("shimmer", "halo");
      g.setParameter(halo, "mix", mix);
      g.setParameter(halo, "feedback", 0.95f);
      g.connect({osc, 0}, {halo, 0});
      g.connect({osc, 0}, {halo, 1});
      g.connect({halo, 0}, {out, 0});
      g.connect({halo, 1}, {out, 1});
      const auto& table = g.node(halo).parameters();
      score = {parameterChange(20000, halo, findParameter(table, "shift"), 19.0f),
               parameterChange(40000, halo, findParameter(table, "size"), 0.1f),
               parameterChange(60000, halo, findParameter(table, "tone"), 18000.0f)};
    } else {
      g.connect({osc, 0}, {out, 0});
      g.connect({osc, 0}, {out, 1});
    }
    engine.commit();
    return test::renderBlocks(engine, score, 96000, [] { return 512; });
  };
  const test::Stereo alone = render(false, 0.0f);
  const test::Stereo dry = render(true, 0.0f);
  const test::Stereo wet = render(true, 0.35f);
  CHECK(meanSquare(alone.left, 0.0, 2.0, 48000.0) > 0.01);
  CHECK(test::sameSamples(alone.left, dry.left));
  CHECK(test::sameSamples(alone.right, dry.right));
  CHECK_FALSE(test::sameSamples(alone.left, wet.left));  // the comparison can fail
}

TEST_CASE("shimmer: a 440 Hz burst leaves a tail at 880 and 1760 Hz, not at 440 Hz") {
  for (double rate : {44100.0, 48000.0, 96000.0}) {
    std::unique_ptr<Node> halo =
        test::makeNode("shimmer", rate, {{"mix", 1.0f}, {"feedback", 0.6f}});
    const std::vector<float> burst = sineBurst(rate, 440.0, 0.3, 2.0);
    const test::Stereo out = test::renderStereoNode(*halo, burst, burst, {}, [] { return 256; });
    for (const std::vector<float>* side : {&out.left, &out.right}) {
      // The tail: the half second after the burst ends (the first two passes round the loop).
      auto level = [&](double hz) { return peakNearDb(*side, 0.3, 0.8, hz, rate); };
      const double at440 = level(440.0), at880 = level(880.0), at1760 = level(1760.0);
      const double between = std::max(level(660.0), level(1320.0));
      CAPTURE(rate);
      CAPTURE(side == &out.left ? "left" : "right");
      MESSAGE("tail peaks, dBFS: 440 Hz " << at440 << ", 660/1320 Hz " << between << ", 880 Hz "
                                          << at880 << ", 1760 Hz " << at1760);
      CHECK(at880 > -20.0);  // the burst is at -6 dBFS
      CHECK(at880 > at440 + 30.0);
      CHECK(at1760 > at440 + 20.0);
      CHECK(at880 > between + 20.0);  // peaks, not a broadband wash
      CHECK(at1760 > between + 10.0);
    }
    // Different allpass lengths and loop delays: a mono burst comes back wide.
    double lr = 0.0, ll = 0.0, rr = 0.0;
    for (std::size_t n = static_cast<std::size_t>(0.3 * rate); n < out.left.size(); ++n) {
      lr += static_cast<double>(out.left[n]) * out.right[n];
      ll += static_cast<double>(out.left[n]) * out.left[n];
      rr += static_cast<double>(out.right[n]) * out.right[n];
    }
    MESSAGE("left/right correlation of the tail: " << lr / std::sqrt(ll * rr));
    CHECK(std::fabs(lr / std::sqrt(ll * rr)) < 0.5);
  }
}

TEST_CASE("shimmer: 30 s of random parameters and noise bursts stay finite, bounded, repeatable") {
  constexpr double kRate = 48000.0;
  const std::size_t frames = static_cast<std::size_t>(30.0 * kRate);
  std::mt19937 random(2024);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> left(frames, 0.0f), right(frames, 0.0f);
  for (std::size_t start = 0; start < frames;) {
    const std::size_t length = static_cast<std::size_t>((0.01 + 0.5 * unit(random)) * kRate);
    const float amplitude = unit(random) < 0.3f ? 1.0f : unit(random);
    for (std::size_t n = start; n < std::min(frames, start + length); ++n) {
      left[n] = amplitude * (2.0f * unit(random) - 1.0f);
      right[n] = unit(random) < 0.5f ? left[n] : amplitude * (2.0f * unit(random) - 1.0f);
    }
    start += length + static_cast<std::size_t>(unit(random) * kRate);
  }
  std::unique_ptr<Node> halo = test::makeNode("shimmer", kRate, {});
  std::vector<test::TimedParameter> changes;
  const auto table = halo->parameters();
  for (std::size_t at = 0; at < frames - static_cast<std::size_t>(2 * kRate);) {
    const int index = static_cast<int>(random() % table.size());
    const ParameterDescriptor& p = table[static_cast<std::size_t>(index)];
    // Mostly within range, sometimes past the ends (the node must clamp), feedback often high.
    const float span = p.maximum - p.minimum;
    float value = p.minimum + span * (1.4f * unit(random) - 0.2f);
    if (p.id == "feedback" && unit(random) < 0.5f) value = p.maximum;
    changes.push_back({at, index, value});
    at += static_cast<std::size_t>((0.005 + 0.01 * unit(random)) * kRate);
  }
  // The last two seconds: silence in, no feedback, full wet: the loop must empty.
  const int feedback = findParameter(table, "feedback"), mix = findParameter(table, "mix");
  changes.push_back({frames - static_cast<std::size_t>(2 * kRate), feedback, 0.0f});
  changes.push_back({frames - static_cast<std::size_t>(2 * kRate), mix, 1.0f});
  for (std::size_t n = frames - static_cast<std::size_t>(2 * kRate); n < frames; ++n)
    left[n] = right[n] = 0.0f;

  const test::Stereo out = test::renderStereoNode(
      *halo, left, right, changes, [&] { return 1 + static_cast<int>(random() % 4096); });
  // The same abuse in fixed blocks of 64, from a fresh node: not one sample may differ.
  std::unique_ptr<Node> twin = test::makeNode("shimmer", kRate, {});
  const test::Stereo fixed = test::renderStereoNode(*twin, left, right, changes, [] { return 64; });
  CHECK(test::sameSamples(out.left, fixed.left));
  CHECK(test::sameSamples(out.right, fixed.right));
  bool finite = true;
  float peak = 0.0f;
  for (const std::vector<float>* side : {&out.left, &out.right})
    for (float x : *side) {
      finite = finite && std::isfinite(x);
      peak = std::max(peak, std::fabs(x));
    }
  MESSAGE("peak over 30 s of abuse: " << peak);
  CHECK(finite);
  CHECK(peak < 4.0f);
  CHECK(peak > 0.5f);  // it was driven, not muted
  CHECK(meanSquare(out.left, 29.5, 30.0, kRate) < 1e-10);
}

TEST_CASE("shimmer: a NaN from upstream does not poison the loop") {
  std::unique_ptr<Node> halo =
      test::makeNode("shimmer", 48000.0, {{"mix", 1.0f}, {"feedback", 0.9f}});
  std::vector<float> input = sineBurst(48000.0, 440.0, 0.3, 2.0);
  input[1000] = NAN;
  input[2000] = INFINITY;
  const test::Stereo out = test::renderStereoNode(*halo, input, input, {}, [] { return 128; });
  bool finiteAfter = true;
  for (std::size_t n = 2001; n < out.left.size(); ++n)
    finiteAfter = finiteAfter && std::isfinite(out.left[n]);
  CHECK(finiteAfter);
  CHECK(meanSquare(out.left, 0.4, 1.0, 48000.0) > 1e-4);  // and it still rings
}

TEST_CASE("shimmer: blocks of 64 and of random sizes render the same samples") {
  auto render = [](const std::function<int()>& blockSize) {
    Engine engine({48000.0, 4096, 3});
    Graph& g = engine.graph();
    const NodeId synth = g.add("synth", "synth");
    const NodeId noise = g.add("noise", "noise");
    g.setParameter(noise, "level", -30.0f);
    const NodeId halo = g.add("shimmer", "halo");
    g.add("output", "out");
    g.connect("synth.left", "halo.left");
    g.connect("synth.right", "halo.right");
    g.connect("noise.out", "halo.right");
    g.connect("halo.left", "out.left");
    g.connect("halo.right", "out.right");
    engine.commit();
    const auto& table = g.node(halo).parameters();
    std::vector<ScheduledEvent> score;
    // Every parameter moves while notes sound: ramps must step per frame, not per block.
    auto somewhere = [&](int index, int step) {
      const ParameterDescriptor& p = table[static_cast<std::size_t>(index)];
      return p.minimum + 0.1f * static_cast<float>(step % 9) * (p.maximum - p.minimum);
    };
    for (int i = 0; i < 12; ++i) {
      const std::uint64_t at = static_cast<std::uint64_t>(i) * 11113 + 7;
      score.push_back(test::note(at, synth, 60 + (i * 5) % 17, 0.8f));
      score.push_back(test::noteOff(at + 8000, synth, 60 + (i * 5) % 17));
      score.push_back(parameterChange(at + 333, halo, i % 5, somewhere(i % 5, i)));
    }
    return test::renderBlocks(engine, score, 48000 * 3, blockSize);
  };
  const test::Stereo a = render([] { return 64; });
  std::mt19937 random(41);
  const test::Stereo b = render([&] { return 1 + static_cast<int>(random() % 4096); });
  CHECK(meanSquare(a.left, 0.0, 3.0, 48000.0) > 1e-4);
  CHECK(test::sameSamples(a.left, b.left));
  CHECK(test::sameSamples(a.right, b.right));
}

TEST_CASE("shimmer: feedback 0.8 rings on long after feedback 0 has died") {
  constexpr double kRate = 48000.0;
  auto tail = [&](float feedback) {
    std::unique_ptr<Node> halo =
        test::makeNode("shimmer", kRate, {{"mix", 1.0f}, {"feedback", feedback}});
    const std::vector<float> burst = sineBurst(kRate, 440.0, 0.3, 2.5);
    const test::Stereo out = test::renderStereoNode(*halo, burst, burst, {}, [] { return 512; });
    // 1 to 2 s after the burst ends.
    return meanSquare(out.left, 1.3, 2.3, kRate) + meanSquare(out.right, 1.3, 2.3, kRate);
  };
  const double none = tail(0.0f), strong = tail(0.8f);
  MESSAGE("tail energy 1-2 s after the burst: feedback 0 "
          << 10.0 * std::log10(none + 1e-30) << " dB, feedback 0.8 "
          << 10.0 * std::log10(strong + 1e-30) << " dB");
  CHECK(strong > 1e-7);  // audible: above -70 dBFS RMS
  CHECK(strong > 1000.0 * none);
}

TEST_CASE("shimmer: the loop's blocks in passes give the samples of one frame at a time") {
  // The halo runs its pitch shifter as taps then writes, and its diffuser stage by stage, over
  // runs of frames shorter than the loop's delays: the same bits as process() frame by frame.
  std::mt19937 random(11);
  std::uniform_real_distribution<float> noise(-1.0f, 1.0f);
  constexpr int kFrames = 20000, kExtra = 300;
  dsp::PitchShifter once, split;
  once.init(2880, kExtra + 1, 0.25);
  split.init(2880, kExtra + 1, 0.25);
  dsp::AllpassDiffuser<5> diffusedOnce, diffusedSplit;
  diffusedOnce.init({463, 673, 919, 1249, 1663}, 0.6f);
  diffusedSplit.init({463, 673, 919, 1249, 1663}, 0.6f);
  std::vector<float> input(kFrames), ratio(kFrames), expected(kFrames), got(kFrames);
  for (int i = 0; i < kFrames; ++i) {
    input[static_cast<std::size_t>(i)] = noise(random);
    ratio[static_cast<std::size_t>(i)] = 2.0f + 0.5f * std::sin(0.001f * static_cast<float>(i));
  }
  for (int i = 0; i < kFrames; ++i) {
    const auto at = static_cast<std::size_t>(i);
    if (i == 9000) diffusedOnce.setSize(0.1f);
    expected[at] =
        diffusedOnce.process(once.process(input[at], ratio[at], static_cast<float>(kExtra)));
  }
  std::uniform_int_distribution<int> length(1, 64);
  int longest = 0;
  for (int done = 0; done < kFrames;) {
    if (done == 9000) diffusedSplit.setSize(0.1f);
    int frames =
        std::min({length(random), kFrames - done, diffusedSplit.shortestDelay(), kExtra - 2});
    if (done < 9000) frames = std::min(frames, 9000 - done);
    longest = std::max(longest, frames);
    for (int i = 0; i < frames; ++i)
      got[static_cast<std::size_t>(done + i)] =
          split.tap(i, ratio[static_cast<std::size_t>(done + i)], static_cast<float>(kExtra));
    for (int i = 0; i < frames; ++i)
      split.write(input[static_cast<std::size_t>(done + i)],
                  ratio[static_cast<std::size_t>(done + i)]);
    diffusedSplit.process(got.data() + done, frames);
    done += frames;
  }
  CHECK(longest >= 40);
  CHECK(diffusedSplit.shortestDelay() == 46);  // 463 frames at size 0.1
  double energy = 0.0;
  for (float x : expected) energy += static_cast<double>(x) * x;
  CHECK(energy > 100.0);
  CHECK(std::memcmp(got.data(), expected.data(), sizeof(float) * kFrames) == 0);
}
