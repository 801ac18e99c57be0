// Ringing modes in a reverberation tail: spectral peaks that stand above their neighbours.
#pragma once

#include <span>

namespace reverie::test {

struct RingingReport {
  double worstExcessDb = 0.0;  ///< the highest bin's power over its neighbours' median, dB
  double worstHz = 0.0;        ///< where it is
};

/// Looks for modes that ring out of a decaying tail. The decay is undone first (the tail is
/// multiplied by 10^(3 t / t60Seconds), so a mode that rings longer than the rest grows), then
/// the power spectrum is averaged over Hann-windowed segments of `segmentFrames` (a power of
/// two) overlapping by half (Welch 1967), so that the chi-square scatter of a single
/// periodogram (a dense tail's bins vary by +-10 dB) averages out. Each bin in
/// [lowHz, highHz] is compared with the median of the bins within a third of an octave around
/// it. A dense, smooth tail scores a few dB; a ringing mode scores far more.
RingingReport findRinging(std::span<const float> tail, double sampleRate, double t60Seconds,
                          double lowHz, double highHz, std::size_t segmentFrames = 16384);
/// The same over several channels (the stereo tail): their power spectra are averaged, so a
/// mode must ring in the room, not just in one channel's pickup of it.
RingingReport findRinging(std::span<const std::span<const float>> channels, double sampleRate,
                          double t60Seconds, double lowHz, double highHz,
                          std::size_t segmentFrames = 16384);

}  // namespace reverie::test
