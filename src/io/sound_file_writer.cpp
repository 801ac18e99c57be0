// SoundFileWriter: libsndfile output through an io::AtomicFile, renamed into place at commit.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "io/atomic_file.hpp"
#include "io/container_format.hpp"
#include "io/sndfile_stream.hpp"
#include "io/wav_cue_chunks.hpp"
#include "reverie/errors.hpp"
#include "reverie/sound_file.hpp"

namespace reverie {

SampleFormat parseSampleFormat(std::string_view text) {
  if (text == "16") return SampleFormat::kPcm16;
  if (text == "24") return SampleFormat::kPcm24;
  if (text == "32f" || text == "32") return SampleFormat::kFloat32;  // sox writes "-b 32"
  throw InputError("unknown sample format '" + std::string(text) + "' (use 16, 24 or 32f)");
}

std::string_view sampleFormatName(SampleFormat format) {
  switch (format) {
    case SampleFormat::kPcm16:
      return "16";
    case SampleFormat::kPcm24:
      return "24";
    case SampleFormat::kFloat32:
      return "32f";
  }
  return "?";
}

struct SoundFileWriter::Impl {
  explicit Impl(const std::filesystem::path& target) : output(target) {}

  io::AtomicFile output;  // owns the descriptor; libsndfile is told not to close it
  int channels = 0;
  SampleFormat sampleFormat = SampleFormat::kPcm24;
  bool isVorbis = false;
  bool isWav = false;
  std::vector<CueMarker> cueMarkers;
  SNDFILE* file = nullptr;
  sf_count_t framesWritten = 0;
  std::optional<io::SndfileEncoder> encoder;

  /// Closes everything, drops the temporary file and throws; the target keeps what it had.
  [[noreturn]] void fail(const std::string& reason, const char* fix) {
    discard();
    output.fail(reason, fix);
  }

  /// Closes everything and drops the temporary file; used on every path but a good commit.
  void discard() noexcept {
    if (file != nullptr) sf_close(file);
    file = nullptr;
    output.discard();
  }

  void requireOpen() const {
    if (file == nullptr) throw std::logic_error("SoundFileWriter used after commit or failure");
  }

  /// Appends the cue markers that fall within the audio to the closed WAV temporary file.
  void appendCueMarkers() {
    std::erase_if(cueMarkers, [this](const CueMarker& marker) {
      return marker.frame > static_cast<std::uint64_t>(framesWritten);
    });
    if (cueMarkers.empty()) return;
    std::stable_sort(cueMarkers.begin(), cueMarkers.end(),
                     [](const CueMarker& a, const CueMarker& b) { return a.frame < b.frame; });
    const std::string reason =
        io::appendToRiffForm(output.descriptor(), io::wavCueChunks(cueMarkers));
    if (!reason.empty()) fail(reason, "check there is free disk space");
  }

  void checkWritten(sf_count_t written, std::size_t expected) {
    framesWritten += written;
    if (written == static_cast<sf_count_t>(expected)) return;
    fail(sf_strerror(file), "check there is free disk space");
  }
};

SoundFileWriter::SoundFileWriter(const std::filesystem::path& target, double sampleRate,
                                 int channels, SampleFormat format, std::uint64_t ditherSeed) {
  SF_INFO info{};
  info.format = io::soundFileFormatFor(target, format);
  info.channels = channels;
  info.samplerate = static_cast<int>(std::lround(sampleRate));
  const std::string prefix = "cannot write '" + target.string() + "': ";
  if (info.samplerate < 1 || info.samplerate != sampleRate) {
    throw InputError(prefix + "sample rate " + std::to_string(sampleRate) +
                     " Hz is not a whole positive number (use e.g. -r 48000)");
  }
  if (channels < 1 || !sf_format_check(&info)) {
    throw InputError(prefix + "this file type cannot store " + std::to_string(channels) +
                     " channels at " + std::to_string(info.samplerate) + " Hz (use .wav)");
  }

  // Opens the temporary file first: a bad target fails here, before any audio is made.
  auto impl = std::make_unique<Impl>(target);
  impl->channels = channels;
  impl->sampleFormat = format;
  impl->isVorbis = (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG;
  impl->isWav = (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV;
  impl->encoder.emplace(channels, format, impl->isVorbis, ditherSeed);

  // The descriptor is read-write, so cue markers can check the header.
  impl->file = sf_open_fd(impl->output.descriptor(), SFM_WRITE, &info, SF_FALSE);
  if (impl->file == nullptr) {
    impl->fail(sf_strerror(nullptr), "check the folder is writable and has free space");
  }
  // libsndfile's PEAK chunk of float WAV and AIFF files carries the time of writing, so two
  // renders of the same seed would differ in their header; reverie promises the same bytes.
  sf_command(impl->file, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
  if (impl->isVorbis) {
    // 0.2 maps to Vorbis quality 0.8 (about 250 kbit/s stereo): transparent for a synthesizer.
    double compression = 0.2;
    sf_command(impl->file, SFC_SET_COMPRESSION_LEVEL, &compression, sizeof(compression));
  }
  impl_ = impl.release();
}

SoundFileWriter::~SoundFileWriter() {
  impl_->discard();  // nothing left to discard after a commit
  delete impl_;
}

void SoundFileWriter::write(const float* interleaved, std::size_t frames) {
  Impl& w = *impl_;
  w.requireOpen();
  w.checkWritten(w.encoder->write(w.file, interleaved, frames), frames);
}

void SoundFileWriter::commit() {
  Impl& w = *impl_;
  w.requireOpen();
  // sf_close writes the final header (and flushes FLAC/Vorbis), so its result matters.
  const int closeError = sf_close(w.file);
  w.file = nullptr;
  if (closeError != SF_ERR_NO_ERROR)
    w.fail(sf_error_number(closeError), "check there is free disk space");
  // libsndfile's SFC_SET_CUE writes no labels and is refused once audio is written, so the
  // markers go in here, after its last header write and before the read-back check below.
  if (w.isWav) w.appendCueMarkers();
  // libsndfile 1.2 can lose a write error inside sf_close (its result is the file close's), so
  // read the header back: a short final write shows up as a wrong frame count. (With no frames,
  // libsndfile writes FLAC as an empty file it cannot read back; nothing to check then.)
  SF_INFO written{};
  SNDFILE* check =
      w.framesWritten > 0 ? sf_open(w.output.temporaryPath().c_str(), SFM_READ, &written) : nullptr;
  const bool complete =
      w.framesWritten == 0 || (check != nullptr && written.frames == w.framesWritten);
  if (check != nullptr) sf_close(check);
  if (!complete) {
    w.fail("the finished file does not read back complete", "check there is free disk space");
  }
  w.output.commit();  // fsync, then renamed over the target (through a symlink, to its file)
}

void SoundFileWriter::setCueMarkers(std::vector<CueMarker> markers) {
  impl_->requireOpen();
  impl_->cueMarkers = std::move(markers);
}

bool SoundFileWriter::supportsCueMarkers() const {
  return impl_->isWav;
}

std::filesystem::path SoundFileWriter::temporaryPath() const {
  return impl_->output.temporaryPath();
}

}  // namespace reverie
