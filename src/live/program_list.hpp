// The presets a MIDI program change picks: listed once, and listed again only when a preset
// folder changes, so a flood of program changes never rescans the disk (control thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "reverie/preset.hpp"

namespace reverie::live {

class ProgramList {
 public:
  using Clock = std::chrono::steady_clock;
  using Scan = std::function<std::vector<PresetInfo>()>;
  using Folders = std::function<std::vector<std::filesystem::path>()>;
  /// How often, at most, the folders' modification times are compared.
  static constexpr std::chrono::seconds kCheckInterval{1};

  /// Lists the presets now: `scan` lists them (listPresets), `folders` names the folders whose
  /// changes make the list stale (presetSearchPath).
  explicit ProgramList(Scan scan = &listPresets, Folders folders = &presetSearchPath);

  /// The preset program `number` (bank * 128 + program) picks: the Nth preset of
  /// `reverie presets` that is not an arc. Lists again first if a folder or subfolder changed,
  /// which is checked at most once per kCheckInterval.
  std::optional<PresetInfo> find(int number, Clock::time_point now = Clock::now());
  /// Presets a program change can pick (as of the last listing).
  std::size_t size() const { return instruments_.size(); }
  /// How many times the presets were listed (1 after construction).
  std::size_t scans() const { return scans_; }

 private:
  using Fingerprint =
      std::vector<std::pair<std::filesystem::path, std::filesystem::file_time_type>>;
  Fingerprint fingerprint() const;
  void rescan();

  Scan scan_;
  Folders folders_;
  std::vector<PresetInfo> instruments_;
  Fingerprint fingerprint_;
  Clock::time_point checkedAt_;
  std::size_t scans_ = 0;
};

}  // namespace reverie::live
