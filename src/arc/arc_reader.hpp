// What the arc section readers share: the arc being filled, its diagnostics, its patch's nodes,
// and the typed, range-checked values arc files are made of.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "preset/diagnostic_list.hpp"
#include "reverie/arc.hpp"
#include "reverie/node.hpp"

namespace reverie::arc {

struct ArcReader {
  preset::DiagnosticList& diagnostics;
  Arc& arc;
  /// False when the patch could not be loaded (already reported): the checks of sections and
  /// automation targets against its nodes are skipped rather than piled up as follow-ons.
  bool patchLoaded = false;

  /// The type of the patch's node `name`, or nullptr.
  const NodeType* nodeType(std::string_view name) const;
  std::vector<std::string> nodeNames() const;
  /// The nodes a scene's sections may name: those that play notes, and the audience.
  std::vector<std::string> sectionNames() const;
  /// The default sections: every node that plays notes.
  std::vector<std::string> notePlayers() const;
};

/// Reads every [[scene]] (with its [[scene.automate]] entries) into reader.arc.scenes, after
/// [music] is read: lengths in seconds become bars at the scene's tempo and the arc's meter.
void readScenes(const toml::node& section, ArcReader& reader);

/// The most bars a scene may have (and a held scene may last).
inline constexpr int kMaxSceneBars = 10000;

/// A scene's cue keys (cue_section.cpp): hold, hold_max_bars (after its bars are read) and exit.
void readSceneCues(const toml::table& table, const std::string& place, Scene& scene,
                   preset::DiagnosticList& diagnostics);
/// [stingers]: quantise = "beat" | "bar" | "now" for all, and per stinger by name: a quantise,
/// or a table { quantise, note, cc } with the MIDI key and controller that fire it live.
void readStingers(const toml::node& section, ArcReader& reader);

/// Reads one [[scene.automate]] entry into scene.automation: target = "node.parameter" of the
/// patch, from and to in the parameter's unit (a choice by name, held), and a shape.
void readAutomation(const toml::table& table, Scene& scene, ArcReader& reader);

// ---- values shared by the sections (arc_values.cpp) ----

/// A number (integer or float) from `minimum` to `maximum`. `what` names it ("'tempo'");
/// `range` describes the limits with their unit ("20 to 300 quarter notes per minute").
std::optional<double> readNumberIn(const toml::node& value, std::string_view what, double minimum,
                                   double maximum, std::string_view range,
                                   preset::DiagnosticList& diagnostics);
/// An integer from `minimum` to `maximum`; a float or a quoted number is reported as such.
std::optional<int> readIntegerIn(const toml::node& value, std::string_view what, int minimum,
                                 int maximum, std::string_view range,
                                 preset::DiagnosticList& diagnostics);
/// A key name ("C", "F#", "Bb") as a pitch class 0..11, or nullopt after reporting it.
std::optional<int> readKeyName(const toml::node& value, std::string_view what,
                               preset::DiagnosticList& diagnostics);
/// "linear", "exp", "s-curve" or "hold", or nullopt after reporting it. `what` names the
/// curve the shape belongs to ("'tension'").
std::optional<CurveShape> readCurveShape(const toml::node& value, std::string_view what,
                                         preset::DiagnosticList& diagnostics);

}  // namespace reverie::arc
