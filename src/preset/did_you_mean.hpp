// The spelling suggestion behind every "did you mean" of the preset, arc and command messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace reverie {

/// The candidate closest to `word` (edit distance at most a third of its length, at least 2),
/// or empty.
std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace reverie
