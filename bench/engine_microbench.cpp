// Google Benchmark microbenchmarks of the engine's hot paths.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "dsp/master_limiter.hpp"
#include "dsp/modal_kernel.hpp"
#include "reverie/engine.hpp"

namespace {

// A chain of `range(0)` gain nodes after one oscillator: per-node overhead of a block.
void BM_GainChain(benchmark::State& state) {
  reverie::Engine engine({48000.0, 64, 1});
  reverie::Graph& graph = engine.graph();
  reverie::NodeId previous = graph.add("oscillator", "osc");
  for (int i = 0; i < state.range(0); ++i) {
    const reverie::NodeId gain = graph.add("gain");
    graph.connect({previous, 0}, {gain, 0});
    previous = gain;
  }
  const reverie::NodeId out = graph.add("output", "out");
  graph.connect({previous, 0}, {out, 0});
  graph.connect({previous, 0}, {out, 1});
  engine.commit();
  std::vector<float> left(64), right(64);
  float* channels[] = {left.data(), right.data()};
  for (auto _ : state) {
    engine.process(channels, 64);
    benchmark::DoNotOptimize(left.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_GainChain)->Arg(10)->Arg(100)->Arg(1000);

// Eight synth voices playing a chord.
void BM_SynthChord(benchmark::State& state) {
  reverie::Engine engine({48000.0, 256, 1});
  reverie::Graph& graph = engine.graph();
  const reverie::NodeId synth = graph.add("synth", "synth");
  const reverie::NodeId out = graph.add("output", "out");
  graph.connect({synth, 0}, {out, 0});
  graph.connect({synth, 1}, {out, 1});
  engine.commit();
  std::vector<float> left(256), right(256);
  float* channels[] = {left.data(), right.data()};
  std::vector<reverie::NodeEvent> chord;
  for (int key : {48, 55, 60, 64, 67, 71, 74, 79})
    chord.push_back(
        {synth, {0, reverie::EventType::kNoteOn, 0, static_cast<std::uint16_t>(key), 0.8f}});
  engine.process(channels, 256, chord);
  for (auto _ : state) {
    engine.process(channels, 256);
    benchmark::DoNotOptimize(left.data());
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_SynthChord);

// The master bus's true-peak limiter on loud noise (its gain always working), 1024 frames at a
// time: range(0) 0 a frame at a time (process), 1 the whole run at once (processBlock, the
// engine's way). Both give the same bits; items are frames.
void BM_MasterLimiter(benchmark::State& state) {
  constexpr int kFrames = 1024;
  reverie::dsp::MasterLimiter limiter;
  limiter.prepare(48000.0, 48, 0.08f * 48000.0f, 0.89f);
  std::mt19937 random(1);
  std::normal_distribution<float> noise(0.0f, 0.5f);
  std::vector<float> sourceLeft(kFrames), sourceRight(kFrames), left(kFrames), right(kFrames);
  for (int i = 0; i < kFrames; ++i) {
    sourceLeft[static_cast<std::size_t>(i)] = noise(random);
    sourceRight[static_cast<std::size_t>(i)] = noise(random);
  }
  for (auto _ : state) {
    left = sourceLeft;
    right = sourceRight;
    if (state.range(0) == 0) {
      for (int i = 0; i < kFrames; ++i)
        limiter.process(left[static_cast<std::size_t>(i)], right[static_cast<std::size_t>(i)]);
    } else {
      limiter.processBlock(left.data(), right.data(), kFrames);
    }
    benchmark::DoNotOptimize(left.data());
  }
  state.SetItemsProcessed(state.iterations() * kFrames);
}
BENCHMARK(BM_MasterLimiter)->Arg(0)->Arg(1);

// Each modal kernel this CPU can run (range(0): 0 the best, as the engine picks, then the
// next), struck (range(1) 0) or bowed (1): 16 voices of 64 modes ringing, 256 frames a call,
// bowed voices two to a call and listened to as the crystal does. Items are voice-frames, so
// the bowed-to-struck ratio per kernel reads straight off; every ISA is measured, not only
// the one this machine would choose.
void BM_ModalKernel(benchmark::State& state) {
  namespace dsp = reverie::dsp;
  constexpr int kVoices = 16, kModes = 64, kFrames = 256;
  dsp::NamedKernel kernels[3];
  const int available = dsp::availableModalKernels(kernels, 3);
  if (state.range(0) >= available) {
    state.SkipWithError("this CPU has no such kernel");
    return;
  }
  const dsp::NamedKernel& kernel = kernels[state.range(0)];
  struct alignas(64) Voice {
    float re[kModes], im[kModes], c[kModes], s[kModes], gain[kModes], side[kModes];
    float outMid[kFrames], outSide[kFrames], listenRe[kFrames], listenIm[kFrames];
    float contact = std::nanf("");
  };
  std::vector<Voice> voices(kVoices);
  for (int v = 0; v < kVoices; ++v) {
    for (int m = 0; m < kModes; ++m) {
      // Harmonic modes of a low note that do not decay: however many iterations the benchmark
      // runs, no state sinks toward the denormals (which some CPUs compute slowly).
      const double angle = 0.0015 * (v + 1) * (m + 1);
      voices[v].c[m] = static_cast<float>(std::cos(angle));
      voices[v].s[m] = static_cast<float>(std::sin(angle));
      voices[v].gain[m] = 0.01f / static_cast<float>(m + 1);
      voices[v].side[m] = 0.1f;
      voices[v].re[m] = 0.0f;
      voices[v].im[m] = 0.001f;
    }
  }
  const bool bowed = state.range(1) != 0;
  for (auto _ : state) {
    if (!bowed) {
      for (Voice& v : voices)
        kernel.kernel({v.re, v.im, v.c, v.s, v.gain, v.side, kModes / 16}, nullptr, v.outMid,
                      v.outSide, kFrames);
    } else {
      for (int v = 0; v < kVoices; v += 2) {
        dsp::BowedVoice pair[2];
        for (int i = 0; i < 2; ++i) {
          Voice& x = voices[static_cast<std::size_t>(v + i)];
          pair[i] = {{x.re, x.im, x.c, x.s, x.gain, x.side, kModes / 16},
                     {},
                     x.outMid,
                     x.outSide,
                     x.listenRe,
                     x.listenIm};
          pair[i].bow.speed = 0.2f;
          pair[i].bow.slope = 3.0f;
          pair[i].bow.coupling = 0.1f;
          pair[i].bow.listenA = 0;
          pair[i].bow.contact = &x.contact;
        }
        kernel.bowed(pair, 2, kFrames);
      }
    }
    benchmark::DoNotOptimize(voices.data());
  }
  state.SetLabel(kernel.name);
  state.SetItemsProcessed(state.iterations() * kVoices * kFrames);
}
BENCHMARK(BM_ModalKernel)->ArgsProduct({{0, 1, 2}, {0, 1}});

}  // namespace

BENCHMARK_MAIN();
