// --stems DIR: one sound file per part of the master bus (engine/stem_splitter.hpp), written in
// the same pass as the mix, each one atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/stem_splitter.hpp"
#include "io/float_spool.hpp"
#include "reverie/sound_file.hpp"

namespace reverie::cli {

struct StemFormat {
  std::string extension = ".wav";  ///< the render's container
  double sampleRate = 48000.0;
  SampleFormat format = SampleFormat::kPcm24;
  std::uint64_t seed = 1;    ///< the render's; each stem dithers from its own seed drawn from it
  std::uint64_t frames = 0;  ///< the render's length: every stem is as long
  std::vector<CueMarker> markers;  ///< the render's cue points
  /// Park the stems as float until commit() knows the mix's levelling gain (--target-lufs).
  bool spool = false;
  /// The render's other outputs (the mix, its side files), which no stem may be.
  std::vector<std::filesystem::path> otherOutputs;
};

class StemFiles {
 public:
  /// Creates `folder` if it is missing. Throws InputError when it is not a folder or cannot
  /// be made. Nothing else is opened before start().
  StemFiles(std::filesystem::path folder, StemFormat format);
  ~StemFiles();
  StemFiles(const StemFiles&) = delete;
  StemFiles& operator=(const StemFiles&) = delete;

  /// After the engine's graph is committed, before it renders: plans the stems, opens their
  /// files and starts watching the engine.
  void start(Engine& engine);
  /// After each block the engine rendered: writes what the splitter holds.
  void drain();
  /// Before the engine goes: stops watching it.
  void stop();
  /// Writes the stems (scaled by `gain` when spooled) and moves each into place.
  void commit(float gain = 1.0f);

  /// "strings, brass, ... hall-return" and the folder, for the summary.
  std::string summary() const;
  /// Largest absolute sample of any stem, before `gain`.
  float peak() const { return peak_; }

 private:
  std::filesystem::path folder_;
  StemFormat format_;
  Engine* engine_ = nullptr;
  std::unique_ptr<StemSplitter> splitter_;
  std::vector<std::filesystem::path> paths_;
  std::vector<std::unique_ptr<SoundFileWriter>> writers_;
  std::vector<std::unique_ptr<io::FloatSpool>> spools_;
  std::uint64_t written_ = 0;
  float peak_ = 0.0f;
};

}  // namespace reverie::cli
