// PipeWriter: the WAV header written up front, FLAC/Ogg through libsndfile, raw floats as they are.
#include "io/pipe_writer.hpp"

#include <fcntl.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "io/container_format.hpp"
#include "io/sample_encoding.hpp"
#include "io/sndfile_stream.hpp"
#include "io/wav_cue_chunks.hpp"
#include "reverie/errors.hpp"
#include "reverie/stop_request.hpp"

namespace reverie::io {
namespace {

constexpr std::uint64_t kUnknownSize = 0xFFFFFFFFu;

void put16(std::string& out, std::uint32_t value) {
  out += static_cast<char>(value & 0xFF);
  out += static_cast<char>((value >> 8) & 0xFF);
}

void put32(std::string& out, std::uint32_t value) {
  put16(out, value & 0xFFFF);
  put16(out, value >> 16);
}

[[noreturn]] void failWrite(int error) {
  if (error == EPIPE)
    throw RuntimeFailure(
        "standard output was closed by its reader (broken pipe); the render stopped there");
  throw RuntimeFailure(std::string("cannot write to standard output: ") + std::strerror(error));
}

/// All of `size` bytes, through interrupted and partial writes. Once a stop is requested
/// (Ctrl-C), a reader that does not take the bytes at once ends the write: the output stays
/// non-blocking from then on, so neither this write nor the stream's ending waits for it.
void writeAll(int descriptor, const void* data, std::size_t size) {
  const char* at = static_cast<const char*>(data);
  while (size > 0) {
    if (stopRequested()) {
      const int flags = ::fcntl(descriptor, F_GETFL);
      if (flags >= 0 && (flags & O_NONBLOCK) == 0) ::fcntl(descriptor, F_SETFL, flags | O_NONBLOCK);
    }
    const ssize_t wrote = ::write(descriptor, at, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && stopRequested())
        throw RuntimeFailure("interrupted while standard output's reader was not reading");
      failWrite(errno);
    }
    at += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
}

}  // namespace

PipeType parsePipeType(std::string_view text) {
  if (text == "wav") return PipeType::kWav;
  if (text == "flac") return PipeType::kFlac;
  if (text == "ogg") return PipeType::kOgg;
  if (text == "raw") return PipeType::kRaw;
  throw InputError("unknown stream type '" + std::string(text) + "' (use wav, flac, ogg or raw)");
}

struct PipeWriter::Impl {
  int descriptor = -1;
  PipeType type = PipeType::kWav;
  int channels = 2;
  SampleFormat format = SampleFormat::kPcm24;
  TpdfDither dither{1};
  std::string bytes;        // one block's samples, encoded
  std::string trailer;      // cue chunks, after the audio
  SNDFILE* file = nullptr;  // FLAC and Ogg
  std::optional<SndfileEncoder> encoder;

  void encodeWav(const float* in, std::size_t samples) {
    bytes.clear();
    for (std::size_t i = 0; i < samples; ++i) {
      switch (format) {
        case SampleFormat::kPcm16:
          put16(bytes, static_cast<std::uint32_t>(pcm16Sample(in[i], dither)));
          break;
        case SampleFormat::kPcm24: {
          const auto value = static_cast<std::uint32_t>(pcm24Sample(in[i]));
          put16(bytes, value & 0xFFFF);
          bytes += static_cast<char>((value >> 16) & 0xFF);
          break;
        }
        case SampleFormat::kFloat32: {
          std::uint32_t value = 0;
          std::memcpy(&value, &in[i], sizeof value);
          put32(bytes, value);
          break;
        }
      }
    }
  }

  /// The header: sizes from `frames` if known and small enough, else "to the end".
  std::string wavHeader(double sampleRate, std::optional<std::uint64_t> frames,
                        std::vector<CueMarker>& markers) {
    const bool isFloat = format == SampleFormat::kFloat32;
    const std::uint32_t width = format == SampleFormat::kPcm16   ? 2
                                : format == SampleFormat::kPcm24 ? 3
                                                                 : 4;
    const std::uint32_t blockAlign = width * static_cast<std::uint32_t>(channels);
    const auto rate = static_cast<std::uint32_t>(std::lround(sampleRate));
    std::uint64_t dataBytes = kUnknownSize, riffBytes = kUnknownSize;
    if (frames) {
      std::erase_if(markers, [&](const CueMarker& m) { return m.frame > *frames; });
      std::stable_sort(markers.begin(), markers.end(),
                       [](const CueMarker& a, const CueMarker& b) { return a.frame < b.frame; });
      const std::uint64_t data = *frames * blockAlign;
      std::string cues = markers.empty() ? std::string() : wavCueChunks(markers);
      const std::uint64_t riff = 4 + 8 + 16 + (isFloat ? 12 : 0) + 8 + data + cues.size();
      if (riff < kUnknownSize) {
        dataBytes = data;
        riffBytes = riff;
        trailer = std::move(cues);
      }
    }
    std::string header = "RIFF";
    put32(header, static_cast<std::uint32_t>(riffBytes));
    header += "WAVEfmt ";
    put32(header, 16);
    put16(header, isFloat ? 3 : 1);  // WAVE_FORMAT_IEEE_FLOAT or WAVE_FORMAT_PCM
    put16(header, static_cast<std::uint32_t>(channels));
    put32(header, rate);
    put32(header, rate * blockAlign);
    put16(header, blockAlign);
    put16(header, width * 8);
    if (isFloat) {  // a non-PCM WAV carries its length in frames, too
      header += "fact";
      put32(header, 4);
      put32(header, frames && dataBytes != kUnknownSize ? static_cast<std::uint32_t>(*frames)
                                                        : static_cast<std::uint32_t>(kUnknownSize));
    }
    header += "data";
    put32(header, static_cast<std::uint32_t>(dataBytes));
    return header;
  }
};

PipeWriter::PipeWriter(int descriptor, PipeType type, double sampleRate, int channels,
                       SampleFormat format, std::uint64_t ditherSeed,
                       std::optional<std::uint64_t> frames, std::vector<CueMarker> markers)
    : impl_(new Impl) {
  Impl& w = *impl_;
  w.descriptor = descriptor;
  w.type = type;
  w.channels = channels;
  w.format = type == PipeType::kRaw ? SampleFormat::kFloat32 : format;
  w.dither = TpdfDither(ditherSeed);
  if (type == PipeType::kWav) {
    const std::string header = w.wavHeader(sampleRate, frames, markers);
    writeAll(descriptor, header.data(), header.size());
  } else if (type == PipeType::kFlac || type == PipeType::kOgg) {
    SF_INFO info{};
    info.format = soundFileFormatFor(
        type == PipeType::kFlac ? "standard output.flac" : "standard output.ogg", format);
    info.channels = channels;
    info.samplerate = static_cast<int>(std::lround(sampleRate));
    w.file = sf_open_fd(descriptor, SFM_WRITE, &info, SF_FALSE);
    if (w.file == nullptr) {
      const std::string reason = sf_strerror(nullptr);
      delete impl_;
      throw RuntimeFailure("cannot write to standard output: " + reason);
    }
    if (type == PipeType::kOgg) {
      double compression = 0.2;  // as SoundFileWriter: Vorbis quality 0.8
      sf_command(w.file, SFC_SET_COMPRESSION_LEVEL, &compression, sizeof(compression));
    }
    w.encoder.emplace(channels, format, type == PipeType::kOgg, ditherSeed);
  }
}

PipeWriter::~PipeWriter() {
  if (impl_->file != nullptr) sf_close(impl_->file);
  delete impl_;
}

void PipeWriter::write(const float* interleaved, std::size_t frames) {
  Impl& w = *impl_;
  const std::size_t samples = frames * static_cast<std::size_t>(w.channels);
  if (w.file != nullptr) {
    errno = 0;
    if (w.encoder->write(w.file, interleaved, frames) != static_cast<sf_count_t>(frames)) {
      if (errno != 0) failWrite(errno);
      throw RuntimeFailure(std::string("cannot write to standard output: ") + sf_strerror(w.file));
    }
  } else if (w.type == PipeType::kRaw) {
    static_assert(std::endian::native == std::endian::little, "raw is little-endian float");
    writeAll(w.descriptor, interleaved, samples * sizeof(float));
  } else {
    w.encodeWav(interleaved, samples);
    writeAll(w.descriptor, w.bytes.data(), w.bytes.size());
  }
}

void PipeWriter::finish() {
  Impl& w = *impl_;
  if (w.file != nullptr) {
    errno = 0;
    const int error = sf_close(w.file);
    w.file = nullptr;
    if (error != SF_ERR_NO_ERROR) {
      if (errno != 0) failWrite(errno);
      throw RuntimeFailure(std::string("cannot write to standard output: ") +
                           sf_error_number(error));
    }
  }
  if (!w.trailer.empty()) writeAll(w.descriptor, w.trailer.data(), w.trailer.size());
}

bool PipeWriter::carriesCueMarkers() const {
  return !impl_->trailer.empty();
}

}  // namespace reverie::io
