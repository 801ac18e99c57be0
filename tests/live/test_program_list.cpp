// The preset list behind program changes is listed once and again only when a preset folder
// changes; repeated lines are summed up. No server needed.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "live/program_list.hpp"
#include "live/repeated_lines.hpp"
#include "support/command.hpp"

namespace test = reverie::test;
using reverie::live::ProgramList;
using reverie::live::RepeatedLines;

TEST_CASE("program list: thousands of lookups list the presets once; a new file lists them again") {
  test::ScratchFolder folder;
  std::filesystem::create_directories(folder / "instruments");
  std::filesystem::create_directories(folder / "arcs");
  for (const char* name : {"alpha", "beta"})
    std::ofstream(folder / "instruments" / (std::string(name) + ".toml")) << "";
  std::ofstream(folder / "arcs" / "story.toml") << "";
  int scans = 0;
  const std::filesystem::path root = folder.path();
  // The real listing of the folder (listPresets reads every file), counted.
  setenv("REVERIE_PRESET_PATH", root.c_str(), 1);
  ProgramList programs(
      [&] {
        ++scans;
        return reverie::listPresets();
      },
      [root] { return std::vector{root}; });
  const auto start = ProgramList::Clock::now();
  // 1136 program changes without a preset over ten seconds, plus lookups that find one.
  int found = 0, missing = 0;
  for (int i = 0; i < 1136; ++i) {
    const auto now = start + std::chrono::milliseconds(i * 9);
    if (!programs.find(500, now)) ++missing;
    if (programs.find(0, now)) ++found;
  }
  MESSAGE("2272 lookups over 10 s: " << scans << " listing(s), " << programs.size()
                                     << " presets a program can pick");
  CHECK(scans == 1);
  CHECK(found == 1136);
  CHECK(missing == 1136);
  CHECK(programs.find(0, start)->name == "alpha");
  CHECK(programs.size() >= 2);
  CHECK_FALSE(programs.find(static_cast<int>(programs.size()), start).has_value());

  // A preset added (the folder's time moves; set it, as file times may be coarse): listed again
  // at the next check, at most a second later, and once only.
  const std::size_t before = programs.size();
  std::ofstream(folder / "instruments" / "aardvark.toml") << "";
  std::filesystem::last_write_time(
      folder / "instruments",
      std::filesystem::last_write_time(folder / "instruments") + std::chrono::seconds(5));
  const auto later = start + std::chrono::seconds(12);
  CHECK(programs.find(0, later)->name == "aardvark");
  CHECK(scans == 2);
  for (int i = 0; i < 100; ++i) programs.find(1, later + std::chrono::milliseconds(i * 30));
  CHECK(scans == 2);
  CHECK(programs.size() == before + 1);
  unsetenv("REVERIE_PRESET_PATH");
}

TEST_CASE("repeated lines: 1136 of a kind in 10 s give the first line and one summary") {
  RepeatedLines repeats;
  const auto start = RepeatedLines::Clock::now();
  int said = 0;
  std::vector<std::string> summaries;
  for (int i = 0; i < 1136; ++i) {
    const auto now = start + std::chrono::microseconds(i * 8800);  // 1136 in 9.997 s
    if (repeats.say("no preset", "program 5 has no preset", now)) ++said;
    for (const std::string& line : repeats.due(now)) summaries.push_back(line);
  }
  for (const std::string& line : repeats.due(start + std::chrono::seconds(10)))
    summaries.push_back(line);
  CHECK(said == 1);
  REQUIRE(summaries.size() == 1);
  MESSAGE(summaries[0]);
  CHECK(summaries[0] == "program 5 has no preset (×1135 more in the last 10 s)");
  CHECK(repeats.flush().empty());
  // Quiet for a window: the next one is said at once again; a batch counts as many.
  CHECK(repeats.due(start + std::chrono::seconds(25)).empty());
  CHECK(repeats.say("no preset", "program 6 has no preset", start + std::chrono::seconds(26), 40)
            .has_value());
  const auto rest = repeats.flush();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0] == "program 6 has no preset (×39 more in the last 10 s)");
}
