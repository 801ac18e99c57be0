// The presets the plugin offers as programs: the shipped instruments, orchestra sections and
// patches, then the shipped arcs, listed at build time in `reverie presets` order (so program N is
// the preset a MIDI program change N picks in `reverie play`), and found at run time beside the
// installed plugin.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace reverie::plugin {

struct ShippedPreset {
  const char* kind;  ///< its folder under presets/: "instruments", "orchestra", "patches", "arcs"
  const char* name;  ///< its file name without .toml, as `reverie presets` lists it
};

/// Every shipped preset a program can pick, in program order.
std::span<const ShippedPreset> shippedPresets();
/// The program number of the shipped preset called `name`, if there is one.
std::optional<unsigned> findShipped(std::string_view name);

/// Folders that may hold the shipped presets, in the order they are tried:
/// $REVERIE_PRESET_PATH, share/reverie/presets above the plugin's own file (wherever the
/// prefix was installed or moved), the configured install prefix's, and the source tree's when
/// the plugin is the one in its build tree.
std::vector<std::filesystem::path> presetRoots();
/// The file of `preset` in the first root that has it; empty if none does.
std::filesystem::path locate(const ShippedPreset& preset);

}  // namespace reverie::plugin
