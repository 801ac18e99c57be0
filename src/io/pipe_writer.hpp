// Writing rendered audio to standard output or any descriptor that cannot seek (a pipe): WAV
// with its header written first, FLAC and Ogg through libsndfile, or raw float samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "reverie/sound_file.hpp"

namespace reverie::io {

/// The stream types, as sox spells them after -t.
enum class PipeType { kWav, kFlac, kOgg, kRaw };

/// "wav", "flac", "ogg" or "raw"; throws InputError otherwise.
PipeType parsePipeType(std::string_view text);

/// Writes interleaved float frames to `descriptor` in one pass, never seeking back:
/// - wav: a RIFF/WAVE header written first. With the frame count known it holds the true sizes
///   (and the cue markers follow the audio, as in a file); for an endless stream, or one too long
///   for RIFF's 32-bit sizes, both sizes are 0xFFFFFFFF, which readers take as "to the end";
/// - flac, ogg: libsndfile, which writes these two to a pipe (not WAV or AIFF);
/// - raw: the samples as 32-bit float, little-endian, nothing else.
/// 16-bit gets TPDF dither and 24-bit rounding exactly as SoundFileWriter does, so a pipe gives
/// the same samples as a file. A write that fails (the reader quit: EPIPE) throws
/// RuntimeFailure; ignore SIGPIPE first, or the process dies of it.
class PipeWriter {
 public:
  PipeWriter(int descriptor, PipeType type, double sampleRate, int channels, SampleFormat format,
             std::uint64_t ditherSeed, std::optional<std::uint64_t> frames,
             std::vector<CueMarker> markers = {});
  ~PipeWriter();
  PipeWriter(const PipeWriter&) = delete;
  PipeWriter& operator=(const PipeWriter&) = delete;

  void write(const float* interleaved, std::size_t frames);
  /// Flushes the stream's end (FLAC, Ogg) and any cue markers (WAV of known length).
  void finish();
  /// True if the markers given are written (a WAV of known length).
  bool carriesCueMarkers() const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace reverie::io
