// A batch of takes: threads that each render whole takes, one seed after another, and a table.
#include "cli/render_batch.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "cli/interrupt.hpp"
#include "cli/progress_bar.hpp"
#include "engine/free_cores.hpp"
#include "reverie/errors.hpp"

namespace reverie::cli {
namespace {

bool parseSeed(std::string_view text, std::uint64_t& value) {
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  return !text.empty() && error == std::errc() && stop == end;
}

std::string withSeed(std::string pattern, std::uint64_t seed) {
  const std::string number = std::to_string(seed);
  for (std::size_t at = pattern.find("{seed}"); at != std::string::npos;
       at = pattern.find("{seed}", at + number.size()))
    pattern.replace(at, 6, number);
  return pattern;
}

/// Each file a take writes must have {seed} in its name, or the takes would write one file.
void requireSeedIn(const std::string& path, const char* option) {
  if (path.empty() || path.find("{seed}") != std::string::npos) return;
  throw InputError(std::string("--seeds renders many takes, and ") + option + " '" + path +
                   "' would be the same file for each; put {seed} in it, e.g. " + option +
                   " 'take-{seed}" + (std::string(option) == "--stems" ? "" : ".flac") + "'");
}

}  // namespace

std::vector<std::uint64_t> parseSeeds(const std::string& text) {
  const std::string rule =
      "; give seeds as 1-64, or a list such as 1,5,9-12 (whole numbers from 0 to 2^64-1)";
  std::vector<std::uint64_t> seeds;
  std::set<std::uint64_t> seen;
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    const std::size_t dash = part.find('-');
    std::uint64_t first = 0, last = 0;
    const bool ok = dash == std::string_view::npos
                        ? parseSeed(part, first) && parseSeed(part, last)
                        : parseSeed(part.substr(0, dash), first) &&
                              parseSeed(part.substr(dash + 1), last) && first <= last;
    if (!ok)
      throw InputError("--seeds '" + text + "': '" + std::string(part) +
                       "' is not a seed or a range" + rule);
    if (last - first >= kMaxBatchTakes || seeds.size() + (last - first) >= kMaxBatchTakes)
      throw InputError("--seeds '" + text + "' asks for more than " +
                       std::to_string(kMaxBatchTakes) + " takes; split the batch");
    for (std::uint64_t seed = first;; ++seed) {
      if (seen.insert(seed).second) seeds.push_back(seed);
      if (seed == last) break;
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return seeds;
}

int runRenderBatch(const RenderOptions& options) {
  const std::vector<std::uint64_t> seeds = parseSeeds(options.seeds);
  if (options.output.empty() || options.output == "-")
    throw InputError(
        "--seeds writes one file per take; name them with -o and {seed} in the name, e.g. "
        "-o 'take-{seed}.flac'");
  requireSeedIn(options.output, "-o");
  requireSeedIn(options.curvesPath, "--export-curves");
  requireSeedIn(options.plotPath, "--plot");
  requireSeedIn(options.midiExportPath, "--export-midi");
  requireSeedIn(options.stemsPath, "--stems");
  catchInterrupts();

  // Takes side by side, each on one thread: the cores free now, never more than the takes.
  const int jobs = std::clamp(options.threads > 0 ? options.threads : freeCores(), 1,
                              static_cast<int>(seeds.size()));
  std::vector<RenderReport> reports(seeds.size());
  std::vector<std::string> errors(seeds.size());
  std::vector<char> inputErrors(seeds.size(), 0);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};
  std::atomic<bool> stop{false};
  const auto start = std::chrono::steady_clock::now();
  auto work = [&] {
    for (std::size_t i = next++; i < seeds.size() && !stop.load(); i = next++) {
      RenderOptions take = options;
      take.seeds.clear();
      take.seed = seeds[i];
      take.quiet = true;
      take.threads = 1;
      take.output = withSeed(options.output, seeds[i]);
      take.curvesPath = withSeed(options.curvesPath, seeds[i]);
      take.plotPath = withSeed(options.plotPath, seeds[i]);
      take.midiExportPath = withSeed(options.midiExportPath, seeds[i]);
      take.stemsPath = withSeed(options.stemsPath, seeds[i]);
      try {
        renderTake(take, &reports[i]);
      } catch (const InputError& error) {
        errors[i] = error.what();
        inputErrors[i] = 1;
        stop = true;
      } catch (const std::exception& error) {
        errors[i] = error.what();
        stop = true;
      }
      ++finished;
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(work);
  {
    ProgressBar bar("rendering " + std::to_string(seeds.size()) + " takes", !options.quiet);
    while (finished.load() < seeds.size() && !stop.load()) {
      bar.update(static_cast<double>(finished.load()) / static_cast<double>(seeds.size()),
                 std::to_string(finished.load()) + " of " + std::to_string(seeds.size()) +
                     " done, " + std::to_string(jobs) + " at a time");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (std::thread& thread : threads) thread.join();
    bar.finish();
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // A take that failed stops the batch; what finished stays, each file whole.
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    if (errors[i].empty()) continue;
    if (interrupted()) break;
    const std::string message = "take " + std::to_string(seeds[i]) + ": " + errors[i];
    if (inputErrors[i]) throw InputError(message);
    throw RuntimeFailure(message);
  }
  std::size_t done = 0;
  double audioSeconds = 0.0;
  for (const RenderReport& report : reports)
    if (!report.target.empty()) {
      ++done;
      audioSeconds += report.seconds;
    }
  if (!options.quiet) {
    std::fprintf(stderr,
                 "reverie: rendered %zu of %zu takes of '%s' in %.1f s, %d at a time: %.1fx "
                 "realtime together\n  %20s  %-28s %9s %8s %10s\n",
                 done, seeds.size(), options.preset.c_str(), wall, jobs, audioSeconds / wall,
                 "seed", "file", "length", "LUFS", "true peak");
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      const RenderReport& r = reports[i];
      if (r.target.empty()) continue;
      std::fprintf(stderr, "  %20llu  %-28s %7.1f s %8.1f %5.1f dBTP\n",
                   static_cast<unsigned long long>(seeds[i]), r.target.string().c_str(), r.seconds,
                   r.integratedLufs, r.truePeakDbtp);
    }
  }
  if (interrupted()) {
    std::fprintf(stderr, "reverie: interrupted after %zu of %zu takes; those are whole\n", done,
                 seeds.size());
    return interruptExitCode();
  }
  return 0;
}

}  // namespace reverie::cli
