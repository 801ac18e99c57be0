// Test helper: cue markers read straight from a WAV file's RIFF chunks, independent of libsndfile.
#pragma once

#include <filesystem>
#include <vector>

#include "reverie/sound_file.hpp"

namespace reverie::test {

/// Walks every RIFF chunk of the file, CHECKing the form is sound (RIFF size = file size - 8,
/// chunks word-aligned and ending exactly at the end), and returns its `cue ` points in file order
/// with the `labl` text of each (empty without one). Each point's dwPosition must equal its
/// dwSampleOffset in a `data` chunk.
std::vector<CueMarker> readWavCueMarkers(const std::filesystem::path& path);

}  // namespace reverie::test
