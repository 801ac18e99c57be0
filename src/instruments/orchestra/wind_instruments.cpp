// The wind instruments' per-note and per-update parts: oscillators at the start, the filters.
#include "instruments/orchestra/wind_instruments.hpp"

#include <cmath>

#include "dsp/math_constants.hpp"

namespace reverie::orchestra::winds {
namespace {

constexpr float kPadDetuneCents = 7.0f;

}  // namespace

void Oboe::begin(WindTone& tone, float phase, dsp::Random&) noexcept {
  tone.saws.setPhases(dsp::Float4{phase, 0.0f, 0.0f, 0.0f});
  tone.laneRatios = dsp::broadcast(1.0f);
  tone.reed = tone.reedTop = 0.0f;
}

void Oboe::setFilters(WindTone& tone, float f0Hz, float d, float r, float velocity) noexcept {
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

void Flute::begin(WindTone& tone, float phase, dsp::Random&) noexcept {
  const dsp::Float4 phasor = dsp::sineOfCycles(dsp::Float4{phase + 0.25f, phase, 0.0f, 0.0f});
  tone.fluteCos = phasor[0];
  tone.fluteSin = phasor[1];
}

void Flute::setFilters(WindTone& tone, float, float d, float r, float) noexcept {
  tone.filters.setLane(0, 2500.0f * r, 0.8f);  // breath hiss; lane 1 passes the tone through
  tone.filters.setMix(dsp::broadcast(0.0f), dsp::Float4{1.0f / 0.8f, 0.0f, 0.0f, 0.0f},
                      dsp::Float4{0.0f, 1.0f, 0.0f, 0.0f});
  // Overblowing harder brings up the upper partials (Fletcher & Rossing, "The Physics of
  // Musical Instruments", 2nd ed., 1998, sec. 16.10).
  tone.harmonics = dsp::Float4{1.0f, 0.08f + 0.25f * d, 0.03f + 0.12f * d, 0.0f};
}

void Clarinet::begin(WindTone& tone, float phase, dsp::Random&) noexcept {
  // saw(t) - saw(t + 1/2): a square, odd harmonics only
  tone.saws.setPhases(dsp::Float4{phase, std::fmod(phase + 0.5f, 1.0f), 0.0f, 0.0f});
  tone.laneRatios = dsp::broadcast(1.0f);
}

void Clarinet::setFilters(WindTone& tone, float f0Hz, float d, float r, float) noexcept {
  tone.filters.setLane(0, (f0Hz * (2.0f + 5.0f * d) + 300.0f) * r, 0.75f);
  tone.filters.setLane(3, 1800.0f * r, 1.0f);
  tone.filters.setMix(dsp::Float4{1.0f, 0.0f, 0.0f, 0.0f}, dsp::Float4{0.0f, 0.0f, 0.0f, 1.0f},
                      dsp::broadcast(0.0f));
}

void Pad::begin(WindTone& tone, float phase, dsp::Random& random) noexcept {
  tone.saws.setPhases(dsp::Float4{phase, random.uniform(), random.uniform(), 0.0f});
  tone.laneRatios = dsp::ratioOfCents(dsp::Float4{0.0f, kPadDetuneCents, -kPadDetuneCents, 0.0f});
}

void Pad::setFilters(WindTone& tone, float f0Hz, float d, float r, float) noexcept {
  tone.filters.setAllLanes((f0Hz * (1.5f + 2.0f * d) + 150.0f) * r, 0.6f);
  tone.filters.setLane(3, 900.0f * r, 0.7f);
  tone.filters.setMix(dsp::Float4{0.6f, 0.45f, 0.45f, 0.0f},
                      dsp::Float4{0.0f, 0.0f, 0.0f, 1.0f / 0.7f}, dsp::broadcast(0.0f));
}

}  // namespace reverie::orchestra::winds
