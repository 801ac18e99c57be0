// SoundFileWriter: every container and depth read back through libsndfile, TPDF dither
// statistics, bit-identical re-renders, and never losing a target on failure.
#include <doctest/doctest.h>
#include <sndfile.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "reverie/errors.hpp"
#include "reverie/sound_file.hpp"

using namespace reverie;
namespace fs = std::filesystem;

namespace {

constexpr double kRate = 48000.0;

/// A fresh folder under the system temp folder, removed with everything in it.
struct TempFolder {
  fs::path path;
  TempFolder() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("reverie-io-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempFolder() { fs::remove_all(path); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
  }
};

std::vector<float> stereoSine(std::size_t frames, double frequencyHz, double amplitude) {
  std::vector<float> out(frames * 2);
  for (std::size_t n = 0; n < frames; ++n) {
    const double phase = 2.0 * std::numbers::pi * frequencyHz * n / kRate;
    out[2 * n] = static_cast<float>(amplitude * std::sin(phase));
    out[2 * n + 1] = static_cast<float>(amplitude * std::cos(phase));
  }
  return out;
}

std::string bytesOf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void writeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void render(const fs::path& target, const std::vector<float>& audio, int channels,
            SampleFormat format, std::uint64_t seed = 1) {
  SoundFileWriter writer(target, kRate, channels, format, seed);
  const std::size_t frames = audio.size() / channels;
  // Uneven blocks, larger and smaller than the writer's conversion chunk.
  for (std::size_t done = 0, block = 1000; done < frames; done += block, block = block * 3 + 7) {
    writer.write(audio.data() + done * channels, std::min(block, frames - done));
  }
  writer.commit();
}

/// Reads a whole file back as doubles in [-1, 1) (libsndfile's own scaling for integers).
std::vector<double> readBack(const fs::path& path, SF_INFO& info) {
  info = {};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  REQUIRE(file != nullptr);
  std::vector<double> out(static_cast<std::size_t>(info.frames * info.channels));
  CHECK(sf_readf_double(file, out.data(), info.frames) == info.frames);
  sf_close(file);
  return out;
}

}  // namespace

TEST_CASE("sound file: every container and depth round-trips") {
  TempFolder folder;
  const std::vector<float> audio = stereoSine(72000, 997.0, 0.5);  // 1.5 s
  for (const char* extension : {".wav", ".flac", ".ogg", ".aiff"}) {
    for (const SampleFormat format :
         {SampleFormat::kPcm16, SampleFormat::kPcm24, SampleFormat::kFloat32}) {
      CAPTURE(extension);
      CAPTURE(sampleFormatName(format));
      const fs::path target = folder.path / (std::string("out") + extension);
      if (std::string(extension) == ".flac" && format == SampleFormat::kFloat32) {
        CHECK_THROWS_AS(SoundFileWriter(target, kRate, 2, format), InputError);
        CHECK(folder.entries() == 0);
        continue;
      }
      render(target, audio, 2, format);
      CHECK(folder.entries() == 1);  // no temporary file left beside it
      SF_INFO info;
      const std::vector<double> back = readBack(target, info);
      CHECK(info.samplerate == 48000);
      CHECK(info.channels == 2);
      CHECK(info.frames == 72000);
      if (std::string(extension) == ".ogg") {
        double power = 0.0;
        for (double x : back) power += x * x;
        CHECK(std::sqrt(power / back.size()) ==
              doctest::Approx(0.5 / std::sqrt(2.0)).epsilon(0.03));
        fs::remove(target);
        continue;
      }
      // 16-bit: rounding plus up to 1 LSB of dither; 24-bit: rounding; float: exact.
      const double lsb = format == SampleFormat::kPcm16   ? 1.0 / 32768.0
                         : format == SampleFormat::kPcm24 ? 1.0 / 8388608.0
                                                          : 0.0;
      double worst = 0.0;
      for (std::size_t i = 0; i < back.size(); ++i) {
        worst = std::max(worst, std::fabs(back[i] - static_cast<double>(audio[i])));
      }
      CHECK(worst <= 1.5 * lsb);
      CHECK(worst >= 0.25 * lsb);  // and it really is that depth
      fs::remove(target);
    }
  }
}

TEST_CASE("sound file: extensions, sample formats and channel counts are checked") {
  TempFolder folder;
  // Extra parentheses: doctest's decomposition would find reverie::toString by ADL.
  CHECK((parseSampleFormat("16") == SampleFormat::kPcm16));
  CHECK((parseSampleFormat("24") == SampleFormat::kPcm24));
  CHECK((parseSampleFormat("32f") == SampleFormat::kFloat32));
  CHECK((parseSampleFormat("32") == SampleFormat::kFloat32));  // as sox users write it
  CHECK_THROWS_AS(parseSampleFormat("32i"), InputError);
  CHECK(sampleFormatName(SampleFormat::kFloat32) == "32f");

  CHECK_THROWS_WITH_AS(SoundFileWriter(folder.path / "x.mp3", kRate, 2, SampleFormat::kPcm16),
                       doctest::Contains(".wav, .flac, .ogg"), InputError);
  CHECK_THROWS_WITH_AS(SoundFileWriter(folder.path / "x.flac", kRate, 2, SampleFormat::kFloat32),
                       doctest::Contains("FLAC cannot store 32-bit float"), InputError);
  CHECK_THROWS_AS(SoundFileWriter(folder.path / "x.wav", 44100.5, 2, SampleFormat::kPcm16),
                  InputError);
  CHECK_THROWS_AS(SoundFileWriter(folder.path / "x.wav", kRate, 0, SampleFormat::kPcm16),
                  InputError);
  CHECK(folder.entries() == 0);

  render(folder.path / "LOUD.WAV", stereoSine(4800, 440.0, 0.5), 2, SampleFormat::kPcm24);
  SF_INFO info;
  readBack(folder.path / "LOUD.WAV", info);
  CHECK(info.format == (SF_FORMAT_WAV | SF_FORMAT_PCM_24));
  render(folder.path / "x.Aif", stereoSine(4800, 440.0, 0.5), 2, SampleFormat::kFloat32);
  readBack(folder.path / "x.Aif", info);
  CHECK((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_AIFF);
  CHECK((info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT);
}

TEST_CASE("sound file: the same seed gives the same bytes, another seed other bytes") {
  TempFolder folder;
  const std::vector<float> audio = stereoSine(48000, 440.0, 0.25);
  render(folder.path / "a.wav", audio, 2, SampleFormat::kPcm16, 7);
  render(folder.path / "b.wav", audio, 2, SampleFormat::kPcm16, 7);
  render(folder.path / "c.wav", audio, 2, SampleFormat::kPcm16, 8);
  render(folder.path / "a.flac", audio, 2, SampleFormat::kPcm24);
  render(folder.path / "b.flac", audio, 2, SampleFormat::kPcm24);
  CHECK(bytesOf(folder.path / "a.wav").size() > 48000 * 4);
  CHECK(bytesOf(folder.path / "a.wav") == bytesOf(folder.path / "b.wav"));
  CHECK(bytesOf(folder.path / "a.wav") != bytesOf(folder.path / "c.wav"));
  CHECK(bytesOf(folder.path / "a.flac") == bytesOf(folder.path / "b.flac"));
  // Float files too: nothing in their header may carry the time of writing (libsndfile's PEAK
  // chunk holds it in whole seconds, hence the pause between the two renders).
  render(folder.path / "a32.wav", audio, 2, SampleFormat::kFloat32, 7);
  render(folder.path / "a32.aiff", audio, 2, SampleFormat::kFloat32, 7);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  render(folder.path / "b32.wav", audio, 2, SampleFormat::kFloat32, 7);
  render(folder.path / "b32.aiff", audio, 2, SampleFormat::kFloat32, 7);
  CHECK(bytesOf(folder.path / "a32.wav") == bytesOf(folder.path / "b32.wav"));
  CHECK(bytesOf(folder.path / "a32.aiff") == bytesOf(folder.path / "b32.aiff"));
}

TEST_CASE("sound file: 16-bit dither is TPDF, its error independent of the signal") {
  // With ±1 LSB triangular dither the total error has variance 1/12 (dither half one) + 1/12
  // (half two) + 1/12 (rounding) = 1/4 LSB², whatever the signal; plain rounding of a quiet sine
  // would give an error that is a function of the signal, and rectangular dither a variance
  // that swings from 0 (on a step) to 1/4 (between steps).
  TempFolder folder;
  const std::size_t frames = 480000;
  std::vector<float> audio(frames);
  for (std::size_t n = 0; n < frames; ++n) {
    audio[n] =
        static_cast<float>(3.3 / 32768.0 * std::sin(2.0 * std::numbers::pi * 997.0 * n / kRate));
  }
  render(folder.path / "quiet.wav", audio, 1, SampleFormat::kPcm16, 12345);
  SF_INFO info;
  const std::vector<double> back = readBack(folder.path / "quiet.wav", info);
  REQUIRE(back.size() == frames);

  double sum = 0.0, power = 0.0, withSignal = 0.0, withRounding = 0.0, signalPower = 0.0;
  double roundingPower = 0.0, onStepPower = 0.0, betweenPower = 0.0;
  std::size_t onStep = 0, between = 0;
  for (std::size_t n = 0; n < frames; ++n) {
    const double x = audio[n] * 32768.0;
    const double error = back[n] * 32768.0 - x;
    const double rounding = std::round(x) - x;
    sum += error;
    power += error * error;
    withSignal += error * x;
    signalPower += x * x;
    withRounding += error * rounding;
    roundingPower += rounding * rounding;
    if (std::fabs(rounding) < 0.1) onStepPower += error * error, ++onStep;
    if (std::fabs(rounding) > 0.4) betweenPower += error * error, ++between;
  }
  const double mean = sum / frames;
  CHECK(std::fabs(mean) < 0.01);
  CHECK(power / frames - mean * mean == doctest::Approx(0.25).epsilon(0.03));
  CHECK(std::fabs(withSignal / std::sqrt(power * signalPower)) < 0.01);
  CHECK(std::fabs(withRounding / std::sqrt(power * roundingPower)) < 0.01);
  REQUIRE(onStep > 1000);
  REQUIRE(between > 1000);
  CHECK(onStepPower / onStep == doctest::Approx(0.25).epsilon(0.06));
  CHECK(betweenPower / between == doctest::Approx(0.25).epsilon(0.06));
}

TEST_CASE("sound file: a missing or unwritable folder is a run-time failure") {
  TempFolder folder;
  CHECK_THROWS_WITH_AS(
      SoundFileWriter(folder.path / "missing" / "out.wav", kRate, 2, SampleFormat::kPcm16),
      doctest::Contains("No such file or directory"), RuntimeFailure);
  // Tests may run as root, which ignores permissions; a regular file cannot hold anything.
  const fs::path notAFolder = folder.path / "file";
  writeFile(notAFolder, "keep me");
  CHECK_THROWS_AS(SoundFileWriter(notAFolder / "out.wav", kRate, 2, SampleFormat::kPcm16),
                  RuntimeFailure);
  CHECK(bytesOf(notAFolder) == "keep me");
  CHECK(folder.entries() == 1);
}

TEST_CASE("sound file: an uncommitted writer leaves the old target and no temporary file") {
  TempFolder folder;
  const fs::path target = folder.path / "take.wav";
  writeFile(target, "previous take");
  const std::vector<float> audio = stereoSine(48000, 440.0, 0.5);
  try {
    SoundFileWriter writer(target, kRate, 2, SampleFormat::kPcm24);
    writer.write(audio.data(), 48000);
    CHECK(fs::file_size(writer.temporaryPath()) > 48000 * 6);
    CHECK(folder.entries() == 1);  // the data has no name yet (O_TMPFILE)
    CHECK(bytesOf(target) == "previous take");
    throw std::runtime_error("interrupted");
  } catch (const std::runtime_error&) {
  }
  CHECK(bytesOf(target) == "previous take");
  CHECK(folder.entries() == 1);

  render(target, audio, 2, SampleFormat::kPcm24);  // and a commit does replace it
  SF_INFO info;
  readBack(target, info);
  CHECK(info.frames == 48000);
  CHECK(folder.entries() == 1);
}

TEST_CASE("sound file: a full disk fails the write or the commit and keeps the old target") {
  // RLIMIT_FSIZE makes write(2) fail with EFBIG past a size, as a full disk would.
  struct FileSizeLimit {
    rlimit saved{};
    void (*savedHandler)(int);
    explicit FileSizeLimit(std::uintmax_t bytes) : savedHandler(std::signal(SIGXFSZ, SIG_IGN)) {
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
  TempFolder folder;
  std::vector<float> noise(2 * 48000);  // 1 s that FLAC cannot shrink much
  std::uint64_t state = 1;
  for (float& x : noise) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    x = static_cast<float>(static_cast<std::int32_t>(state >> 32)) / 4294967296.0f;
  }
  render(folder.path / "probe.flac", noise, 2, SampleFormat::kPcm24);
  const std::uintmax_t fullFlacBytes = fs::file_size(folder.path / "probe.flac");
  fs::remove(folder.path / "probe.flac");

  struct Case {
    const char* name;
    int seconds;
    std::uintmax_t limitBytes;
  };
  // WAV fails in sf_write. FLAC cut 1 KiB short fails only in the encoder's last flush inside
  // sf_close, which libsndfile 1.2 reports as success: commit has to notice by itself.
  for (const Case& c : {Case{"take.wav", 10, 256 * 1024}, Case{"take.flac", 10, 256 * 1024},
                        Case{"short.flac", 1, fullFlacBytes - 1024}}) {
    CAPTURE(c.name);
    const fs::path target = folder.path / c.name;
    writeFile(target, "previous take");
    FileSizeLimit limit(c.limitBytes);
    auto fill = [&] {
      SoundFileWriter writer(target, kRate, 2, SampleFormat::kPcm24);
      for (int second = 0; second < c.seconds; ++second) writer.write(noise.data(), 48000);
      writer.commit();
    };
    CHECK_THROWS_WITH_AS(fill(), doctest::Contains("free disk space"), RuntimeFailure);
    CHECK(bytesOf(target) == "previous take");
  }
  CHECK(folder.entries() == 3);
}

TEST_CASE("sound file: a target that cannot be replaced fails the commit cleanly") {
  TempFolder folder;
  const fs::path target = folder.path / "taken.wav";
  SoundFileWriter writer(target, kRate, 2, SampleFormat::kPcm16);
  fs::create_directories(target / "inside");  // appears during the render; never replaced
  const std::vector<float> audio = stereoSine(4800, 440.0, 0.5);
  writer.write(audio.data(), 4800);
  CHECK_THROWS_AS(writer.commit(), RuntimeFailure);
  CHECK(fs::is_directory(target / "inside"));
  CHECK(folder.entries() == 1);
}
