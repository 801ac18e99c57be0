// `render --stems DIR`: one file per part of the mix, which summed sample by sample give the
// master bus before the limiter. The bus is taken from an in-process render of the same source
// and seed (renders are deterministic), the stems from the files `reverie` wrote.
#include <doctest/doctest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "arc/arc_setup.hpp"
#include "midi/midi_schedule.hpp"
#include "midi/smf_reader.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/preset.hpp"
#include "reverie/score.hpp"
#include "support/command.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"
#include "support/wav_cues.hpp"

namespace {

using reverie::Engine;
using reverie::test::runReverie;
using reverie::test::ScratchFolder;

constexpr double kRate = 48000.0;
constexpr int kBlock = 1024;

std::string presetPath(const std::string& relative) {
  return std::string(REVERIE_SOURCE_DIR) + "/presets/" + relative;
}

/// The master bus before the limiter, one block at a time (room for one block is made before
/// rendering: the observer runs on the render's audio path).
class BusTap final : public reverie::RenderObserver {
 public:
  BusTap() { bus.reserve(2 * kBlock); }
  void nodeRendered(reverie::NodeId, const reverie::Node&,
                    const reverie::ProcessBlock&) noexcept override {}
  void busRendered(const float* left, const float* right, int frames) noexcept override {
    for (int i = 0; i < frames; ++i) {
      bus.push_back(left[i]);
      bus.push_back(right[i]);
    }
  }
  std::vector<float> bus;  ///< interleaved
};

struct StemsMeasured {
  std::vector<std::string> names;  ///< file stems, sorted
  double worstDifferenceDb = 0.0;  ///< largest |sum of stems - bus|, dBFS
  double busPeakDb = 0.0;
  std::uint64_t frames = 0;
};

/// Reads every stem file in `folder` alongside `engine`'s render (graph committed, `events` its
/// score) and compares their sum with the bus, sample by sample. Every stem must be stereo and
/// `frames` long.
StemsMeasured compareWithBus(Engine& engine, std::vector<reverie::ScheduledEvent> events,
                             const std::filesystem::path& folder, std::uint64_t frames) {
  StemsMeasured measured;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) paths.push_back(entry);
  std::sort(paths.begin(), paths.end());
  std::vector<SNDFILE*> files;
  for (const auto& path : paths) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    REQUIRE_MESSAGE(file != nullptr, path);
    CHECK(info.channels == 2);
    CHECK(info.samplerate == static_cast<int>(kRate));
    CHECK(static_cast<std::uint64_t>(info.frames) == frames);
    files.push_back(file);
    measured.names.push_back(path.stem().string());
  }
  BusTap tap;
  engine.setObserver(&tap);
  reverie::OfflineClock clock(engine, std::move(events));
  std::vector<float> master(2 * kBlock), stem(2 * kBlock);
  std::vector<double> sum(2 * kBlock);
  double worst = 0.0, busPeak = 0.0;
  for (std::uint64_t done = 0; done < frames;) {
    const int count = static_cast<int>(std::min<std::uint64_t>(kBlock, frames - done));
    tap.bus.clear();
    clock.renderInterleaved(master.data(), count);
    REQUIRE(tap.bus.size() == 2 * static_cast<std::size_t>(count));
    std::fill(sum.begin(), sum.end(), 0.0);
    for (SNDFILE* file : files) {
      REQUIRE(sf_readf_float(file, stem.data(), count) == count);
      for (int i = 0; i < 2 * count; ++i) sum[static_cast<std::size_t>(i)] += stem[i];
    }
    for (int i = 0; i < 2 * count; ++i) {
      const double bus = tap.bus[static_cast<std::size_t>(i)];
      worst = std::max(worst, std::fabs(sum[static_cast<std::size_t>(i)] - bus));
      busPeak = std::max(busPeak, std::fabs(bus));
    }
    done += static_cast<std::uint64_t>(count);
  }
  engine.setObserver(nullptr);
  for (SNDFILE* file : files) sf_close(file);
  measured.worstDifferenceDb = 20.0 * std::log10(std::max(worst, 1e-30));
  measured.busPeakDb = 20.0 * std::log10(std::max(busPeak, 1e-30));
  measured.frames = frames;
  return measured;
}

std::uint64_t framesOf(const std::filesystem::path& path) {
  return static_cast<std::uint64_t>(reverie::test::openSoundFile(path).frames);
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_CASE("stems of the-performance sum to the bus before the limiter, with its cue points") {
  ScratchFolder folder;
  const auto run =
      runReverie("render the-performance -b 32f -o mix.wav --stems stems --seed 2", folder.path());
  REQUIRE_MESSAGE(run.exitCode == 0, run.err);
  CHECK(run.err.find("wrote 13 stems in stems/") != std::string::npos);
  const std::uint64_t frames = framesOf(folder / "mix.wav");

  const reverie::Arc arc = reverie::loadArc(presetPath("arcs/the-performance.toml"));
  Engine engine({kRate, kBlock, 2});
  reverie::arc::buildArc(arc, engine.graph());
  engine.commit();
  const StemsMeasured m = compareWithBus(engine, {}, folder / "stems", frames);
  MESSAGE("the-performance: ", m.names.size(), " stems, ", m.frames, " frames, bus peak ",
          m.busPeakDb, " dBFS, sum of stems - bus: ", m.worstDifferenceDb, " dBFS");
  CHECK(m.worstDifferenceDb <= -90.0);
  // Each section that feeds the hall, the crystals behind the halo, and both returns.
  for (const char* name : {"strings", "brass", "choir", "timpani", "audience", "crystal", "shards",
                           "drop", "halo-return", "hall-return"})
    CHECK_MESSAGE(contains(m.names, name), name);
  CHECK(m.names.size() == 13);
  // The stems carry the mix's scene markers.
  const auto mixCues = reverie::test::readWavCueMarkers(folder / "mix.wav");
  CHECK(mixCues.size() == 8);
  CHECK(reverie::test::readWavCueMarkers(folder / "stems" / "strings.wav") == mixCues);
}

TEST_CASE("stems of full-orchestra sum to its bus; asking for them leaves the mix as it was") {
  ScratchFolder folder;
  REQUIRE(runReverie("render full-orchestra -b 32f -o plain.wav -q", folder.path()).exitCode == 0);
  const auto run =
      runReverie("render full-orchestra -b 32f -o mix.wav -q --stems stems", folder.path());
  REQUIRE_MESSAGE(run.exitCode == 0, run.err);
  const auto plain = reverie::test::openSoundFile(folder / "plain.wav");
  const auto mix = reverie::test::openSoundFile(folder / "mix.wav");
  CHECK(plain.samples == mix.samples);

  const reverie::Patch patch = reverie::loadPatch(presetPath("patches/full-orchestra.toml"));
  Engine engine({kRate, kBlock, 1});
  const auto ids = reverie::buildGraph(patch, engine.graph());
  engine.commit();
  const StemsMeasured m =
      compareWithBus(engine, reverie::scheduleScore(patch, ids, engine.graph(), kRate),
                     folder / "stems", static_cast<std::uint64_t>(mix.frames));
  MESSAGE("full-orchestra: ", m.names.size(), " stems, bus peak ", m.busPeakDb,
          " dBFS, sum of stems - bus: ", m.worstDifferenceDb, " dBFS");
  CHECK(m.worstDifferenceDb <= -90.0);
  CHECK(m.names == std::vector<std::string>{"audience", "brass", "choir", "hall-return", "strings",
                                            "timpani", "winds"});

  // Levelled (--target-lufs), the stems take the mix's make-up gain: one factor for them all.
  const auto levelled = runReverie(
      "render full-orchestra -b 32f -o loud.wav -q --target-lufs -14 --stems loud", folder.path());
  REQUIRE_MESSAGE(levelled.exitCode == 0, levelled.err);
  double gain = 0.0, worst = 0.0;
  for (const std::string& name : m.names) {
    const auto before = reverie::test::openSoundFile(folder / "stems" / (name + ".wav"));
    const auto after = reverie::test::openSoundFile(folder / "loud" / (name + ".wav"));
    REQUIRE(after.samples.size() == before.samples.size());
    if (gain == 0.0) {
      double num = 0.0, den = 0.0;
      for (std::size_t i = 0; i < before.samples.size(); ++i) {
        num += static_cast<double>(after.samples[i]) * before.samples[i];
        den += static_cast<double>(before.samples[i]) * before.samples[i];
      }
      gain = num / den;
    }
    for (std::size_t i = 0; i < before.samples.size(); ++i)
      worst = std::max(worst, std::fabs(after.samples[i] - gain * before.samples[i]));
  }
  MESSAGE("levelled to -14 LUFS: stems x ", gain, ", largest departure ",
          20.0 * std::log10(std::max(worst, 1e-30)), " dBFS");
  CHECK(gain > 1.5);  // -14 LUFS is louder than the preset's own -19.6
  CHECK(worst < 1e-5);
}

TEST_CASE("stems of a MIDI file played by two presets: one per preset's part, summing to the bus") {
  ScratchFolder folder;
  using reverie::test::TrackWriter;
  // Channel 1 (the default preset) and channel 2 (strings) play a phrase together.
  TrackWriter track;
  track.tempo(0, 500000);
  const int keys[] = {57, 60, 64, 69, 72};
  for (int k : keys)
    track.event(0, {0x90, k, 90})
        .event(0, {0x91, k - 12, 70})
        .event(240, {0x80, k, 0})
        .event(0, {0x81, k - 12, 0});
  track.end(480);
  const reverie::test::Bytes bytes = reverie::test::smfFile(0, 480, {track});
  {
    std::ofstream out(folder / "duet.mid", std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  const auto run = runReverie(
      "render duet.mid --preset glass-harmonica --channel 2=strings -b 24 -o mix.wav -q "
      "--stems stems",
      folder.path());
  REQUIRE_MESSAGE(run.exitCode == 0, run.err);

  const reverie::Patch glass = reverie::loadPatch(presetPath("instruments/glass-harmonica.toml"));
  const reverie::Patch strings = reverie::loadPatch(presetPath("orchestra/strings.toml"));
  reverie::midi::MidiRenderSetup setup;
  setup.defaultPatch = &glass;
  setup.channelPatches[2] = &strings;
  Engine engine({kRate, kBlock, 1});
  const reverie::midi::MidiFile file = reverie::midi::loadMidiFile(folder / "duet.mid");
  std::vector<reverie::ScheduledEvent> events =
      reverie::midi::scheduleFile(file, setup, engine).events;  // builds and commits
  const StemsMeasured m =
      compareWithBus(engine, std::move(events), folder / "stems", framesOf(folder / "mix.wav"));
  MESSAGE("MIDI file: stems ", m.names.size(), ", bus peak ", m.busPeakDb,
          " dBFS, sum of 24-bit stems - bus: ", m.worstDifferenceDb, " dBFS");
  // 24-bit stems: each is within half a step (-144 dBFS) of its float value.
  CHECK(m.worstDifferenceDb <= -90.0);
  CHECK(m.names.size() >= 2);
}

TEST_CASE("--stems refuses what it cannot do, before rendering") {
  ScratchFolder folder;
  { std::ofstream(folder / "taken") << "x"; }
  auto run = runReverie("render water-drop -o a.wav --stems taken", folder.path());
  CHECK(run.exitCode == 2);
  CHECK(run.err.find("'taken' is not a folder") != std::string::npos);
  CHECK(!std::filesystem::exists(folder / "a.wav"));
  run = runReverie("render water-drop --length inf -o - -t raw --stems s", folder.path());
  CHECK(run.exitCode == 2);
  CHECK(run.err.find("--stems needs a render with an end") != std::string::npos);
}
