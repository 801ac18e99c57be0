// Translator set-up and velocity curves.
#include "midi/midi_translator.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "reverie/errors.hpp"

namespace reverie::midi {

float VelocityCurve::apply(int velocity) const {
  if (kind == Kind::kFixed) return fixed;
  const float x = static_cast<float>(std::clamp(velocity, 1, 127)) / 127.0f;
  return std::pow(x, exponent);
}

VelocityCurve parseVelocityCurve(const std::string& text) {
  VelocityCurve curve;
  const std::string rule = "; use linear, soft, hard, fixed=0.7 or an exponent such as 1.5";
  if (text == "linear") return curve;
  if (text == "soft") return curve.exponent = 0.6f, curve;  // light touch, loud notes
  if (text == "hard") return curve.exponent = 1.7f, curve;
  try {
    std::size_t used = 0;
    if (text.rfind("fixed=", 0) == 0) {
      const float value = std::stof(text.substr(6), &used);
      if (used != text.size() - 6 || !(value > 0.0f && value <= 1.0f))
        throw InputError("velocity curve '" + text + "': a fixed velocity lies in (0, 1]" + rule);
      curve.kind = VelocityCurve::Kind::kFixed;
      curve.fixed = value;
      return curve;
    }
    const float exponent = std::stof(text, &used);
    if (used != text.size() || !(exponent >= 0.1f && exponent <= 10.0f))
      throw InputError("velocity curve '" + text + "': an exponent lies between 0.1 and 10" + rule);
    curve.exponent = exponent;
    return curve;
  } catch (const std::logic_error&) {
    throw InputError("unknown velocity curve '" + text + "'" + rule);
  }
}

void Translator::setTargets(int channel, std::span<const ChannelTarget> targets) {
  ChannelState& state = channels_[static_cast<std::size_t>(channel & 15)];
  state.targetCount =
      static_cast<int>(std::min<std::size_t>(targets.size(), kMaxTargetsPerChannel));
  std::copy_n(targets.begin(), state.targetCount, state.targets.begin());
}

}  // namespace reverie::midi
