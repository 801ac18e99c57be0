// readWavCueMarkers: a small RIFF walker for `cue ` and LIST/adtl/`labl` chunks.
#include "support/wav_cues.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>

namespace reverie::test {
namespace {

std::uint32_t u32At(std::string_view bytes, std::size_t offset) {
  REQUIRE(offset + 4 <= bytes.size());
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

struct CuePoint {
  std::uint32_t id;
  std::uint64_t frame;
};

}  // namespace

std::vector<CueMarker> readWavCueMarkers(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  const std::string file{std::istreambuf_iterator<char>(in), {}};
  const std::string_view bytes = file;
  REQUIRE(bytes.size() >= 12);
  REQUIRE(bytes.substr(0, 4) == "RIFF");
  REQUIRE(bytes.substr(8, 4) == "WAVE");
  CHECK(u32At(bytes, 4) == bytes.size() - 8);

  std::vector<CuePoint> points;
  std::map<std::uint32_t, std::string> labels;
  int cueChunks = 0;
  std::size_t offset = 12;
  while (offset < bytes.size()) {
    REQUIRE(offset % 2 == 0);
    const std::string_view id = bytes.substr(offset, 4);
    const std::uint32_t size = u32At(bytes, offset + 4);
    const std::size_t body = offset + 8;
    REQUIRE_MESSAGE(body + size <= bytes.size(),
                    "chunk '" << std::string(id) << "' overruns the file");
    if (id == "cue ") {
      ++cueChunks;
      const std::uint32_t count = u32At(bytes, body);
      REQUIRE(size == 4 + 24 * count);
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t point = body + 4 + 24 * i;
        CHECK(bytes.substr(point + 8, 4) == "data");
        CHECK(u32At(bytes, point + 4) == u32At(bytes, point + 20));  // position = sample offset
        points.push_back({u32At(bytes, point), u32At(bytes, point + 20)});
      }
    } else if (id == "LIST" && bytes.substr(body, 4) == "adtl") {
      std::size_t sub = body + 4;
      while (sub < body + size) {
        const std::string_view subId = bytes.substr(sub, 4);
        const std::uint32_t subSize = u32At(bytes, sub + 4);
        REQUIRE(sub + 8 + subSize <= body + size);
        if (subId == "labl") {
          REQUIRE(subSize >= 5);
          const std::string_view text = bytes.substr(sub + 12, subSize - 4);
          CHECK(text.back() == '\0');  // a ZSTR
          labels[u32At(bytes, sub + 8)] = std::string(text.substr(0, text.find('\0')));
        }
        sub += 8 + subSize + (subSize & 1);
      }
      CHECK(sub == body + size);
    }
    offset = body + size + (size & 1);
  }
  CHECK(offset == bytes.size());
  CHECK(cueChunks <= 1);

  std::vector<CueMarker> markers;
  for (const CuePoint& point : points) {
    const auto label = labels.find(point.id);
    markers.push_back({point.frame, label == labels.end() ? std::string() : label->second});
    if (label != labels.end()) labels.erase(label);
  }
  CHECK_MESSAGE(labels.empty(), "a labl refers to no cue point");
  return markers;
}

}  // namespace reverie::test
