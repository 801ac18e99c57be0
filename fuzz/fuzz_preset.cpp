// Fuzz target: arbitrary bytes as a patch preset, then what `render` does with a patch that
// loads (fuzz/toml_checks.hpp). An exception other than the documented ones, a sanitizer
// report or a broken promise is a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "toml_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!reverie::fuzz::runPreset(text).violation.empty()) __builtin_trap();
  return 0;
}
