// Float frames into an open libsndfile handle, converted to the file's sample format.
#pragma once

#include <sndfile.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "io/sample_encoding.hpp"
#include "io/tpdf_dither.hpp"
#include "reverie/sound_file.hpp"

namespace reverie::io {

/// Converts interleaved float frames for a libsndfile handle that it does not own: floats as they
/// are (32-bit float and Vorbis), 16-bit with TPDF dither, 24-bit rounded. write() returns the
/// frames libsndfile took; fewer than given means a write error.
class SndfileEncoder {
 public:
  SndfileEncoder(int channels, SampleFormat format, bool isVorbis, std::uint64_t ditherSeed)
      : channels_(static_cast<std::size_t>(channels)),
        format_(isVorbis ? SampleFormat::kFloat32 : format),
        dither_(ditherSeed) {
    if (format_ == SampleFormat::kPcm16) shortScratch_.resize(kChunkFrames * channels_);
    if (format_ == SampleFormat::kPcm24) intScratch_.resize(kChunkFrames * channels_);
  }

  sf_count_t write(SNDFILE* file, const float* interleaved, std::size_t frames) {
    // Float data goes in as it is: no clamping, no scaling.
    if (format_ == SampleFormat::kFloat32)
      return sf_writef_float(file, interleaved, static_cast<sf_count_t>(frames));
    if (format_ == SampleFormat::kPcm16)
      return converted(
          file, interleaved, frames, shortScratch_,
          [this](float x) { return pcm16Sample(x, dither_); }, sf_writef_short);
    // libsndfile takes 24-bit samples in the top bits of an int.
    return converted(
        file, interleaved, frames, intScratch_, [](float x) { return pcm24Sample(x) * 256; },
        sf_writef_int);
  }

 private:
  // Frames converted per sf_write call; the scratch buffer is this times the channel count.
  static constexpr std::size_t kChunkFrames = 4096;

  template <typename Sample, typename Convert, typename WriteFrames>
  sf_count_t converted(SNDFILE* file, const float* in, std::size_t frames,
                       std::vector<Sample>& scratch, Convert convert, WriteFrames writeFrames) {
    sf_count_t written = 0;
    while (frames > 0) {
      const std::size_t chunk = std::min(frames, kChunkFrames);
      const std::size_t samples = chunk * channels_;
      for (std::size_t i = 0; i < samples; ++i) scratch[i] = static_cast<Sample>(convert(in[i]));
      const sf_count_t took = writeFrames(file, scratch.data(), static_cast<sf_count_t>(chunk));
      written += took;
      if (took != static_cast<sf_count_t>(chunk)) break;
      in += samples;
      frames -= chunk;
    }
    return written;
  }

  std::size_t channels_;
  SampleFormat format_;
  TpdfDither dither_;
  std::vector<short> shortScratch_;
  std::vector<int> intScratch_;
};

}  // namespace reverie::io
