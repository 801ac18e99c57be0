// The level of one partial over time, by heterodyning (a lock-in amplifier), and its T60.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

/// A partial's level at regular times: levelDb[j] is centred at firstSeconds + j * hopSeconds.
struct PartialTrack {
  double firstSeconds = 0.0;
  double hopSeconds = 0.0;
  double windowSeconds = 0.0;   ///< Span of signal each level summarises.
  std::vector<double> levelDb;  ///< dB re a sine of amplitude 1.
};

/// Tracks the partial at `frequencyHz`: the signal is multiplied by e^{-i 2 pi f t} and
/// low-passed by a Blackman-Harris window whose main lobe reaches `resolutionHz` either side,
/// so components that far away or further are 92 dB down. resolutionHz = 0 means
/// min(frequencyHz, 50 Hz): past the partial's own image at -f, and past the neighbours of
/// a harmonic series above 50 Hz. Pass the spacing to the nearest other partial when closer.
PartialTrack trackPartial(std::span<const float> signal, double sampleRate, double frequencyHz,
                          double resolutionHz = 0.0);

/// The T60 of the partial at `frequencyHz`, in seconds: a least-squares line through its dB
/// track from 5 dB under the peak down 30 dB more (less if the end of the signal, or 10 dB
/// above a noise floor, comes first; at least 10 dB), extrapolated to -60 dB. A floor is the
/// last tenth of the track when it has stopped falling; its mean power is subtracted before
/// the fit. NaN if the partial does not decay by 10 dB. Exact for a clean exponential; noise
/// 40 dB under the start adds a few percent of scatter.
///
/// An exponential is an eigenfunction of the low-pass, so its slope passes unchanged once the
/// window lies wholly after the onset; the fit therefore starts half a window after the peak.
double t60OfPartial(std::span<const float> signal, double sampleRate, double frequencyHz,
                    double resolutionHz = 0.0);

}  // namespace reverie::test
