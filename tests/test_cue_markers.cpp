// Cue markers in WAV files: positions as libsndfile reads them, labels as editors read them, and
// the audio bit for bit what it is without markers.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sndfile.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <numbers>
#include <string>
#include <vector>

#include "io/wav_cue_chunks.hpp"
#include "reverie/errors.hpp"
#include "reverie/sound_file.hpp"
#include "support/command.hpp"
#include "support/wav_cues.hpp"

using namespace reverie;
namespace fs = std::filesystem;

namespace {

constexpr double kRate = 48000.0;

std::vector<float> sine(std::size_t frames, int channels, double frequencyHz) {
  std::vector<float> out(frames * static_cast<std::size_t>(channels));
  for (std::size_t n = 0; n < out.size(); ++n) {
    out[n] = static_cast<float>(0.5 * std::sin(2.0 * std::numbers::pi * frequencyHz *
                                               static_cast<double>(n / channels) / kRate));
  }
  return out;
}

/// Renders in two blocks and sets the markers between them, as a renderer that learns scene
/// positions as it goes would.
void render(const fs::path& target, const std::vector<float>& audio, int channels,
            SampleFormat format, const std::vector<CueMarker>* markers) {
  SoundFileWriter writer(target, kRate, channels, format, 3);
  const std::size_t frames = audio.size() / channels;
  writer.write(audio.data(), frames / 2);
  if (markers != nullptr) writer.setCueMarkers(*markers);
  writer.write(audio.data() + frames / 2 * channels, frames - frames / 2);
  writer.commit();
}

/// Cue points as libsndfile reports them: (position, sample offset) per point.
std::vector<std::pair<std::uint32_t, std::uint32_t>> libsndfileCues(const fs::path& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  REQUIRE(file != nullptr);
  SF_CUES cues{};
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  if (sf_command(file, SFC_GET_CUE, &cues, sizeof cues) == SF_TRUE) {
    for (std::uint32_t i = 0; i < cues.cue_count; ++i) {
      out.emplace_back(cues.cue_points[i].position, cues.cue_points[i].sample_offset);
    }
  }
  sf_close(file);
  return out;
}

/// The bytes of the `data` chunk, as libsndfile finds it.
std::string rawAudio(const fs::path& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  REQUIRE(file != nullptr);
  // sf_read_raw reads whole frames only: a multiple of 12 bytes fits 2-, 3- and 4-byte samples.
  std::string bytes(static_cast<std::size_t>(info.channels) * 12 * 100000, '\0');
  const sf_count_t read = sf_read_raw(file, bytes.data(), static_cast<sf_count_t>(bytes.size()));
  sf_close(file);
  bytes.resize(static_cast<std::size_t>(read));
  return bytes;
}

}  // namespace

TEST_CASE("cue markers: WAV keeps positions and labels, and the audio is bit-identical") {
  test::ScratchFolder folder;
  const std::vector<CueMarker> markers = {
      {0, "dawn"}, {12345, "storm & <rain>"}, {47999, "coda \xE2\x80\x94 fade"}};
  for (const SampleFormat format :
       {SampleFormat::kPcm16, SampleFormat::kPcm24, SampleFormat::kFloat32}) {
    CAPTURE(sampleFormatName(format));
    const std::vector<float> audio = sine(48000, 2, 441.0);
    const fs::path plain = folder / "plain.wav", marked = folder / "marked.wav";
    render(plain, audio, 2, format, nullptr);
    render(marked, audio, 2, format, &markers);

    const std::vector<CueMarker> back = test::readWavCueMarkers(marked);
    REQUIRE(back.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(back[i].frame == markers[i].frame);
      CHECK(back[i].label == markers[i].label);
    }
    const auto cues = libsndfileCues(marked);
    REQUIRE(cues.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(cues[i].first == markers[i].frame);
      CHECK(cues[i].second == markers[i].frame);
    }
    CHECK(test::readWavCueMarkers(plain).empty());
    CHECK(libsndfileCues(plain).empty());

    // Same samples, and the same file but for the RIFF size, with the chunks after it.
    const std::string plainAudio = rawAudio(plain);
    CHECK(plainAudio.size() == 48000u * 2 *
                                   (format == SampleFormat::kPcm16   ? 2
                                    : format == SampleFormat::kPcm24 ? 3
                                                                     : 4));
    CHECK(rawAudio(marked) == plainAudio);
    const std::string plainBytes = test::readText(plain), markedBytes = test::readText(marked);
    REQUIRE(markedBytes.size() > plainBytes.size());
    CHECK(markedBytes.substr(8, plainBytes.size() - 8) == plainBytes.substr(8));
    CHECK(markedBytes.substr(0, 4) == "RIFF");
  }
}

TEST_CASE("cue markers: sorted by frame, past-the-end ones left out, odd data lengths padded") {
  test::ScratchFolder folder;
  // 24-bit mono with an odd frame count: the data chunk has an odd length and needs a pad byte
  // before anything follows it.
  const std::vector<float> audio = sine(4801, 1, 1000.0);
  const std::vector<CueMarker> markers = {
      {4000, "late"}, {4802, "past the end"}, {100, "early"}, {4801, "at the end"}};
  const fs::path target = folder / "odd.wav";
  render(target, audio, 1, SampleFormat::kPcm24, &markers);

  const std::vector<CueMarker> back = test::readWavCueMarkers(target);
  REQUIRE(back.size() == 3);
  CHECK(back[0].frame == 100);
  CHECK(back[0].label == "early");
  CHECK(back[1].frame == 4000);
  CHECK(back[2].frame == 4801);
  CHECK(back[2].label == "at the end");
  CHECK(libsndfileCues(target).size() == 3);
  CHECK(rawAudio(target).size() == 4801u * 3);
  SF_INFO info{};
  SNDFILE* file = sf_open(target.c_str(), SFM_READ, &info);
  REQUIRE(file != nullptr);
  CHECK(info.frames == 4801);
  sf_close(file);
}

TEST_CASE("cue markers: appended after a last chunk of odd length, with its pad byte added") {
  // libsndfile pads its own chunks; another writer (or a future libsndfile) may not.
  test::ScratchFolder folder;
  const fs::path path = folder / "odd.wav";
  const std::string riff("RIFF\x13\0\0\0WAVEabcd\x03\0\0\0xyz", 23);  // 11 bytes after WAVE
  std::ofstream(path, std::ios::binary) << riff;
  const int descriptor = ::open(path.c_str(), O_RDWR);
  REQUIRE(descriptor >= 0);
  const std::vector<CueMarker> markers = {{7, "seven"}, {1, "odd label"}};
  CHECK(io::appendToRiffForm(descriptor, io::wavCueChunks(markers)).empty());
  ::close(descriptor);
  const std::string bytes = test::readText(path);
  CHECK(bytes.substr(0, 23) == riff.substr(0, 4) + bytes.substr(4, 4) + riff.substr(8));
  CHECK(bytes[23] == '\0');
  const std::vector<CueMarker> back = test::readWavCueMarkers(path);  // checks the RIFF size too
  REQUIRE(back.size() == 2);
  CHECK(back[0].frame == 7);
  CHECK(back[0].label == "seven");
  CHECK(back[1].frame == 1);
  CHECK(back[1].label == "odd label");

  std::ofstream(folder / "not.wav", std::ios::binary) << std::string("FORM\0\0\0\4AIFF", 12);
  const int other = ::open((folder / "not.wav").c_str(), O_RDWR);
  CHECK(io::appendToRiffForm(other, io::wavCueChunks(markers)) ==
        "the file is not a RIFF/WAVE file");
  ::close(other);
  CHECK(test::readText(folder / "not.wav").size() == 12);
}

TEST_CASE("cue markers: other containers ignore them and are written as without them") {
  test::ScratchFolder folder;
  const std::vector<float> audio = sine(9600, 2, 441.0);
  const std::vector<CueMarker> markers = {{10, "one"}, {900, "two"}};
  CHECK(SoundFileWriter(folder / "a.wav", kRate, 2, SampleFormat::kPcm16).supportsCueMarkers());
  CHECK(SoundFileWriter(folder / "a.WAV", kRate, 2, SampleFormat::kPcm16).supportsCueMarkers());
  for (const char* name : {"a.flac", "a.aiff", "a.ogg"}) {
    CAPTURE(name);
    CHECK_FALSE(
        SoundFileWriter(folder / name, kRate, 2, SampleFormat::kPcm16).supportsCueMarkers());
  }
  for (const char* name : {"a.flac", "a.aiff"}) {
    CAPTURE(name);
    render(folder / (std::string("plain-") + name), audio, 2, SampleFormat::kPcm16, nullptr);
    render(folder / (std::string("marked-") + name), audio, 2, SampleFormat::kPcm16, &markers);
    CHECK(test::readText(folder / (std::string("plain-") + name)) ==
          test::readText(folder / (std::string("marked-") + name)));
  }
}

TEST_CASE("cue markers: a disk that fills while they are added keeps the old target") {
  struct FileSizeLimit {  // write(2) fails with EFBIG past the limit, as on a full disk
    rlimit saved{};
    void (*savedHandler)(int);
    explicit FileSizeLimit(rlim_t bytes) : savedHandler(std::signal(SIGXFSZ, SIG_IGN)) {
      getrlimit(RLIMIT_FSIZE, &saved);
      rlimit limited = saved;
      limited.rlim_cur = bytes;
      setrlimit(RLIMIT_FSIZE, &limited);
    }
    ~FileSizeLimit() {
      setrlimit(RLIMIT_FSIZE, &saved);
      std::signal(SIGXFSZ, savedHandler);
    }
  };
  test::ScratchFolder folder;
  const std::vector<float> audio = sine(4800, 2, 441.0);
  render(folder / "probe.wav", audio, 2, SampleFormat::kPcm16, nullptr);
  const auto audioOnlyBytes = static_cast<rlim_t>(fs::file_size(folder / "probe.wav"));
  fs::remove(folder / "probe.wav");

  const fs::path target = folder / "take.wav";
  std::ofstream(target, std::ios::binary) << "previous take";
  const std::vector<CueMarker> markers = {{0, "a scene name long enough to need room"}};
  {
    FileSizeLimit limit(audioOnlyBytes + 8);  // the audio fits, the marker chunks do not
    CHECK_THROWS_WITH_AS(render(target, audio, 2, SampleFormat::kPcm16, &markers),
                         doctest::Contains("free disk space"), RuntimeFailure);
  }
  CHECK(test::readText(target) == "previous take");
  CHECK(std::distance(fs::directory_iterator(folder.path()), {}) == 1);
}
