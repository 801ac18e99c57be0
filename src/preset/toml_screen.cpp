// screenToml: one pass over the bytes, tracking what can make toml++ recurse deeply, and the
// non-ASCII characters toml++ 3.3.0 must not test for whitespace (its issue 295: a code point in
// some ranges reaches TOML_UNREACHABLE in is_non_ascii_horizontal_whitespace, undefined behaviour).
#include "preset/toml_screen.hpp"

#include <cstddef>
#include <vector>

namespace reverie::preset {
namespace {

class Screen {
 public:
  Screen(std::string_view text, const TomlLimits& limits) : text_(text), limits_(limits) {}

  std::optional<TomlLimitProblem> run() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF")
      at_ = 3;  // a UTF-8 byte-order mark, which toml++ skips
    while (!atEnd()) {
      const char c = peek();
      if (c == '#') {
        skipComment();
      } else if (c == '\n') {
        advance();
        if (open_.empty()) expect_ = Expect::kLineStart;  // only arrays may span lines
      } else if (c == ' ' || c == '\t' || c == '\r') {
        advance();
      } else if (expect_ == Expect::kLineStart && c == '[') {
        if (auto problem = readHeader()) return problem;
        expect_ = Expect::kRestOfLine;
      } else if (expect_ == Expect::kLineStart || (expect_ == Expect::kKey && c != '}')) {
        if (auto problem = readKey()) return problem;
      } else if (expect_ == Expect::kRestOfLine) {
        if (c == '"' || c == '\'') {
          if (auto problem = skipString()) return problem;
        } else {
          if (auto problem = unquoted()) return problem;
          advance();
        }
      } else if (auto problem = readValueCharacter()) {
        return problem;
      }
    }
    return std::nullopt;
  }

 private:
  enum class Expect {
    kLineStart,   // a key, a table header, or nothing
    kKey,         // a key inside an inline table
    kValue,       // a value, or the punctuation between values
    kRestOfLine,  // after a table header
  };

  bool atEnd() const { return at_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0';
  }
  // Columns count characters, as toml++ does: UTF-8 continuation bytes (10xxxxxx) add none.
  void advance() {
    const auto byte = static_cast<unsigned char>(text_[at_++]);
    if (byte == '\n') {
      ++line_;
      column_ = 1;
    } else if ((byte & 0xC0) != 0x80) {
      ++column_;
    }
  }

  void skipComment() {
    while (!atEnd() && peek() != '\n') advance();
  }

  // A whole UTF-8 encoded non-ASCII character starts `ahead` bytes on. Malformed UTF-8 is left
  // for toml++, which reports it before testing anything for whitespace.
  bool nonAsciiCharacterAt(std::size_t ahead) const {
    const auto lead = static_cast<unsigned char>(peek(ahead));
    const int length = lead >= 0xC2 && lead <= 0xDF   ? 2
                       : lead >= 0xE0 && lead <= 0xEF ? 3
                       : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                      : 0;
    if (length == 0 || at_ + ahead + static_cast<std::size_t>(length) > text_.size()) return false;
    for (int i = 1; i < length; ++i)
      if ((static_cast<unsigned char>(peek(ahead + static_cast<std::size_t>(i))) & 0xC0) != 0x80)
        return false;
    return true;
  }

  // Outside strings and comments TOML 1.0 is ASCII, and toml++ tests a stray non-ASCII
  // character for whitespace, which is where its undefined behaviour lies.
  std::optional<TomlLimitProblem> unquoted() const {
    if (!nonAsciiCharacterAt(0)) return std::nullopt;
    return problemHere(line_, column_,
                       "a non-ASCII character outside quotes and comments; TOML allows them only "
                       "inside strings and comments, so quote it");
  }

  // Right after a backslash in a basic string: toml++ tests the escaped character for
  // whitespace; in a multi-line string it also skips the spaces and tabs after a backslash,
  // testing the first character past them, and past a line break the whole run of whitespace,
  // testing the first character of the continuation. (A backslash, blanks, then anything but a
  // line break is no valid TOML, so refusing a non-ASCII character there loses no file.)
  std::optional<TomlLimitProblem> escapeAfterBackslash(bool multiLine) {
    std::size_t ahead = 0;
    if (multiLine) {
      while (peek(ahead) == ' ' || peek(ahead) == '\t') ++ahead;
      if (peek(ahead) == '\n' || (peek(ahead) == '\r' && peek(ahead + 1) == '\n')) {
        while (peek(ahead) == ' ' || peek(ahead) == '\t' || peek(ahead) == '\r' ||
               peek(ahead) == '\n')
          ++ahead;
      }
    }
    if (!nonAsciiCharacterAt(ahead)) return std::nullopt;
    return problemHere(line_, column_,
                       "a non-ASCII character right after a backslash (or after the blanks "
                       "or line break that follow one) in a string; write it as \\uXXXX or move "
                       "it off the escape");
  }

  // At a quote: the whole string, basic or literal, one line or multi-line (TOML 1.0).
  std::optional<TomlLimitProblem> skipString() {
    const char quote = peek();
    if (peek(1) == quote && peek(2) == quote) {
      for (int i = 0; i < 3; ++i) advance();
      while (!atEnd()) {
        if (quote == '"' && peek() == '\\') {
          advance();
          if (auto problem = escapeAfterBackslash(true)) return problem;
          if (!atEnd()) advance();
        } else if (peek() == quote && peek(1) == quote && peek(2) == quote) {
          for (int i = 0; i < 3; ++i) advance();
          // Up to two more quotes right before the closing three belong to the content.
          for (int i = 0; i < 2 && peek() == quote; ++i) advance();
          return std::nullopt;
        } else {
          advance();
        }
      }
      return std::nullopt;
    }
    advance();
    while (!atEnd() && peek() != '\n') {  // a one-line string cannot cross a line break
      const char c = peek();
      advance();
      if (c == quote) return std::nullopt;
      if (quote == '"' && c == '\\' && !atEnd() && peek() != '\n') {
        if (auto problem = escapeAfterBackslash(false)) return problem;
        advance();
      }
    }
    return std::nullopt;
  }

  TomlLimitProblem problemHere(int line, int column, std::string message) const {
    return {line, column, std::move(message)};
  }

  // Reads a header or a key up to `end` (consumed) or the line's end, counting its dotted
  // parts outside quotes; `ended` says whether `end` was met.
  std::optional<TomlLimitProblem> readParts(char end, long& parts, bool& ended) {
    parts = 1;
    ended = false;
    while (!atEnd() && peek() != '\n' && peek() != '#') {
      const char c = peek();
      if (c == '"' || c == '\'') {
        if (auto problem = skipString()) return problem;
        continue;
      }
      if (auto problem = unquoted()) return problem;
      advance();
      if (c == '.') ++parts;
      if (c == end) {
        ended = true;
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // [a.b.c] or [[a.b.c]].
  std::optional<TomlLimitProblem> readHeader() {
    const int line = line_, column = column_;
    advance();
    const bool arrayOfTables = peek() == '[';
    if (arrayOfTables) advance();
    long parts = 1;
    bool closed = false;
    if (auto problem = readParts(']', parts, closed)) return problem;
    if (closed && arrayOfTables && peek() == ']') advance();
    if (parts <= limits_.headerParts) return std::nullopt;
    const std::string limit = std::to_string(limits_.headerParts);
    return problemHere(line, column,
                       std::string(arrayOfTables ? "array-of-tables header" : "table header") +
                           " has " + std::to_string(parts) + " dotted parts, over the limit of " +
                           limit + "; shorten it to at most " + limit + " parts");
  }

  // A key up to its '='.
  std::optional<TomlLimitProblem> readKey() {
    const int line = line_, column = column_;
    long parts = 1;
    bool assigned = false;
    if (auto problem = readParts('=', parts, assigned)) return problem;
    if (assigned) expect_ = Expect::kValue;
    if (parts <= limits_.keyParts) return std::nullopt;
    const std::string limit = std::to_string(limits_.keyParts);
    return problemHere(line, column,
                       "dotted key has " + std::to_string(parts) + " parts, over the limit of " +
                           limit + "; shorten it to at most " + limit + " parts");
  }

  // What ends a bare value for toml++ (its is_value_terminator).
  static bool endsBareValue(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' || c == '}' ||
           c == '#';
  }

  // A number, boolean, date or anything else unquoted: toml++ scans it to its terminator to
  // decide its type, quotes and brackets included, testing every character for whitespace.
  std::optional<TomlLimitProblem> readBareValue() {
    for (; !atEnd() && !endsBareValue(peek()); advance())
      if (auto problem = unquoted()) return problem;
    // For a date and time split by a space ("1979-05-27 07:32"), toml++ takes the space, the
    // digit after it and then the next character whatever it is, a line break included, and
    // scans on from there to a terminator. Look that far ahead without moving, so the lines
    // after it are still read as lines.
    if (peek() != ' ' || peek(1) < '0' || peek(1) > '9') return std::nullopt;
    for (std::size_t ahead = 2; at_ + ahead < text_.size(); ++ahead) {
      if (nonAsciiCharacterAt(ahead)) return unquotedAhead();
      if (ahead > 2 && endsBareValue(peek(ahead))) break;
    }
    return std::nullopt;
  }

  TomlLimitProblem unquotedAhead() const {
    return problemHere(line_, column_,
                       "a non-ASCII character toml++ would read as part of this value; TOML allows "
                       "them only inside strings and comments, so quote it");
  }

  // One character of a value: strings are skipped whole, brackets counted.
  std::optional<TomlLimitProblem> readValueCharacter() {
    const char c = peek();
    if (c == '"' || c == '\'') return skipString();
    if (c != '[' && c != '{' && !endsBareValue(c)) return readBareValue();
    const int line = line_, column = column_;
    advance();
    if (c == '[' || c == '{') {
      open_.push_back(c);
      expect_ = c == '{' ? Expect::kKey : Expect::kValue;
      if (open_.size() > static_cast<std::size_t>(limits_.nesting)) {
        const std::string limit = std::to_string(limits_.nesting);
        return problemHere(line, column,
                           "arrays and inline tables are nested more than " + limit +
                               " deep, over the limit; nest them at most " + limit + " deep");
      }
    } else if (c == ']' || c == '}') {
      if (!open_.empty()) open_.pop_back();
      expect_ = Expect::kValue;
    } else if (c == ',') {
      expect_ = !open_.empty() && open_.back() == '{' ? Expect::kKey : Expect::kValue;
    }
    return std::nullopt;
  }

  std::string_view text_;
  TomlLimits limits_;
  std::size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
  Expect expect_ = Expect::kLineStart;
  std::vector<char> open_;  // '[' or '{' for each array or inline table not yet closed
};

}  // namespace

std::optional<TomlLimitProblem> screenToml(std::string_view text, const TomlLimits& limits) {
  return Screen(text, limits).run();
}

}  // namespace reverie::preset
