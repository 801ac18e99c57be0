// `reverie bench`: the engine's costs, measured on this machine and reported as ratios.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "arc/arc_setup.hpp"
#include "cli/bench_live.hpp"
#include "cli/bench_renders.hpp"
#include "cli/commands.hpp"
#include "cli/patch_render.hpp"
#include "dsp/modal_kernel.hpp"
#include "engine/render_plan.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/errors.hpp"
#include "reverie/preset.hpp"

namespace reverie::cli {
namespace {

using Clock = std::chrono::steady_clock;

/// The lowest load (render time over the audio's length) of `rounds` runs of `blocks` blocks of
/// 256 frames at 48 kHz: the least disturbed run is the engine's own cost.
double bestLoad(Engine& engine, int blocks, int rounds) {
  float left[256], right[256];
  float* channels[] = {left, right};
  double best = 1e30;
  for (int round = 0; round < rounds; ++round) {
    const auto start = Clock::now();
    for (int i = 0; i < blocks; ++i) engine.process(channels, 256);
    best = std::min(best, secondsSince(start) / (blocks * 256 / 48000.0));
  }
  return best;
}

std::string cpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

/// An oscillator feeding a chain of `count` gain nodes: nearly trivial nodes, so the figure is
/// the engine's own per-node cost (dispatch, buffers, events) plus 64 multiplies.
double perNodeNanoseconds(int count) {
  Engine engine({48000.0, 64, 1});
  Graph& graph = engine.graph();
  NodeId previous = graph.add("oscillator", "osc");
  for (int i = 0; i < count; ++i) {
    const NodeId gain = graph.add("gain");
    graph.connect({previous, 0}, {gain, 0});
    previous = gain;
  }
  const NodeId out = graph.add("output", "out");
  graph.connect({previous, 0}, {out, 0});
  engine.commit();
  float left[64], right[64];
  float* channels[] = {left, right};
  for (int i = 0; i < 200; ++i) engine.process(channels, 64);  // warm up
  double best = 1e30;
  for (int round = 0; round < 5; ++round) {
    constexpr int kBlocks = 2000;
    const auto start = Clock::now();
    for (int i = 0; i < kBlocks; ++i) engine.process(channels, 64);
    best = std::min(best, secondsSince(start) * 1e9 / (kBlocks * static_cast<double>(count + 2)));
  }
  return best;
}

/// Median time of compile() for `nodes` gain nodes and about 2 * nodes edges (each node feeds
/// the next two, so most inputs are sums of two).
double compileMilliseconds(int nodes, std::size_t& edges) {
  Engine engine({48000.0, 64, 1});
  Graph& graph = engine.graph();
  std::vector<NodeId> ids;
  for (int i = 0; i < nodes; ++i) ids.push_back(graph.add("gain"));
  for (int i = 0; i < nodes; ++i) {
    if (i + 1 < nodes)
      graph.connect({ids[static_cast<std::size_t>(i)], 0},
                    {ids[static_cast<std::size_t>(i + 1)], 0});
    if (i + 2 < nodes)
      graph.connect({ids[static_cast<std::size_t>(i)], 0},
                    {ids[static_cast<std::size_t>(i + 2)], 0});
  }
  // Three more edges into the last node make it 2,000 for 1,000 nodes.
  for (std::size_t i = 0; i < 3 && i + 3 < ids.size(); ++i)
    graph.connect({ids[i], 0}, {ids.back(), 0});
  edges = graph.connections().size();
  std::vector<double> times;
  for (int round = 0; round < 21; ++round) {
    const auto start = Clock::now();
    const std::unique_ptr<RenderPlan> plan = compile(graph, 64);
    times.push_back(secondsSince(start) * 1e3);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// An engine sounding `voices` crystal voices of 64 modes each, its notes started.
/// Keys 0 to 63 on a harmonic series keep all 64 modes under Nyquist; a node sounds one voice
/// per key, so every 64 voices get a node of their own.
/// `exciter`: 0 struck, 1 bowed (the bow computes the body's velocity every sample).
std::unique_ptr<Engine> crystalEngine(int voices, float exciter) {
  auto engine = std::make_unique<Engine>(EngineConfig{48000.0, 256, 1});
  Graph& graph = engine->graph();
  const NodeId out = graph.add("output", "out");
  std::vector<NodeEvent> notes;
  for (int first = 0; first < voices; first += 64) {
    const NodeId crystal = graph.add("crystal");
    graph.setParameter(crystal, "voices", 128.0f);
    graph.setParameter(crystal, "modes", 64.0f);
    graph.setParameter(crystal, "geometry", 0.0f);
    graph.setParameter(crystal, "t60", 60.0f);     // every voice rings through the measurement
    graph.setParameter(crystal, "damping", 0.0f);  // every mode too: none stops being computed
    graph.setParameter(crystal, "level", -40.0f);
    graph.setParameter(crystal, "exciter", exciter);
    graph.connect({crystal, 0}, {out, 0});
    graph.connect({crystal, 1}, {out, 1});
    for (int key = 0; key < std::min(64, voices - first); ++key)
      notes.push_back({crystal, {0, EventType::kNoteOn, 0, static_cast<std::uint16_t>(key), 0.5f}});
  }
  engine->commit();
  float left[256], right[256];
  float* channels[] = {left, right};
  engine->process(channels, 256, notes);
  return engine;
}

/// Seconds of one core per second of audio for `voices` struck and bowed crystal voices: two
/// seconds of each in turn, five times, the least of each kept (smallestInTurn; measured one
/// after the other, a busy minute made the ratio anything from 1.3x to 1.9x).
struct CrystalLoads {
  double struck = 0.0, bowed = 0.0;
};
CrystalLoads crystalLoads(int voices) {
  const std::unique_ptr<Engine> struck = crystalEngine(voices, 0.0f);
  const std::unique_ptr<Engine> bowed = crystalEngine(voices, 1.0f);
  const auto [struckLoad, bowedLoad] = smallestInTurn(
      5, [&] { return bestLoad(*struck, 375, 1); }, [&] { return bestLoad(*bowed, 375, 1); });
  return {struckLoad, bowedLoad};
}

/// Seconds of one core per second of audio for `patch` (the full orchestra) with a six-note
/// chord on every section, the timpani rolling, and the audience applauding at full
/// enthusiasm; `only` limits the graph to one node and the output (its share of the cost).
double orchestraLoad(const Patch& patch, const std::string& only = {}) {
  Patch part = patch;
  part.score.clear();
  if (!only.empty()) {
    std::erase_if(part.nodes,
                  [&](const NodeSpec& n) { return n.name != only && n.type != "output"; });
    part.connections.clear();
    const std::string out =
        std::find_if(part.nodes.begin(), part.nodes.end(), [](const NodeSpec& n) {
          return n.type == "output";
        })->name;
    part.connections = {{only + ".left", out + ".left"}, {only + ".right", out + ".right"}};
    part.mappings.clear();
  }
  Engine engine({48000.0, 256, 1});
  const auto ids = buildGraph(part, engine.graph());
  const std::vector<NodeEvent> start = orchestraStart(engine, part, ids);
  engine.commit();
  float left[256], right[256];
  float* channels[] = {left, right};
  engine.process(channels, 256, start);
  for (int i = 0; i < 188; ++i) engine.process(channels, 256);  // one second in: every attack done
  return bestLoad(engine, 1875, 2);                             // ten seconds, twice
}

struct ArcBench {
  double seconds = 0.0, realtimeFactor = 0.0, peakMiB = 0.0, baselineMiB = 0.0;
};

/// The median time, in nanoseconds, for a cache line to go from one core to another and back:
/// two threads on the first two CPUs this process may use hand a counter to each other. Where
/// the two cores share a cache it is tens of nanoseconds; between the dies of a large CPU (a
/// virtual machine's cores can land there, and move) it is hundreds, and every handover in a
/// parallel render costs that much.
double coreRoundTripNanoseconds() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0.0;
  int cpus[2], found = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) cpus[found++] = cpu;
  if (found < 2) return 0.0;
  const auto pin = [](int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
  };
  constexpr int kTrips = 20000;
  double times[5];
  for (double& time : times) {
    alignas(64) std::atomic<int> counter{0};
    std::thread other([&] {
      pin(cpus[1]);
      for (int i = 0; i < kTrips; ++i) {
        while (counter.load(std::memory_order_acquire) != 2 * i + 1) {
        }
        counter.store(2 * i + 2, std::memory_order_release);
      }
    });
    std::thread self([&] {
      pin(cpus[0]);
      const auto start = Clock::now();
      for (int i = 0; i < kTrips; ++i) {
        counter.store(2 * i + 1, std::memory_order_release);
        while (counter.load(std::memory_order_acquire) != 2 * i + 2) {
        }
      }
      time = secondsSince(start) * 1e9 / kTrips;
    });
    self.join();
    other.join();
  }
  std::sort(std::begin(times), std::end(times));
  return times[2];
}

/// Resident memory now, from /proc/self/statm (0 where it cannot be read).
double residentMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

/// Renders an arc offline in a forked child, so the bench's earlier work does not inflate its
/// peak resident memory; the child reports its peak and what it held before rendering (pages it
/// shares with the bench) through a pipe.
ArcBench benchArc(const std::string& name, int threads) {
  const Arc arc = loadArc(findPreset(name));
  int fds[2];
  if (pipe(fds) != 0) throw RuntimeFailure("bench: cannot create a pipe");
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0) throw RuntimeFailure("bench: cannot fork");
  if (child == 0) {
    close(fds[0]);
    ArcBench result;
    const double baseline = residentMiB();
    try {
      Engine engine(renderEngineConfig(48000.0, 1, threads));
      arc::buildArc(arc, engine.graph());
      engine.commit();
      const PatchRender render =
          renderEvents(engine, {}, arc::arcSeconds(arc), {}, [](const float*, std::size_t) {});
      rusage usage{};
      getrusage(RUSAGE_SELF, &usage);
      result = {render.seconds, render.realtimeFactor,
                static_cast<double>(usage.ru_maxrss) / 1024.0, baseline};
    } catch (...) {
      result = {};
    }
    const ssize_t written = write(fds[1], &result, sizeof result);
    _exit(written == static_cast<ssize_t>(sizeof result) && result.seconds > 0.0 ? 0 : 1);
  }
  close(fds[1]);
  ArcBench result;
  const ssize_t got = read(fds[0], &result, sizeof result);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (got != static_cast<ssize_t>(sizeof result) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw RuntimeFailure("bench: rendering the arc '" + name + "' failed; try 'reverie render " +
                         name + "'");
  return result;
}

int runBench(bool long8Hours) {
  std::printf("reverie bench on %s, %u hardware threads (single-threaded figures)\n\n",
              cpuModel().c_str(), std::thread::hardware_concurrency());

  const double perNode = perNodeNanoseconds(1000);
  std::printf(
      "per-node overhead, 1,000 trivial nodes:  %.1f ns per node per 64-frame block"
      " (%.2f ns per node-sample)\n",
      perNode, perNode / 64.0);

  std::size_t edges = 0;
  const double compileMs = compileMilliseconds(1000, edges);
  std::printf("compile, 1,000 nodes / %zu edges:        %.2f ms (median of 21; aim < 10 ms)\n",
              edges, compileMs);

  constexpr int kVoices = 128;
  const CrystalLoads loads = crystalLoads(kVoices);
  const double load = loads.struck;
  const double perModeSample = load * 1e9 / (kVoices * 64.0 * 48000.0);
  std::printf(
      "crystal, %d voices x 64 modes at 48 kHz: %.1f%% of one core, %.3f ns per mode-sample"
      " (kernel: %s)\n",
      kVoices, load * 100.0, perModeSample, dsp::modalKernelName());
  std::printf(
      "crystal voices x 64 modes in real time on one core: about %d"
      " (extrapolated from %d; one node holds up to 128)\n",
      static_cast<int>(kVoices / load), kVoices);
  std::printf(
      "crystal bowed, %d voices x 64 modes: %.1f%% of one core, %.2fx the struck cost per voice "
      "(aim <= 1.5x; best of 5, struck and bowed in turn)\n",
      kVoices, loads.bowed * 100.0, loads.bowed / load);

  benchLiveCallbacks();

  {
    const Patch orchestra = loadPatch(findPreset("full-orchestra"));
    const double load = orchestraLoad(orchestra);
    std::printf(
        "full orchestra, six-note chord, audience applauding, hall, 48 kHz: %.1fx realtime (aim >= "
        "50x)\n",
        1.0 / load);
    std::string parts;
    for (const NodeSpec& node : orchestra.nodes) {
      if (node.type == "output") continue;
      char part[96];
      std::snprintf(part, sizeof part, "%s%s %.0f ns", parts.empty() ? "" : ", ", node.name.c_str(),
                    orchestraLoad(orchestra, node.name) * 1e9 / 48000.0);
      parts += part;
    }
    std::printf("  per sample, each alone: %s\n", parts.c_str());
  }

  // One thread and all in turn, three times each: the fastest of each (smallestInTurn, on
  // seconds a second of audio), and the largest peak memory of the one-thread renders.
  constexpr int kArcRounds = 3;
  const int cores = benchCores();
  ArcBench arc;
  const auto oneThread = [&] {
    const ArcBench one = benchArc(kDefaultPreset, 1);
    arc.seconds = one.seconds;
    if (one.peakMiB > arc.peakMiB) {
      arc.peakMiB = one.peakMiB;
      arc.baselineMiB = one.baselineMiB;
    }
    return 1.0 / one.realtimeFactor;
  };
  const double before = cores > 1 ? coreRoundTripNanoseconds() : 0.0;
  const auto [oneCost, allCost] = smallestInTurn(kArcRounds, oneThread, [&] {
    return cores > 1 ? 1.0 / benchArc(kDefaultPreset, cores).realtimeFactor : 0.0;
  });
  arc.realtimeFactor = 1.0 / oneCost;
  std::printf(
      "default render, the arc '%s', %.1f s at 48 kHz, best of %d: %.1fx realtime on one core "
      "(aim >= 30x),\n"
      "  peak memory %.1f MiB resident: %.1f MiB before rendering, the rest the render's own\n",
      kDefaultPreset, arc.seconds, kArcRounds, arc.realtimeFactor, arc.peakMiB, arc.baselineMiB);
  if (cores > 1) {
    const double after = coreRoundTripNanoseconds();
    std::printf(
        "  on %d threads: %.1fx realtime, %.2fx the speed of one (aim >= 1.7x on 2 cores)\n"
        "  a cache line's round trip between two cores, before and after: %.0f and %.0f ns (tens\n"
        "  where the cores share a cache; where it is hundreds, the threads' handovers cost that\n"
        "  much each and the speed-up falls)\n",
        cores, 1.0 / allCost, oneCost / allCost, before, after);
  }
  benchMidiFile();
  benchBatch();
  benchLongRenders(long8Hours);
  return 0;
}

}  // namespace

void addBenchCommand(CLI::App& app, Action& action) {
  CLI::App* bench = app.add_subcommand(
      "bench",
      "Measure the engine: per-node overhead, compile time, live callback times, realtime factor");
  auto longRenders = std::make_shared<bool>(false);
  bench->add_flag("--long", *longRenders, "Also render 8 hours, to show its memory stays flat");
  bench->callback(
      [&action, longRenders] { action = [longRenders] { return runBench(*longRenders); }; });
}

}  // namespace reverie::cli
