// Renders that stream: standard output as a pipe (-o - -t wav|raw) gives the file's samples, a
// reader that quits ends the render cleanly, and memory does not grow with the render's length.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "support/command.hpp"
#include "support/measured_run.hpp"
#include "support/sound_file_facts.hpp"

namespace {

using reverie::test::openSoundFile;
using reverie::test::runReverie;
using reverie::test::ScratchFolder;

/// Runs `reverie ARGS` with its standard output a pipe this process reads to the end.
std::string readPipe(const std::string& args) {
  const std::string command = "REVERIE_PRESET_PATH='" + std::string(REVERIE_SOURCE_DIR) +
                              "/presets' '" + REVERIE_CLI_PATH + "' " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string bytes;
  char buffer[65536];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    bytes.append(buffer, got);
  CHECK(pclose(pipe) == 0);
  return bytes;
}

void writeBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size());
  std::fclose(file);
}

}  // namespace

TEST_CASE("render -o - -t wav gives the file's samples through a pipe, -t raw its floats") {
  ScratchFolder folder;
  const std::string render = "render water-drop --length 3 --tail 0.5 --seed 4 ";
  for (const std::string bits : {"16", "24"}) {
    CAPTURE(bits);
    REQUIRE(runReverie(render + "-b " + bits + " -q -o take.wav", folder.path()).exitCode == 0);
    const std::string piped = readPipe(render + "-b " + bits + " -o - -t wav");
    writeBytes(folder / "piped.wav", piped);
    const auto file = openSoundFile(folder / "take.wav");
    const auto pipe = openSoundFile(folder / "piped.wav");
    MESSAGE(bits << "-bit: " << pipe.frames << " frames through the pipe, " << file.frames
                 << " in the file");
    CHECK(pipe.frames == file.frames);
    CHECK(pipe.format == file.format);
    CHECK(pipe.frames == 3.5 * 48000);
    CHECK(pipe.samples == file.samples);  // 16-bit: the same dither, sample for sample
  }

  REQUIRE(runReverie(render + "-b 32 -q -o float.wav", folder.path()).exitCode == 0);
  const auto file = openSoundFile(folder / "float.wav");
  const std::string raw = readPipe(render + "-b 32 -o - -t raw");
  REQUIRE(raw.size() == file.samples.size() * sizeof(float));
  std::vector<float> floats(file.samples.size());
  std::memcpy(floats.data(), raw.data(), raw.size());
  CHECK(floats == file.samples);
  float peak = 0.0f;
  for (float x : floats) peak = std::max(peak, std::fabs(x));
  MESSAGE("raw: " << floats.size() / 2 << " float frames, peak " << peak);
  CHECK(peak > 0.01f);  // a sound, not silence that would match anything
}

TEST_CASE("render to a pipe whose reader quits ends with a clear line, no crash") {
  ScratchFolder folder;
  // The reader takes 200 kB of an endless stream and quits; reverie must notice, not die of
  // SIGPIPE. A script, so the exit status of reverie itself comes back (PIPESTATUS).
  writeBytes(folder / "run.sh",
             "REVERIE_PRESET_PATH='" + std::string(REVERIE_SOURCE_DIR) + "/presets' '" +
                 REVERIE_CLI_PATH +
                 "' render water-drop --length inf -o - -t raw 2>err | head -c 200000 >/dev/null\n"
                 "exit ${PIPESTATUS[0]}\n");
  const int status = std::system(("cd '" + folder.path().string() + "' && bash run.sh").c_str());
  REQUIRE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  const std::string err = reverie::test::readText(folder / "err");
  MESSAGE("exit " << code << ": " << err);
  CHECK(code == 1);  // an error, not 141 (killed by SIGPIPE) nor 0
  CHECK(err.find("closed by its reader") != std::string::npos);
  CHECK(err.find("reverie: error:") != std::string::npos);
}

TEST_CASE("a render's peak memory does not grow with its length") {
  ScratchFolder folder;
  // 20 s and 200 s at 22.05 kHz: held in memory, the longer would need 32 MB more for its float
  // audio alone (and twice that with a copy); streamed, both are the engine and a block.
  auto peak = [&](const char* seconds) {
    const reverie::test::MeasuredRun run =
        reverie::test::runMeasured({"render", "water-drop", "--length", seconds, "--tail", "0",
                                    "-r", "22050", "-b", "16", "-q", "-o", "take.wav"},
                                   folder.path());
    REQUIRE_MESSAGE(run.exitCode == 0, run.err);
    return static_cast<double>(run.peakKilobytes) / 1024.0;
  };
  const double shortPeak = peak("20");
  const double longPeak = peak("200");
  MESSAGE("peak resident memory: " << shortPeak << " MiB for 20 s, " << longPeak
                                   << " MiB for 200 s");
  // The sanitizers keep freed blocks in quarantine and shadow what they touch: more slack there,
  // still far under the 32 MB that holding the audio would add.
  CHECK(longPeak - shortPeak < (reverie::test::kSanitized ? 8.0 : 4.0));
}
