// The examples, run as a user runs them, and their output measured: pitch by FFT, the preset
// swap heard in the spectrum, loudness and sound per scene, and the same file twice.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "reverie/arc.hpp"
#include "support/command.hpp"
#include "support/sample_statistics.hpp"
#include "support/scene_features.hpp"
#include "support/sound_file_facts.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"

using namespace reverie;
using namespace reverie::test;

namespace {

constexpr double kRate = 48000.0;

CommandResult runExample(const std::string& name, const std::string& args,
                         const ScratchFolder& folder) {
  return runProgram(std::string(REVERIE_EXAMPLE_DIR) + "/example_" + name, args, folder.path());
}

// The number after `label` in the example's printout, or -1.
long long printed(const std::string& out, const std::string& label) {
  const std::size_t at = out.find(label);
  return at == std::string::npos ? -1 : std::atoll(out.c_str() + at + label.size());
}

std::vector<float> mono(const FileFacts& facts) {
  const std::vector<float> left = channelOf(facts, 0), right = channelOf(facts, 1);
  std::vector<float> m(left.size());
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = 0.5f * (left[i] + right[i]);
  return m;
}

std::span<const float> window(const std::vector<float>& signal, double startSeconds,
                              double seconds) {
  const auto start = std::min(signal.size(), static_cast<std::size_t>(startSeconds * kRate));
  const auto length = std::min(signal.size() - start, static_cast<std::size_t>(seconds * kRate));
  return {signal.data() + start, length};
}

// Runs an example that writes `file`, and reads it back as mono (checked to be finite).
std::vector<float> runAndListen(const std::string& name, const std::string& file,
                                const ScratchFolder& folder) {
  const CommandResult run = runExample(name, file, folder);
  REQUIRE(run.exitCode == 0);
  const std::vector<float> m = mono(openSoundFile(folder / file));
  CHECK(allFinite(m));
  return m;
}

double keyHz(int key) {
  return 440.0 * std::pow(2.0, (key - 69) / 12.0);
}

}  // namespace

TEST_CASE("examples: audio_callback plays its notes in tune and its preset swap is heard") {
  ScratchFolder folder;
  const CommandResult run = runExample("audio_callback", "cb.wav", folder);
  MESSAGE(run.out << run.err);
  REQUIRE(run.exitCode == 0);
  const long long latency = printed(run.out, "latency "), swap = printed(run.out, "swap at frame "),
                  second = printed(run.out, "note E5 at frame ");
  REQUIRE(latency >= 0);
  REQUIRE(second > swap);
  CHECK(swap >= 2 * 48000);  // the callback asked for it at 2 s; it cannot come earlier
  const FileFacts facts = openSoundFile(folder / "cb.wav");
  REQUIRE(facts.channels == 2);
  const std::vector<float> m = mono(facts);
  CHECK(allFinite(m));
  const float peak = peakAbs(m);
  CHECK(peak > 0.01f);
  CHECK(peak < 1.0f);

  // Half a second of each note, from 0.1 s after it starts (heard `latency` frames late).
  const auto first = window(m, (4800.0 + static_cast<double>(latency)) / kRate + 0.1, 0.5);
  const auto next = window(m, static_cast<double>(second + latency) / kRate + 0.1, 0.5);
  const double a4 = fundamentalHz(first, kRate, keyHz(69)),
               e5 = fundamentalHz(next, kRate, keyHz(76));
  // The timbre says which preset played: the glass harmonica is nearly a sine, the oboe rich in
  // harmonics, so its centroid stands far above its fundamental.
  const double brightFirst = spectralCentroidHz(first, kRate) / keyHz(69),
               brightNext = spectralCentroidHz(next, kRate) / keyHz(76);
  MESSAGE("A4 " << a4 << " Hz (" << centsBetween(a4, keyHz(69)) << " cents), E5 " << e5 << " Hz ("
                << centsBetween(e5, keyHz(76)) << " cents); centroid/f0 " << brightFirst
                << " before the swap, " << brightNext << " after; peak " << peak);
  CHECK(std::fabs(centsBetween(a4, keyHz(69))) < 10.0);
  CHECK(std::fabs(centsBetween(e5, keyHz(76))) < 10.0);
  CHECK(brightNext > 1.5 * brightFirst);
  // Nothing sounds before the first note.
  CHECK(rmsDb(m, 0, 4800) < -100.0);
}

TEST_CASE("examples: render_arc renders an arc through the Instrument, every scene heard") {
  ScratchFolder folder;
  constexpr double kSeconds = 50.0;
  const std::string args = " 50 1";
  const CommandResult one = runExample("render_arc", "clockwork one.wav" + args, folder);
  const CommandResult two = runExample("render_arc", "clockwork two.wav" + args, folder);
  const CommandResult other = runExample("render_arc", "clockwork other.wav 10 2", folder);
  MESSAGE(one.out << one.err << other.out);
  REQUIRE(one.exitCode == 0);
  REQUIRE(two.exitCode == 0);
  REQUIRE(other.exitCode == 0);
  const std::string bytesOne = readText(folder / "one.wav"),
                    bytesTwo = readText(folder / "two.wav");
  const std::size_t hashOne = std::hash<std::string>{}(bytesOne),
                    hashTwo = std::hash<std::string>{}(bytesTwo);
  MESSAGE("seed 1 twice: " << hashOne << " and " << hashTwo);
  CHECK(hashOne == hashTwo);

  const FileFacts facts = openSoundFile(folder / "one.wav");
  REQUIRE(facts.sampleRate == 48000);
  CHECK(static_cast<double>(facts.frames) == doctest::Approx(kSeconds * kRate));
  CHECK(allFinite(facts.samples));
  CHECK(peakAbs(facts.samples) < 1.0f);
  // Another seed plays other notes: its first ten seconds differ.
  const FileFacts seed2 = openSoundFile(folder / "other.wav");
  CHECK(rmsDb(facts.samples, 0, seed2.samples.size()) > -80.0);
  bool differs = false;
  for (std::size_t i = 0; i < seed2.samples.size() && !differs; ++i)
    differs = seed2.samples[i] != facts.samples[i];
  CHECK(differs);

  const double lufs = loudnessLufs(facts.samples, kRate, 2);
  MESSAGE("clockwork, first " << kSeconds << " s: " << lufs << " LUFS");
  CHECK(lufs > -35.0);
  CHECK(lufs < -14.0);
  // Every scene that starts in the window sounds: its RMS stands well above silence.
  const Timeline timeline(loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/clockwork.toml"),
                          kRate);
  const std::vector<float> m = mono(facts);
  int scenes = 0;
  for (const Timeline::Span& span : timeline.spans()) {
    if (span.startFrame >= m.size()) break;
    const std::size_t end = std::min<std::size_t>(span.endFrame, m.size());
    const double level = rmsDb(m, span.startFrame, end);
    MESSAGE("scene " << ++scenes << " from " << span.startSeconds << " s: " << level << " dB RMS");
    CHECK(level > -60.0);  // scene 4 is quiet by design (-46 dB), silence reads -inf
  }
  CHECK(scenes >= 3);
}

TEST_CASE("examples: build_graph plays its arpeggio in tune") {
  ScratchFolder folder;
  const std::vector<float> m = runAndListen("build_graph", "graph.wav", folder);
  CHECK(peakAbs(m) < 1.0f);
  const int keys[] = {57, 60, 64, 69, 72, 76};
  for (int i = 0; i < 6; ++i) {
    const double hz = fundamentalHz(window(m, i * 0.25 + 0.03, 0.15), kRate, keyHz(keys[i]));
    MESSAGE("note " << i + 1 << ": " << hz << " Hz for " << keyHz(keys[i]));
    CHECK(std::fabs(centsBetween(hz, keyHz(keys[i]))) < 10.0);
  }
}

TEST_CASE("examples: custom_node's ring modulator ends with the sidebands of 220 Hz x 600 Hz") {
  ScratchFolder folder;
  const std::vector<float> m = runAndListen("custom_node", "ring.wav", folder);
  const auto end = window(m, 2.05, 0.4);  // the carrier reached 600 Hz at 2 s
  const double lower = peakNear(end, kRate, 380.0, 0.02), upper = peakNear(end, kRate, 820.0, 0.02);
  MESSAGE("sidebands " << lower << " Hz and " << upper << " Hz");
  CHECK(lower == doctest::Approx(380.0).epsilon(0.005));
  CHECK(upper == doctest::Approx(820.0).epsilon(0.005));
  // A ring modulator suppresses the input itself.
  CHECK(std::isnan(peakNear(end, kRate, 220.0, 0.02)));
}
