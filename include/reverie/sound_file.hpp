// Writing rendered audio to WAV, FLAC, OGG or AIFF, safely: nothing half-written, nothing lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace reverie {

enum class SampleFormat { kPcm16, kPcm24, kFloat32 };

/// "16", "24" or "32f"; throws InputError otherwise.
SampleFormat parseSampleFormat(std::string_view text);
std::string_view sampleFormatName(SampleFormat format);

/// A named position in a sound file (a scene start, say), shown by audio editors as a marker.
struct CueMarker {
  std::uint64_t frame = 0;  ///< from the start of the audio
  std::string label;
  bool operator==(const CueMarker&) const = default;
};

/// Writes interleaved float frames to a temporary file in the target's folder, and renames it
/// onto the target only in commit(). On Linux the temporary has no name until then (O_TMPFILE),
/// so even a killed process leaves nothing; destroying an uncommitted writer drops it, so an
/// error or an interrupt never leaves a half file and never touches an existing target. A
/// symlinked target is written through: the file it points to is replaced, the link stays.
/// 16-bit output gets TPDF dither from a seeded generator (deterministic).
class SoundFileWriter {
 public:
  /// Format from the extension (.wav .flac .ogg .oga .aiff .aif). Throws InputError for an
  /// unknown extension, a combination the container cannot hold (FLAC at 32-bit float) or a
  /// target that exists and is not a regular file (folder, device, FIFO, socket, /dev/stdout),
  /// and RuntimeFailure when the temporary file cannot be created (unwritable folder).
  SoundFileWriter(const std::filesystem::path& target, double sampleRate, int channels,
                  SampleFormat format, std::uint64_t ditherSeed = 1);
  ~SoundFileWriter();
  SoundFileWriter(const SoundFileWriter&) = delete;
  SoundFileWriter& operator=(const SoundFileWriter&) = delete;

  /// Throws RuntimeFailure on a write error (disk full).
  void write(const float* interleaved, std::size_t frames);
  /// Markers to store with the file at commit(), replacing any set before; any time before
  /// commit(), before or after write(). WAV keeps them as a `cue ` chunk and a LIST/adtl chunk
  /// of `labl` texts (what Audacity, Reaper and Sound Forge read), sorted by frame; a marker
  /// past the end of the written audio marks nothing and is left out. Other containers ignore
  /// them (see supportsCueMarkers).
  void setCueMarkers(std::vector<CueMarker> markers);
  /// True if setCueMarkers has an effect on this file type (WAV).
  bool supportsCueMarkers() const;
  /// Closes and renames onto the target. Throws RuntimeFailure on failure.
  void commit();
  /// A path that reads the uncommitted data: /proc/self/fd/N while it has no name, else the
  /// hidden temporary file beside the target.
  std::filesystem::path temporaryPath() const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace reverie
