// What a stretch of rendered music is like, in a few numbers: roughness, onset rate, loudness
// and noisiness, each independent of the stretch's length so scenes of any length compare.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

/// The mean of the channels of interleaved audio, frame by frame: the mono signal the
/// measurements below expect.
std::vector<float> monoMix(std::span<const float> interleaved, int channels);

/// One ~0.17 s frame of the roughness measure below.
struct RoughnessFrame {
  double startSeconds = 0.0;
  double endSeconds = 0.0;
  double energy = 0.0;     ///< sum of the frame's squared spectral magnitudes (level squared)
  double roughness = 0.0;  ///< Sethares roughness of its tonal peaks over their summed a^2
  int tonalPeaks = 0;      ///< how many tonal peaks the frame holds (at most 40)
};

/// Hann frames of ~0.17 s (8192 samples at 48 kHz), hop half a frame. Each frame's tonal peaks
/// are local maxima between 50 Hz and 8 kHz, within 50 dB of the frame's strongest, that stand
/// 15 dB over the median level within a sixth of an octave: a steady partial keeps its power in
/// two or three bins, while a bin of noise exceeds the median by 15 dB with probability e^-22.
/// The 40 strongest are kept. The frame's roughness is the sum of pairRoughness (roughness.hpp)
/// over its peaks divided by the sum of their squared amplitudes: dimensionless and
/// level-free. Two equal sines a quarter of a critical band apart read 0.090 (half the curve's
/// maximum); a lone sine or a frame without tonal peaks reads 0. Partials closer than ~12 Hz
/// (two bins: a semitone below ~200 Hz) merge into one Hann main lobe at this frame length,
/// so low clusters read less rough than they sound.
std::vector<RoughnessFrame> roughnessFrames(std::span<const float> signal, double sampleRate);

/// The mean roughness of `frames` weighted by their energy, skipping frames more than 50 dB
/// below the loudest; 0 when all are silent.
double energyWeightedRoughness(std::span<const RoughnessFrame> frames);

/// Roughness that depends neither on level nor on the segment's length:
/// energyWeightedRoughness(roughnessFrames(signal, sampleRate)). Dimensionless; silence, white
/// noise and applause read 0, a C major triad of saw tones 0.066, the saws C4..F4 0.22.
double normalizedRoughness(std::span<const float> signal, double sampleRate);

/// The onsets of pitched sound: onsetTimes (default options), keeping those where the frame of
/// `frames` (from roughnessFrames of the same signal) that starts next holds at least two tonal
/// peaks. A clap or a cough is an onset of noise and does not count; a note, a chord, a stab or
/// a timpani stroke does. This is the "onset frequency" of note events that tension models use.
std::vector<double> pitchedOnsetTimes(std::span<const float> signal, double sampleRate,
                                      std::span<const RoughnessFrame> frames);
/// pitchedOnsetTimes per second of signal; 0 when empty.
double pitchedOnsetRate(std::span<const float> signal, double sampleRate);
/// Note onsets per second of signal (onsetTimes with its default options); 0 when empty.
double onsetRate(std::span<const float> signal, double sampleRate);

/// EBU R128 integrated loudness of interleaved audio (libebur128 through reverie's
/// measureLoudness), in LUFS; -70 for silence or anything shorter than one 0.4 s block.
double loudnessLufs(std::span<const float> interleaved, double sampleRate, int channels = 1);

/// Mean spectral flatness (Wiener entropy) over ~43 ms frames, spectralFlatness of
/// spectral_shape.hpp: white noise ~0.56, noise bursts a little less, tones near 0.
double flatness(std::span<const float> signal, double sampleRate);

}  // namespace reverie::test
