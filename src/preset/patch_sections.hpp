// The sections of a patch preset ([render], [[node]], [[connect]], [[score]]), each read and
// checked against the node descriptor tables, plus the typed-value checks they share.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "preset/diagnostic_list.hpp"
#include "reverie/node.hpp"
#include "reverie/preset.hpp"

namespace reverie::preset {

/// A node the file declares. `type` is null when the type is unknown (already reported), so
/// later sections skip checks that depend on it instead of piling up follow-on errors.
struct DeclaredNode {
  const NodeType* type = nullptr;
  toml::source_region where;
};

/// What the section readers share while they read one file.
struct PatchReader {
  DiagnosticList& diagnostics;
  Patch& patch;
  std::map<std::string, DeclaredNode, std::less<>> nodes;

  std::vector<std::string> nodeNames() const;
};

/// The node an entry names with node = "...": its declaration (whose type may be null if that
/// was already reported), or nullptr after reporting a missing key, a non-string or an unknown
/// name with a did-you-mean. `section` names the entry in messages ("[[score]]").
const DeclaredNode* readNodeReference(const toml::table& table, std::string_view section,
                                      PatchReader& reader, std::string& name);

void readRender(const toml::node& section, PatchReader& reader);
void readNodes(const toml::node& section, PatchReader& reader);
/// Also reports cycles, which only the whole set of connections reveals.
void readConnections(const toml::node& section, PatchReader& reader);
void readScore(const toml::node& section, PatchReader& reader);
void readMaps(const toml::node& section, PatchReader& reader);

// ---- typed values with located errors (value_checks.cpp) ----

/// "a string", "an integer", ... for "must be a number, not a string".
std::string describeType(const toml::node& value);
/// "unknown key 'x' in <place>; did you mean 'y'?" (`place` empty: a top-level key).
std::string unknownKeyMessage(std::string_view key, const std::vector<std::string>& allowed,
                              std::string_view place);
/// Reports every key of `table` that is not in `allowed`.
void checkKeys(const toml::table& table, const std::vector<std::string>& allowed,
               std::string_view place, DiagnosticList& diagnostics);
/// The tables of an array of tables ([[name]]); reports anything else written under that key.
std::vector<const toml::table*> tablesOf(const toml::node& section, std::string_view key,
                                         DiagnosticList& diagnostics);
/// A finite number (integer or float). `what` names it ("'at'"); `expected` is a range hint
/// such as "20 to 20000 Hz" or empty.
std::optional<double> readNumber(const toml::node& value, std::string_view what,
                                 std::string_view expected, DiagnosticList& diagnostics);
/// A string value, or nullopt after reporting what was found instead.
std::optional<std::string> readString(const toml::node& value, std::string_view what,
                                      DiagnosticList& diagnostics);
/// What a [[node]] or a [[scene]] may be called.
inline constexpr const char* kNameRule = "letters, digits, '-' and '_'";
/// The name = "..." of a [[kind]] table (kind: "node", "scene"): present, a string, and of
/// kNameRule; nullopt after reporting what is wrong. A name with a '.' is reported with
/// `dotReason` when one is given ("which separates node and port ...").
std::optional<std::string> readEntryName(const toml::table& table, std::string_view kind,
                                         DiagnosticList& diagnostics,
                                         std::string_view dotReason = {});
/// "20 to 20000 Hz", or for a choice "one of: sine, saw (or an index 0 to 1)".
std::string describeRange(const ParameterDescriptor& parameter);
/// A parameter value checked against its descriptor: in range, finite, a known choice.
/// `typeName` names the node type in messages ("for synth").
std::optional<float> readParameterValue(const toml::node& value,
                                        const ParameterDescriptor& parameter,
                                        std::string_view typeName, DiagnosticList& diagnostics);
/// The parameter ids of a type, for suggestions and listings.
std::vector<std::string> parameterIds(const NodeType& type);

}  // namespace reverie::preset
