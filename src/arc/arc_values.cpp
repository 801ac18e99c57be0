// Typed, range-checked values of arc files: numbers, integers, key names and curve shapes.
#include <array>

#include "arc/arc_reader.hpp"
#include "preset/patch_sections.hpp"

namespace reverie::arc {
namespace {

using preset::DiagnosticList;

struct KeyName {
  std::string_view name;
  int pitchClass;
};
// Sharps and flats both, as musicians write them; no double sharps or E#/Cb (rare as keys).
constexpr KeyName kKeyNames[] = {{"C", 0},  {"C#", 1}, {"Db", 1},  {"D", 2},   {"D#", 3}, {"Eb", 3},
                                 {"E", 4},  {"F", 5},  {"F#", 6},  {"Gb", 6},  {"G", 7},  {"G#", 8},
                                 {"Ab", 8}, {"A", 9},  {"A#", 10}, {"Bb", 10}, {"B", 11}};

constexpr std::array kShapes = {CurveShape::kLinear, CurveShape::kExponential, CurveShape::kSCurve,
                                CurveShape::kHold};

// Reported for any value of the wrong type: the type found, and the text of a quoted number.
std::string foundInstead(const toml::node& value) {
  std::string found = preset::describeType(value);
  if (const auto* text = value.as_string()) found += " (" + preset::inQuotes(text->get()) + ")";
  if (const auto* floating = value.as_floating_point())
    found += " (" + preset::formatNumber(floating->get()) + ")";
  return found;
}

}  // namespace

std::optional<double> readNumberIn(const toml::node& value, std::string_view what, double minimum,
                                   double maximum, std::string_view range,
                                   DiagnosticList& diagnostics) {
  const std::optional<double> number = preset::readNumber(value, what, range, diagnostics);
  if (!number) return std::nullopt;
  if (*number < minimum || *number > maximum) {
    diagnostics.add(value.source(), std::string(what) + " = " + preset::formatNumber(*number) +
                                        " is out of range (" + std::string(range) + ")");
    return std::nullopt;
  }
  return number;
}

std::optional<int> readIntegerIn(const toml::node& value, std::string_view what, int minimum,
                                 int maximum, std::string_view range, DiagnosticList& diagnostics) {
  const auto* integer = value.as_integer();
  if (integer == nullptr) {
    std::string message = std::string(what) + " must be a whole number (" + std::string(range) +
                          "), not " + foundInstead(value);
    if (value.is_string()) message += "; write the number as digits, without quotes";
    diagnostics.add(value.source(), message);
    return std::nullopt;
  }
  if (integer->get() < minimum || integer->get() > maximum) {
    diagnostics.add(value.source(), std::string(what) + " = " + std::to_string(integer->get()) +
                                        " is out of range (" + std::string(range) + ")");
    return std::nullopt;
  }
  return static_cast<int>(integer->get());
}

std::optional<int> readKeyName(const toml::node& value, std::string_view what,
                               DiagnosticList& diagnostics) {
  std::vector<std::string> names;
  for (const KeyName& key : kKeyNames) names.emplace_back(key.name);
  const std::optional<std::string> text = preset::readString(value, what, diagnostics);
  if (!text) return std::nullopt;
  for (const KeyName& key : kKeyNames)
    if (key.name == *text) return key.pitchClass;
  // German and Scandinavian scores call B natural "H"; closestName would guess a neighbour.
  const std::string hint = *text == "H" || *text == "h" ? "; did you mean 'B' (H in German naming)?"
                                                        : preset::suggestion(*text, names);
  diagnostics.add(value.source(), std::string(what) + " = " + preset::inQuotes(*text) +
                                      " is not a key" + hint +
                                      " (one of: " + preset::joinNames(names) + ")");
  return std::nullopt;
}

std::optional<CurveShape> readCurveShape(const toml::node& value, std::string_view what,
                                         DiagnosticList& diagnostics) {
  std::vector<std::string> names;
  for (const CurveShape shape : kShapes) names.emplace_back(curveShapeName(shape));
  const std::optional<std::string> text =
      preset::readString(value, "shape for " + std::string(what), diagnostics);
  if (!text) return std::nullopt;
  for (const CurveShape shape : kShapes)
    if (curveShapeName(shape) == *text) return shape;
  diagnostics.add(value.source(), "unknown curve shape " + preset::inQuotes(*text) + " for " +
                                      std::string(what) + preset::suggestion(*text, names) +
                                      " (one of: " + preset::joinNames(names) + ")");
  return std::nullopt;
}

}  // namespace reverie::arc
