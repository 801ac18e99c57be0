// Parameter descriptors: the one table per node type that presets, MIDI, automation and docs read.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>

namespace reverie {

/// Declares one parameter of a node type. Tables of these are static data.
struct ParameterDescriptor {
  std::string_view id;    ///< key used in presets and automation, e.g. "cutoff"
  std::string_view name;  ///< human name, e.g. "Cutoff frequency"
  std::string_view unit;  ///< "Hz", "dB", "s", "cents", "" ...
  float minimum = 0.0f;
  float maximum = 1.0f;
  float defaultValue = 0.0f;
  float smoothingSeconds = 0.0f;                   ///< linear ramp time for changes; 0 = instant
  std::span<const std::string_view> choices = {};  ///< non-empty: a choice by index

  bool isChoice() const { return !choices.empty(); }
  /// Clamps into range; maps NaN to the default. Parameters are clamped at the edge.
  float clamp(float value) const {
    if (!(value == value)) return defaultValue;
    return value < minimum ? minimum : (value > maximum ? maximum : value);
  }
};

/// A parameter holding a list of numbers (mode ratios, say), set once when the node is built.
struct ListParameterDescriptor {
  std::string_view id;
  std::string_view name;
  std::string_view unit;
  float minimum = 0.0f;  ///< for every element
  float maximum = 1.0f;
  int maxLength = 1;
};

/// An index of a node's parameter enum and the id of the row it must name.
struct ParameterIndex {
  int index;
  std::string_view id;
};

/// For a static_assert beside a table: each index names the row it says, and the indices
/// cover the table, so an index enum cannot drift from its rows.
constexpr bool indicesMatch(std::span<const ParameterDescriptor> table,
                            std::initializer_list<ParameterIndex> indices) {
  if (indices.size() != table.size()) return false;
  for (const ParameterIndex& i : indices) {
    if (i.index < 0 || static_cast<std::size_t>(i.index) >= table.size() ||
        table[static_cast<std::size_t>(i.index)].id != i.id)
      return false;
    for (const ParameterIndex& j : indices)
      if (&i != &j && i.index == j.index) return false;
  }
  return true;
}

/// Finds a parameter by id; returns its index or -1.
inline int findParameter(std::span<const ParameterDescriptor> table, std::string_view id) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].id == id) return static_cast<int>(i);
  return -1;
}

inline int findListParameter(std::span<const ListParameterDescriptor> table, std::string_view id) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].id == id) return static_cast<int>(i);
  return -1;
}

}  // namespace reverie
