// Collects located preset problems so that one run reports all of them, in file order.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <vector>

#include "reverie/preset.hpp"

namespace reverie::preset {

/// Replaces line breaks and other control characters: a diagnostic is always one line.
std::string oneLine(std::string_view text);
/// User-written text in single quotes, shortened when long, for use inside a message.
std::string inQuotes(std::string_view text);
/// "a hall", "an arc": the word with its indefinite article.
std::string withArticle(std::string_view word);
/// "a, b, c", or "none" when empty.
std::string joinNames(const std::vector<std::string>& names);
/// Shortest text that reads back as the same double: 1800.0 -> "1800", 0.25 -> "0.25".
std::string formatNumber(double value);
/// Same for a descriptor's float, so 0.001f prints as "0.001" and not as its double expansion.
std::string formatNumber(float value);

/// didYouMean, falling back to a prefix match ("sawtooth" -> "saw", "tri" -> "triangle").
std::string closestName(std::string_view word, const std::vector<std::string>& candidates);
/// "; did you mean 'x'?" or "" when nothing is close.
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates);

class DiagnosticList {
 public:
  explicit DiagnosticList(std::string file) : file_(std::move(file)) {}

  /// A problem at the start of `where` (a key or a value as toml++ located it).
  void add(const toml::source_region& where, std::string_view message);
  /// A problem at a known position; line 0 means "the whole file".
  void add(int line, int column, std::string_view message);

  bool empty() const { return diagnostics_.empty(); }
  std::size_t size() const { return diagnostics_.size(); }
  /// Throws PresetError with every problem so far, sorted by position, if there is any.
  void throwIfAny();

 private:
  std::string file_;
  std::vector<PresetDiagnostic> diagnostics_;
};

}  // namespace reverie::preset
