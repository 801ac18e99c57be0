// The pitch an ensemble centres on: several detuned players of one note, heard as one.
#pragma once

#include <span>

namespace reverie::test {

/// The mean frequency of the players of one note, from their partials around harmonic k of
/// `f0Hz` (k the harmonic nearest `probeHz`, high enough that detuned players' partials stand
/// apart, so their slow beating cannot pull the estimate): the unweighted mean of the
/// interpolated peaks within +-f0/3 of k f0 and 15 dB of the strongest there, in a
/// Blackman-Harris spectrum, divided by k. Players of unequal level count alike. NaN if none.
double ensembleCentreHz(std::span<const float> signal, double sampleRate, double f0Hz,
                        double probeHz = 1000.0);

/// The power-weighted mean frequency of the 4x zero-padded Blackman-Harris spectrum between
/// `lowHz` and `highHz`: for one partial whose pitch wanders, its average frequency over the
/// segment (weighted toward the segment's middle by the window). NaN if the band is silent.
double meanFrequencyHz(std::span<const float> signal, double sampleRate, double lowHz,
                       double highHz);

}  // namespace reverie::test
