// The one check every numeric option of every command goes through: a finite number in range.
// CLI::Range lets NaN through (every comparison with NaN is false), and an unsigned option
// wraps "-1" silently; these check the text itself before CLI11 converts it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace reverie::cli {

/// A finite number from `minimum` to `maximum` inclusive, in `unit` ("seconds", "Hz"); the error
/// names the range: "--tail: must be a number from 0 to 600 seconds, not 'nan'".
CLI::Validator finiteIn(double minimum, double maximum, const std::string& unit);

/// A whole number from `minimum` to `maximum` inclusive, in `unit` (may be empty).
CLI::Validator wholeIn(std::int64_t minimum, std::int64_t maximum, const std::string& unit);

/// A seed: a whole number from 0 to 2^64-1, written in decimal digits (no sign).
CLI::Validator seedValue();

/// Turns a rate in kHz as sox writes it ("44.1k", "48k") into Hz ("44100"); other text passes
/// unchanged to the checks after it.
CLI::Validator kiloHertz();

/// "inf" (an endless render) or whatever `finite` accepts.
CLI::Validator endlessOr(CLI::Validator finite);

/// A file path that is not empty: `-o ""` is a mistake, not a request for the default name.
CLI::Validator nonEmptyPath();

}  // namespace reverie::cli
