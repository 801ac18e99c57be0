// `render --seeds`: a batch of takes, several at a time, each the same file its own render
// writes; options that cannot work are refused before anything renders.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "support/command.hpp"

namespace {

using reverie::test::readText;
using reverie::test::runReverie;
using reverie::test::ScratchFolder;

}  // namespace

TEST_CASE("render --seeds: each take is the file its own render writes, with a table") {
  ScratchFolder folder;
  const auto batch = runReverie(
      "render clockwork --length 6 --tail 1 --seeds 2,5-6 --threads 2 -b 24 -o 'take-{seed}.wav'",
      folder.path());
  REQUIRE_MESSAGE(batch.exitCode == 0, batch.err);
  CHECK(batch.err.find("rendered 3 of 3 takes of 'clockwork'") != std::string::npos);
  CHECK(batch.err.find("2 at a time") != std::string::npos);
  for (const char* seed : {"2", "5", "6"}) {
    CAPTURE(seed);
    const std::string take = std::string("take-") + seed + ".wav";
    CHECK(batch.err.find(take) != std::string::npos);  // a row of the table
    const auto one = runReverie(
        std::string("render clockwork --length 6 --tail 1 --seed ") + seed + " -b 24 -q -o one.wav",
        folder.path());
    REQUIRE(one.exitCode == 0);
    CHECK(readText(folder / take) == readText(folder / "one.wav"));
    CHECK(std::filesystem::exists(folder / (std::string("take-") + seed + ".labels.txt")));
  }
  // Different seeds, different takes.
  CHECK(readText(folder / "take-2.wav") != readText(folder / "take-5.wav"));
}

TEST_CASE("render --seeds refuses a batch that would overwrite itself, before rendering") {
  ScratchFolder folder;
  struct Case {
    const char* args;
    const char* says;
  } cases[] = {
      {"--seeds 1-3 -o take.wav", "put {seed} in it"},
      {"--seeds 1-3 -o 'take-{seed}.wav' --plot arc.svg", "--plot 'arc.svg' would be the same"},
      {"--seeds 1-x -o 't{seed}.wav'", "'1-x' is not a seed or a range"},
      {"--seeds 5-2 -o 't{seed}.wav'", "'5-2' is not a seed or a range"},
      {"--seeds 1-2 --seed 4 -o 't{seed}.wav'", "--seed excludes --seeds"},
      {"--seeds 1-3 -o -", "name them with -o and {seed}"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const auto run =
        runReverie(std::string("render clockwork --length 2 ") + c.args, folder.path());
    CHECK(run.exitCode == 2);
    CHECK(run.err.find(c.says) != std::string::npos);
    CHECK(std::filesystem::is_empty(folder.path()));
  }
}
