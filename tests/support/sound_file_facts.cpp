// openSoundFile: libsndfile's view of a file the command wrote.
#include "support/sound_file_facts.hpp"

#include <doctest/doctest.h>

namespace reverie::test {

FileFacts openSoundFile(const std::filesystem::path& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  REQUIRE_MESSAGE(file != nullptr,
                  "libsndfile cannot open " << path << ": " << sf_strerror(nullptr));
  FileFacts facts{info.samplerate, info.channels, info.format, info.frames, {}};
  facts.samples.resize(static_cast<std::size_t>(info.frames * info.channels));
  sf_readf_float(file, facts.samples.data(), info.frames);
  sf_close(file);
  return facts;
}

std::vector<float> channelOf(const FileFacts& facts, int channel) {
  std::vector<float> out;
  out.reserve(static_cast<std::size_t>(facts.frames));
  for (std::size_t i = static_cast<std::size_t>(channel); i < facts.samples.size();
       i += static_cast<std::size_t>(facts.channels))
    out.push_back(facts.samples[i]);
  return out;
}

}  // namespace reverie::test
