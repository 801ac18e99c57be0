// Test helper: read a sound file back with libsndfile, samples and format facts.
#pragma once

#include <sndfile.h>

#include <filesystem>
#include <vector>

namespace reverie::test {

struct FileFacts {
  int sampleRate = 0, channels = 0, format = 0;
  sf_count_t frames = 0;
  std::vector<float> samples;  ///< interleaved
};

/// Opens the file (REQUIREs that it opens) and reads every sample as float.
FileFacts openSoundFile(const std::filesystem::path& path);

/// One channel of interleaved samples.
std::vector<float> channelOf(const FileFacts& facts, int channel);

}  // namespace reverie::test
