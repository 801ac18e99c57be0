// randomPlay: the event mix every node's safety test plays.
#include "support/random_play.hpp"

#include <random>

namespace reverie::test {

std::vector<TimedEvent> randomPlay(std::span<const ParameterDescriptor> parameters,
                                   const RandomPlayOptions& o) {
  std::mt19937 random(o.seed);
  std::vector<TimedEvent> events;
  for (double t = 0.0; t < o.seconds; t += o.stepSeconds) {
    const auto frame = static_cast<std::uint64_t>(t * o.sampleRate);
    const int key = static_cast<int>(random() % 128);
    const float value = static_cast<float>(random() % 1001) / 1000.0f;
    const unsigned pick = o.notes ? random() % 10 : 8 + random() % 2;
    switch (pick) {
      case 0:
      case 1:
        events.push_back(noteAt(frame, key, value));
        break;
      case 2:
      case 3:
        events.push_back(noteOffAt(frame, key));
        break;
      case 4:
        events.push_back({frame, {0, EventType::kPitchBend, 0, 0, value * 2.0f - 1.0f}});
        break;
      case 5: {
        constexpr int kSwells[] = {1, 11, 64};
        const int controller =
            random() % 8 == 0 ? (random() % 2 ? 120 : 123) : kSwells[random() % 3];
        events.push_back(controllerAt(frame, controller, value));
        break;
      }
      case 6:
        events.push_back({frame, {0, EventType::kChannelPressure, 0, 0, value}});
        break;
      case 7:
        events.push_back(
            {frame, {0, EventType::kPolyPressure, 0, static_cast<std::uint16_t>(key), value}});
        break;
      default: {
        if (parameters.empty()) break;
        const auto index = static_cast<int>(random() % parameters.size());
        const ParameterDescriptor& d = parameters[static_cast<std::size_t>(index)];
        const float spread = 1.0f + 2.0f * o.outOfRange;
        events.push_back(parameterAt(
            frame, index, d.minimum + (d.maximum - d.minimum) * (value * spread - o.outOfRange)));
      }
    }
  }
  return events;
}

}  // namespace reverie::test
