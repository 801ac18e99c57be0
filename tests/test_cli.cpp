// The reverie command as a user meets it: files it writes, loudness it hits, errors it reports.
#include <doctest/doctest.h>
#include <ebur128.h>
#include <signal.h>
#include <sndfile.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <vector>

#include "reverie/node_registry.hpp"
#include "support/command.hpp"
#include "support/reverie_process.hpp"
#include "support/sound_file_facts.hpp"

using reverie::test::FileFacts;
using reverie::test::openSoundFile;
using reverie::test::readText;
using reverie::test::runReverie;
using reverie::test::ScratchFolder;

namespace {

// "file:LINE:COL: error: message" on one line, LINE and COL numbers.
bool isLocatedError(const std::string& line) {
  const std::size_t marker = line.find(": error: ");
  if (marker == std::string::npos || marker + 9 >= line.size() ||
      line.find('\n') != std::string::npos)
    return false;
  std::size_t end = marker;
  for (int field = 0; field < 2; ++field) {
    std::size_t begin = end;
    while (begin > 0 && std::isdigit(static_cast<unsigned char>(line[begin - 1]))) --begin;
    if (begin == end || begin == 0 || line[begin - 1] != ':') return false;
    end = begin - 1;
  }
  return end > 0;  // a file name before the position
}

using reverie::test::countFiles;

}  // namespace

TEST_CASE("render writes WAV, FLAC, OGG and AIFF at 16, 24 and 32-bit float") {
  ScratchFolder folder;
  const struct {
    const char* extension;
    int container;
  } containers[] = {{"wav", SF_FORMAT_WAV},
                    {"flac", SF_FORMAT_FLAC},
                    {"ogg", SF_FORMAT_OGG},
                    {"aiff", SF_FORMAT_AIFF}};
  const struct {
    const char* bits;
    int subtype;
  } depths[] = {{"16", SF_FORMAT_PCM_16}, {"24", SF_FORMAT_PCM_24}, {"32f", SF_FORMAT_FLOAT}};
  for (const auto& c : containers) {
    for (const auto& d : depths) {
      const std::string name = std::string("out-") + d.bits + "." + c.extension;
      const auto result =
          runReverie(std::string("render first-light --length 1.25 --tail 0.25 -r 44100 -q -b ") +
                         d.bits + " -o " + name,
                     folder.path());
      CAPTURE(name);
      if (c.container == SF_FORMAT_FLAC && std::string(d.bits) == "32f") {
        CHECK(result.exitCode == 2);  // FLAC has no float samples: a clear refusal
        CHECK(result.err.find("FLAC") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(folder / name));
        continue;
      }
      REQUIRE(result.exitCode == 0);
      const FileFacts facts = openSoundFile(folder / name);
      CHECK(facts.sampleRate == 44100);
      CHECK(facts.channels == 2);
      CHECK(facts.frames == 66150);
      CHECK((facts.format & SF_FORMAT_TYPEMASK) == c.container);
      if (c.container != SF_FORMAT_OGG) CHECK((facts.format & SF_FORMAT_SUBMASK) == d.subtype);
      double energy = 0.0;
      for (float x : facts.samples) energy += static_cast<double>(x) * x;
      CHECK(energy > 1.0);  // music, not silence
    }
  }
  CHECK(countFiles(folder.path()) == 11);  // no temporary files left behind
}

TEST_CASE("--target-lufs -16 --true-peak -1 lands within 0.5 LU and under the ceiling") {
  ScratchFolder folder;
  const auto result = runReverie(
      "render first-light --length 8 --tail 1 -q -b 32f --target-lufs -16 --true-peak -1 -o "
      "loud.wav",
      folder.path());
  REQUIRE(result.exitCode == 0);
  const FileFacts facts = openSoundFile(folder / "loud.wav");
  ebur128_state* meter = ebur128_init(2, static_cast<unsigned long>(facts.sampleRate),
                                      EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
  ebur128_add_frames_float(meter, facts.samples.data(), static_cast<std::size_t>(facts.frames));
  double lufs = 0.0, peakLeft = 0.0, peakRight = 0.0;
  ebur128_loudness_global(meter, &lufs);
  ebur128_true_peak(meter, 0, &peakLeft);
  ebur128_true_peak(meter, 1, &peakRight);
  ebur128_destroy(&meter);
  const double truePeakDb = 20.0 * std::log10(std::max(peakLeft, peakRight));
  MESSAGE("integrated " << lufs << " LUFS, true peak " << truePeakDb << " dBTP");
  CHECK(std::fabs(lufs - (-16.0)) <= 0.5);
  CHECK(truePeakDb <= -1.0);
}

TEST_CASE("the same seed gives a byte-identical file; another seed does not") {
  ScratchFolder folder;
  for (const char* args : {"--seed 7 -o a.wav", "--seed 7 -o b.wav", "--seed 8 -o c.wav"})
    REQUIRE(runReverie(std::string("render first-light --length 3 --tail 0.5 -q -b 16 ") + args,
                       folder.path())
                .exitCode == 0);
  const std::string a = readText(folder / "a.wav"), b = readText(folder / "b.wav"),
                    c = readText(folder / "c.wav");
  CHECK(a.size() > 100000);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("every broken preset gives exit 2, located one-line errors, and writes nothing") {
  const std::filesystem::path corpus =
      std::filesystem::path(REVERIE_TEST_DATA_DIR) / "broken_presets";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    ScratchFolder folder;
    const auto result =
        runReverie("render '" + entry.path().string() + "' -q -o out.wav", folder.path());
    CAPTURE(entry.path().filename().string());
    CAPTURE(result.err);
    CHECK(result.exitCode == 2);
    std::istringstream lines(result.err);
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line); ++count) CHECK(isLocatedError(line));
    CHECK(count >= 1);
    CHECK(countFiles(folder.path()) == 0);
  }
  CHECK(files >= 20);

  ScratchFolder folder;
  const auto missing =
      runReverie("render no-such-folder/missing.toml -q -o out.wav", folder.path());
  CHECK(missing.exitCode == 2);
  CHECK(missing.err.find("missing.toml") != std::string::npos);
  CHECK(missing.err.find("error:") != std::string::npos);
  CHECK(countFiles(folder.path()) == 0);

  const auto unknown = runReverie("render first-lihgt -q", folder.path());
  CHECK(unknown.exitCode == 2);
  CHECK(unknown.err.find("first-light") != std::string::npos);  // did you mean
}

TEST_CASE("an unwritable output path gives exit 1 and leaves an existing file untouched") {
  ScratchFolder folder;
  // A folder that does not exist.
  const auto nowhere =
      runReverie("render first-light --length 0.5 -q -o no/such/folder/out.wav", folder.path());
  CHECK(nowhere.exitCode == 1);
  CHECK(nowhere.err.find("out.wav") != std::string::npos);

  // A read-only folder holding a previous render. root ignores permissions, so as root the
  // command runs as 'nobody' through setpriv.
  const std::filesystem::path locked = folder / "locked";
  std::filesystem::create_directory(locked);
  const std::string previous = "previous render, must survive";
  std::ofstream(locked / "keep.wav") << previous;
  std::filesystem::permissions(folder.path(), std::filesystem::perms::all);
  std::filesystem::permissions(
      locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec |
                  std::filesystem::perms::group_read | std::filesystem::perms::group_exec |
                  std::filesystem::perms::others_read | std::filesystem::perms::others_exec);
  const std::string asUser =
      geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups" : "";
  const auto readOnly =
      runReverie("render first-light --length 0.5 -q -o locked/keep.wav", folder.path(), asUser);
  CHECK(readOnly.exitCode == 1);
  CHECK(readOnly.err.find("keep.wav") != std::string::npos);
  CHECK(readText(locked / "keep.wav") == previous);
  CHECK(countFiles(locked) == 1);
}

TEST_CASE("Ctrl-C during a render leaves no file and keeps the old one") {
  ScratchFolder folder;
  const std::string previous = "an earlier render";
  std::ofstream(folder / "long.wav") << previous;
  // A render of ten minutes, interrupted half a second after it can take a Ctrl-C.
  reverie::test::ReverieProcess reverie(
      {"render", "first-light", "--length", "600", "-q", "-o", "long.wav"}, folder.path(),
      folder / "err.txt");
  REQUIRE(reverie.sendOnceCaught(SIGINT, 500));
  const reverie::test::Ending ending = reverie.finish(10.0);
  CHECK(ending.exited);
  CHECK(ending.code == 130);
  CHECK(readText(folder / "long.wav") == previous);
  CHECK(countFiles(folder.path()) == 2);  // long.wav and err.txt only
  CHECK(readText(folder / "err.txt").find("interrupted") != std::string::npos);
}

TEST_CASE("nodes lists every registered type and parameter, straight from the tables") {
  ScratchFolder folder;
  const auto result = runReverie("nodes", folder.path());
  REQUIRE(result.exitCode == 0);
  for (const reverie::NodeType* type : reverie::nodeTypes()) {
    CHECK(result.out.find(std::string(type->name)) != std::string::npos);
    for (const auto& p : type->parameters)
      CHECK(result.out.find(std::string(p.id)) != std::string::npos);
  }
  const auto presets = runReverie("presets", folder.path());
  CHECK(presets.exitCode == 0);
  CHECK(presets.out.find("first-light") != std::string::npos);
  CHECK(presets.out.find("D minor") != std::string::npos);  // its description
}

TEST_CASE("usage: --help and --version exit 0; bad options exit 2") {
  ScratchFolder folder;
  const auto help = runReverie("--help", folder.path());
  CHECK(help.exitCode == 0);
  CHECK(help.out.find("render") != std::string::npos);
  const auto version = runReverie("--version", folder.path());
  CHECK(version.exitCode == 0);
  CHECK(version.out.find("reverie ") != std::string::npos);
  CHECK(runReverie("render first-light -b 12", folder.path()).exitCode == 2);
  CHECK(runReverie("render first-light -r 8000", folder.path()).exitCode == 2);
  CHECK(runReverie("render first-light -o out.mp9 -q", folder.path()).exitCode == 2);
  CHECK(runReverie("frobnicate", folder.path()).exitCode == 2);
  CHECK(countFiles(folder.path()) == 0);
}

TEST_CASE("every shipped preset renders, and instrument presets play a demonstration phrase") {
  ScratchFolder folder;
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(REVERIE_SOURCE_DIR) / "presets")) {
    if (entry.path().extension() != ".toml") continue;
    ++count;
    const std::string name = entry.path().stem().string();
    const auto result = runReverie(
        "render " + name + " --length 4 --tail 1 -q -r 44100 -o " + name + ".wav", folder.path());
    CAPTURE(name);
    CAPTURE(result.err);
    REQUIRE(result.exitCode == 0);
    const FileFacts facts = openSoundFile(folder / (name + ".wav"));
    double energy = 0.0;
    float peak = 0.0f;
    for (float x : facts.samples) {
      energy += static_cast<double>(x) * x;
      peak = std::max(peak, std::fabs(x));
    }
    const double rmsDb =
        10.0 * std::log10(energy / static_cast<double>(facts.samples.size()) + 1e-30);
    MESSAGE(name << ": RMS " << rmsDb << " dBFS, peak " << 20.0 * std::log10(peak) << " dBFS");
    CHECK(rmsDb > -45.0);  // it plays something
    CHECK(peak < 1.0f);
  }
  CHECK(count >= 8);
}
