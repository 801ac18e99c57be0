// The offline normaliser's limiter: look-ahead, true-peak, over a stream of interleaved frames;
// no peak leaves above the ceiling, and nothing moves in time. (The live master bus has its own
// form, dsp/master_limiter.hpp.)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "dsp/lookahead_gain.hpp"
#include "dsp/true_peak_detector.hpp"

namespace reverie::io {

struct LimiterTiming {
  double lookAheadSeconds = 0.0015;  ///< also the attack: the gain is down by the time the peak is
  double releaseSeconds = 0.06;      ///< time constant of the recovery towards unity
};

/// The true peak (BS.1770-4 oversampled) of every frame, over all channels, `span` frames late.
class FramePeaks {
 public:
  FramePeaks(int channels, double sampleRate) : detectors_(static_cast<std::size_t>(channels)) {
    for (dsp::TruePeakDetector& detector : detectors_) detector.prepare(sampleRate);
  }
  std::size_t span() const { return static_cast<std::size_t>(detectors_.front().latencyFrames()); }
  /// Feeds one frame (nullptr: silence) and returns the true peak of the frame `span` before.
  float next(const float* frame) {
    float peak = 0.0f;
    for (std::size_t c = 0; c < detectors_.size(); ++c)
      peak = std::max(peak, detectors_[c].next(frame != nullptr ? frame[c] : 0.0f));
    return peak;
  }
  /// next() for each of `frames` interleaved frames, a run of them at a time (each channel's
  /// detector taking the run at once): visit(n, peak) for frame n, in order, until it returns
  /// false.
  template <class Visit>
  void forEach(const float* interleaved, std::size_t frames, Visit&& visit) {
    constexpr std::size_t kRun = 1024;
    float peaks[kRun], channel[kRun];
    const std::size_t width = detectors_.size();
    for (std::size_t done = 0; done < frames; done += kRun) {
      const std::size_t count = std::min(kRun, frames - done);
      std::fill_n(peaks, count, 0.0f);
      for (std::size_t c = 0; c < width; ++c) {
        detectors_[c].nextBlock(interleaved + done * width + c, static_cast<std::ptrdiff_t>(width),
                                channel, static_cast<int>(count));
        for (std::size_t n = 0; n < count; ++n) peaks[n] = std::max(peaks[n], channel[n]);
      }
      for (std::size_t n = 0; n < count; ++n)
        if (!visit(done + n, peaks[n])) return;
    }
  }

 private:
  std::vector<dsp::TruePeakDetector> detectors_;
};

/// Whether any true peak of a stream (the signal taken as silent before and after) exceeds
/// `ceiling`: the check that decides if the limiter touches the audio at all.
class OverCeilingScan {
 public:
  OverCeilingScan(int channels, double sampleRate, float ceiling)
      : peaks_(channels, sampleRate), ceiling_(ceiling) {}
  void add(const float* interleaved, std::size_t frames) {
    if (over_) return;
    peaks_.forEach(interleaved, frames, [this](std::size_t, float peak) {
      over_ = peak > ceiling_;
      return !over_;
    });
  }
  /// Flushes the detectors' latency (once, at the end) and answers.
  bool over() {
    for (std::size_t n = 0; n < peaks_.span() && !over_; ++n)
      over_ = peaks_.next(nullptr) > ceiling_;
    return over_;
  }

 private:
  FramePeaks peaks_;
  float ceiling_;
  bool over_ = false;
};

/// Lowers the gain of a stream of interleaved frames so no true peak exceeds `ceiling` (linear).
/// One gain for all channels, so the stereo image holds. Each frame comes out `delay` frames after
/// it went in, at its own place in time: finish() flushes the last ones. Control thread:
/// allocates when made.
class StreamingPeakLimiter {
 public:
  StreamingPeakLimiter(int channels, double sampleRate, float ceiling, LimiterTiming timing = {})
      : peaks_(channels, sampleRate),
        computer_(std::make_unique<dsp::LookaheadGain>()),
        width_(static_cast<std::size_t>(channels)),
        ceiling_(ceiling) {
    computer_->prepare(static_cast<int>(std::lround(timing.lookAheadSeconds * sampleRate)),
                       timing.releaseSeconds * sampleRate, static_cast<int>(peaks_.span()));
    delay_ = peaks_.span() + static_cast<std::size_t>(computer_->latencyFrames());
    held_.assign((delay_ + 1) * width_, 0.0f);
  }

  /// Takes `frames` frames and calls `out(pointer, count)` with the ones now done (in order).
  template <typename Out>
  void push(const float* interleaved, std::size_t frames, Out&& out) {
    done_.resize(frames * width_);
    std::size_t ready = 0;
    peaks_.forEach(interleaved, frames, [&](std::size_t n, float peak) {
      step(interleaved + n * width_, peak, ready);
      return true;
    });
    if (ready > 0) out(done_.data(), ready);
  }
  /// Runs on past the end with silence, so the last `delay` frames come out.
  template <typename Out>
  void finish(Out&& out) {
    done_.resize(delay_ * width_);
    std::size_t ready = 0;
    for (std::size_t n = 0; n < delay_; ++n) step(nullptr, peaks_.next(nullptr), ready);
    if (ready > 0) out(done_.data(), ready);
  }

 private:
  // One frame (nullptr: silence) whose true peak, `span` frames before, is `peak`.
  void step(const float* frame, float peak, std::size_t& ready) {
    const float gain =
        computer_->next(peak > ceiling_ ? static_cast<double>(ceiling_) / peak : 1.0);
    // The ring holds the last delay + 1 frames; slot `seen_` takes this one.
    const std::size_t slots = delay_ + 1;
    float* slot = held_.data() + (seen_ % slots) * width_;
    for (std::size_t c = 0; c < width_; ++c) slot[c] = frame != nullptr ? frame[c] : 0.0f;
    if (seen_++ < delay_) return;
    // The clamp only guards the last bit of rounding in the running sum and the float product.
    const float* late = held_.data() + ((seen_ - 1 - delay_) % slots) * width_;
    float* into = done_.data() + ready * width_;
    for (std::size_t c = 0; c < width_; ++c)
      into[c] = std::clamp(late[c] * gain, -ceiling_, ceiling_);
    ++ready;
  }

  FramePeaks peaks_;
  std::unique_ptr<dsp::LookaheadGain> computer_;
  std::size_t width_;
  float ceiling_;
  std::size_t delay_ = 0;
  std::size_t seen_ = 0;
  std::vector<float> held_;
  std::vector<float> done_;
};

/// Lowers the gain of `frames` interleaved frames in place so no true peak (BS.1770-4
/// oversampled, the signal taken as silent before and after) exceeds `ceiling` (linear). Audio
/// already under the ceiling is left bit-identical. Control thread: allocates.
inline void limitPeaks(float* interleaved, std::size_t frames, int channels, double sampleRate,
                       float ceiling, LimiterTiming timing = {}) {
  const std::size_t width = static_cast<std::size_t>(channels);
  OverCeilingScan scan(channels, sampleRate, ceiling);
  scan.add(interleaved, frames);
  if (!scan.over()) return;
  StreamingPeakLimiter limiter(channels, sampleRate, ceiling, timing);
  std::size_t written = 0;
  auto out = [&](const float* done, std::size_t count) {
    std::copy(done, done + count * width, interleaved + written * width);
    written += count;
  };
  // Frames come out behind the ones going in, so writing them back in place is safe.
  constexpr std::size_t kChunk = 4096;
  for (std::size_t at = 0; at < frames; at += kChunk)
    limiter.push(interleaved + at * width, std::min(kChunk, frames - at), out);
  limiter.finish(out);
}

}  // namespace reverie::io
