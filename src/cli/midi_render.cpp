// --channel mappings, and the CLI's view of midi::scheduleFile.
#include "cli/midi_render.hpp"

#include "reverie/errors.hpp"

namespace reverie::cli {

std::pair<int, std::string> parseChannelMapping(const std::string& text) {
  const std::size_t equals = text.find('=');
  const std::string rule =
      "; write CHANNEL=PRESET with a channel from 1 to 16, e.g. --channel 10=timpani";
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
    throw InputError("--channel '" + text + "' is not a mapping" + rule);
  int channel = 0;
  for (char c : text.substr(0, equals)) {
    if (c < '0' || c > '9' || channel > 16)
      throw InputError("--channel '" + text + "': bad channel" + rule);
    channel = channel * 10 + (c - '0');
  }
  if (channel < 1 || channel > 16)
    throw InputError("--channel '" + text + "': channel " + std::to_string(channel) +
                     " is not 1 to 16" + rule);
  return {channel, text.substr(equals + 1)};
}

std::vector<ScheduledEvent> scheduleMidiFile(const midi::MidiFile& file,
                                             const MidiRenderSetup& setup, Engine& engine) {
  return midi::scheduleFile(file, setup, engine).events;
}

}  // namespace reverie::cli
