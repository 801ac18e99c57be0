// RtMidi: the keyboard side of live play. A virtual input port named "reverie", and
// connections to chosen devices, all feeding a LiveRenderer's queues.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "live/live_renderer.hpp"

namespace reverie::host {

struct MidiPortInfo {
  int index = 0;
  std::string name;
};

/// "jack" or "alsa" ("" picks what works: JACK if its server runs, else ALSA).
std::vector<MidiPortInfo> listMidiInputs(const std::string& api);

/// Which devices to open: "none", "all" (and any that appear later), a name, or an index.
class MidiInputs {
 public:
  /// Throws InputError for an unknown device (listing the valid ones), RuntimeFailure if
  /// the MIDI system cannot be used.
  MidiInputs(live::LiveRenderer& renderer, const std::string& api, const std::string& selection);
  ~MidiInputs();

  /// Control thread, a few times a second: connects devices that appeared (with "all" or a
  /// name) and notices those that went away. Returns one line per change, for the user.
  std::vector<std::string> poll();
  /// The MIDI system went away with the audio (a JACK server that died): skip closing ports.
  void abandon();
  /// Names of the connected devices (the virtual port first).
  std::vector<std::string> connected() const;

 private:
  struct Input;
  void open(int port, const std::string& name);
  live::LiveRenderer& renderer_;
  std::string api_, selection_;
  std::vector<std::unique_ptr<Input>> inputs_;
};

}  // namespace reverie::host
