// Spelling suggestions for unknown keys, types, ports, choices and preset names.
#include "preset/did_you_mean.hpp"

#include <algorithm>
#include <cctype>

#include "preset/diagnostic_list.hpp"

namespace reverie {
namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Levenshtein distance, ignoring case: "Saw" and "saw" are the same word to a reader.
// Two rows of the classic dynamic programme (Wagner & Fischer 1974).
std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution =
          previous[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(text[i]) != lower(prefix[i])) return false;
  return true;
}

}  // namespace

std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  // A third of the word, but at least 2, so short typos ("gian") are still caught.
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  const std::string* best = nullptr;
  std::size_t bestDistance = limit + 1;
  for (const std::string& candidate : candidates) {
    // The distance is at least the difference in length: a candidate that cannot beat the
    // best so far is not measured, so a hostile 200 KB name costs nothing.
    const std::size_t gap = word.size() > candidate.size() ? word.size() - candidate.size()
                                                           : candidate.size() - word.size();
    if (gap >= bestDistance) continue;
    const std::size_t distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = &candidate;
      bestDistance = distance;
    }
  }
  return best != nullptr ? *best : std::string();
}

namespace preset {

std::string closestName(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best = didYouMean(word, candidates);
  if (!best.empty() || word.size() < 3) return best;
  // Longer spellings of a short name ("sawtooth" for "saw") are too far apart for the edit
  // distance, yet obvious to a musician; so is an abbreviation ("tri" for "triangle").
  for (const std::string& candidate : candidates) {
    if (candidate.size() < 3) continue;
    if (startsWithIgnoringCase(word, candidate) || startsWithIgnoringCase(candidate, word)) {
      if (best.empty() || candidate.size() > best.size()) best = candidate;
    }
  }
  return best;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string best = closestName(word, candidates);
  return best.empty() ? std::string() : "; did you mean '" + best + "'?";
}

}  // namespace preset
}  // namespace reverie
