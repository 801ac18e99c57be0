// A linear pass over TOML text before toml++ sees it: toml++ descends once per dotted-key part,
// table-header part and nested value, so a short hostile file could overflow the stack.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace reverie::preset {

/// How deep a reverie TOML file may go. Real presets and arcs use a handful of each; the limits
/// sit far above them and far below what toml++'s recursion can bear.
struct TomlLimits {
  int keyParts = 64;     ///< parts of a dotted key: a.b.c = 1 has 3
  int headerParts = 64;  ///< parts of a table header: [a.b] and [[a.b]] have 2
  int nesting = 64;      ///< arrays and inline tables inside each other: [[1]] is 2 deep
};

/// The first place a limit is exceeded, 1-based, with a one-line message naming the limit and
/// the fix.
struct TomlLimitProblem {
  int line = 1;
  int column = 1;
  std::string message;
};

/// Scans `text` once, respecting comments and every kind of string, and returns the first
/// place it exceeds `limits` or holds a non-ASCII character where toml++ 3.3.0 would test it for
/// whitespace (outside strings and comments, right after a backslash in a basic string), or
/// nullopt. Other malformed TOML is left for toml++ to report.
std::optional<TomlLimitProblem> screenToml(std::string_view text, const TomlLimits& limits = {});

}  // namespace reverie::preset
