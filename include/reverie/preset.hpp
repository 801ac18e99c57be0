// Patch presets: TOML files validated against the node descriptor tables.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "reverie/errors.hpp"
#include "reverie/graph.hpp"

namespace reverie {

/// One located problem in a preset file.
struct PresetDiagnostic {
  std::string file;
  int line = 0;    ///< 1-based; 0 when the problem has no position (missing file)
  int column = 0;  ///< 1-based; 0 when unknown
  std::string message;
  /// "file:line:col: error: message" (one line).
  std::string format() const;
};

/// Thrown when a preset cannot be used; holds every problem found, not just the first.
/// An InputError: the user's file is at fault (exit status 2).
class PresetError : public InputError {
 public:
  explicit PresetError(std::vector<PresetDiagnostic> diagnostics);
  const std::vector<PresetDiagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<PresetDiagnostic> diagnostics_;
};

/// A timed entry of a patch's demonstration score.
struct ScoreEntry {
  enum class Kind { kNote, kParameter };
  Kind kind = Kind::kNote;
  double atSeconds = 0.0;
  std::string node;
  int key = 60;                ///< kNote
  float velocity = 0.8f;       ///< kNote, 0..1
  double lengthSeconds = 1.0;  ///< kNote
  std::string parameter;       ///< kParameter
  float value = 0.0f;          ///< kParameter
  double rampSeconds = 0.0;    ///< kParameter: glide linearly to `value` over this time
};

struct NodeSpec {
  std::string name;
  std::string type;
  std::vector<std::pair<std::string, float>> parameters;  ///< already validated and in range
  std::vector<std::pair<std::string, std::vector<float>>> lists;  ///< list parameters, validated
};

/// A controller (CC or aftertouch) sweeping a node parameter between two values.
struct ControllerMap {
  int source = 0;  ///< CC number 0-127, or Node::kChannelPressureSource for aftertouch
  std::string node;
  std::string parameter;
  float minimum = 0.0f;  ///< at controller value 0
  float maximum = 1.0f;  ///< at controller value 1 (may be below minimum: an inverted sweep)
};

/// A validated patch: nodes, connections, parameter values and a short score.
struct Patch {
  int formatVersion = 1;
  std::string name;         ///< file stem
  std::string description;  ///< one line
  std::string sourcePath;
  std::vector<NodeSpec> nodes;
  std::vector<std::pair<std::string, std::string>> connections;  ///< "node.port" -> "node.port"
  std::vector<ScoreEntry> score;                                 ///< sorted by time
  std::vector<ControllerMap> mappings;
  double lengthSeconds = 8.0;  ///< default render length before the tail
  double tailSeconds = 2.0;    ///< default tail after the score ends
};

/// The highest preset format this build reads.
inline constexpr int kPresetFormatVersion = 1;

/// Parses and validates TOML text; throws PresetError listing every problem.
Patch parsePatch(std::string_view text, const std::string& sourceName);
/// Reads and validates a preset file; throws PresetError (a missing file is one too).
Patch loadPatch(const std::filesystem::path& path);

/// The folders $REVERIE_PRESET_PATH names (colon-separated), in order; none when it is unset.
std::vector<std::filesystem::path> presetPathVariable();
/// Folders searched for presets by name, in order: $REVERIE_PRESET_PATH (colon-separated),
/// ./presets, share/reverie/presets beside the executable's folder (a relocated install), the
/// source tree's presets when the executable sits in a build folder of it, and the install
/// prefix's share folder.
std::vector<std::filesystem::path> presetSearchPath();
/// A path as given if it names a file; else the first `<dir>/**/<name>.toml` on the search path.
/// Throws PresetError naming the search path and a did-you-mean when nothing matches.
std::filesystem::path findPreset(std::string_view nameOrPath);

struct PresetInfo {
  std::string name;
  std::string kind;  ///< the folder it sits in: "patches", "instruments", "arcs", ...
  std::string description;
  std::filesystem::path path;
};
/// Every preset on the search path (the first of each name wins), sorted by kind then name.
std::vector<PresetInfo> listPresets();

/// Adds the patch's nodes and connections to `graph`; returns node name -> id. Nodes are
/// named `namePrefix` + their name in the graph, so several patches can share one graph.
std::map<std::string, NodeId> buildGraph(const Patch& patch, Graph& graph,
                                         std::string_view namePrefix = {});

}  // namespace reverie
