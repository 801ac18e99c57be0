// How the tests listen: one include for every measurement of rendered audio.
//
// Signals are mono float spans with their sample rate in Hz; levels are dB re a sine of
// amplitude 1 unless a function says otherwise. Everything runs offline in double precision,
// and stays quick on a minute of 48 kHz audio: one-FFT measurements (spectral peaks, pitch,
// roughness, beating) analyse a leading segment, and pass a sub-span to choose another;
// whole-signal measurements (decay, centroid, flatness, onsets, chroma) walk short frames.
//
//   fft.hpp               ComplexFft, RealFft, Window, magnitudeSpectrum
//   stft.hpp              forEachFrame: short-time magnitude spectra
//   spectrum_peaks.hpp    spectralPeaks, fundamentalHz, peakNear, centsBetween
//   partial_decay.hpp     trackPartial, t60OfPartial
//   sample_statistics.hpp channel, allFinite, peakAbs, largestStep, rmsDb, rmsEnvelope
//   spectral_shape.hpp    spectralCentroidHz, spectralFlatness
//   onsets.hpp            onsetTimes
//   beating.hpp           measureBeating, beatRateHz
//   roughness.hpp         roughness (Sethares / Plomp-Levelt)
//   chroma.hpp            chroma (pitch-class profile)
//   key_estimate.hpp      estimateKey, keyCorrelations, keyName (Krumhansl-Schmuckler)
//   scene_features.hpp    normalizedRoughness, onsetRate, loudnessLufs, flatness, monoMix
//   tension_estimate.hpp  estimateTension (after Farbood 2012), zScores, pearson
//   test_signals.hpp      sines, decays and noise with known answers
#pragma once

#include "support/beating.hpp"
#include "support/chroma.hpp"
#include "support/fft.hpp"
#include "support/key_estimate.hpp"
#include "support/onsets.hpp"
#include "support/partial_decay.hpp"
#include "support/roughness.hpp"
#include "support/sample_statistics.hpp"
#include "support/scene_features.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"
#include "support/stft.hpp"
#include "support/tension_estimate.hpp"
#include "support/test_signals.hpp"
