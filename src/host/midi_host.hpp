// RtMidi: the keyboard side of live play. A virtual input port named "reverie", and
// connections to chosen devices, all feeding a LiveRenderer's queues.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "live/live_renderer.hpp"

typedef struct _jack_client jack_client_t;

namespace reverie::host {

struct MidiPortInfo {
  int index = 0;
  std::string name;
};

/// "jack" or "alsa" ("" picks what works: JACK if its server runs, else ALSA).
std::vector<MidiPortInfo> listMidiInputs(const std::string& api);

/// Which devices to open: "none", "all" (and any that appear later), a name, or an index.
/// A device that is also wired to the virtual port (by the user, a patchbay or the program
/// itself) is not connected a second time, or each of its notes would arrive twice: under JACK
/// the server says who is connected to the virtual port, and a direct connection made before
/// the wiring is closed when checkWiring() sees the wiring. (ALSA's sequencer is not asked.)
class MidiInputs {
 public:
  /// Throws InputError for an unknown device (listing the valid ones), RuntimeFailure if
  /// the MIDI system cannot be used.
  MidiInputs(live::LiveRenderer& renderer, const std::string& api, const std::string& selection);
  ~MidiInputs();

  /// Control thread, a few times a second: connects devices that appeared (with "all" or a
  /// name) and notices those that went away. Returns one line per change, for the user.
  std::vector<std::string> poll();
  /// Control thread, often (it only asks the JACK server, cheaply): closes a connection of ours
  /// to a device that has just been wired to the virtual port too, and says so.
  std::vector<std::string> checkWiring();
  /// The MIDI system went away with the audio (a JACK server that died): skip closing ports.
  void abandon();
  /// Names of the connected devices (the virtual port first).
  std::vector<std::string> connected() const;

 private:
  struct Input;
  void open(int port, const std::string& name);
  /// Under JACK, the ports wired to the virtual port (full names); empty elsewhere.
  std::set<std::string> wiredToVirtualPort();
  live::LiveRenderer& renderer_;
  std::string api_, selection_;
  std::vector<std::unique_ptr<Input>> inputs_;
  // Under JACK: a port-less client that asks the server about the virtual port's connections.
  jack_client_t* watcher_ = nullptr;
  std::string virtualPortName_;           // its full JACK name, e.g. "reverie-midi:reverie"
  std::set<std::string> lookalikes_;      // ports named like it before it was opened
  std::set<std::string> wired_;           // as of the last check, to report each new wiring once
  std::vector<std::string> pendingNews_;  // found while constructing, said by the first poll()
};

}  // namespace reverie::host
