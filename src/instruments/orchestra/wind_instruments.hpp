// The four wind instruments as one object each: what sets an oboe, a flute, a clarinet and the
// pad apart (oscillators at the start of a note, filters, the per-sample source, level and
// breath), each in one place. WindVoice picks one when a note starts from silence and never asks
// again.
#pragma once

#include <cmath>

#include "dsp/float4.hpp"
#include "dsp/math_constants.hpp"
#include "dsp/parallel_svf.hpp"
#include "dsp/random.hpp"
#include "dsp/saw_bank.hpp"

namespace reverie::orchestra {

enum class WindInstrument {
  kOboe = 0,   ///< double reed: a saw, darker when soft, through resonances near 1.15 and 2.9 kHz
  kFlute = 1,  ///< near-sine with a little second and third harmonic, and breath
  kClarinet = 2,  ///< square-ish: odd harmonics
  kPad = 3,       ///< three soft detuned voices, slow to swell (attack + 0.8 s, release + 1 s)
};

/// The instrument's own state in one voice; each instrument uses the part it needs.
struct WindTone {
  dsp::SawBank saws;         // oboe: one saw; clarinet: two half a cycle apart; pad: three detuned
  dsp::ParallelSvf filters;  // per instrument: body, resonances and the breath's colour
  dsp::Float4 laneRatios{1.0f, 1.0f, 1.0f, 1.0f};  // the pad's detune
  dsp::Float4 harmonics{};                         // flute: partials 1, 2, 3
  float fluteCos = 1.0f, fluteSin = 0.0f;          // the flute's phasor
  float rotationCos = 1.0f, rotationSin = 0.0f;    // and its turn per sample
  float reed = 0.0f, reedTop = 0.0f;               // the oboe's tone filter: two one-poles
  float reedCoefficient = 1.0f;
};

class WindVoice;

/// One instrument as the voice sees it, chosen once per note from silence: its scales, and its
/// parts as plain function pointers (called per note or per span, never per sample; the
/// render functions are the voice's loops compiled for that instrument).
struct WindStrategy {
  WindInstrument instrument;
  float scale;        ///< output scale: a note at full dynamics peaks near -11 or -15 dBFS
  float breathScale;  ///< breath-noise scale
  float extraAttackSeconds, extraReleaseSeconds;
  /// A note from silence: the oscillators' phases (`phase` drawn by the voice) and detune.
  void (*begin)(WindTone& tone, float phase, dsp::Random& random) noexcept;
  /// The filters (and the oboe's reed, the flute's partials) for a pitch and dynamics.
  void (*setFilters)(WindTone& tone, float f0Hz, float dynamics, float inverseRate,
                     float velocity) noexcept;
  /// After each control update, at the pitch with vibrato, in cycles per sample.
  void (*control)(WindTone& tone, float cyclesPerSample) noexcept;
  void (*render)(WindVoice& voice, float* left, float* right, int frames) noexcept;
  void (*renderLanes)(WindVoice* const* voices, int count, float* left, float* right,
                      int frames) noexcept;
};

namespace winds {

/// What an instrument has unless it says otherwise: no extra attack or release, nothing to do
/// after a control update or during a glide.
struct Defaults {
  static constexpr float kExtraAttackSeconds = 0.0f, kExtraReleaseSeconds = 0.0f;
  static void control(WindTone&, float) noexcept {}
  static void glide(WindTone&, float) noexcept {}
};
/// The per-sample sources of an instrument that keeps no per-sample state outside its saws.
struct NoStateOne {
  explicit NoStateOne(const WindTone&) noexcept {}
  void store(WindTone&) const noexcept {}
};
struct NoStateLanes {
  void load(int, const WindTone&) noexcept {}
  void store(int, WindTone&) const noexcept {}
};

/// Each instrument below: its constants, its per-note and per-update parts, and two per-sample
/// sources, `One` (one voice: the filter-lane inputs, breath `noise` in its lane) and `Lanes`
/// (up to four voices, one per SIMD lane: each voice's filtered sum before gain).
struct Oboe : Defaults {
  static constexpr WindInstrument kInstrument = WindInstrument::kOboe;
  static constexpr float kScale = 0.19f, kBreathScale = 0.25f;
  static void begin(WindTone& tone, float phase, dsp::Random&) noexcept {
    tone.saws.setPhases(dsp::Float4{phase, 0.0f, 0.0f, 0.0f});
    tone.laneRatios = dsp::broadcast(1.0f);
    tone.reed = tone.reedTop = 0.0f;
  }
  static void setFilters(WindTone& tone, float f0Hz, float d, float r, float velocity) noexcept {
    // Oboe formant regions near 1.1-1.2 kHz and 2.7-3 kHz: J. Meyer, "Acoustics and the
    // Performance of Music" (5th ed., 2009), sec. 2.4. The upper one grows with dynamics.
    // The reed's tone darkens when played softly: two one-pole low-passes on the saw (12 dB
    // per octave), opening from about 800 Hz at pp to 4.7 kHz at ff with full velocity,
    // 1.9-2.7 kHz at mezzo-forte by the note's velocity. Measured against a recorded oboe
    // (bench/realism.sh oboe), one pole opening to 4.7 kHz at mf and the full-strength
    // upper formant left 5-16 kHz 20-37 dB too strong, a hiss; that formant is now 4.4 dB
    // weaker (still a bump over its neighbours).
    tone.reedCoefficient =
        1.0f - std::exp(-dsp::kTwoPiF * (700.0f + (2400.0f + 1600.0f * velocity) * d * d) * r);
    dsp::ParallelSvf& filters = tone.filters;
    filters.setLane(0, f0Hz * (1.0f + 1.5f * d) * r, 0.7f);
    filters.setLane(1, 1150.0f * r, 2.8f);
    filters.setLane(2, 2900.0f * r, 4.0f);
    filters.setLane(3, 1400.0f * r, 1.0f);
    // Band lanes are normalised to their peak (x 1/Q), then weighted.
    filters.setMix(
        dsp::Float4{0.05f, 0.0f, 0.0f, 0.0f},
        dsp::Float4{0.0f, 2.2f * (0.6f + 0.4f * d) / 2.8f, 1.8f * (0.1f + 0.9f * d) / 4.0f, 1.0f},
        dsp::broadcast(0.0f));
  }

  struct One {
    float reed, reedTop, coefficient;
    explicit One(const WindTone& t) noexcept
        : reed(t.reed), reedTop(t.reedTop), coefficient(t.reedCoefficient) {}
    dsp::Float4 next(dsp::SawBank& saws, dsp::Float4 increment, dsp::Float4 inverseIncrement,
                     float noise, const WindTone&) noexcept {
      reed += (saws.next(increment, inverseIncrement)[0] - reed) * coefficient;
      reedTop += (reed - reedTop) * coefficient;
      return dsp::Float4{reedTop, reedTop, reedTop, noise};
    }
    void store(WindTone& t) const noexcept { t.reed = reed, t.reedTop = reedTop; }
  };

  struct Lanes {
    dsp::Float4 reed{}, reedTop{}, coefficient{};
    void load(int v, const WindTone& t) noexcept {
      reed[v] = t.reed, reedTop[v] = t.reedTop, coefficient[v] = t.reedCoefficient;
    }
    dsp::Float4 next(dsp::SawBank* saws, dsp::ParallelSvf* banks, const dsp::Float4* increment,
                     const dsp::Float4* inverseIncrement, dsp::Float4 noise) noexcept {
      reed += (saws[0].next(increment[0], inverseIncrement[0]) - reed) * coefficient;
      reedTop += (reed - reedTop) * coefficient;
      return ((banks[0].processMixed(reedTop) + banks[1].processMixed(reedTop)) +
              banks[2].processMixed(reedTop)) +
             banks[3].processMixed(noise);
    }
    void store(int v, WindTone& t) const noexcept { t.reed = reed[v], t.reedTop = reedTop[v]; }
  };
};

struct Flute : Defaults {
  static constexpr WindInstrument kInstrument = WindInstrument::kFlute;
  static constexpr float kScale = 0.21f, kBreathScale = 0.35f;
  static void begin(WindTone& tone, float phase, dsp::Random&) noexcept {
    const dsp::Float4 phasor = dsp::sineOfCycles(dsp::Float4{phase + 0.25f, phase, 0.0f, 0.0f});
    tone.fluteCos = phasor[0];
    tone.fluteSin = phasor[1];
  }
  static void setFilters(WindTone& tone, float, float d, float r, float) noexcept {
    tone.filters.setLane(0, 2500.0f * r, 0.8f);  // breath hiss; lane 1 passes the tone through
    tone.filters.setMix(dsp::broadcast(0.0f), dsp::Float4{1.0f / 0.8f, 0.0f, 0.0f, 0.0f},
                        dsp::Float4{0.0f, 1.0f, 0.0f, 0.0f});
    // Overblowing harder brings up the upper partials (Fletcher & Rossing, "The Physics of
    // Musical Instruments", 2nd ed., 1998, sec. 16.10).
    tone.harmonics = dsp::Float4{1.0f, 0.08f + 0.25f * d, 0.03f + 0.12f * d, 0.0f};
  }
  /// The phasor turns by its pitch each sample; renormalising here keeps it on the unit circle
  /// against rounding.
  static void control(WindTone& tone, float cyclesPerSample) noexcept {
    glide(tone, cyclesPerSample);
    const float radius =
        1.5f - 0.5f * (tone.fluteCos * tone.fluteCos + tone.fluteSin * tone.fluteSin);
    tone.fluteCos *= radius;
    tone.fluteSin *= radius;
  }
  /// The turn per sample for a pitch.
  static void glide(WindTone& tone, float cyclesPerSample) noexcept {
    const dsp::Float4 rotation =
        dsp::sineOfCycles(dsp::Float4{cyclesPerSample + 0.25f, cyclesPerSample, 0.0f, 0.0f});
    tone.rotationCos = rotation[0];
    tone.rotationSin = rotation[1];
  }

  // A rotating phasor: sin, then the 2nd and 3rd partials by Chebyshev's identities,
  // sin 2a = 2 sin a cos a and sin 3a = sin a (3 - 4 sin^2 a).
  struct One {
    float phasorCos, phasorSin, second, third;
    explicit One(const WindTone& t) noexcept
        : phasorCos(t.fluteCos),
          phasorSin(t.fluteSin),
          second(t.harmonics[1]),
          third(t.harmonics[2]) {}
    dsp::Float4 next(dsp::SawBank&, dsp::Float4, dsp::Float4, float noise,
                     const WindTone& t) noexcept {
      const float c = phasorCos * t.rotationCos - phasorSin * t.rotationSin;
      phasorSin = phasorSin * t.rotationCos + phasorCos * t.rotationSin;
      phasorCos = c;
      const float s = phasorSin;
      return dsp::Float4{noise, s * (1.0f + 2.0f * second * c + third * (3.0f - 4.0f * s * s)),
                         0.0f, 0.0f};
    }
    void store(WindTone& t) const noexcept { t.fluteCos = phasorCos, t.fluteSin = phasorSin; }
  };

  struct Lanes {
    dsp::Float4 phasorCos{}, phasorSin{}, rotationCos{}, rotationSin{}, second{}, third{};
    void load(int v, const WindTone& t) noexcept {
      phasorCos[v] = t.fluteCos, phasorSin[v] = t.fluteSin;
      rotationCos[v] = t.rotationCos, rotationSin[v] = t.rotationSin;
      second[v] = t.harmonics[1], third[v] = t.harmonics[2];
    }
    dsp::Float4 next(dsp::SawBank*, dsp::ParallelSvf* banks, const dsp::Float4*, const dsp::Float4*,
                     dsp::Float4 noise) noexcept {
      const dsp::Float4 c = phasorCos * rotationCos - phasorSin * rotationSin;
      phasorSin = phasorSin * rotationCos + phasorCos * rotationSin;
      phasorCos = c;
      const dsp::Float4 s = phasorSin;
      return banks[0].processMixed(noise) +
             s * (1.0f + 2.0f * second * c + third * (3.0f - 4.0f * s * s));
    }
    void store(int v, WindTone& t) const noexcept {
      t.fluteCos = phasorCos[v], t.fluteSin = phasorSin[v];
    }
  };
};

struct Clarinet : Defaults {
  static constexpr WindInstrument kInstrument = WindInstrument::kClarinet;
  static constexpr float kScale = 0.21f, kBreathScale = 0.2f;
  static void begin(WindTone& tone, float phase, dsp::Random&) noexcept {
    // saw(t) - saw(t + 1/2): a square, odd harmonics only
    tone.saws.setPhases(dsp::Float4{phase, std::fmod(phase + 0.5f, 1.0f), 0.0f, 0.0f});
    tone.laneRatios = dsp::broadcast(1.0f);
  }
  static void setFilters(WindTone& tone, float f0Hz, float d, float r, float) noexcept {
    tone.filters.setLane(0, (f0Hz * (2.0f + 5.0f * d) + 300.0f) * r, 0.75f);
    tone.filters.setLane(3, 1800.0f * r, 1.0f);
    tone.filters.setMix(dsp::Float4{1.0f, 0.0f, 0.0f, 0.0f}, dsp::Float4{0.0f, 0.0f, 0.0f, 1.0f},
                        dsp::broadcast(0.0f));
  }

  struct One : NoStateOne {
    using NoStateOne::NoStateOne;
    dsp::Float4 next(dsp::SawBank& saws, dsp::Float4 increment, dsp::Float4 inverseIncrement,
                     float noise, const WindTone&) noexcept {
      const dsp::Float4 w = saws.next(increment, inverseIncrement);
      return dsp::Float4{w[0] - w[1], 0.0f, 0.0f, noise};
    }
  };

  struct Lanes : NoStateLanes {
    dsp::Float4 next(dsp::SawBank* saws, dsp::ParallelSvf* banks, const dsp::Float4* increment,
                     const dsp::Float4* inverseIncrement, dsp::Float4 noise) noexcept {
      const dsp::Float4 square = saws[0].next(increment[0], inverseIncrement[0]) -
                                 saws[1].next(increment[1], inverseIncrement[1]);
      return banks[0].processMixed(square) + banks[3].processMixed(noise);
    }
  };
};

struct Pad : Defaults {
  static constexpr WindInstrument kInstrument = WindInstrument::kPad;
  static constexpr float kScale = 0.28f, kBreathScale = 0.15f;
  static constexpr float kExtraAttackSeconds = 0.8f, kExtraReleaseSeconds = 1.0f;
  static constexpr float kDetuneCents = 7.0f;
  static void begin(WindTone& tone, float phase, dsp::Random& random) noexcept {
    tone.saws.setPhases(dsp::Float4{phase, random.uniform(), random.uniform(), 0.0f});
    tone.laneRatios = dsp::ratioOfCents(dsp::Float4{0.0f, kDetuneCents, -kDetuneCents, 0.0f});
  }
  static void setFilters(WindTone& tone, float f0Hz, float d, float r, float) noexcept {
    tone.filters.setAllLanes((f0Hz * (1.5f + 2.0f * d) + 150.0f) * r, 0.6f);
    tone.filters.setLane(3, 900.0f * r, 0.7f);
    tone.filters.setMix(dsp::Float4{0.6f, 0.45f, 0.45f, 0.0f},
                        dsp::Float4{0.0f, 0.0f, 0.0f, 1.0f / 0.7f}, dsp::broadcast(0.0f));
  }

  struct One : NoStateOne {
    using NoStateOne::NoStateOne;
    dsp::Float4 next(dsp::SawBank& saws, dsp::Float4 increment, dsp::Float4 inverseIncrement,
                     float noise, const WindTone&) noexcept {
      dsp::Float4 x = saws.next(increment, inverseIncrement);
      x[3] = noise;
      return x;
    }
  };

  struct Lanes : NoStateLanes {
    dsp::Float4 next(dsp::SawBank* saws, dsp::ParallelSvf* banks, const dsp::Float4* increment,
                     const dsp::Float4* inverseIncrement, dsp::Float4 noise) noexcept {
      const dsp::Float4 a = saws[0].next(increment[0], inverseIncrement[0]);
      const dsp::Float4 b = saws[1].next(increment[1], inverseIncrement[1]);
      const dsp::Float4 c = saws[2].next(increment[2], inverseIncrement[2]);
      return ((banks[0].processMixed(a) + banks[1].processMixed(b)) + banks[2].processMixed(c)) +
             banks[3].processMixed(noise);
    }
  };
};

}  // namespace winds
}  // namespace reverie::orchestra
