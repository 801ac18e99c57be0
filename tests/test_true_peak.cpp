// The listener is never harmed: the master bus's true-peak limiter and the loudness normaliser
// keep inter-sample peaks under the ceiling, whatever the material and the options.
#include <doctest/doctest.h>
#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "dsp/master_limiter.hpp"
#include "dsp/true_peak_detector.hpp"
#include "io/loudness_stream.hpp"
#include "reverie/engine.hpp"
#include "reverie/errors.hpp"
#include "reverie/loudness.hpp"
#include "support/command.hpp"
#include "support/engine_render.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"

using namespace reverie;

namespace {

struct Peaks {
  double samplePeakDbfs = -144.0;
  double truePeakDbtp = -144.0;  ///< libebur128, BS.1770-4 oversampling
  bool finite = true;
};

Peaks measurePeaks(const std::vector<float>& interleaved, int channels, int sampleRate) {
  Peaks peaks;
  float sample = 0.0f;
  for (float x : interleaved) {
    peaks.finite = peaks.finite && std::isfinite(x);
    sample = std::max(sample, std::fabs(x));
  }
  ebur128_state* meter =
      ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(sampleRate),
                   EBUR128_MODE_TRUE_PEAK);
  REQUIRE(meter != nullptr);
  ebur128_add_frames_float(meter, interleaved.data(),
                           interleaved.size() / static_cast<std::size_t>(channels));
  double truePeak = 0.0;
  for (int c = 0; c < channels; ++c) {
    double value = 0.0;
    ebur128_true_peak(meter, static_cast<unsigned>(c), &value);
    truePeak = std::max(truePeak, value);
  }
  ebur128_destroy(&meter);
  peaks.samplePeakDbfs = sample > 0.0f ? 20.0 * std::log10(sample) : -144.0;
  peaks.truePeakDbtp = truePeak > 0.0 ? 20.0 * std::log10(truePeak) : -144.0;
  return peaks;
}

Peaks measureFile(const std::filesystem::path& path) {
  const test::FileFacts facts = test::openSoundFile(path);
  return measurePeaks(facts.samples, facts.channels, facts.sampleRate);
}

// Saws at full level, the filter wide open and fully resonant, in the top octave of the piano:
// at 22,050 Hz nearly all of it sits near Nyquist, where samples miss the peaks between them.
constexpr const char* kBrightSynth = R"(format_version = 1
description = "saws at full level near Nyquist"
[render]
length = 2.0
tail = 0.2
[[node]]
name = "s"
type = "synth"
[node.params]
waveform = "saw"
voices = 32
detune = 0.0
cutoff = 20000.0
resonance = 1.0
attack = 0.0
decay = 30.0
sustain = 1.0
release = 0.001
level = 0.0
[[node]]
name = "out"
type = "output"
[[connect]]
from = "s.left"
to = "out.left"
[[connect]]
from = "s.right"
to = "out.right"
[[score]]
at = 0.0
node = "s"
note = "C7"
velocity = 1.0
length = 2.0
[[score]]
at = 0.0
node = "s"
note = "E7"
velocity = 1.0
length = 2.0
[[score]]
at = 0.0
node = "s"
note = "G7"
velocity = 1.0
length = 2.0
)";

/// All 16 channels hammering chords at full velocity, every sixteenth note, for three seconds.
test::Bytes denseSixteenChannels() {
  test::TrackWriter track;
  track.tempo(0, 500000);  // 120 BPM: a sixteenth is 120 ticks at 480 per quarter
  const int chord[] = {0, 4, 7, 11, 14};
  std::uint32_t delta = 0;
  for (int step = 0; step < 24; ++step) {
    for (int channel = 0; channel < 16; ++channel) {
      for (int interval : chord) {
        const int key = 36 + (channel * 5 + step * 7) % 48 + interval;
        track.event(delta, {0x90 | channel, key, 127});
        delta = 0;
      }
    }
    delta = 110;
    for (int channel = 0; channel < 16; ++channel) {
      for (int interval : chord) {
        const int key = 36 + (channel * 5 + step * 7) % 48 + interval;
        track.event(delta, {0x80 | channel, key, 0});
        delta = 0;
      }
    }
    delta = 10;
  }
  track.end(delta);
  return test::smfFile(0, 480, {track});
}

}  // namespace

TEST_CASE("true peak: a bright synth at 22,050 Hz stays under -1 dBTP by default") {
  test::ScratchFolder folder;
  std::ofstream(folder / "bright.toml") << kBrightSynth;
  const auto result =
      test::runReverie("render bright.toml -r 22050 -b 32f -q -o bright.wav", folder.path());
  REQUIRE(result.exitCode == 0);
  const Peaks peaks = measureFile(folder / "bright.wav");
  MESSAGE("bright synth at 22,050 Hz: sample peak " << peaks.samplePeakDbfs << " dBFS, true peak "
                                                    << peaks.truePeakDbtp << " dBTP");
  CHECK(peaks.finite);
  CHECK(peaks.truePeakDbtp <= -1.0);
  CHECK(peaks.truePeakDbtp > -2.0);  // driven into the limiter, not merely quiet
}

TEST_CASE("true peak: a dense 16-channel MIDI file stays under -1 dBTP by default") {
  test::ScratchFolder folder;
  test::writeBytes(folder / "dense.mid", denseSixteenChannels());
  const auto result = test::runReverie(
      "render dense.mid --preset mirror-shards --channel 10=timpani --channel 2=brass-stabs -b 32f "
      "-q -o dense.wav",
      folder.path());
  REQUIRE(result.exitCode == 0);
  const Peaks peaks = measureFile(folder / "dense.wav");
  MESSAGE("dense 16-channel MIDI at 48,000 Hz: sample peak "
          << peaks.samplePeakDbfs << " dBFS, true peak " << peaks.truePeakDbtp << " dBTP");
  CHECK(peaks.finite);
  CHECK(peaks.truePeakDbtp <= -1.0);
  CHECK(peaks.truePeakDbtp > -2.0);
}

namespace {

constexpr int kRate = 48000;

/// A quarter-rate sine sampled 45 degrees off its peaks (every sample at 0.707 of the true
/// peak, the classic inter-sample overshoot of +3 dB), under seeded noise, with a quiet start:
/// loud enough in places to need the limiter for any target near 0 LUFS.
std::vector<float> interSamplePeaky(double seconds, double amplitude) {
  const std::size_t frames = static_cast<std::size_t>(seconds * kRate);
  std::vector<float> out(2 * frames);
  std::mt19937 random(5);
  std::uniform_real_distribution<float> noise(-0.05f, 0.05f);
  for (std::size_t n = 0; n < frames; ++n) {
    const double envelope = n < frames / 3 ? 0.1 : 1.0;
    const double x =
        amplitude * envelope * std::sin(std::numbers::pi * (0.5 * static_cast<double>(n) + 0.25));
    out[2 * n] = static_cast<float>(x) + noise(random);
    out[2 * n + 1] = static_cast<float>(0.5 * x) + noise(random);
  }
  return out;
}

void checkSafe(const std::vector<float>& audio, double ceilingDbtp) {
  const Peaks peaks = measurePeaks(audio, 2, kRate);
  MESSAGE("sample peak " << peaks.samplePeakDbfs << " dBFS, true peak " << peaks.truePeakDbtp
                         << " dBTP, ceiling " << ceilingDbtp);
  CHECK(peaks.finite);
  CHECK(peaks.samplePeakDbfs <= 0.0);
  CHECK(peaks.truePeakDbtp <= ceilingDbtp);
}

}  // namespace

TEST_CASE("true peak: the detector reads the peak between samples that the samples miss") {
  dsp::TruePeakDetector detector;
  detector.prepare(kRate);
  CHECK(detector.factor() == 4);
  float peak = 0.0f;
  for (int n = 0; n < 2000; ++n) {
    const float x = static_cast<float>(std::sin(std::numbers::pi * (0.5 * n + 0.25)));
    if (n > 100) CHECK(std::fabs(x) < 0.71f);
    peak = std::max(peak, detector.next(x));
  }
  CHECK(peak == doctest::Approx(1.0).epsilon(0.01));  // +3 dB over the samples
  for (double rate : {96000.0, 192000.0}) {
    detector.prepare(rate);
    CHECK(detector.factor() == (rate < 192000.0 ? 2 : 1));
  }
}

TEST_CASE("true peak: a run of frames gives the detector's and the limiter's frame-by-frame bits") {
  // Loud noise with a few samples over full scale, a denormal, an infinity and a NaN: the
  // detector meets the bus before it is cleaned and whatever a meter is handed.
  std::mt19937 random(7);
  std::normal_distribution<float> noise(0.0f, 0.6f);
  std::vector<float> interleaved(2 * 3001);
  for (float& x : interleaved) x = noise(random);
  interleaved[201] = std::numeric_limits<float>::denorm_min();
  interleaved[1200] = 4.0f;
  const std::size_t last = interleaved.size() - 1;
  std::vector<float> odd = interleaved;
  odd[2500] = std::numeric_limits<float>::infinity();
  odd[last] = std::numeric_limits<float>::quiet_NaN();
  auto sameBits = [](float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; };
  for (double rate : {48000.0, 96000.0, 192000.0}) {
    for (const std::vector<float>* input : {&interleaved, &odd}) {
      CAPTURE(rate);
      dsp::TruePeakDetector one, run;
      one.prepare(rate);
      run.prepare(rate);
      // Runs of every length from 1 to 70 frames, so they start and end anywhere in a group of
      // four and in the detector's window, reading the right channel of the interleaved frames.
      const int frames = static_cast<int>(input->size() / 2);
      std::vector<float> peaks(static_cast<std::size_t>(frames));
      for (int done = 0, length = 1; done < frames; done += length, length = length % 70 + 1) {
        const int count = std::min(length, frames - done);
        run.nextBlock(input->data() + 2 * done + 1, 2, peaks.data() + done, count);
      }
      int differ = 0;
      for (int f = 0; f < frames; ++f)
        if (!sameBits(one.next((*input)[2 * static_cast<std::size_t>(f) + 1]),
                      peaks[static_cast<std::size_t>(f)]))
          ++differ;
      CHECK(differ == 0);
    }
  }
  dsp::MasterLimiter one, run;
  const float ceiling = std::pow(10.0f, -1.0f / 20.0f);
  one.prepare(kRate, 48, 0.08f * kRate, ceiling);
  run.prepare(kRate, 48, 0.08f * kRate, ceiling);
  std::vector<float> left, right;
  for (std::size_t i = 0; i < interleaved.size(); i += 2) {
    left.push_back(interleaved[i]);
    right.push_back(interleaved[i + 1]);
  }
  std::vector<float> runLeft = left, runRight = right;
  for (int done = 0, length = 1; done < static_cast<int>(left.size());
       done += length, length = length * 3 % 700 + 1) {
    const int count = std::min(length, static_cast<int>(left.size()) - done);
    run.processBlock(runLeft.data() + done, runRight.data() + done, count);
  }
  int differ = 0, limited = 0;
  for (std::size_t i = 0; i < left.size(); ++i) {
    one.process(left[i], right[i]);
    if (!sameBits(left[i], runLeft[i]) || !sameBits(right[i], runRight[i])) ++differ;
    if (std::fabs(left[i]) >= 0.99f * ceiling) ++limited;
  }
  CHECK(differ == 0);
  CHECK(limited > 0);  // the noise reached the ceiling: the gain was working, not idle
}

TEST_CASE("true peak: the master limiter turns inter-sample peaks down before they arrive") {
  dsp::MasterLimiter limiter;
  const float ceiling = std::pow(10.0f, -1.0f / 20.0f);
  limiter.prepare(kRate, 48, 0.08f * kRate, ceiling);
  const std::vector<float> input = interSamplePeaky(2.0, 1.5);  // +3.5 dBTP, samples at +0.5 dBFS
  std::vector<float> output(input.size() + 2 * static_cast<std::size_t>(limiter.latencyFrames()));
  for (std::size_t n = 0; n < output.size() / 2; ++n) {
    float left = 2 * n < input.size() ? input[2 * n] : 0.0f;
    float right = 2 * n < input.size() ? input[2 * n + 1] : 0.0f;
    limiter.process(left, right);
    output[2 * n] = left;
    output[2 * n + 1] = right;
  }
  // Aligned: the quiet start comes out untouched, latencyFrames() late.
  const std::size_t latency = static_cast<std::size_t>(limiter.latencyFrames());
  for (std::size_t n = 0; n < 1000; ++n) REQUIRE(output[2 * (n + latency)] == input[2 * n]);
  checkSafe(output, -1.0);
  CHECK(measurePeaks(output, 2, kRate).truePeakDbtp > -1.2);  // limited to the ceiling, not below
}

TEST_CASE(
    "normalize: no ceiling, however absurd, lets a sample over full scale or a true peak over it") {
  struct Case {
    double requested;
    double effective;
  };
  const double inf = std::numeric_limits<double>::infinity();
  for (const Case c :
       {Case{std::nan(""), -1.0}, Case{inf, 0.0}, Case{-inf, -60.0}, Case{20.0, 0.0}}) {
    CAPTURE(c.requested);
    std::vector<float> audio = interSamplePeaky(3.0, 0.5);
    const NormalizeResult result = normalizeLoudness(audio, 2, kRate, 0.0, c.requested);
    checkSafe(audio, c.effective);
    CHECK(result.result.truePeakDbtp <= c.effective);
    CHECK(std::isfinite(result.gainDb));
  }
}

TEST_CASE(
    "normalize: absurd targets and samples are made safe; a target that is not a number is "
    "refused") {
  const double inf = std::numeric_limits<double>::infinity();
  for (double target : {inf, -inf, 1e9, -1e9}) {
    CAPTURE(target);
    std::vector<float> audio = interSamplePeaky(3.0, 0.5);
    normalizeLoudness(audio, 2, kRate, target, -1.0);
    checkSafe(audio, -1.0);
  }
  std::vector<float> audio = interSamplePeaky(3.0, 0.5);
  const std::vector<float> before = audio;
  CHECK_THROWS_AS(normalizeLoudness(audio, 2, kRate, std::nan(""), -1.0), InputError);
  CHECK(audio == before);

  // Non-finite and enormous samples, in audio long enough to measure and too short to.
  for (double seconds : {3.0, 0.2}) {
    CAPTURE(seconds);
    std::vector<float> hostile = interSamplePeaky(seconds, 4.0);
    hostile[100] = std::numeric_limits<float>::quiet_NaN();
    hostile[201] = std::numeric_limits<float>::infinity();
    hostile[302] = -std::numeric_limits<float>::infinity();
    hostile[403] = 3e38f;
    normalizeLoudness(hostile, 2, kRate, 0.0, -1.0);
    checkSafe(hostile, -1.0);
  }
}

TEST_CASE(
    "true peak: the engine's ceiling is -1 dBTP by default, never above 0, and NaN means the "
    "default") {
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    float requested;
    float effective;
  };
  for (const Case c :
       {Case{EngineConfig{}.ceilingDb, -1.0f}, Case{std::nanf(""), -1.0f}, Case{20.0f, 0.0f},
        Case{inf, 0.0f}, Case{-inf, -60.0f}, Case{-6.0f, -6.0f}}) {
    CAPTURE(c.requested);
    Engine engine({kRate, 512, 1, c.requested});
    CHECK(engine.config().ceilingDb == c.effective);
    // Two full-level squares near a quarter of the rate: far over any ceiling, between samples too.
    Graph& g = engine.graph();
    const NodeId a = g.add("oscillator", "a");
    const NodeId b = g.add("oscillator", "b");
    for (NodeId id : {a, b}) {
      g.setParameter(id, "waveform", 2.0f);
      g.setParameter(id, "level", 0.0f);
    }
    g.setParameter(a, "frequency", 11000.0f);
    g.setParameter(b, "frequency", 12345.0f);
    const NodeId out = g.add("output", "out");
    for (NodeId id : {a, b}) {
      g.connect({id, 0}, {out, 0});
      g.connect({id, 0}, {out, 1});
    }
    engine.commit();
    const test::Stereo audio = test::renderBlocks(engine, {}, kRate, [] { return 512; });
    std::vector<float> interleaved(2 * audio.left.size());
    for (std::size_t n = 0; n < audio.left.size(); ++n) {
      interleaved[2 * n] = audio.left[n];
      interleaved[2 * n + 1] = audio.right[n];
    }
    checkSafe(interleaved, c.effective);
    CHECK(measurePeaks(interleaved, 2, kRate).truePeakDbtp >
          c.effective - 0.5);  // limited, not muted
  }
}

TEST_CASE("true peak: a render's summary meter reads what libebur128 reads, within 0.1 dB") {
  // The summary's meter finds true peaks with the master limiter's detector instead of
  // libebur128's oversampling; both follow BS.1770-4, with different 48-tap filters.
  struct Signal {
    const char* name;
    std::vector<float> audio;
  };
  std::vector<Signal> signals;
  signals.push_back({"inter-sample peaks at a quarter of the rate", interSamplePeaky(2.0, 0.6)});
  std::vector<float> sweep(2 * static_cast<std::size_t>(kRate) * 3);
  double phase = 0.0;
  for (std::size_t n = 0; n < sweep.size() / 2; ++n) {
    // 100 Hz to 20 kHz over three seconds, at -3 dBFS.
    const double hz = 100.0 * std::pow(200.0, static_cast<double>(n) / (sweep.size() / 2.0));
    phase += 2.0 * std::numbers::pi * hz / kRate;
    sweep[2 * n] = static_cast<float>(0.7 * std::sin(phase));
    sweep[2 * n + 1] = static_cast<float>(0.7 * std::cos(1.3 * phase));
  }
  signals.push_back({"a sine sweep to 20 kHz", sweep});
  std::mt19937 random(11);
  std::uniform_real_distribution<float> noise(-0.4f, 0.4f);
  std::vector<float> hiss(2 * static_cast<std::size_t>(kRate));
  for (float& x : hiss) x = noise(random);
  signals.push_back({"white noise", hiss});
  for (const Signal& signal : signals) {
    const std::string name = signal.name;
    CAPTURE(name);
    io::LoudnessMeter library(2, kRate, io::LoudnessMeter::TruePeak::kLibrary);
    io::LoudnessMeter detector(2, kRate, io::LoudnessMeter::TruePeak::kLimiterDetector);
    // Fed in uneven pieces: the figures do not depend on them.
    for (std::size_t at = 0, piece = 1; at < signal.audio.size() / 2; piece = piece * 3 % 1021) {
      const std::size_t frames = std::min(piece, signal.audio.size() / 2 - at);
      library.add(signal.audio.data() + 2 * at, frames);
      detector.add(signal.audio.data() + 2 * at, frames);
      at += frames;
    }
    const LoudnessStats a = library.raw(), b = detector.raw();
    MESSAGE(std::string(signal.name) << ": true peak " << a.truePeakDbtp << " dBTP (libebur128), "
                                     << b.truePeakDbtp << " dBTP (the limiter's detector)");
    CHECK(std::fabs(a.truePeakDbtp - b.truePeakDbtp) <= 0.1);
    CHECK(a.integratedLufs == b.integratedLufs);
    CHECK(a.samplePeakDbfs == b.samplePeakDbfs);
  }
}
