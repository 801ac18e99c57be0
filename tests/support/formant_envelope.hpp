// The spectral envelope of sung notes, read off their harmonics: where a vowel's formants lie.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

/// One harmonic: its frequency and level (dB re a sine of amplitude 1).
struct HarmonicLevel {
  double frequencyHz = 0.0;
  double levelDb = 0.0;
};

/// The level of each harmonic k f0 up to `maxHz` of a steady note: the power of a 4x zero-padded
/// Blackman-Harris spectrum summed over bins within +-f0/4 of k f0, so a harmonic spread by
/// detuned singers or jitter counts whole.
std::vector<HarmonicLevel> harmonicLevels(std::span<const float> signal, double sampleRate,
                                          double f0Hz, double maxHz);

/// Local maxima of a spectral envelope sampled by harmonics, ascending in frequency. The
/// points (of one note, or pooled from several notes so the envelope is sampled more densely
/// than one f0 allows) are joined by straight lines in dB on a 5 Hz grid, smoothed by a
/// triangle `smoothingHz` wide on each side, and a maximum counts when the envelope falls at
/// least `prominenceDb` below it on both sides before rising higher. Where points of several
/// notes meet, pass levels already normalised to one source level.
std::vector<double> envelopePeaksHz(std::vector<HarmonicLevel> points, double smoothingHz,
                                    double prominenceDb);

}  // namespace reverie::test
