// "synth": a small polyphonic subtractive synth that proves the engine (not a crystal).
#include <array>
#include <cmath>

#include "dsp/adsr_envelope.hpp"
#include "dsp/math_constants.hpp"
#include "dsp/polyblep_oscillator.hpp"
#include "dsp/random.hpp"
#include "dsp/svf.hpp"
#include "dsp/voice_allocator.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr int kMaxVoices = 32;
constexpr float kBendSemitones = 2.0f;
enum {
  kWaveform,
  kVoices,
  kDetune,
  kDrift,
  kCutoff,
  kResonance,
  kAttack,
  kDecay,
  kSustain,
  kRelease,
  kLevel,
  kSpread
};
constexpr ParameterDescriptor kParameters[] = {
    rows::waveform(1.0f),
    rows::voices(32.0f, 8.0f),
    {"detune", "Detune between the two oscillators", "cents", 0.0f, 50.0f, 7.0f, 0.02f},
    {"drift", "Random detune per note (seeded)", "cents", 0.0f, 50.0f, 0.0f},
    {"cutoff", "Filter cutoff", "Hz", 20.0f, 20000.0f, 2400.0f, 0.02f},
    {"resonance", "Filter resonance", "", 0.0f, 1.0f, 0.2f, 0.02f},
    rows::adsr::attack(0.01f),
    rows::adsr::decay(0.4f),
    rows::adsr::sustain(0.6f),
    rows::adsr::release(0.6f),
    rows::level(-12.0f),
    {"spread", "Random stereo spread per note (seeded)", "", 0.0f, 1.0f, 0.0f},
};
static_assert(indicesMatch(kParameters, {{kWaveform, "waveform"},
                                         {kVoices, "voices"},
                                         {kDetune, "detune"},
                                         {kDrift, "drift"},
                                         {kCutoff, "cutoff"},
                                         {kResonance, "resonance"},
                                         {kAttack, "attack"},
                                         {kDecay, "decay"},
                                         {kSustain, "sustain"},
                                         {kRelease, "release"},
                                         {kLevel, "level"},
                                         {kSpread, "spread"}}));

struct Voice {
  dsp::PolyBlepOscillator a, b;
  dsp::Svf filter;
  dsp::AdsrEnvelope envelope;
  int key = -1;
  float velocity = 0.0f;
  float pitchCents = 0.0f;  // key and drift, in cents above MIDI 0
  float cyclesPerSample = 0.0f;
  float gainLeft = 0.0f, gainRight = 0.0f;
  unsigned long age = 0;
  bool held = false;       // key down
  bool sustained = false;  // released while the pedal was down
};

class SynthNode final : public Node {
 public:
  SynthNode() : Node(kSynthType) {}

 protected:
  void onPrepare(const PrepareInfo& info) override { random_.reseed(info.seed); }

  void onParameterChanged(int) noexcept override {
    dirty_ = true;
    const float rate = static_cast<float>(info().sampleRate);
    for (Voice& v : voices_)
      v.envelope.setTimes(parameter(kAttack).target() * rate, parameter(kDecay).target() * rate,
                          parameter(kSustain).target(), parameter(kRelease).target() * rate);
  }

  void onEvent(const Event& event) noexcept override {
    switch (event.type) {
      case EventType::kNoteOn:
        if (event.value > 0.0f) return noteOn(event.index, event.value);
        return noteOff(event.index);
      case EventType::kNoteOff:
        return noteOff(event.index);
      case EventType::kPitchBend:
        bendCents_ = event.value * kBendSemitones * 100.0f;
        dirty_ = true;
        return;
      case EventType::kControlChange:
        if (event.index == 64) setPedal(event.value >= 0.5f);
        return;
      case EventType::kAllNotesOff:
        for (Voice& v : voices_) {
          v.held = v.sustained = false;
          v.envelope.gateOff();
        }
        return;
      default:
        return;
    }
  }

  int countSoundingVoices() const noexcept override {
    int count = 0;
    for (const Voice& v : voices_) count += v.envelope.isActive();
    return count;
  }

  void render(const float* const*, float* const* out, int frames) noexcept override {
    const auto waveform = static_cast<dsp::Waveform>(parameter(kWaveform).current());
    const float inverseRate = static_cast<float>(1.0 / info().sampleRate);
    for (int i = 0; i < frames; ++i) {
      // Derived values are recomputed only while their parameter moves: per sample, so the
      // result stays independent of block size, but free when nothing changes.
      if (parameter(kDetune).isRamping() || parameter(kCutoff).isRamping() ||
          parameter(kResonance).isRamping() || parameter(kLevel).isRamping() || dirty_) {
        detuneRatio_ = std::exp2(parameter(kDetune).next() * 0.5f / 1200.0f);
        parameter(kCutoff).next();
        parameter(kResonance).next();
        level_ = decibelsToGain(parameter(kLevel).next());
        for (Voice& v : voices_)
          if (v.envelope.isActive()) updateVoice(v, inverseRate);
        dirty_ = false;
      }
      float left = 0.0f, right = 0.0f;
      for (Voice& v : voices_) {
        if (!v.envelope.isActive()) continue;
        const float x = 0.5f * (v.a.next(waveform, v.cyclesPerSample * detuneRatio_) +
                                v.b.next(waveform, v.cyclesPerSample / detuneRatio_));
        const float y = v.filter.lowPass(x) * v.envelope.next() * v.velocity * level_;
        left += y * v.gainLeft;
        right += y * v.gainRight;
      }
      out[0][i] = left;
      out[1][i] = right;
    }
  }

 private:
  void noteOn(int key, float velocity) noexcept {
    // A key still sounding is struck again in its own voice, else the first free voice, else
    // the oldest is stolen and its envelope restarts from where it is.
    struct Pool {
      const std::array<Voice, kMaxVoices>& voices;
      int size() const noexcept { return kMaxVoices; }
      int key(int v) const noexcept { return voice(v).key; }
      bool playing(int v) const noexcept { return voice(v).envelope.isActive(); }
      bool free(int v) const noexcept { return !playing(v); }
      unsigned long age(int v) const noexcept { return voice(v).age; }
      const Voice& voice(int v) const noexcept { return voices[static_cast<std::size_t>(v)]; }
    } pool{voices_};
    const int polyphony = static_cast<int>(parameter(kVoices).current());
    const int chosen = dsp::chooseVoice<dsp::StealRule::kOldest>(pool, key, polyphony).voice;
    Voice& v = voices_[static_cast<std::size_t>(chosen)];
    if (!v.envelope.isActive()) {
      v.a.reset(0.0f);
      v.b.reset(0.0f);
      v.filter.reset();
    }
    v.key = key;
    v.velocity = velocity;
    v.pitchCents =
        static_cast<float>(key) * 100.0f + parameter(kDrift).current() * random_.bipolar();
    const float pan = parameter(kSpread).current() * random_.bipolar();
    const float angle = (pan + 1.0f) * 0.25f * dsp::kPiF;
    v.gainLeft = std::cos(angle);
    v.gainRight = std::sin(angle);
    v.age = ++clock_;
    v.held = true;
    v.sustained = false;
    v.envelope.gateOn();
    updateVoice(v, static_cast<float>(1.0 / info().sampleRate));
  }

  void updateVoice(Voice& v, float inverseRate) noexcept {
    const float hz = 8.1757989156f * std::exp2((v.pitchCents + bendCents_) / 1200.0f);  // MIDI 0
    v.cyclesPerSample = hz * inverseRate;
    // Brighter with velocity, as struck strings are.
    v.filter.setCoefficients(parameter(kCutoff).current() * (0.5f + v.velocity) * inverseRate,
                             parameter(kResonance).current());
  }

  void noteOff(int key) noexcept {
    for (Voice& v : voices_) {
      if (v.key != key || !v.held) continue;
      v.held = false;
      if (pedal_) {
        v.sustained = true;
      } else {
        v.envelope.gateOff();
      }
    }
  }

  void setPedal(bool down) noexcept {
    pedal_ = down;
    if (down) return;
    for (Voice& v : voices_) {
      if (!v.sustained) continue;
      v.sustained = false;
      v.envelope.gateOff();
    }
  }

  std::array<Voice, kMaxVoices> voices_{};
  dsp::Random random_;
  float bendCents_ = 0.0f;
  float detuneRatio_ = 1.0f;
  float level_ = 0.0f;
  bool dirty_ = true;
  unsigned long clock_ = 0;
  bool pedal_ = false;
};

}  // namespace

const NodeType kSynthType{
    .name = "synth",
    .description = "Small polyphonic subtractive synth (two detuned oscillators, filter, ADSR)",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<SynthNode>,
    .role = NodeRole::kKeys,
};

}  // namespace reverie
