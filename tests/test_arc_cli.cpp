// `reverie render` with arcs: the default arc, scene markers on bar lines, curves, the plot,
// byte-identical renders per seed, and broken arcs refused with located errors.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "reverie/arc.hpp"
#include "support/command.hpp"
#include "support/wav_cues.hpp"

namespace reverie {
namespace {

using test::countFiles;
using test::readText;
using test::runReverie;
using test::ScratchFolder;

/// "file.toml:12:3: error: ..." with a line and a column (std::regex trips GCC 12's warnings
/// under ASan, so by hand).
bool isLocatedError(const std::string& message) {
  const std::size_t toml = message.find(".toml:");
  if (toml == std::string::npos) return false;
  std::size_t at = toml + 6;
  for (int field = 0; field < 2; ++field) {
    const std::size_t start = at;
    while (at < message.size() && message[at] >= '0' && message[at] <= '9') ++at;
    if (at == start || at >= message.size() || message[at] != ':') return false;
    ++at;
  }
  return message.compare(at, 8, " error: ") == 0 && message.size() > at + 8;
}

/// Splits on a separator.
std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == separator) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE(
    "arc cli: 'reverie render' alone performs the-performance, with its scenes as cue points on "
    "bar lines") {
  ScratchFolder folder;
  const auto result = runReverie("render --length 100 --tail 1", folder.path());
  CAPTURE(result.err);
  REQUIRE(result.exitCode == 0);
  CHECK(result.err.find("scenes: backstage 0:00.0, overture") != std::string::npos);
  const std::filesystem::path wav = folder / "the-performance.wav";
  REQUIRE(std::filesystem::exists(wav));

  const Arc arc =
      loadArc(findPreset(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/the-performance.toml"));
  const Timeline timeline(arc, 48000.0);
  const std::vector<CueMarker> markers = test::readWavCueMarkers(wav);
  // Every scene that starts inside the 101 s rendered, at its bar line to the frame. The
  // wrong-key scene runs at 104 instead of 92, so bar lines of two tempi are crossed.
  std::size_t expected = 0;
  for (const Timeline::Span& span : timeline.spans())
    if (span.startFrame < static_cast<std::uint64_t>(101.0 * 48000.0)) ++expected;
  REQUIRE(markers.size() == expected);
  REQUIRE(expected >= 4);
  double seconds = 0.0;
  for (std::size_t i = 0; i < markers.size(); ++i) {
    // From first principles: whole bars of 4 beats at each scene's tempo.
    const auto frame = static_cast<std::uint64_t>(std::llround(seconds * 48000.0));
    MESSAGE("cue '" << markers[i].label << "' at frame " << markers[i].frame << ", bar line at "
                    << frame);
    CHECK(markers[i].label == arc.scenes[i].name);
    CHECK(markers[i].frame == frame);
    seconds += arc.scenes[i].bars * 4 * 60.0 / arc.scenes[i].tempo;
  }

  // The Audacity label file beside it: start, end and name per scene, in seconds.
  const std::vector<std::string> labels = lines(readText(folder / "the-performance.labels.txt"));
  REQUIRE(labels.size() == arc.scenes.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::vector<std::string> fields = split(labels[i], '\t');
    REQUIRE(fields.size() == 3);
    CHECK(fields[2] == arc.scenes[i].name);
    CHECK(std::stod(fields[0]) ==
          doctest::Approx(static_cast<double>(timeline.spans()[i].startFrame) / 48000.0)
              .epsilon(1e-6));
    CHECK(std::stod(fields[1]) > std::stod(fields[0]));
  }
}

TEST_CASE(
    "arc cli: --export-curves writes the scripted curves every 10 ms; --plot draws them with the "
    "scenes") {
  ScratchFolder folder;
  const auto result = runReverie(
      "render clockwork --length 30 --tail 0 -q -o take.wav --export-curves curves.csv --plot "
      "arc.svg",
      folder.path());
  CAPTURE(result.err);
  REQUIRE(result.exitCode == 0);
  const std::vector<std::string> rows = lines(readText(folder / "curves.csv"));
  REQUIRE(rows.size() > 2);
  CHECK(rows[0] == "time_s,scene,bar,tension,dynamics,density,brightness");
  MESSAGE("curve rows: " << rows.size() - 1 << " for 30 s");
  CHECK(rows.size() - 1 == 3001);  // 0 to 30 s inclusive, every 10 ms
  // The first scene, workshop, rises in tension from 0.25 to 0.45 over its 8 bars of 7/8 at 120.
  CHECK(rows[1].rfind("0.000000,workshop,1,0.250000,", 0) == 0);
  const std::string svg = readText(folder / "arc.svg");
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("</svg>") != std::string::npos);
  for (const char* scene : {"workshop", "lifting-the-machine", "silence"})
    CHECK(svg.find(scene) != std::string::npos);
  CHECK(std::filesystem::exists(folder / "take.labels.txt"));
}

TEST_CASE("arc cli: the same seed gives the same bytes; another seed gives another file") {
  ScratchFolder folder;
  for (const char* args : {"--seed 5 -o a.wav", "--seed 5 -o b.wav", "--seed 6 -o c.wav"}) {
    const auto result = runReverie(
        std::string("render the-performance --length 40 --tail 0 -q ") + args, folder.path());
    CAPTURE(result.err);
    REQUIRE(result.exitCode == 0);
  }
  const std::string a = readText(folder / "a.wav"), b = readText(folder / "b.wav"),
                    c = readText(folder / "c.wav");
  MESSAGE("file sizes " << a.size() << ", " << b.size() << ", " << c.size());
  CHECK(a.size() > 1000000);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("arc cli: every broken arc gives exit 2, one located error per problem, and no file") {
  ScratchFolder folder;
  const std::filesystem::path corpus =
      std::filesystem::path(REVERIE_SOURCE_DIR) / "tests" / "broken_arcs";
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (entry.path().extension() != ".toml") continue;
    ++count;
    const auto result =
        runReverie("render '" + entry.path().string() + "' -q -o out.wav", folder.path());
    CAPTURE(entry.path().filename().string());
    CAPTURE(result.err);
    CHECK(result.exitCode == 2);
    const std::vector<std::string> messages = lines(result.err);
    REQUIRE_FALSE(messages.empty());
    CHECK(isLocatedError(messages.front()));
    CHECK(countFiles(folder.path()) == 0);
  }
  MESSAGE(count << " broken arcs refused");
  CHECK(count >= 30);
}

TEST_CASE(
    "arc cli: arc options on a patch, and patch-only options on an arc, are refused with the fix") {
  ScratchFolder folder;
  const auto curves = runReverie("render first-light --export-curves c.csv -q", folder.path());
  CHECK(curves.exitCode == 2);
  CHECK(curves.err.find("apply to arcs") != std::string::npos);
  const auto midi = runReverie("render the-performance --channel 10=timpani -q", folder.path());
  CHECK(midi.exitCode == 2);
  CHECK(midi.err.find("is an arc") != std::string::npos);
  // A plot into a folder that does not exist is refused before the render, not after it.
  const auto plot = runReverie("render the-performance --plot nowhere/arc.svg -q", folder.path());
  CHECK(plot.exitCode == 2);
  CHECK(plot.err.find("does not exist") != std::string::npos);
  CHECK(countFiles(folder.path()) == 0);
}

}  // namespace reverie
