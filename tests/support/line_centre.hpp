// The centre of one spectral line: where a unison of detuned copies is tuned, however it beats.
#pragma once

#include <span>

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

}  // namespace reverie::test
