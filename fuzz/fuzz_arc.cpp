// Fuzz target: arbitrary bytes as an arc, then its timeline at 48 kHz walked span by span
// (fuzz/toml_checks.hpp). An exception other than an InputError, a sanitizer report or a
// timeline whose frames do not rise with the scenes and bars is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "toml_checks.hpp"

namespace {

// The arc "sits" in the shipped preset tree, so `patch = "the-stage"` and the like find the
// real patches; the file itself need not exist.
const std::string kArcSource = REVERIE_SOURCE_DIR "/presets/arcs/fuzz.toml";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The shipped presets first, whatever folder the fuzzer runs in.
  setenv("REVERIE_PRESET_PATH", REVERIE_SOURCE_DIR "/presets", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!reverie::fuzz::runArc(text, kArcSource).violation.empty()) __builtin_trap();
  return 0;
}
