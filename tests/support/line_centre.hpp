// The centre of one spectral line: where a unison of detuned copies is tuned, however it beats.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

/// The power-weighted mean frequency sum(f |X|^2) / sum(|X|^2) over the bins within
/// +-halfWidthHz of `expectedHz`, from one Blackman-Harris spectrum of the signal (2x
/// zero-padded, first 2.7 s at 48 kHz). A peak pick cannot say where an unresolved unison of
/// detuned copies (ensemble players, a chorus) is centred: as the copies beat, the window can
/// fall on a null and the line splits into two humps a lobe-width apart. The power centroid
/// of the line does not move with that phase: the copies' cross term is symmetric about their
/// mean, so two equal sines at f 2^(+-c/1200) read f. Choose halfWidthHz to hold the whole
/// main lobe (4 bins of 1/seconds each side) plus the copies' spread, and no other partial;
/// noise inside the band pulls the reading toward expectedHz. NaN for silence.
double lineCentreHz(std::span<const float> signal, double sampleRate, double expectedHz,
                    double halfWidthHz);

/// One partial as an analytic signal: the bins within +-halfWidthHz of `partialHz` kept (positive
/// frequencies only) and transformed back, so z[n] = a[n] e^{i phi[n]} carries the partial's own
/// envelope a and phase phi. Its instantaneous frequency, arg(z[n] conj(z[n-1])) * rate / 2 pi,
/// does not depend on the envelope: a note's release cannot bias it, unlike a power centroid of
/// a decaying window.
struct PartialTrack {
  std::vector<double> hz;         ///< instantaneous frequency, per sample (hz[0] = hz[1])
  std::vector<double> amplitude;  ///< |z|, per sample
};
PartialTrack partialTrack(std::span<const float> signal, double sampleRate, double partialHz,
                          double halfWidthHz);

}  // namespace reverie::test
