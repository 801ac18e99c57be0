// The ensemble chorus measured from its output: dry at mix 0, sidebands from both LFOs, left
// and right apart, an in-tune centre, block-size invariance and abuse.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "reverie/engine.hpp"
#include "reverie/node_registry.hpp"
#include "support/engine_render.hpp"
#include "support/fft.hpp"
#include "support/node_render.hpp"
#include "support/sample_statistics.hpp"

using namespace reverie;
using test::TimedParameter;

namespace {

constexpr double kRate = 48000.0;
constexpr double kPi = 3.14159265358979;
constexpr std::size_t kAnalysisFrames = std::size_t{1} << 19;  // 10.9 s: 6.5 slow LFO cycles

std::size_t at(double seconds) {
  return static_cast<std::size_t>(seconds * kRate);
}

int chorusParameter(std::string_view id) {
  return findParameter(findNodeType("chorus")->parameters, id);
}

std::vector<float> sine(double hz, std::size_t frames, double amplitude = 0.5) {
  std::vector<float> x(frames);
  for (std::size_t n = 0; n < frames; ++n)
    x[n] =
        static_cast<float>(amplitude * std::sin(2.0 * kPi * hz * static_cast<double>(n) / kRate));
  return x;
}

/// A sine through the chorus, wet only; the first 0.2 s (the line filling) dropped.
test::Stereo chorusOfSine(double hz, std::initializer_list<std::pair<const char*, float>> values) {
  std::unique_ptr<Node> chorus = test::makeNode("chorus", kRate, values);
  const std::vector<float> tone = sine(hz, kAnalysisFrames + at(0.2));
  test::Stereo out = test::renderStereoNode(*chorus, tone, tone, {}, [] { return 480; });
  out.left.erase(out.left.begin(), out.left.begin() + static_cast<long>(at(0.2)));
  out.right.erase(out.right.begin(), out.right.begin() + static_cast<long>(at(0.2)));
  return out;
}

/// Power spectrum (Blackman-Harris, one FFT over the whole analysis span).
struct PowerSpectrum {
  std::vector<double> power;
  double binHz = 0.0;
  double between(double lowHz, double highHz) const {
    double sum = 0.0;
    for (std::size_t k = static_cast<std::size_t>(std::ceil(lowHz / binHz));
         k < power.size() && static_cast<double>(k) * binHz <= highHz; ++k)
      sum += power[k];
    return sum;
  }
  /// Power-weighted mean frequency in [lowHz, highHz].
  double centroid(double lowHz, double highHz) const {
    double sum = 0.0, weighted = 0.0;
    for (std::size_t k = static_cast<std::size_t>(std::ceil(lowHz / binHz));
         k < power.size() && static_cast<double>(k) * binHz <= highHz; ++k) {
      sum += power[k];
      weighted += power[k] * static_cast<double>(k) * binHz;
    }
    return weighted / sum;
  }
};

PowerSpectrum powerSpectrum(const std::vector<float>& x) {
  const std::vector<double> magnitude =
      test::magnitudeSpectrum(std::span<const float>(x.data(), kAnalysisFrames),
                              test::Window::kBlackmanHarris, kAnalysisFrames);
  PowerSpectrum spectrum{std::vector<double>(magnitude.size()),
                         kRate / static_cast<double>(kAnalysisFrames)};
  for (std::size_t k = 0; k < magnitude.size(); ++k)
    spectrum.power[k] = magnitude[k] * magnitude[k];
  return spectrum;
}

double db(double ratio) {
  return 10.0 * std::log10(ratio + 1e-30);
}

}  // namespace

TEST_CASE("chorus: mix 0 passes the input through bit for bit while the sweep moves") {
  std::mt19937 random(8);
  std::uniform_real_distribution<float> bipolar(-0.5f, 0.5f);
  std::vector<float> left(at(2.0)), right(at(2.0));
  for (std::size_t n = 0; n < left.size(); ++n) {
    left[n] = bipolar(random);
    right[n] = bipolar(random);
  }
  const std::vector<TimedParameter> changes = {{at(0.5), chorusParameter("depth"), 1.0f},
                                               {at(0.9), chorusParameter("delay"), 25.0f},
                                               {at(1.3), chorusParameter("rate"), 3.0f}};
  std::unique_ptr<Node> dry = test::makeNode("chorus", kRate, {{"mix", 0.0f}});
  const test::Stereo out = test::renderStereoNode(*dry, left, right, changes, [] { return 333; });
  CHECK(test::sameSamples(out.left, left));
  CHECK(test::sameSamples(out.right, right));
  std::unique_ptr<Node> wet = test::makeNode("chorus", kRate, {{"mix", 0.01f}});
  const test::Stereo some = test::renderStereoNode(*wet, left, right, changes, [] { return 333; });
  CHECK_FALSE(test::sameSamples(some.left, left));  // the comparison can fail
}

TEST_CASE(
    "chorus: a 440 Hz sine comes out spread into slow and fast sidebands, left apart from right") {
  const test::Stereo swept = chorusOfSine(440.0, {{"mix", 1.0f}});
  const test::Stereo still = chorusOfSine(440.0, {{"mix", 1.0f}, {"depth", 0.0f}});
  for (const test::Stereo* out : {&swept, &still}) {
    const PowerSpectrum spectrum = powerSpectrum(out->left);
    const double total = spectrum.between(380.0, 500.0);
    // Outside the carrier's own main lobe (+-0.25 Hz): the share the sweep moved away.
    const double spread = 1.0 - spectrum.between(439.75, 440.25) / total;
    // The fast (6 Hz) vibrato's first sidebands; the slow (0.6 Hz) sweep's lie within 3 Hz.
    const double fast = (spectrum.between(433.5, 434.5) + spectrum.between(445.5, 446.5)) / total;
    const double slow = (spectrum.between(438.5, 439.75) + spectrum.between(440.25, 441.5)) / total;
    const bool modulated = out == &swept;
    MESSAGE(std::string(modulated ? "depth 0.5" : "depth 0")
            << ": power off the 440 Hz line " << 100.0 * spread << " %, at 440+-0.6..1.5 Hz "
            << db(slow) << " dB, at 440+-6 Hz " << db(fast) << " dB");
    if (modulated) {
      CHECK(spread > 0.3);
      CHECK(db(slow) > -20.0);
      CHECK(db(fast) > -25.0);
    } else {
      CHECK(spread < 0.01);
      CHECK(db(fast) < -60.0);
    }
  }
  const double correlation =
      test::normalizedCorrelation(swept.left, swept.right, 0, swept.left.size());
  MESSAGE("left/right correlation at spread 1: " << correlation);
  CHECK(correlation < 0.95);
  const test::Stereo centred = chorusOfSine(440.0, {{"mix", 1.0f}, {"spread", 0.0f}});
  CHECK(test::sameSamples(centred.left, centred.right));
}

TEST_CASE("chorus: the centre stays in tune (mean frequency within 1 cent of the input)") {
  for (const auto& [hz, rate, depth] :
       {std::tuple{440.0, 0.6f, 0.5f}, std::tuple{1000.0, 1.3f, 1.0f},
        std::tuple{220.0, 0.35f, 1.0f}}) {
    const test::Stereo out = chorusOfSine(hz, {{"mix", 1.0f}, {"rate", rate}, {"depth", depth}});
    for (const std::vector<float>* side : {&out.left, &out.right}) {
      const double centre = powerSpectrum(*side).centroid(hz * 0.9, hz * 1.1);
      const double cents = 1200.0 * std::log2(centre / hz);
      CAPTURE(hz);
      MESSAGE(hz << " Hz, rate " << rate << " Hz, depth " << depth
                 << (side == &out.left ? std::string(", left") : std::string(", right"))
                 << ": power-weighted mean frequency " << centre << " Hz, " << cents << " cents");
      CHECK(std::fabs(cents) < 1.0);
    }
  }
}

TEST_CASE("chorus: blocks of 64 and of random sizes render the same samples, and renders repeat") {
  std::mt19937 random(12);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> left(at(3.0)), right(at(3.0));
  for (std::size_t n = 0; n < left.size(); ++n) {
    left[n] = unit(random) - 0.5f;
    right[n] = 0.5f * left[n] + 0.5f * (unit(random) - 0.5f);
  }
  const auto table = findNodeType("chorus")->parameters;
  std::vector<TimedParameter> changes;
  for (std::size_t frame = 100; frame < left.size(); frame += 3001) {
    const int index = static_cast<int>(random() % table.size());
    const ParameterDescriptor& p = table[static_cast<std::size_t>(index)];
    changes.push_back({frame, index, p.minimum + unit(random) * (p.maximum - p.minimum)});
  }
  auto render = [&](const std::function<int()>& blockSize) {
    std::unique_ptr<Node> chorus = test::makeNode("chorus", kRate, {});
    return test::renderStereoNode(*chorus, left, right, changes, blockSize);
  };
  const test::Stereo a = render([] { return 64; });
  const test::Stereo b = render([&] { return 1 + static_cast<int>(random() % 1500); });
  const test::Stereo c = render([] { return 64; });
  CHECK(test::rmsDb(a.left, 0, a.left.size()) > -20.0);
  CHECK(test::sameSamples(a.left, b.left));
  CHECK(test::sameSamples(a.right, b.right));
  CHECK(test::sameSamples(a.left, c.left));
  CHECK(test::sameSamples(a.right, c.right));
}

TEST_CASE(
    "chorus: 20 s of random input and parameters (some out of range) stay finite and bounded") {
  const std::size_t frames = at(20.0);
  std::mt19937 random(77);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::vector<float> left(frames, 0.0f), right(frames, 0.0f);
  for (std::size_t start = 0; start < frames;) {
    const float amplitude = unit(random) < 0.3f ? 1.0f : unit(random);
    const std::size_t length = at(0.001 + unit(random));
    for (std::size_t n = start; n < std::min(frames, start + length); ++n) {
      left[n] = amplitude * (2.0f * unit(random) - 1.0f);
      right[n] = unit(random) < 0.5f ? left[n] : amplitude * (2.0f * unit(random) - 1.0f);
    }
    start += length + at(0.5 * unit(random));
  }
  left[at(5.0)] = NAN;  // the delay line must not keep it
  right[at(6.0)] = INFINITY;
  const auto table = findNodeType("chorus")->parameters;
  std::vector<TimedParameter> changes;
  for (std::size_t frame = 0; frame < frames;) {
    const int index = static_cast<int>(random() % table.size());
    const ParameterDescriptor& p = table[static_cast<std::size_t>(index)];
    changes.push_back(
        {frame, index, p.minimum + (p.maximum - p.minimum) * (1.4f * unit(random) - 0.2f)});
    frame += at(0.002 + 0.2 * unit(random));
  }
  std::unique_ptr<Node> chorus = test::makeNode("chorus", kRate, {});
  const test::Stereo out = test::renderStereoNode(
      *chorus, left, right, changes, [&] { return 1 + static_cast<int>(random() % 4096); });
  std::unique_ptr<Node> twin = test::makeNode("chorus", kRate, {});
  const test::Stereo fixed = test::renderStereoNode(*twin, left, right, changes, [] { return 64; });
  CHECK(test::sameSamples(out.left, fixed.left));
  CHECK(test::sameSamples(out.right, fixed.right));
  // Only the two poisoned frames themselves (the dry path at mix < 1) may be non-finite.
  std::size_t nonFinite = 0;
  float peak = 0.0f;
  for (const std::vector<float>* side : {&out.left, &out.right})
    for (float x : *side) {
      if (!std::isfinite(x)) {
        ++nonFinite;
        continue;
      }
      peak = std::max(peak, std::fabs(x));
    }
  MESSAGE("peak over 20 s of abuse: " << peak << " (input peak 1), non-finite samples "
                                      << nonFinite);
  CHECK(nonFinite <= 2);
  CHECK(peak < 3.0f);  // three taps of gain <= sqrt(2/3)
  CHECK(peak > 0.5f);
}

TEST_CASE(
    "chorus: through the engine, a synth chord through the chorus renders finite, in any blocks") {
  auto render = [](const std::function<int()>& blockSize) {
    Engine engine({kRate, 4096, 4});
    Graph& g = engine.graph();
    const NodeId synth = g.add("synth", "synth");
    const NodeId chorus = g.add("chorus", "chorus");
    g.add("output", "out");
    g.connect("synth.left", "chorus.left");
    g.connect("synth.right", "chorus.right");
    g.connect("chorus.left", "out.left");
    g.connect("chorus.right", "out.right");
    engine.commit();
    std::vector<ScheduledEvent> score;
    for (int key : {48, 55, 60, 64, 67, 72}) score.push_back(test::note(100, synth, key, 0.6f));
    score.push_back(test::parameterChange(30011, chorus, 2, 1.0f));
    test::Stereo out = test::renderBlocks(engine, score, at(2.0), blockSize);
    CHECK(engine.stats().nonFiniteSamples == 0);
    return out;
  };
  const test::Stereo a = render([] { return 64; });
  std::mt19937 random(5);
  const test::Stereo b = render([&] { return 1 + static_cast<int>(random() % 4096); });
  CHECK(test::rmsDb(a.left, 0, a.left.size()) > -40.0);
  CHECK(test::sameSamples(a.left, b.left));
  CHECK(test::sameSamples(a.right, b.right));
}
