// The modal bank's inner loop: complex one-pole resonators in 16-lane structure-of-arrays form.
#pragma once

#include "dsp/mode_drift.hpp"

namespace reverie::dsp {

/// Modes are stored in groups of 16 lanes (padding modes have zero coefficients and gains).
inline constexpr int kModeLanes = 16;

/// One voice's modes, as plain arrays of `groups * 16` floats (64-byte aligned).
/// Each mode is z <- p z + g x with p = r e^{iw} held as (c, s) = (r cos w, r sin w): a
/// rotation, so changing w keeps the mode's amplitude exactly (no click when bending), unlike
/// a two-pole biquad whose state implies a different amplitude under new coefficients.
struct ModeArrays {
  float* re;              ///< state, real part
  float* im;              ///< state, imaginary part (the mode's output)
  const float* c;         ///< r cos w
  const float* s;         ///< r sin w
  const float* gain;      ///< input gain: excitation weight, position and level folded in
  const float* sideGain;  ///< stereo: how much of the mode goes to the side (L-R) signal
  int groups;             ///< number of 16-lane groups, 1..4
  /// Bowed only: the weights the velocity under the bow reads the modes with (null: `gain`,
  /// as reciprocity has it). With gain x k in and velocityGain / k out, a mode's share of the
  /// friction's loop is unchanged while it sounds k times louder.
  const float* velocityGain = nullptr;
};

/// Renders `frames` frames. `excitation` (null = silence) drives every mode; the sum of the
/// modes is added to mid[], the side-weighted sum to side[]. Explicit fused multiply-adds and a
/// fixed reduction tree make every implementation give bit-identical results.
using ModalKernel = void (*)(const ModeArrays& modes, const float* excitation, float* mid,
                             float* side, int frames);

/// A bow on the modes: stick-slip friction (Smith's bow table, as in STK's Bowed) between the
/// bow and the body's velocity under it, the velocity read each frame as the gain-weighted
/// real parts after the modes' rotation and before the force lands.
struct BowDrive {
  float speed = 0.0f;     ///< the bow's velocity, in the modes' velocity units
  float slope = 1.0f;     ///< how steeply the friction falls off with slip
  float coupling = 0.0f;  ///< force per unit of slip while sticking
  /// Lanes whose states, summed, go to listenRe/listenIm each frame (-1: none).
  int listenA = -1, listenB = -1;
  /// In: the velocity under the bow for the first frame, as the last call left it, or NaN
  /// when anything else has touched the modes since (it is then read from their state). Out:
  /// the next frame's. Carried so that where a render's blocks split does not change a bit.
  float* contact = nullptr;
};

/// One voice of a bowed render: its modes, its bow, and where its frames go.
struct BowedVoice {
  ModeArrays modes;
  BowDrive bow;
  float* mid;       ///< the sum of the modes is added here, a float a frame
  float* side;      ///< and the side-weighted sum here
  float* listenRe;  ///< the listened lanes' summed state, a float a frame (null: not listening)
  float* listenIm;
};

/// Most voices a bowed kernel renders side by side in one loop over the frames.
inline constexpr int kBowedTogether = 2;

/// Renders `frames` frames of each of `count` bowed voices, as ModalKernel does with the bow's
/// force as the excitation, the state held in registers across frames. Each frame's friction
/// waits on the frame before, so neighbouring voices with the same group count run side by
/// side, kBowedTogether at a time, their chains overlapping. A voice's arithmetic is its own:
/// its bits do not depend on its neighbours, and frame by frame the voices add to mid[] and
/// side[] in the order given, as rendering them one after another would. Bit-identical across
/// implementations.
using BowedKernel = void (*)(const BowedVoice* voices, int count, int frames);

/// The fastest kernel this CPU runs (AVX-512, AVX2+FMA, or portable), chosen once.
ModalKernel modalKernel();
/// The bowed kernel of the same instruction set.
BowedKernel bowedKernel();
/// The drift step of the same instruction set.
DriftKernel driftKernel();
/// The chosen kernel's name: "avx512", "avx2" or "portable".
const char* modalKernelName();
/// Every kernel this CPU can run, by name, for tests that compare them.
struct NamedKernel {
  const char* name;
  ModalKernel kernel;
  BowedKernel bowed;
  DriftKernel drift;
};
int availableModalKernels(NamedKernel* out, int capacity);

// Implementations, each in its own translation unit compiled for its instruction set.
/// The struck and bowed kernels and the drift step of one instruction set.
struct KernelSet {
  ModalKernel struck;
  BowedKernel bowed;
  DriftKernel drift;
};
KernelSet portableKernels();
KernelSet avx2Kernels();
KernelSet avx512Kernels();

}  // namespace reverie::dsp
