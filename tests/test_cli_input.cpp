// The command's input as a careless user or a hostile file gives it: every numeric option at NaN,
// infinities and extremes, FIFOs, devices and folders as input files, signals mid-render, and
// inputs too large for memory. Each ends in one line and the exit status a shell expects.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <thread>

#include "reverie/errors.hpp"
#include "reverie/offline_clock.hpp"
#include "support/command.hpp"
#include "support/reverie_process.hpp"
#include "support/sample_statistics.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"

namespace {

namespace fs = std::filesystem;
using reverie::test::countFiles;
using reverie::test::Ending;
using reverie::test::readText;
using reverie::test::ReverieProcess;
using reverie::test::runReverie;
using reverie::test::ScratchFolder;

using reverie::test::kSanitized;

/// One line ending in a newline, the whole of stderr.
bool isOneLine(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A numeric option as `COMMAND --help` shows it: "--tail FLOAT:FLOAT in [0 - 600]".
struct NumericOption {
  std::string command, name, type, minimum, maximum;
};

/// Every numeric option of every command, read from the help the command itself prints, so an
/// option added later is tried too. An option shown without a range is returned with an empty
/// range, and the test fails on it.
std::vector<NumericOption> numericOptions(const fs::path& folder) {
  const std::string top = runReverie("--help", folder).out;
  std::vector<std::string> commands;
  const std::size_t listed = top.find("Subcommands:");
  REQUIRE(listed != std::string::npos);
  std::istringstream lines(top.substr(listed));
  for (std::string line; std::getline(lines, line);) {
    // "  render   Render an arc...": two spaces, a lower-case name, more space.
    std::size_t end = 2;
    while (end < line.size() && std::islower(static_cast<unsigned char>(line[end]))) ++end;
    if (line.rfind("  ", 0) == 0 && end > 2 && end < line.size() &&
        std::isspace(static_cast<unsigned char>(line[end])))
      commands.push_back(line.substr(2, end - 2));
  }
  std::vector<NumericOption> options;
  for (const std::string& command : commands) {
    const std::string help = runReverie(command + " --help", folder).out;
    std::istringstream helpLines(help);
    for (std::string line; std::getline(helpLines, line);) {
      // "  -r,--rate FLOAT:... in [22050 - 192000]": the long name, then its number type.
      std::istringstream words(line);
      std::string names, type;
      if (!(words >> names >> type)) continue;
      const std::size_t dashes = names.find("--");
      if (dashes == std::string::npos) continue;
      type = type.substr(0, type.find(':'));
      if (type != "FLOAT" && type != "INT" && type != "UINT") continue;
      NumericOption option{command, names.substr(dashes), type, "", ""};
      const std::size_t open = line.find("in [");
      const std::size_t between = line.find(" - ", open);
      const std::size_t close = line.find(']', between);
      if (open != std::string::npos && between != std::string::npos && close != std::string::npos) {
        option.minimum = line.substr(open + 4, between - open - 4);
        const std::string maximum = line.substr(between + 3, close - between - 3);
        option.maximum = maximum == "2^64-1" ? "18446744073709551615" : maximum;
      }
      options.push_back(option);
    }
  }
  return options;
}

/// A small MIDI file: a few notes on channels 1 and 2.
void writeMidiFile(const fs::path& path) {
  using reverie::test::TrackWriter;
  TrackWriter track;
  track.event(0, {0x90, 60, 100}).event(240, {0x80, 60, 0}).event(0, {0x91, 64, 90});
  track.event(240, {0x81, 64, 0}).end();
  reverie::test::writeBytes(path, reverie::test::smfFile(0, 480, {track}));
}

/// The rendered file holds audio, every sample finite and none above full scale.
void checkSafeRender(const fs::path& file) {
  const reverie::test::FileFacts facts = reverie::test::openSoundFile(file);
  CHECK(facts.frames > 0);
  CHECK(reverie::test::allFinite(facts.samples));
  const float peak = reverie::test::peakAbs(facts.samples);
  CAPTURE(peak);
  CHECK(peak <= 1.0f);
  CHECK(peak > 0.0f);  // sound, not the silence NaN used to make
}

}  // namespace

TEST_CASE("cli input: every numeric option of every command refuses NaN, infinities and extremes") {
  ScratchFolder folder;
  const std::vector<NumericOption> options = numericOptions(folder.path());
  std::set<std::string> names;
  for (const NumericOption& o : options) names.insert(o.command + " " + o.name);
  MESSAGE(options.size() << " numeric options found in the commands' help");
  // The help was read right: the options this test was written against are among them.
  for (const char* known :
       {"render --rate", "render --seed", "render --length", "render --tail",
        "render --target-lufs", "render --true-peak", "play --rate", "play --buffer", "play --seed",
        "play --seconds", "play --tension-cc", "play --next-note", "play --next-cc"})
    CHECK_MESSAGE(names.count(known) == 1, known);

  int refused = 0, rendered = 0;
  for (const NumericOption& option : options) {
    CAPTURE(option.command);
    CAPTURE(option.name);
    CHECK_MESSAGE(!option.minimum.empty(), "a numeric option must show its range in --help");
    for (const std::string value : {"NaN", "nan", "inf", "-inf", "1e308", "-1e308", ""}) {
      CAPTURE(value);
      const auto result =
          runReverie(option.command + " " + option.name + " '" + value + "'", folder.path());
      CHECK(result.exitCode == 2);
      if (option.command == "render" && option.name == "--length" && value == "inf") {
        // An endless stream: refused for a file, with the way to stream it.
        CHECK(contains(result.err, "--length inf streams to standard output only"));
        CHECK(countFiles(folder.path()) == 0);
        continue;
      }
      CHECK(isOneLine(result.err));
      CHECK(contains(result.err, option.name));
      CHECK(contains(result.err, "not '" + value + "'"));
      CHECK(contains(result.err, "from " + option.minimum + " to "));  // the valid range
      CHECK(countFiles(folder.path()) == 0);
      ++refused;
    }
    if (option.command != "render") continue;  // play needs a sound card; its bounds parse above
    // The ends of the range are accepted, and render safely. Durations are capped so the test
    // stays quick (the 10-hour --length is a memory question, not an option check).
    const bool duration = option.name == "--length" || option.name == "--tail";
    for (std::string value : {option.minimum, option.maximum}) {
      if (duration && std::stod(value) > 2.0) value = "2";
      std::string args = "render first-light -q -b 32f -o edge.wav " + option.name + " " + value;
      if (option.name != "--length") args += " --length 0.5";
      if (option.name != "--tail") args += " --tail 0.25";
      if (option.name == "--true-peak") args += " --target-lufs 0";  // loudest, then this ceiling
      if (option.name == "--target-lufs") args += " --true-peak 0";  // the loosest ceiling
      CAPTURE(args);
      const auto result = runReverie(args, folder.path());
      REQUIRE(result.exitCode == 0);
      checkSafeRender(folder / "edge.wav");
      fs::remove(folder / "edge.wav");
      ++rendered;
    }
  }
  // Every option at its most dangerous at once: the loudest target, no headroom, the lowest rate.
  const auto loudest = runReverie(
      "render first-light -q -b 32f -o loud.wav --length 2 --tail 0.5 -r 22050 --target-lufs 0 "
      "--true-peak 0 --seed 18446744073709551615",
      folder.path());
  REQUIRE(loudest.exitCode == 0);
  checkSafeRender(folder / "loud.wav");
  MESSAGE(refused << " bad values refused with one line naming the option and its range; "
                  << rendered + 1
                  << " renders at the ends of the ranges, all finite, none over 0 dBFS");
}

TEST_CASE("cli input: velocity curves, which carry numbers in text, refuse NaN and infinities") {
  ScratchFolder folder;
  writeMidiFile(folder / "song.mid");
  for (const std::string command : {"render song.mid -q -o out.wav", "play"}) {
    for (const std::string value :
         {"nan", "fixed=nan", "inf", "fixed=inf", "-inf", "fixed=-inf", "1e308", "fixed=1e308"}) {
      CAPTURE(command);
      CAPTURE(value);
      const auto result = runReverie(command + " --velocity-curve '" + value + "'", folder.path());
      CHECK(result.exitCode == 2);
      CHECK(isOneLine(result.err));
      CHECK(contains(result.err, "velocity curve"));
      CHECK(countFiles(folder.path()) == 1);  // only the MIDI file
    }
  }
}

TEST_CASE("cli input: seconds become frames only when finite and sane, in the library too") {
  using reverie::framesForSeconds;
  using reverie::InputError;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(framesForSeconds(1.0, 48000.0) == 48000);
  CHECK(framesForSeconds(0.0, 48000.0) == 0);
  CHECK(framesForSeconds(0.5 / 48000.0 * 3.0, 48000.0) == 2);  // 1.5 frames rounds to 2
  for (double seconds : {nan, inf, -inf, -1.0, 1e308, -1e308, 1e15})
    CHECK_THROWS_AS(framesForSeconds(seconds, 48000.0), InputError);
  for (double rate : {nan, inf, 0.0, -48000.0})
    CHECK_THROWS_AS(framesForSeconds(1.0, rate), InputError);
}

TEST_CASE("cli input: -o \"\", --seed -1 and a repeated --channel are one-line errors") {
  ScratchFolder folder;
  writeMidiFile(folder / "song.mid");
  const auto empty = runReverie("render first-light --length 0.5 -q -o ''", folder.path());
  CHECK(empty.exitCode == 2);
  CHECK(isOneLine(empty.err));
  CHECK(contains(empty.err, "--output: is empty"));
  CHECK(countFiles(folder.path()) == 1);  // no first-light.wav in the current folder

  for (const std::string seed : {"-1", "-18446744073709551615", "18446744073709551616", "1.5"}) {
    CAPTURE(seed);
    const auto result =
        runReverie("render first-light --length 0.5 -q -o s.wav --seed " + seed, folder.path());
    CHECK(result.exitCode == 2);
    CHECK(isOneLine(result.err));
    CHECK(contains(result.err, "seed must be a whole number from 0 to 2^64-1"));
    CHECK_FALSE(fs::exists(folder / "s.wav"));
  }

  const auto twice =
      runReverie("render song.mid -q -o c.wav --channel 1=glass-harmonica --channel 01=timpani",
                 folder.path());
  CHECK(twice.exitCode == 2);
  CHECK(isOneLine(twice.err));
  CHECK(contains(twice.err, "--channel 1=glass-harmonica and --channel 01=timpani"));
  CHECK(contains(twice.err, "channel 1"));
  CHECK_FALSE(fs::exists(folder / "c.wav"));
  // Different channels are still fine.
  const auto two = runReverie(
      "render song.mid -q -o c.wav --channel 1=glass-harmonica --channel 2=timpani", folder.path());
  CHECK(two.exitCode == 0);
  CHECK(fs::exists(folder / "c.wav"));
}

TEST_CASE("cli input: a FIFO, a device or a folder as input is refused at once, never waited on") {
  ScratchFolder folder, logs;
  const fs::path err = logs / "err";
  REQUIRE(mkfifo((folder / "f.mid").c_str(), 0644) == 0);
  REQUIRE(mkfifo((folder / "p.toml").c_str(), 0644) == 0);
  REQUIRE(mkfifo((folder / "song").c_str(), 0644) == 0);
  fs::create_directory(folder / "d.mid");
  fs::create_directory(folder / "d.toml");
  fs::create_directory(folder / "somewhere");
  // An arc whose patch is the FIFO.
  std::string arc = readText(fs::path(REVERIE_SOURCE_DIR) / "presets/arcs/clockwork.toml");
  const std::size_t patch = arc.find("\npatch = \"");
  REQUIRE(patch != std::string::npos);
  const std::size_t lineEnd = arc.find('\n', patch + 1);
  arc.replace(patch + 1, lineEnd - patch - 1, "patch = \"p.toml\"");
  std::ofstream(folder / "fifo-arc.toml") << arc;
  const std::size_t before = countFiles(folder.path());

  const struct {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{"render", "f.mid", "-q", "-o", "out.wav"},
       "f.mid: cannot open the MIDI file: it is a FIFO, not a regular file"},
      {{"render", "p.toml", "-q", "-o", "out.wav"},
       "p.toml: error: cannot open preset: it is a FIFO, not a regular file"},
      {{"render", "song", "-q", "-o", "out.wav"},
       "cannot open preset: it is a FIFO, not a regular file"},
      {{"render", "/dev/null", "-q", "-o", "out.wav"},
       "it is a character device, not a regular file"},
      {{"render", "/dev/zero", "-q", "-o", "out.wav"},
       "it is a character device, not a regular file"},
      {{"render", "d.mid", "-q", "-o", "out.wav"},
       "d.mid: cannot open the MIDI file: it is a folder"},
      {{"render", "d.toml", "-q", "-o", "out.wav"}, "cannot open preset: it is a folder"},
      {{"render", "somewhere", "-q", "-o", "out.wav"}, "cannot open preset: it is a folder"},
      {{"render", "fifo-arc.toml", "-q", "-o", "out.wav"}, "cannot open preset: it is a FIFO"},
      {{"render", "f.mid", "--preset", "p.toml", "-q", "-o", "out.wav"}, "it is a FIFO"},
      {{"play", "p.toml"}, "cannot open preset: it is a FIFO, not a regular file"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args[1]);
    ReverieProcess reverie(c.args, folder.path(), err);
    const Ending ending = reverie.finish(10.0);
    const std::string said = readText(err);
    CAPTURE(said);
    CHECK(ending.exited);  // not hung in open()
    CHECK(ending.code == 2);
    CHECK(isOneLine(said));
    CHECK(contains(said, c.says));
    CHECK(countFiles(folder.path()) == before);
  }
  // A FIFO on the search path is passed over by `reverie presets`, which lists the rest.
  ReverieProcess presets({"presets"}, folder.path(), err, folder.path().string());
  const Ending listed = presets.finish(10.0);
  CHECK(listed.exited);
  CHECK(listed.code == 0);
}

TEST_CASE("cli input: SIGINT, SIGTERM and SIGHUP stop a busy render at once with 130, 143, 129") {
  ScratchFolder folder, logs;
  const fs::path err = logs / "err";
  const struct {
    int signal;
    int code;
  } signals[] = {{SIGINT, 130}, {SIGTERM, 143}, {SIGHUP, 129}};
  for (const auto& s : signals) {
    CAPTURE(s.signal);
    std::ofstream(folder / "take.wav") << "the old take";
    ReverieProcess reverie({"render", "the-performance", "--length", "240", "-q", "-o", "take.wav"},
                           folder.path(), err);
    REQUIRE(reverie.sendOnceCaught(s.signal, 500));  // well into the render loop
    const Ending ending = reverie.finish(10.0);
    const std::string said = readText(err);
    CAPTURE(said);
    MESSAGE("signal " << s.signal << ": exit " << ending.code << " after " << ending.seconds
                      << " s");
    CHECK(ending.exited);  // a clean exit, not death by the signal
    CHECK(ending.code == s.code);
    CHECK(ending.seconds < 1.0);
    CHECK(isOneLine(said));
    CHECK(contains(said, "interrupted"));
    CHECK(countFiles(folder.path()) == 1);  // no temporary beside the target
    CHECK(readText(folder / "take.wav") == "the old take");
  }
}

TEST_CASE("cli input: a SIGINT sent twice at once is one Ctrl-C; a second press later kills") {
  ScratchFolder folder, logs;
  const fs::path err = logs / "err";
  // A FLAC stream whose reader does not read: after a stop request it ends a second later (see
  // the next test), so the second signal finds it still running.
  const auto stalledStream = [&](int secondAfterMs) {
    int pipeEnds[2];
    REQUIRE(pipe(pipeEnds) == 0);
    ReverieProcess reverie(
        {"render", "the-performance", "--length", "240", "-o", "-", "-t", "flac"}, folder.path(),
        err, "", 0, pipeEnds[1]);
    close(pipeEnds[1]);
    REQUIRE(reverie.sendOnceCaught(SIGINT, 500));  // the pipe is full by now
    std::this_thread::sleep_for(std::chrono::milliseconds(secondAfterMs));
    reverie.send(SIGINT);
    const Ending ending = reverie.finish(10.0);
    close(pipeEnds[0]);
    MESSAGE("second SIGINT " << secondAfterMs << " ms after the first: exit " << ending.code
                             << ", signal " << ending.signal << " after " << ending.seconds
                             << " s");
    return ending;
  };
  // `timeout -s INT` signals the process and then its group: the same request twice, a moment
  // apart. It is one Ctrl-C: the stream ends as after one, with 130 and its line.
  const Ending once = stalledStream(50);
  const std::string said = readText(err);
  CAPTURE(said);
  CHECK(once.exited);
  CHECK(once.code == 130);
  CHECK(isOneLine(said));
  CHECK(contains(said, "stopped after streaming"));
  // A person who presses Ctrl-C again after a moment means it: the default action, at once.
  const Ending twice = stalledStream(400);
  CHECK_FALSE(twice.exited);
  CHECK(twice.signal == SIGINT);
  CHECK(twice.seconds < 0.5);
}

TEST_CASE("cli input: SIGINT stops a stream whose reader has stopped reading, with 130") {
  // `reverie render ... -o - | program` where the program no longer reads: the pipe fills and
  // the write blocks. Ctrl-C must still end it: WAV and raw at once (the write is interrupted,
  // and the stream's ending does not wait for the reader either); FLAC and Ogg, which libsndfile
  // writes itself, a second later (standard output is then pointed at /dev/null).
  ScratchFolder folder, logs;
  const fs::path err = logs / "err";
  for (const char* type : {"wav", "raw", "flac", "ogg"}) {
    CAPTURE(type);
    int ends[2];
    REQUIRE(pipe(ends) == 0);
    ReverieProcess reverie(
        {"render", "glass-harmonica", "--length", "600", "-q", "-o", "-", "-t", type},
        folder.path(), err, "", 0, ends[1]);
    close(ends[1]);
    // Nobody reads ends[0]: 64 KiB fill the pipe within a few blocks.
    REQUIRE(reverie.sendOnceCaught(SIGINT, 700));
    const Ending ending = reverie.finish(10.0);
    close(ends[0]);
    const std::string said = readText(err);
    CAPTURE(said);
    MESSAGE(std::string(type) << ": exit " << ending.code << " after " << ending.seconds
                              << " s: " << said);
    CHECK(ending.exited);
    CHECK(ending.code == 130);
    const bool ownWrites = std::string(type) == "wav" || std::string(type) == "raw";
    CHECK(ending.seconds < (ownWrites ? 1.0 : 2.5));
    CHECK(isOneLine(said));
    CHECK(contains(said, "stopped"));
  }
}

TEST_CASE("cli input: a signal at any moment of render, normalisation or writing leaves no trace") {
  // The moments are spread over a render with loudness normalisation; each run either ends 130
  // with the old file untouched, or (if the signal came after the new file was in place) 130
  // saying so, or 0, with a whole new file.
  ScratchFolder folder, logs;
  const fs::path err = logs / "err";
  int interrupted = 0;
  for (int delayMs : {300, 600, 900, 1300, 1800}) {
    CAPTURE(delayMs);
    std::ofstream(folder / "take.wav") << "the old take";
    ReverieProcess reverie({"render", "glass-harmonica", "--length", "90", "--target-lufs", "-16",
                            "-q", "-b", "32f", "-o", "take.wav"},
                           folder.path(), err);
    REQUIRE(reverie.sendOnceCaught(SIGINT, delayMs));
    const Ending ending = reverie.finish(10.0);
    const std::string said = readText(err);
    CAPTURE(said);
    CHECK(ending.exited);
    CHECK(countFiles(folder.path()) == 1);
    if (ending.code == 130 && contains(said, "interrupted after")) {
      // The signal came after the new file was in place: the exit says so, and the file is whole.
      MESSAGE("after " << delayMs << " ms, too late to stop: " << said);
      CHECK(isOneLine(said));
      checkSafeRender(folder / "take.wav");
    } else if (ending.code == 130) {
      ++interrupted;
      MESSAGE("after " << delayMs << " ms: " << said);
      CHECK(ending.seconds < 1.0);
      CHECK(isOneLine(said));
      CHECK(readText(folder / "take.wav") == "the old take");
    } else {
      CHECK(ending.code == 0);
      checkSafeRender(folder / "take.wav");
    }
  }
  MESSAGE(interrupted << " of 5 runs interrupted (130), the rest had finished (0)");
  CHECK(interrupted > 0);
}

TEST_CASE("cli input: a render too large for a WAV file is refused at once; memory is no limit") {
  if (kSanitized) return;  // the sanitizers' shadow memory needs more address space than the cap
  ScratchFolder folder, logs;
  const fs::path err = logs / "err";
  // 42 bytes: one note ten hours out. Held in memory the render needed 13.8 GB; it streams now,
  // but ten hours of 24-bit WAV (10.4 GB) pass the 4 GiB a RIFF file can count.
  using reverie::test::TrackWriter;
  TrackWriter track;
  track.event(0, {0x90, 60, 100}).event(34'560'000, {0x80, 60, 0}).end();
  reverie::test::writeBytes(folder / "far.mid", reverie::test::smfFile(0, 480, {track}));
  {
    ReverieProcess reverie({"render", "far.mid", "-q", "-o", "out.wav"}, folder.path(), err, "",
                           rlim_t{1} << 30);
    const Ending ending = reverie.finish(60.0);
    const std::string said = readText(err);
    CAPTURE(said);
    CHECK(ending.exited);
    CHECK(ending.code == 2);
    CHECK(isOneLine(said));
    CHECK(contains(said, "more than the 4 GiB a WAV file can hold"));
    CHECK(contains(said, ".flac"));
    CHECK(countFiles(folder.path()) == 1);
  }
  // Part of it renders in a 1 GB address space: memory no longer grows with the length.
  ReverieProcess reverie(
      {"render", "far.mid", "--length", "20", "--tail", "0", "-q", "-o", "part.wav"}, folder.path(),
      err, "", rlim_t{1} << 30);
  const Ending ending = reverie.finish(60.0);
  CHECK(ending.exited);
  CHECK(ending.code == 0);
  CHECK(fs::exists(folder / "part.wav"));
}
