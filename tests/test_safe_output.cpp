// Every file `reverie render` writes (sound, labels, curves, plot) goes through one safe writer:
// never over an input, another output, a device, FIFO, socket or folder; through symlinks;
// nothing left behind even when the process is killed.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "io/atomic_file.hpp"
#include "reverie/errors.hpp"
#include "support/command.hpp"
#include "support/reverie_process.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"

namespace reverie {
namespace {

namespace fs = std::filesystem;
using test::countFiles;
using test::readText;
using test::runReverie;
using test::ScratchFolder;

/// A short arc render: clockwork for 2 s, no tail, quiet.
const std::string kShortArc = "render myarc.toml --length 2 --tail 0 -q ";

/// Names in a folder (hidden ones too), sorted and joined, to show exactly what a command left.
std::string listing(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.insert(entry.path().filename());
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

/// The shipped clockwork arc copied into `folder` as myarc.toml (its patch is found by name).
void copyArc(const fs::path& folder) {
  fs::copy_file(fs::path(REVERIE_SOURCE_DIR) / "presets" / "arcs" / "clockwork.toml",
                folder / "myarc.toml");
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// Exit 2 and exactly one "reverie: error: ..." line that names `path`.
void checkRefused(const test::CommandResult& result, const std::string& path) {
  CAPTURE(result.err);
  CHECK(result.exitCode == 2);
  CHECK(result.err.rfind("reverie: error: ", 0) == 0);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  CHECK(result.err.find("'" + path + "'") != std::string::npos);
}

/// A character device in `folder` that behaves like /dev/null. Made with mknod when we may (as
/// root), so a bug could never replace the real /dev/null; otherwise a link to /dev/null, which
/// an ordinary user cannot replace anyway.
fs::path nullDevice(const fs::path& folder) {
  const fs::path device = folder / "null-device";
  if (::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    fs::create_symlink("/dev/null", device);
  }
  return device;
}

bool isCharacterDevice(const fs::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISCHR(info.st_mode);
}

}  // namespace

TEST_CASE("safe output: two outputs that are one file are refused before rendering") {
  ScratchFolder folder;
  copyArc(folder.path());
  writeText(folder / "t.wav", "the finished take");
  fs::create_symlink("t.wav", folder / "alias.wav");
  const std::string before = listing(folder.path());
  struct Case {
    std::string options, named;
  };
  // By string, through a symlink, and by another spelling of the label file's path.
  for (const Case& c :
       {Case{"-o t.wav --plot t.wav", "t.wav"}, Case{"-o t.wav --plot alias.wav", "alias.wav"},
        Case{"-o take.wav --export-curves ./take.labels.txt", "./take.labels.txt"},
        Case{"-o take.wav --export-curves c.csv --plot c.csv", "c.csv"}}) {
    CAPTURE(c.options);
    const auto result = runReverie(kShortArc + c.options, folder.path());
    checkRefused(result, c.named);
    CHECK(result.err.find("is the same file as") != std::string::npos);
    CHECK(readText(folder / "t.wav") == "the finished take");
    CHECK(listing(folder.path()) == before);
  }
}

TEST_CASE("safe output: no output may replace the command's input, by any name") {
  ScratchFolder folder;
  copyArc(folder.path());
  const std::string arc = readText(folder / "myarc.toml");
  fs::create_hard_link(folder / "myarc.toml", folder / "same-inode.csv");
  fs::create_directory(folder / "sub");
  const std::string before = listing(folder.path());
  for (const std::string options : {"--export-curves myarc.toml", "--plot ./sub/../myarc.toml",
                                    "-o myarc.toml", "--export-curves same-inode.csv"}) {
    CAPTURE(options);
    const auto result = runReverie(kShortArc + options, folder.path());
    CAPTURE(result.err);
    CHECK(result.exitCode == 2);
    CHECK(result.err.find("is the input file") != std::string::npos);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK(readText(folder / "myarc.toml") == arc);  // byte for byte
    CHECK(listing(folder.path()) == before);
  }
  // A patch render, and the label file of an output named after the input.
  fs::copy_file(fs::path(REVERIE_SOURCE_DIR) / "presets" / "patches" / "first-light.toml",
                folder / "mine.toml");
  const std::string patch = readText(folder / "mine.toml");
  const auto result = runReverie("render mine.toml --length 0.5 -q -o mine.toml", folder.path());
  checkRefused(result, "mine.toml");
  CHECK(readText(folder / "mine.toml") == patch);
  // A MIDI file and the presets that play it are inputs too.
  test::TrackWriter track;
  track.event(0, {0x90, 60, 100}).event(480, {0x80, 60, 0}).end();
  const test::Bytes midi = test::smfFile(0, 480, {track});
  test::writeBytes(folder / "song.mid", midi);
  fs::copy_file(folder / "mine.toml", folder / "midi-channel.toml");
  for (const std::string options : {"-o song.mid", "--preset mine.toml -o mine.toml",
                                    "--channel 10=midi-channel.toml -o ./midi-channel.toml"}) {
    CAPTURE(options);
    const auto played = runReverie("render song.mid -q " + options, folder.path());
    CAPTURE(played.err);
    CHECK(played.exitCode == 2);
    CHECK(played.err.find("is the input file") != std::string::npos);
  }
  CHECK(readText(folder / "song.mid") == std::string(midi.begin(), midi.end()));
  CHECK(readText(folder / "mine.toml") == patch);
  CHECK(readText(folder / "midi-channel.toml") == patch);
  fs::rename(folder / "myarc.toml", folder / "x.labels.txt");
  const auto labels =
      runReverie("render x.labels.txt --length 2 --tail 0 -q -o x.wav", folder.path());
  checkRefused(labels, "x.labels.txt");
  CHECK(labels.err.find("the label file 'x.labels.txt' is the input file") != std::string::npos);
  CHECK(readText(folder / "x.labels.txt") == arc);
}

TEST_CASE("safe output: no output replaces a device, FIFO, socket, folder or /proc link") {
  ScratchFolder folder;
  copyArc(folder.path());
  const fs::path device = nullDevice(folder.path());
  REQUIRE(isCharacterDevice(device));
  REQUIRE(::mkfifo((folder / "pipe.fifo").c_str(), 0666) == 0);
  fs::create_directory(folder / "folder.d");
  writeText(folder / "folder.d" / "inside", "keep");
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socketPath = (folder / "socket").string();
  REQUIRE(socketPath.size() < sizeof address.sun_path);
  socketPath.copy(address.sun_path, socketPath.size());
  REQUIRE(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  fs::create_symlink(device.filename(), folder / "to-device");
  fs::create_symlink("/proc/self/fd/1", folder / "to-stdout");

  // Each kind of target under each output's name (the label file is take.labels.txt).
  for (const std::string thing :
       {"null-device", "pipe.fifo", "socket", "folder.d", "to-device", "to-stdout"}) {
    for (const std::string role : {"-o", "labels", "--export-curves", "--plot"}) {
      const std::string name = role == "-o"                ? "take.wav"
                               : role == "labels"          ? "take.labels.txt"
                               : role == "--export-curves" ? "curves.csv"
                                                           : "plot.svg";
      CAPTURE(thing);
      CAPTURE(role);
      fs::create_symlink(thing, folder / name);  // the output's name leads to the thing
      const std::string before = listing(folder.path());
      const std::string options =
          role == "-o" || role == "labels" ? "-o take.wav" : "-o other.wav " + role + " " + name;
      const auto result = runReverie(kShortArc + options, folder.path());
      checkRefused(result, role == "labels" ? "take.labels.txt" : name);
      CHECK(listing(folder.path()) == before);  // no output, no temporary, nothing replaced
      CHECK(fs::is_symlink(fs::symlink_status(folder / name)));
      fs::remove(folder / name);
    }
  }
  // Named directly, too, and the things are still what they were.
  for (const std::string thing : {"null-device", "pipe.fifo", "socket", "folder.d"}) {
    CAPTURE(thing);
    const auto result = runReverie(kShortArc + "-o other.wav --plot " + thing, folder.path());
    checkRefused(result, thing);
    const auto asOutput = runReverie(kShortArc + "-o " + thing, folder.path());
    checkRefused(asOutput, thing);
  }
  CHECK(isCharacterDevice(device));
  CHECK(fs::is_fifo(folder / "pipe.fifo"));
  CHECK(fs::is_socket(folder / "socket"));
  ::close(listener);
  CHECK(readText(folder / "folder.d" / "inside") == "keep");
  CHECK(fs::read_symlink(folder / "to-stdout") == "/proc/self/fd/1");
  CHECK(isCharacterDevice("/dev/null"));
  CHECK(fs::is_symlink(fs::symlink_status("/dev/stdout")));
}

TEST_CASE("safe output: wrong extensions for the curves and the plot are refused") {
  ScratchFolder folder;
  copyArc(folder.path());
  const auto curves = runReverie(kShortArc + "--export-curves curves.txt", folder.path());
  checkRefused(curves, "curves.txt");
  CHECK(curves.err.find("must end in .csv; name it e.g. 'curves.csv'") != std::string::npos);
  const auto plot = runReverie(kShortArc + "--plot arc.png", folder.path());
  checkRefused(plot, "arc.png");
  CHECK(plot.err.find("must end in .svg") != std::string::npos);
  CHECK(countFiles(folder.path()) == 1);
  // Any case of the right one is fine.
  const auto upper =
      runReverie(kShortArc + "-o a.wav --plot ARC.SVG --export-curves C.CSV", folder.path());
  CAPTURE(upper.err);
  CHECK(upper.exitCode == 0);
  CHECK(readText(folder / "ARC.SVG").find("</svg>") != std::string::npos);
}

TEST_CASE("safe output: every output is written through a symlink, which stays a link") {
  ScratchFolder folder;
  copyArc(folder.path());
  fs::create_directories(folder / "real" / "dir");
  writeText(folder / "real" / "dir" / "song.wav", "an older take");
  fs::create_symlink("real/dir/song.wav", folder / "link.wav");                // over an old file
  fs::create_symlink("real/dir/song.labels.txt", folder / "link.labels.txt");  // dangling
  fs::create_symlink(fs::absolute(folder / "real" / "dir" / "c.csv"), folder / "c.csv");
  fs::create_symlink("real/dir/p.svg", folder / "p.svg");
  const auto linked =
      runReverie(kShortArc + "-o link.wav --export-curves c.csv --plot p.svg", folder.path());
  CAPTURE(linked.err);
  REQUIRE(linked.exitCode == 0);
  const auto plain = runReverie(
      kShortArc + "-o plain.wav --export-curves plain.csv --plot plain.svg", folder.path());
  REQUIRE(plain.exitCode == 0);

  for (const char* link : {"link.wav", "link.labels.txt", "c.csv", "p.svg"}) {
    CAPTURE(link);
    CHECK(fs::is_symlink(fs::symlink_status(folder / link)));
  }
  const fs::path real = folder / "real" / "dir";
  CHECK(fs::read_symlink(folder / "link.wav") == "real/dir/song.wav");
  const test::FileFacts song = test::openSoundFile(real / "song.wav");
  MESSAGE("song.wav through the link: " << song.frames << " frames");
  CHECK(song.frames == 2 * 48000);
  double energy = 0.0;
  for (float x : song.samples) energy += static_cast<double>(x) * x;
  CHECK(energy > 0.0);
  // The same bytes as the same render written without links (renders are deterministic).
  CHECK(readText(real / "song.wav") == readText(folder / "plain.wav"));
  CHECK(readText(real / "song.labels.txt") == readText(folder / "plain.labels.txt"));
  CHECK(readText(real / "c.csv") == readText(folder / "plain.csv"));
  CHECK(readText(real / "p.svg") == readText(folder / "plain.svg"));
  CHECK(listing(real) == "c.csv, p.svg, song.labels.txt, song.wav");
}

namespace {

/// The files `pid` holds open inside `folder` (as /proc shows them), waiting up to 10 s for one.
std::vector<std::string> openFilesIn(pid_t pid, const fs::path& folder) {
  const fs::path fds = "/proc/" + std::to_string(pid) + "/fd";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::string> found;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(fds, error)) {
      const std::string target = fs::read_symlink(entry.path(), error).string();
      if (!error && target.rfind(folder.string() + "/", 0) == 0) found.push_back(target);
    }
    if (!found.empty()) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {};
}

}  // namespace

TEST_CASE("safe output: a render killed by SIGKILL or SIGHUP leaves nothing beside the target") {
  for (const int signal : {SIGKILL, SIGHUP}) {
    CAPTURE(signal);
    ScratchFolder outer;
    const fs::path folder = outer / "out";
    fs::create_directory(folder);
    writeText(folder / "long.wav", "the previous render");
    reverie::test::ReverieProcess child(
        {"render", "the-performance", "--length", "600", "-o", "long.wav"}, folder,
        outer / "log.txt");
    REQUIRE(child.pid() > 0);
    // The render is under way once its temporary file is open in the folder.
    const std::vector<std::string> open = openFilesIn(child.pid(), folder);
    for (const std::string& file : open) MESSAGE("open while rendering: " << file);
    REQUIRE(open.size() == 1);
    CHECK(open[0].find("(deleted)") != std::string::npos);        // O_TMPFILE: no name at all
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // well into the render
    child.send(signal);
    const reverie::test::Ending ending = child.finish(60.0);
    // Killed, or (SIGHUP, once handled) exited 129 as shells expect; never finished.
    const bool killed = ending.signal == signal;
    const bool hungUp = signal == SIGHUP && ending.exited && ending.code == 129;
    CHECK((killed || hungUp));
    MESSAGE((ending.exited ? "exited with " + std::to_string(ending.code)
                           : "died of signal " + std::to_string(ending.signal))
            << "; folder after it: " << listing(folder));
    CHECK(listing(folder) == "long.wav");
    CHECK(readText(folder / "long.wav") == "the previous render");
  }
}

TEST_CASE("safe output: AtomicFile hides unnamed data; the named fallback cleans up") {
  ScratchFolder folder;
  const fs::path target = folder / "notes.txt";
  writeText(target, "old");
  for (const io::TemporaryKind kind : {io::TemporaryKind::kUnnamed, io::TemporaryKind::kNamed}) {
    const bool unnamed = kind == io::TemporaryKind::kUnnamed;
    CAPTURE(unnamed);
    {
      io::AtomicFile file(target, kind);
      CHECK(file.isUnnamed() == unnamed);
      REQUIRE(::write(file.descriptor(), "new", 3) == 3);
      CHECK(readText(file.temporaryPath()) == "new");
      CHECK(countFiles(folder.path()) == (unnamed ? 1u : 2u));  // only the fallback has a name
    }                                                           // destroyed without a commit
    CHECK(readText(target) == "old");
    CHECK(countFiles(folder.path()) == 1);
    io::AtomicFile file(target, kind);
    REQUIRE(::write(file.descriptor(), "new", 3) == 3);
    file.commit();
    CHECK(readText(target) == "new");
    CHECK(countFiles(folder.path()) == 1);
    writeText(target, "old");
  }
  // A target that becomes a FIFO during the work is left alone at the commit.
  io::AtomicFile late(folder / "late.txt");
  REQUIRE(::mkfifo((folder / "late.txt").c_str(), 0666) == 0);
  CHECK_THROWS_WITH_AS(late.commit(), doctest::Contains("it is now a FIFO"), RuntimeFailure);
  CHECK(fs::is_fifo(folder / "late.txt"));
  CHECK(countFiles(folder.path()) == 2);
}

}  // namespace reverie

namespace reverie {

TEST_CASE("safe output: a disk that fills mid-render fails the render and keeps the old file") {
  // RLIMIT_FSIZE makes write(2) fail past a size, as a full disk does (SIGXFSZ ignored, as the
  // kernel's default would kill instead). The file is written by its own thread, a batch behind
  // the render: the failure still ends the command with one line, and the old take stays.
  test::ScratchFolder folder;
  writeText(folder / "take.flac", "the previous take");
  const test::CommandResult result =
      runReverie("render glass-harmonica --length 60 -o take.flac", folder.path(),
                 "sh -c 'trap \"\" XFSZ; ulimit -f 400; exec \"$0\" \"$@\"'");
  MESSAGE("exit " << result.exitCode << ": " << result.err);
  CHECK(result.exitCode != 0);
  CHECK(result.exitCode != -1);  // an exit, not a death by signal
  CHECK(result.err.find("disk") != std::string::npos);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  CHECK(readText(folder / "take.flac") == "the previous take");
  CHECK(countFiles(folder.path()) == 1);
}

}  // namespace reverie
