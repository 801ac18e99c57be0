// Loudness measurement (libebur128) and normalisation to a LUFS target under a true-peak ceiling,
// for audio held in memory; the work is io/loudness_stream's.
#include "reverie/loudness.hpp"

#include <algorithm>
#include <cmath>

#include "io/loudness_stream.hpp"
#include "reverie/errors.hpp"
#include "reverie/stop_request.hpp"

namespace reverie {
namespace {

constexpr std::size_t kMeasureChunkFrames = 1 << 16;

/// A buffer in memory as a source that can be read again.
class BufferSource final : public io::FrameSource {
 public:
  BufferSource(const std::vector<float>& samples, int channels)
      : samples_(samples), width_(static_cast<std::size_t>(channels)) {}
  void rewind() override { at_ = 0; }
  std::size_t read(float* out, std::size_t frames) override {
    const std::size_t count = std::min(frames, samples_.size() / width_ - at_);
    std::copy_n(samples_.data() + at_ * width_, count * width_, out);
    at_ += count;
    return count;
  }

 private:
  const std::vector<float>& samples_;
  std::size_t width_;
  std::size_t at_ = 0;
};

}  // namespace

LoudnessStats measureLoudness(const float* interleaved, std::size_t frames, int channels,
                              double sampleRate) {
  io::LoudnessMeter meter(channels, sampleRate);
  for (std::size_t done = 0; done < frames; done += kMeasureChunkFrames) {
    if (stopRequested()) throw RuntimeFailure("interrupted while measuring loudness");
    const std::size_t chunk = std::min(kMeasureChunkFrames, frames - done);
    meter.add(interleaved + done * static_cast<std::size_t>(channels), chunk);
  }
  return meter.stats();
}

NormalizeResult normalizeLoudness(std::vector<float>& interleaved, int channels, double sampleRate,
                                  double targetLufs, double requestedCeilingDbtp) {
  if (std::isnan(targetLufs)) {
    throw InputError("the loudness target is not a number (give one in LUFS, such as -16)");
  }
  if (channels < 1) io::LoudnessMeter refuse(channels, sampleRate);  // throws InputError
  const std::vector<float> original = interleaved;
  BufferSource source(original, channels);
  const io::LevelPlan plan =
      io::planLevel(source, channels, sampleRate, targetLufs, requestedCeilingDbtp);
  std::size_t written = 0;
  io::applyLevel(source, plan, channels, sampleRate, [&](const float* audio, std::size_t frames) {
    const std::size_t count = frames * static_cast<std::size_t>(channels);
    std::copy_n(audio, count, interleaved.data() + written);
    written += count;
  });
  return plan.result;
}

}  // namespace reverie
