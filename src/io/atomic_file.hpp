// Files that appear whole or not at all: written beside the target, then renamed over it.
#pragma once

#include <filesystem>
#include <string_view>

namespace reverie::io {

/// ".<name>.partial-<pid>-<counter><ext>" beside `target`: the same file system, so the final
/// rename is atomic, and hidden, so a half-written file is not mistaken for a finished one.
std::filesystem::path temporaryPathBeside(const std::filesystem::path& target);

/// Writes `contents` to a temporary file beside `target`, flushes it to disk and renames it over
/// `target`. On failure the temporary file is removed, `target` keeps what it had, and a
/// RuntimeFailure names `target`, the reason and the fix.
void writeFileAtomically(const std::filesystem::path& target, std::string_view contents);

}  // namespace reverie::io
