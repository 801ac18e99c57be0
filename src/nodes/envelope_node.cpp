// "envelope": an ADSR amplifier gated by notes.
#include "dsp/adsr_envelope.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

enum { kAttack, kDecay, kSustain, kRelease };
constexpr ParameterDescriptor kParameters[] = {
    rows::adsr::attack(0.01f),
    rows::adsr::decay(0.3f),
    rows::adsr::sustain(0.7f),
    rows::adsr::release(0.5f),
};
static_assert(indicesMatch(
    kParameters,
    {{kAttack, "attack"}, {kDecay, "decay"}, {kSustain, "sustain"}, {kRelease, "release"}}));

class EnvelopeNode final : public Node {
 public:
  EnvelopeNode() : Node(kEnvelopeType) {}

 protected:
  void onParameterChanged(int) noexcept override {
    const float rate = static_cast<float>(info().sampleRate);
    envelope_.setTimes(parameter(kAttack).target() * rate, parameter(kDecay).target() * rate,
                       parameter(kSustain).target(), parameter(kRelease).target() * rate);
  }
  void onEvent(const Event& event) noexcept override {
    if (event.type == EventType::kNoteOn && event.value > 0.0f) {
      if (held_++ == 0) envelope_.gateOn();
    } else if (event.type == EventType::kNoteOff || event.type == EventType::kNoteOn) {
      if (held_ > 0 && --held_ == 0) envelope_.gateOff();
    } else if (event.type == EventType::kAllNotesOff) {
      held_ = 0;
      envelope_.gateOff();
    }
  }
  void render(const float* const* in, float* const* out, int frames) noexcept override {
    for (int i = 0; i < frames; ++i) out[0][i] = in[0][i] * envelope_.next();
  }

 private:
  dsp::AdsrEnvelope envelope_;
  int held_ = 0;
};

}  // namespace

const NodeType kEnvelopeType{
    .name = "envelope",
    .description = "ADSR amplifier opened by any held note",
    .inputs = kMonoInPort,
    .outputs = kMonoOutPort,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<EnvelopeNode>,
    // Notes open it, so the composer's chords do (as they did any note player's).
    .role = NodeRole::kKeys,
};

}  // namespace reverie
