// Input beyond reason: TOML nested deeper than toml++'s stack can bear, and renders longer than
// the length limit, each refused with one located line before anything is allocated for it.
#include <doctest/doctest.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "preset/toml_screen.hpp"
#include "reverie/arc.hpp"
#include "reverie/preset.hpp"
#include "support/command.hpp"
#include "support/measured_run.hpp"
#include "support/preset_errors.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"

namespace fs = std::filesystem;
using reverie::test::countFiles;
using reverie::test::runReverie;
using reverie::test::ScratchFolder;

namespace {

constexpr int kHostileParts = 50000;

std::string repeat(const std::string& piece, int count, const std::string& separator = "") {
  std::string text;
  for (int i = 0; i < count; ++i) text += (i == 0 ? "" : separator) + piece;
  return text;
}

std::string dotted(int parts) {
  return repeat("a", parts, ".");
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// A file that overflowed toml++'s stack, where the screen finds it, and what it says.
struct HostileFile {
  std::string name;
  std::string text;
  int line, column;
  std::string message;
};

std::vector<HostileFile> hostileFiles() {
  const std::string header = "format_version = 1\n";
  return {
      {"dotted-key", header + dotted(kHostileParts) + " = 1\n", 2, 1,
       "dotted key has 50000 parts, over the limit of 64"},
      {"table-header", header + "[" + dotted(kHostileParts) + "]\n", 2, 1,
       "table header has 50000 dotted parts, over the limit of 64"},
      {"array-header", header + "[[" + dotted(kHostileParts) + "]]\n", 2, 1,
       "array-of-tables header has 50000 dotted parts, over the limit of 64"},
      // "x = " takes columns 1-4; the 65th bracket opens at 4 + 65.
      {"deep-arrays",
       header + "x = " + repeat("[", kHostileParts) + repeat("]", kHostileParts) + "\n", 2, 69,
       "nested more than 64 deep"},
      {"deep-tables",
       header + "x = " + repeat("{a=", kHostileParts) + "1" + repeat("}", kHostileParts) + "\n", 2,
       4 + 64 * 3 + 1, "nested more than 64 deep"},
  };
}

/// Exactly one line, ending in a line break.
bool isOneLine(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

/// Capped at 3 GB (except under the sanitizers, which need more): should a check regress, the
/// render fails fast instead of taking the machine.
reverie::test::MeasuredRun runMeasured(const std::vector<std::string>& args,
                                       const fs::path& folder) {
  constexpr rlim_t kAddressSpace = rlim_t{3} << 30;
  return reverie::test::runMeasured(args, folder, reverie::test::kSanitized ? 0 : kAddressSpace);
}

constexpr long kSmallPeakKilobytes = 200 * 1024;

/// A one-note MIDI file whose note starts `ticks` after the start, at 120 bpm and one tick per
/// quarter note (0.5 s per tick), or at `tempo` microseconds per quarter note.
reverie::test::Bytes oneNoteFile(std::uint32_t ticks, std::uint32_t tempo = 0) {
  reverie::test::TrackWriter track;
  if (tempo != 0) track.tempo(0, tempo);
  track.event(ticks, {0x90, 60, 100}).end();
  return reverie::test::smfFile(0, 1, {track});
}

}  // namespace

// ---- TOML nesting ----

TEST_CASE("toml limits: 50,000-part keys and headers and deep values are refused where they are") {
  for (const HostileFile& file : hostileFiles()) {
    CAPTURE(file.name);
    const auto problem = reverie::preset::screenToml(file.text);
    REQUIRE(problem.has_value());
    CHECK(problem->line == file.line);
    CHECK(problem->column == file.column);
    CHECK(problem->message.find(file.message) != std::string::npos);
    CHECK(problem->message.find("at most 64") != std::string::npos);  // the fix
  }
}

TEST_CASE("toml limits: 64 of each is read, 65 is refused") {
  using reverie::preset::screenToml;
  CHECK_FALSE(screenToml(dotted(64) + " = 1\n"));
  CHECK(screenToml(dotted(65) + " = 1\n"));
  CHECK_FALSE(screenToml("[" + dotted(64) + "]\n[[" + dotted(64) + "]]\n"));
  CHECK(screenToml("[" + dotted(65) + "]\n"));
  CHECK(screenToml("[[" + dotted(65) + "]]\n"));
  CHECK_FALSE(screenToml("x = " + repeat("[", 64) + repeat("]", 64) + "\n"));
  CHECK(screenToml("x = " + repeat("[", 65) + repeat("]", 65) + "\n"));
  // Arrays and inline tables count together, and sibling values do not add up.
  CHECK_FALSE(screenToml("x = [" + repeat("[[1]], {a = [2]}", 1000, ", ") + "]\n"));
  CHECK(screenToml("x = " + repeat("[{a = ", 33) + "1" + repeat("}]", 33) + "\n"));
  // Dotted keys inside an inline table are keys too.
  CHECK(screenToml("x = { " + dotted(65) + " = 1 }\n"));
  CHECK_FALSE(screenToml("x = { " + dotted(64) + " = 1, " + dotted(64) + " = 2 }\n"));
}

TEST_CASE("toml screen: non-ASCII only where toml++ 3.3.0 never tests it for whitespace") {
  using reverie::preset::screenToml;
  const std::string q3 = "\"\"\"";
  // Allowed: in strings of every kind and in comments, after a byte-order mark; malformed UTF-8
  // is left for toml++ to report.
  CHECK_FALSE(screenToml("description = \"Glas \u00e9 \u2014 \u00a7\"  # \u00e9t\u00e9\n"));
  CHECK_FALSE(screenToml("a = '\u00a7'\nb = " + q3 + "\n\u00a7" + q3 +
                         "\nc = '''\u00a7'''\n\"k\u00e9\" = 1\n"));
  CHECK_FALSE(
      screenToml("\xEF\xBB\xBF"
                 "a = 1\n"));
  CHECK_FALSE(screenToml("a = " + q3 + "x \\\n  y \u00a7" + q3 + "\n"));  // ASCII after the break
  CHECK_FALSE(screenToml("a = \x89\n"));
  // Refused, each at its place: bare, in a header, in a value, after an escape, and first after
  // a line-ending backslash (where toml++ skips whitespace).
  const auto at = [&](const std::string& text) {
    const auto problem = screenToml(text);
    REQUIRE(problem.has_value());
    CHECK(problem->message.find("non-ASCII") != std::string::npos);
    return std::pair{problem->line, problem->column};
  };
  CHECK(at("\u02a4") == std::pair{1, 1});
  CHECK(at("a = 1\n[t\u0492]\n") == std::pair{2, 3});
  CHECK(at("a = [1, \u00a7]\n") == std::pair{1, 9});
  CHECK(at("a = \"\\\u00a7\"\n").first == 1);
  // toml++ scans an unquoted value to its terminator to tell its type, quotes included.
  CHECK(at("a = 40>'\u0492'\n") == std::pair{1, 9});
  CHECK(at("a = true\u00a7\n") == std::pair{1, 9});
  // A date and a digit after a space: toml++ reads on over one more character, a line break
  // included, and from there to a terminator.
  CHECK(at("a = 1979-05-27 1\nJ'x\ufdbf'\n") == std::pair{1, 15});
  CHECK_FALSE(screenToml("a = 1979-05-27 07:32:00\nb = '\u00e9'\n"));
  CHECK_FALSE(screenToml("a = 1979-05-27 1\n\nb = '\u00e9'\n"));
  CHECK(at("a = " + q3 + "x \\  \n\n   \u00a7" + q3 + "\n").first == 1);
}

TEST_CASE("toml limits: strings, quoted keys and comments do not count, and lines stay right") {
  const std::string many = repeat("[", 100) + repeat("{", 100) + dotted(100);
  const std::string text =
      "format_version = 1\n"
      "# " +
      many +
      "\n"
      "description = \"" +
      many + " \\\" " + many +
      "\"\n"
      "literal = '" +
      many +
      "'\n"
      "'" +
      dotted(100) +
      "' = 1\n"
      "\"" +
      dotted(100) +
      ".\\\"x\" = 2\n"
      "a.\"" +
      dotted(100) +
      "\".b = 3\n"
      "basic = \"\"\"\n" +
      many + "\n\"\" \\\"\"\" " + many +
      "\n\"\"\"\"\n"
      "lit = '''\n" +
      many + "\n'' " + many +
      "'''''\n"
      "empty = \"\"\n"
      "x = [\"]]]\", ']]]', \"\"\"]]]\"\"\", # ]]]]\n  [1, [2]], {a = \"}}}\"}]\n"
      "[table.\"" +
      dotted(100) +
      "\"]\n"
      "[[tables.'" +
      dotted(100) + "']]\n";
  // The text is valid TOML, as toml++ reads it, and the screen lets it through.
  CHECK_NOTHROW(static_cast<void>(toml::parse(text)));
  CHECK_FALSE(reverie::preset::screenToml(text));
  // After all of it, a real excess is still found on its own line (the 21st).
  const auto problem = reverie::preset::screenToml(text + "y = 1\n" + dotted(65) + " = 1\n");
  REQUIRE(problem.has_value());
  CHECK(problem->line == 21);
  CHECK(problem->column == 1);
}

TEST_CASE("toml limits: every shipped preset and every corpus file passes the screen") {
  int files = 0;
  for (const fs::path& root : {fs::path(REVERIE_SOURCE_DIR) / "presets",
                               fs::path(REVERIE_TEST_DATA_DIR) / "broken_presets",
                               fs::path(REVERIE_TEST_DATA_DIR) / "broken_arcs"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".toml") continue;
      CAPTURE(entry.path());
      CHECK_FALSE(reverie::preset::screenToml(reverie::test::readText(entry.path())));
      ++files;
    }
  }
  CHECK(files > 60);
}

TEST_CASE("toml limits: a file at every limit at once is within what toml++ can parse") {
  // A 64-part header, then 64 levels of values, each inline table under a 64-part key: the
  // deepest tree the screen lets through. It must parse and be reported as a patch, not crash.
  const std::string key = dotted(64);
  const std::string text = "format_version = 1\n[" + key + "]\n" + key + " = " +
                           repeat("{" + key + " = ", 63) + "1" + repeat("}", 63) + "\n" +
                           "arr = " + repeat("[", 64) + repeat("]", 64) + "\n";
  REQUIRE_FALSE(reverie::preset::screenToml(text));
  const auto diagnostics =
      reverie::test::diagnosticsOf([&] { reverie::parsePatch(text, "deepest.toml"); });
  REQUIRE_FALSE(diagnostics.empty());
  for (const auto& d : diagnostics) CHECK(d.message.find("limit") == std::string::npos);
}

TEST_CASE("toml limits: loadPatch and loadArc refuse a hostile file with one located line") {
  // What `play` does when the playing preset is saved over: loadPatch throws, and play prints
  // each diagnostic and keeps the old patch (tests/live covers the running player).
  ScratchFolder folder;
  for (const HostileFile& file : hostileFiles()) {
    CAPTURE(file.name);
    const fs::path path = folder / (file.name + ".toml");
    writeText(path, file.text);
    for (const bool asArc : {false, true}) {
      const auto diagnostics = reverie::test::diagnosticsOf([&] {
        if (asArc) {
          reverie::loadArc(path);
        } else {
          reverie::loadPatch(path);
        }
      });
      REQUIRE(diagnostics.size() == 1);
      CHECK(diagnostics[0].file == path.string());
      CHECK(diagnostics[0].line == file.line);
      CHECK(diagnostics[0].column == file.column);
      CHECK(diagnostics[0].format().find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("toml limits: render refuses each hostile file with exit 2 and one file:line:col line") {
  ScratchFolder folder;
  const std::vector<HostileFile> files = hostileFiles();
  for (const HostileFile& file : files) writeText(folder / (file.name + ".toml"), file.text);
  for (const HostileFile& file : files) {
    CAPTURE(file.name);
    const auto result = runReverie("render " + file.name + ".toml -o out.wav -q", folder.path());
    CHECK(result.exitCode == 2);
    CHECK(isOneLine(result.err));
    const std::string located = file.name + ".toml:" + std::to_string(file.line) + ":" +
                                std::to_string(file.column) + ": error: ";
    CHECK(result.err.rfind(located, 0) == 0);
    CHECK(result.err.find(file.message) != std::string::npos);
    CHECK(countFiles(folder.path()) == files.size());  // no output, no temporary
  }
}

TEST_CASE("toml limits: presets lists a hostile file as broken and goes on") {
  ScratchFolder folder;
  fs::create_directories(folder / "mine/patches");
  const std::vector<HostileFile> files = hostileFiles();
  for (const HostileFile& file : files)
    writeText(folder / "mine/patches" / (file.name + ".toml"), file.text);
  const std::string path = (folder / "mine").string() + ":" + REVERIE_SOURCE_DIR + "/presets";
  const auto result = runReverie("presets", folder.path(), "REVERIE_PRESET_PATH='" + path + "'");
  CHECK(result.exitCode == 0);  // as with any broken file: listed, not fatal
  for (const HostileFile& file : files) {
    CAPTURE(file.name);
    const std::size_t at = result.out.find("  " + file.name + " ");
    REQUIRE(at != std::string::npos);
    const std::string line = result.out.substr(at, result.out.find('\n', at) - at);
    CHECK(line.find("(broken: line 2: ") != std::string::npos);
    CHECK(line.find(file.message) != std::string::npos);
  }
  // The shipped presets are all still there, after and before the broken ones.
  for (const char* shipped : {"glass-harmonica", "first-light", "the-performance", "applause"})
    CHECK(result.out.find(std::string("  ") + shipped + " ") != std::string::npos);
}

// ---- lengths ----

TEST_CASE(
    "length limit: a tiny MIDI file with a far-future event is refused at once, in little memory") {
  ScratchFolder folder;
  // 40 bytes: the slowest tempo (16.8 s per quarter) and the longest delta time, 142 years out.
  const auto far = oneNoteFile(0x0FFFFFFF, 0xFFFFFF);
  CHECK(far.size() < 48);
  reverie::test::writeBytes(folder / "far.mid", far);
  // 30 hours out: 216,000 ticks of 0.5 s.
  reverie::test::writeBytes(folder / "day-and-more.mid", oneNoteFile(216000));
  for (const std::string name : {"far.mid", "day-and-more.mid"}) {
    CAPTURE(name);
    const reverie::test::MeasuredRun run =
        runMeasured({"render", name, "-o", "out.wav", "-q"}, folder.path());
    MESSAGE(name << ": peak " << run.peakKilobytes << " KB: " << run.err);
    CHECK(run.exitCode == 2);
    CHECK(isOneLine(run.err));
    CHECK(run.err.find("MIDI file '" + name + "' lasts ") != std::string::npos);
    CHECK(run.err.find("limit of 86400 s") != std::string::npos);
    CHECK(run.err.find("--max-length") != std::string::npos);
    CHECK(run.peakKilobytes < kSmallPeakKilobytes);
    CHECK(countFiles(folder.path()) == 2);
  }
  // The ten-hour file of the report is under a day; a lower limit refuses it just as cheaply.
  reverie::test::writeBytes(folder / "ten-hours.mid", oneNoteFile(72000));
  const reverie::test::MeasuredRun run = runMeasured(
      {"render", "ten-hours.mid", "--max-length", "3600", "-o", "out.wav", "-q"}, folder.path());
  MESSAGE("ten-hours.mid: peak " << run.peakKilobytes << " KB: " << run.err);
  CHECK(run.exitCode == 2);
  CHECK(run.err.find("lasts 36000 s (10.0 hours), longer than the limit of 3600 s") !=
        std::string::npos);
  CHECK(run.peakKilobytes < kSmallPeakKilobytes);
}

TEST_CASE(
    "length limit: an arc of 100 scenes of 10,000 bars is refused at once, in little memory") {
  ScratchFolder folder;
  std::string arc = "format_version = 1\npatch = \"first-light\"\n[music]\ntempo = 120\n";
  for (int i = 0; i < 100; ++i)
    arc += "[[scene]]\nname = \"s" + std::to_string(i) + "\"\nbars = 10000\n";
  writeText(folder / "endless.toml", arc);
  const reverie::test::MeasuredRun run =
      runMeasured({"render", "endless.toml", "-o", "out.wav", "-q"}, folder.path());
  MESSAGE("peak " << run.peakKilobytes << " KB: " << run.err);
  CHECK(run.exitCode == 2);
  CHECK(isOneLine(run.err));
  // 1,000,000 bars of 4/4 at 120 bpm: 2,000,000 s.
  CHECK(run.err.find("arc 'endless.toml' lasts 2000000 s") != std::string::npos);
  CHECK(run.err.find("--max-length") != std::string::npos);
  CHECK(run.peakKilobytes < kSmallPeakKilobytes);
  CHECK(countFiles(folder.path()) == 1);
}

TEST_CASE("length limit: --max-length moves the limit both ways, for files and for --length") {
  ScratchFolder folder;
  // A note at 2 s (4 ticks of 0.5 s): the file lasts 2 s.
  reverie::test::writeBytes(folder / "two.mid", oneNoteFile(4));
  const auto refused =
      runReverie("render two.mid --max-length 1 --tail 0.5 -r 22050 -o out.wav -q", folder.path());
  CHECK(refused.exitCode == 2);
  CHECK(refused.err.find("MIDI file 'two.mid' lasts 2 s, longer than the limit of 1 s") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(folder / "out.wav"));
  const auto allowed =
      runReverie("render two.mid --max-length 3 --tail 0.5 -r 22050 -o out.wav -q", folder.path());
  CHECK(allowed.exitCode == 0);
  CHECK(reverie::test::openSoundFile(folder / "out.wav").frames == 22050 * 5 / 2);

  // The length and tail asked for on the command line count against the same limit.
  const auto tooLong =
      runReverie("render first-light --length 2 --tail 0 --max-length 1 -r 22050 -o long.wav -q",
                 folder.path());
  CHECK(tooLong.exitCode == 2);
  CHECK(isOneLine(tooLong.err));
  CHECK(tooLong.err.find("length 2.0 s plus tail 0.0 s make a render of 2 s") != std::string::npos);
  CHECK(tooLong.err.find("--max-length") != std::string::npos);
  CHECK_FALSE(fs::exists(folder / "long.wav"));
  const auto shortEnough = runReverie(
      "render first-light --length 0.5 --tail 0.5 --max-length 1 -r 22050 -o short.wav -q",
      folder.path());
  CHECK(shortEnough.exitCode == 0);
  CHECK(reverie::test::openSoundFile(folder / "short.wav").frames == 22050);
  // By default a day: --length is no longer capped at ten hours by its own range.
  const auto overADay =
      runReverie("render first-light --length 90000 -o day.wav -q", folder.path());
  CHECK(overADay.exitCode == 2);
  CHECK(overADay.err.find(
            "make a render of 90004 s (25.0 hours), longer than the limit of 86400 s") !=
        std::string::npos);
}

TEST_CASE("length limit: a score's times and ramps are bounded in the preset itself") {
  const std::string patch =
      "format_version = 1\n[[node]]\nname = \"tone\"\ntype = \"synth\"\n"
      "[[node]]\nname = \"out\"\ntype = \"output\"\n"
      "[[connect]]\nfrom = \"tone.left\"\nto = \"out.left\"\n";
  std::string what;
  // A ramp is one event per 5 ms: 1e7 s would have been two billion events.
  auto diagnostics = reverie::test::diagnosticsOf(
      [&] {
        reverie::parsePatch(patch +
                                "[[score]]\nat = 0\nnode = \"tone\"\nparam = \"cutoff\"\n"
                                "value = 500.0\nramp = 1e7\n",
                            "ramp.toml");
      },
      &what);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].line == 16);
  CHECK(what.find("'ramp' = 1e+07 s is out of range (0 to 3600 s)") != std::string::npos);
  diagnostics = reverie::test::diagnosticsOf(
      [&] {
        reverie::parsePatch(
            patch + "[[score]]\nat = 1e300\nnode = \"tone\"\nnote = 60\nlength = 1e300\n",
            "far.toml");
      },
      &what);
  CHECK(diagnostics.size() == 2);
  CHECK(what.find("'at' = 1e+300 s is out of range (0 to 86400 s, a day)") != std::string::npos);
  CHECK(what.find("note 'length' = 1e+300 s is out of range") != std::string::npos);
}

// ---- the composer's 64 sections ----

TEST_CASE("arc limits: a patch with more than 64 playing nodes is reported at the patch line") {
  ScratchFolder folder;
  std::string patch = "format_version = 1\n";
  for (int i = 0; i < 65; ++i)
    patch += "[[node]]\nname = \"s" + std::to_string(i) + "\"\ntype = \"synth\"\n";
  patch += "[[node]]\nname = \"out\"\ntype = \"output\"\n";
  writeText(folder / "crowd.toml", patch);
  const fs::path arc = folder / "arc.toml";
  writeText(arc,
            "format_version = 1\npatch = \"./crowd.toml\"\n[music]\ntempo = 100\n"
            "[[scene]]\nname = \"one\"\nbars = 1\n");
  const auto diagnostics = reverie::test::diagnosticsOf([&] { reverie::loadArc(arc); });
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].file == arc.string());
  CHECK(diagnostics[0].line == 2);
  CHECK(diagnostics[0].column == 9);
  CHECK(diagnostics[0].message.find("has 65 nodes that play") != std::string::npos);
  CHECK(diagnostics[0].message.find("at most 64") != std::string::npos);
  // The command prints it the same way.
  const auto result = runReverie("render arc.toml -o out.wav -q", folder.path());
  CHECK(result.exitCode == 2);
  CHECK(result.err.rfind("arc.toml:2:9: error: patch './crowd.toml' has 65 nodes", 0) == 0);
}
