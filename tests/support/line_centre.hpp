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

namespace reverie::test {

/// Harmonics 1, 2, ... of `hz` below `highestHz` (at most `count`), each as a partialTrack of
/// half-width `relativeWidth` x its frequency (at least 12 Hz, at most 0.45 hz so a
/// neighbour never enters): wide enough for vibrato, detuned players and a chorus.
std::vector<PartialTrack> harmonicTracks(std::span<const float> signal, double sampleRate,
                                         double hz, double highestHz, int count = 8,
                                         double relativeWidth = 0.06);

/// Where the harmonics centre over [from, to) frames: each harmonic's power-weighted mean
/// frequency sum(a^2 f) / sum(a^2), divided by its number, the harmonics weighted by their
/// energy. For one harmonic over a span longer than its players' beats, this is the line
/// centre of lineCentreHz: an ensemble of detuned copies, or a beating pair, reads where it is
/// centred. (Vibrato through a resonance is biased by it: the harmonic is louder on the side
/// of its swing nearer the resonance; read that with harmonicsMeanHz.)
double harmonicsCentreHz(const std::vector<PartialTrack>& tracks, std::size_t from, std::size_t to);

/// The harmonics' mean frequency over [from, to) frames: each harmonic's phase advance over
/// the span (the unweighted time mean of its instantaneous frequency) divided by its number,
/// the harmonics weighted by their energy. For one source with vibrato this is the mean
/// frequency over the cycles, the measure of a singer's or player's intonation; it does not
/// depend on the envelope. (For detuned copies it follows whichever copy is louder at the
/// moment; read those with harmonicsCentreHz.)
double harmonicsMeanHz(const std::vector<PartialTrack>& tracks, std::size_t from, std::size_t to);

/// What happened to the pitch between two renders of the same note, in cents: frame by frame,
/// each harmonic's instantaneous frequency in `changed` against `reference`, weighted by both
/// amplitudes (so a null between beating copies, the same in both, weighs nothing), from
/// `from` until `changed` has fallen `rangeDb` under its level at `from`, or `to`. Two renders
/// that differ only after `from` (a note-off) share their vibrato and beats frame for frame,
/// so these cancel and only the change is left.
double harmonicsShiftCents(const std::vector<PartialTrack>& reference,
                           const std::vector<PartialTrack>& changed, std::size_t from,
                           std::size_t to, double rangeDb);

}  // namespace reverie::test
