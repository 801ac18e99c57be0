// ProgramList: one listing, kept while no preset folder's modification time moves.
#include "live/program_list.hpp"

#include <algorithm>

namespace reverie::live {

namespace fs = std::filesystem;

ProgramList::ProgramList(Scan scan, Folders folders)
    : scan_(std::move(scan)), folders_(std::move(folders)), checkedAt_(Clock::now()) {
  rescan();
}

void ProgramList::rescan() {
  fingerprint_ = fingerprint();
  instruments_.clear();
  for (PresetInfo& info : scan_())
    if (info.kind != "arcs") instruments_.push_back(std::move(info));
  ++scans_;
}

// A file added, removed or renamed changes the time of the folder holding it; an edit inside
// a file does not, and does not need to (the list holds names and paths, not contents).
ProgramList::Fingerprint ProgramList::fingerprint() const {
  Fingerprint times;
  for (const fs::path& folder : folders_()) {
    std::error_code error;
    times.emplace_back(folder, fs::last_write_time(folder, error));  // a missing folder: time 0
    if (error || !fs::is_directory(folder, error)) continue;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied,
                                        error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      std::error_code ignored;
      if (it->is_directory(ignored))
        times.emplace_back(it->path(), fs::last_write_time(it->path(), ignored));
    }
  }
  std::sort(times.begin(), times.end());
  return times;
}

std::optional<PresetInfo> ProgramList::find(int number, Clock::time_point now) {
  if (now - checkedAt_ >= kCheckInterval) {
    checkedAt_ = now;
    if (fingerprint() != fingerprint_) rescan();
  }
  if (number < 0 || number >= static_cast<int>(instruments_.size())) return std::nullopt;
  return instruments_[static_cast<std::size_t>(number)];
}

}  // namespace reverie::live
