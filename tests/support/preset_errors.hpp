// Test helpers for the broken-file corpora (presets and arcs): the expected message of a file
// and the diagnostics a load throws.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "reverie/preset.hpp"

namespace reverie::test {

/// The `# expect: <substring>` on the first line of a corpus file ("" without one).
inline std::string expectation(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::string line;
  std::getline(stream, line);
  const std::string marker = "# expect: ";
  return line.rfind(marker, 0) == 0 ? line.substr(marker.size()) : std::string();
}

/// The diagnostics `load` throws, with the whole message in `what`; empty, and a failed check,
/// when it does not throw.
inline std::vector<PresetDiagnostic> diagnosticsOf(const std::function<void()>& load,
                                                   std::string* what = nullptr) {
  try {
    load();
  } catch (const PresetError& error) {
    if (what != nullptr) *what = error.what();
    return error.diagnostics();
  }
  FAIL_CHECK("expected a PresetError");
  return {};
}

}  // namespace reverie::test
