// `reverie render ARC --seeds 1-64 -o 'take-{seed}.flac'`: one take per seed, several at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/render_run.hpp"

namespace reverie::cli {

/// The most takes one batch renders.
inline constexpr std::size_t kMaxBatchTakes = 100000;

/// "1-64", "7", "1,5,9-12": the seeds in the order given, each once. Throws InputError.
std::vector<std::uint64_t> parseSeeds(const std::string& text);

/// Renders one take per seed of `options.seeds`, `{seed}` in -o and the side files' names
/// replaced by the seed: `--threads` takes at a time (each on one thread), one progress bar,
/// and a table of the takes at the end. Returns the exit status; throws InputError for options
/// that cannot work (before rendering) and the first take's error if a take fails.
int runRenderBatch(const RenderOptions& options);

}  // namespace reverie::cli
