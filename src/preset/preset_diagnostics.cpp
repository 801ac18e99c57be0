// Located, one-line preset errors: formatting, collection and the exception that carries them.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "preset/diagnostic_list.hpp"

namespace reverie {
namespace {

std::string joinDiagnostics(const std::vector<PresetDiagnostic>& diagnostics) {
  if (diagnostics.empty()) return "invalid preset";
  std::string text;
  for (const PresetDiagnostic& diagnostic : diagnostics) {
    if (!text.empty()) text += '\n';
    text += diagnostic.format();
  }
  return text;
}

// Positions come from toml++ as unsigned; a parse error at the very end can report column 0.
int atLeastOne(std::uint32_t position) {
  return position == 0 ? 1 : static_cast<int>(std::min<std::uint32_t>(position, 1u << 30));
}

}  // namespace

std::string PresetDiagnostic::format() const {
  std::string text = preset::oneLine(file);
  if (line > 0) {
    text += ':' + std::to_string(line);
    if (column > 0) text += ':' + std::to_string(column);
  }
  return text + ": error: " + preset::oneLine(message);
}

PresetError::PresetError(std::vector<PresetDiagnostic> diagnostics)
    : InputError(joinDiagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

namespace preset {

std::string oneLine(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r' || c == '\t') {
      line += ' ';
    } else if (byte < 0x20 || byte == 0x7f) {
      line += '?';
    } else {
      line += c;
    }
  }
  // Trailing blanks come from a stripped line break and only hide the end of the message.
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::string inQuotes(std::string_view text) {
  // Long enough for any real name; a pasted paragraph would only bury the message.
  constexpr std::size_t kMaxChars = 48;
  if (text.size() <= kMaxChars) return "'" + oneLine(text) + "'";
  std::size_t cut = kMaxChars;
  // Do not cut a UTF-8 sequence in half (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + oneLine(text.substr(0, cut)) + "...'";
}

std::string withArticle(std::string_view word) {
  const bool vowel =
      !word.empty() && std::string_view("aeiou").find(word[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(word);
}

std::string joinNames(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

namespace {
// Shortest round-trip text in the value's own precision: a float 0.1 prints as 0.1.
template <typename Floating>
std::string formatFloating(Floating value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}
}  // namespace

std::string formatNumber(double value) {
  return formatFloating(value);
}
std::string formatNumber(float value) {
  return formatFloating(value);
}

void DiagnosticList::add(const toml::source_region& where, std::string_view message) {
  diagnostics_.push_back(
      {file_, atLeastOne(where.begin.line), atLeastOne(where.begin.column), oneLine(message)});
}

void DiagnosticList::add(int line, int column, std::string_view message) {
  diagnostics_.push_back({file_, line, column, oneLine(message)});
}

void DiagnosticList::throwIfAny() {
  if (diagnostics_.empty()) return;
  // toml++ tables iterate in key order, not file order; readers expect to go top to bottom.
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const PresetDiagnostic& a, const PresetDiagnostic& b) {
                     return a.line != b.line ? a.line < b.line : a.column < b.column;
                   });
  throw PresetError(std::move(diagnostics_));
}

}  // namespace preset
}  // namespace reverie
