// Numeric option checks: parse the whole text, refuse NaN, infinities and anything out of range.
#include "cli/option_checks.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace reverie::cli {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::string withUnit(const std::string& range, const std::string& unit) {
  return unit.empty() ? range : range + " " + unit;
}

/// The whole of `text` as a T, or false (from_chars takes no sign '+' and no spaces).
template <typename T>
bool parseWhole(const std::string& text, T& value) {
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && stop == end;
}

}  // namespace

CLI::Validator finiteIn(double minimum, double maximum, const std::string& unit) {
  const std::string range = "from " + number(minimum) + " to " + number(maximum);
  return CLI::Validator(
      [=](std::string& text) {
        double value = 0.0;
        if (parseWhole(text, value) && std::isfinite(value) && value >= minimum && value <= maximum)
          return std::string();
        return "must be a number " + withUnit(range, unit) + ", not '" + text + "'";
      },
      "FLOAT in [" + number(minimum) + " - " + number(maximum) + "]");
}

CLI::Validator wholeIn(std::int64_t minimum, std::int64_t maximum, const std::string& unit) {
  const std::string range = "from " + std::to_string(minimum) + " to " + std::to_string(maximum);
  return CLI::Validator(
      [=](std::string& text) {
        std::int64_t value = 0;
        if (parseWhole(text, value) && value >= minimum && value <= maximum) return std::string();
        return "must be a whole number " + withUnit(range, unit) + ", not '" + text + "'";
      },
      "INT in [" + std::to_string(minimum) + " - " + std::to_string(maximum) + "]");
}

CLI::Validator seedValue() {
  return CLI::Validator(
      [](std::string& text) {
        std::uint64_t value = 0;
        if (!text.empty() && text[0] != '-' && parseWhole(text, value)) return std::string();
        return "seed must be a whole number from 0 to 2^64-1 (18446744073709551615), not '" + text +
               "'";
      },
      "UINT in [0 - 2^64-1]");
}

CLI::Validator kiloHertz() {
  return CLI::Validator(
      [](std::string& text) {
        double kilo = 0.0;
        if (text.size() < 2 || (text.back() != 'k' && text.back() != 'K')) return std::string();
        if (!parseWhole(text.substr(0, text.size() - 1), kilo) || !std::isfinite(kilo))
          return std::string();  // the range check names it
        char hertz[32];
        std::snprintf(hertz, sizeof hertz, "%.10g", kilo * 1000.0);
        text = hertz;
        return std::string();
      },
      "");
}

CLI::Validator endlessOr(CLI::Validator finite) {
  return CLI::Validator(
      [finite](std::string& text) mutable {
        if (text == "inf") return std::string();
        return finite(text);
      },
      finite.get_description() + " or inf");
}

CLI::Validator nonEmptyPath() {
  return CLI::Validator(
      [](std::string& text) {
        return text.empty() ? std::string(
                                  "is empty; name the file, e.g. -o take.wav, or leave "
                                  "the option out for the default name")
                            : std::string();
      },
      "");
}

}  // namespace reverie::cli
