// MidiInputs over RtMidi: one RtMidiIn per connection, each with its own queue.
#include "host/midi_host.hpp"

#include <RtMidi.h>
#if REVERIE_HAVE_JACK
#include <jack/jack.h>
#endif

#include <algorithm>
#include <cctype>
#include <chrono>

#include "host/audio_host.hpp"
#include "midi/midi_message.hpp"
#include "reverie/errors.hpp"

namespace reverie::host {
namespace {

constexpr const char* kClientName = "reverie-midi";
constexpr const char* kVirtualPort = "reverie";

RtMidi::Api toApi(const std::string& api) {
  if (api == "jack") return RtMidi::UNIX_JACK;
  if (api == "alsa") return RtMidi::LINUX_ALSA;
  if (api.empty()) return RtMidi::UNSPECIFIED;
  throw InputError("unknown MIDI API '" + api + "'; use jack or alsa");
}

/// The API asked for; "" means JACK if its server runs, else ALSA.
std::string resolveApi(const std::string& api) {
  return !api.empty() ? api : (jackServerRunning() ? "jack" : "alsa");
}

/// An RtMidiIn on the API asked for (see resolveApi).
std::unique_ptr<RtMidiIn> makeInput(const std::string& api, const std::string& client) {
  const std::string chosen = resolveApi(api);
  // RtMidi's JACK back end "opens" without a server and only warns, so ask JACK first.
  if (chosen == "jack" && !jackServerRunning())
    throw RuntimeFailure(
        "the JACK server is not running; start it, or use --midi-api alsa or --midi-input none");
  try {
    return quietly([&] { return std::make_unique<RtMidiIn>(toApi(chosen), client, 1024); });
  } catch (const RtMidiError& e) {
    throw RuntimeFailure("MIDI through " + chosen + " is not available (" + e.getMessage() +
                         "); use --midi-input none to play without MIDI");
  }
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool isOurs(const std::string& port) {
  return port.find(kClientName) != std::string::npos || port.find("reverie:") == 0;
}

#if REVERIE_HAVE_JACK
/// Full names of the JACK MIDI inputs named like the virtual port ("<client>:reverie").
std::set<std::string> virtualPortLookalikes(jack_client_t* client) {
  std::set<std::string> names;
  const std::string pattern = std::string(":") + kVirtualPort + "$";
  if (const char** ports =
          jack_get_ports(client, pattern.c_str(), JACK_DEFAULT_MIDI_TYPE, JackPortIsInput)) {
    for (const char** p = ports; *p != nullptr; ++p) names.insert(*p);
    jack_free(ports);
  }
  return names;
}
#endif

}  // namespace

struct MidiInputs::Input {
  std::string name;
  int queue = 0;
  live::LiveRenderer* renderer = nullptr;
  std::unique_ptr<RtMidiIn> in;

  // RtMidi's thread: RtMidi delivers each message whole (status, then its data bytes), so it
  // is taken as it is, stamped and handed on; anything else (sysex is ignored) is dropped.
  static void receive(double, std::vector<unsigned char>* bytes, void* user) {
    auto* self = static_cast<Input*>(user);
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    if (const auto message = midi::completeMessage(*bytes))
      self->renderer->receive(self->queue, {now, *message});
  }
};

std::vector<MidiPortInfo> listMidiInputs(const std::string& api) {
  auto in = makeInput(api, "reverie-list");
  std::vector<MidiPortInfo> ports;
  for (unsigned i = 0; i < in->getPortCount(); ++i)
    ports.push_back({static_cast<int>(i), in->getPortName(i)});
  return ports;
}

MidiInputs::MidiInputs(live::LiveRenderer& renderer, const std::string& api,
                       const std::string& selection)
    : renderer_(renderer), api_(resolveApi(api)), selection_(selection) {
  if (selection_ == "none") return;
#if REVERIE_HAVE_JACK  // without it, a device wired to our port under JACK is not detected
  if (api_ == "jack") {
    watcher_ = quietly([] {
      jack_status_t status{};
      return jack_client_open("reverie-midi-watch", JackNoStartServer, &status);
    });
    if (watcher_ != nullptr) {
      lookalikes_ = virtualPortLookalikes(watcher_);
    }
  }
#endif
  // The virtual port, for other programs to connect to.
  auto input = std::make_unique<Input>();
  input->in = makeInput(api_, kClientName);
  input->name = std::string(kVirtualPort) + " (virtual port)";
  input->queue = 0;
  input->renderer = &renderer_;
  input->in->ignoreTypes(true, false, true);  // MIDI clock reaches play --sync midi
  input->in->setCallback(&Input::receive, input.get());
  input->in->openVirtualPort(kVirtualPort);
  inputs_.push_back(std::move(input));
  if (selection_ == "all" || selection_.empty()) {
    // Devices connected now are listed by connected(); a wiring found now is said at the next poll.
    for (std::string& line : poll())
      if (line.find("is wired to") != std::string::npos) pendingNews_.push_back(std::move(line));
    return;
  }
  const std::vector<MidiPortInfo> ports = listMidiInputs(api_);
  const bool numeric = std::all_of(selection_.begin(), selection_.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  for (const MidiPortInfo& port : ports) {
    if (numeric ? std::to_string(port.index) == selection_
                : lower(port.name).find(lower(selection_)) != std::string::npos) {
      if (!wiredToVirtualPort().count(port.name))
        open(port.index, port.name);  // else poll() says so
      return;
    }
  }
  std::string valid;
  for (const MidiPortInfo& port : ports)
    if (!isOurs(port.name)) valid += "\n  " + std::to_string(port.index) + ": " + port.name;
  throw InputError("no MIDI input '" + selection_ + "'; choose one of: all, none" +
                   (valid.empty() ? " (no devices are connected)" : valid));
}

MidiInputs::~MidiInputs() {
  for (auto& input : inputs_) input->in->closePort();
#if REVERIE_HAVE_JACK
  if (watcher_ != nullptr) jack_client_close(watcher_);
#endif
}

void MidiInputs::abandon() {
  // Closing a port on a dead JACK server would wait for it; the process is leaving anyway.
  for (auto& input : inputs_) (void)input.release()->in.release();
  inputs_.clear();
  watcher_ = nullptr;
}

std::set<std::string> MidiInputs::wiredToVirtualPort() {
  std::set<std::string> names;
  if (watcher_ == nullptr) return names;
#if REVERIE_HAVE_JACK
  // RtMidi does not say which client name JACK gave it ("reverie-midi", or "reverie-midi-01"
  // beside another reverie): the virtual port is the one that was not there before. The server
  // shows a new port from its next cycle on, so it may take a poll or two to appear.
  if (virtualPortName_.empty())
    for (const std::string& name : virtualPortLookalikes(watcher_))
      if (!lookalikes_.count(name)) virtualPortName_ = name;
  if (virtualPortName_.empty()) return names;
  const jack_port_t* port = jack_port_by_name(watcher_, virtualPortName_.c_str());
  if (port == nullptr) return names;
  if (const char** sources = jack_port_get_all_connections(watcher_, port)) {
    for (const char** s = sources; *s != nullptr; ++s) names.insert(*s);
    jack_free(sources);
  }
#endif
  return names;
}

void MidiInputs::open(int port, const std::string& name) {
  // Each RtMidiIn has its own thread, so its own queue; a closed input's queue is reused.
  int queue = 0;
  while (std::any_of(inputs_.begin(), inputs_.end(),
                     [&](const auto& in) { return in->queue == queue; }))
    ++queue;
  if (queue >= live::LiveRenderer::kMaxInputs) return;
  auto input = std::make_unique<Input>();
  input->in = makeInput(api_, kClientName);
  input->name = name;
  input->queue = queue;
  input->renderer = &renderer_;
  input->in->ignoreTypes(true, false, true);  // MIDI clock reaches play --sync midi
  input->in->setCallback(&Input::receive, input.get());
  input->in->openPort(static_cast<unsigned>(port), "in");
  inputs_.push_back(std::move(input));
}

std::vector<std::string> MidiInputs::checkWiring() {
  std::vector<std::string> news;
  if (watcher_ == nullptr || inputs_.empty()) return news;
  // Devices wired to the virtual port are heard through it, so never through a connection of
  // ours as well: one made before the wiring appeared is closed.
  const std::set<std::string> wired = wiredToVirtualPort();
  for (const std::string& name : wired)
    if (!wired_.count(name) && !isOurs(name))
      news.push_back("MIDI input '" + name +
                     "' is wired to the 'reverie' port; heard through it, not connected twice");
  wired_ = wired;
  for (auto it = inputs_.begin() + 1; it != inputs_.end();) {
    if (!wired.count((*it)->name)) {
      ++it;
      continue;
    }
    (*it)->in->closePort();
    it = inputs_.erase(it);
  }
  return news;
}

std::vector<std::string> MidiInputs::poll() {
  std::vector<std::string> news = std::move(pendingNews_);
  pendingNews_.clear();
  if (selection_ == "none") return news;
  std::vector<MidiPortInfo> ports;
  try {
    ports = listMidiInputs(api_);
  } catch (const std::exception&) {
    return news;  // the MIDI system went away; the audio goes on
  }
  for (std::string& line : checkWiring()) news.push_back(std::move(line));
  // Devices that went away: closed, and reported once.
  for (auto it = inputs_.begin() + 1; it != inputs_.end();) {
    const bool present = std::any_of(ports.begin(), ports.end(),
                                     [&](const MidiPortInfo& p) { return p.name == (*it)->name; });
    if (present) {
      ++it;
      continue;
    }
    news.push_back("MIDI input '" + (*it)->name + "' disconnected");
    (*it)->in->closePort();
    it = inputs_.erase(it);
  }
  // Devices that appeared: with "all", every one; with a name, the one that matches; never one
  // wired to the virtual port.
  for (const MidiPortInfo& port : ports) {
    if (isOurs(port.name) || wired_.count(port.name)) continue;
    const bool wanted = selection_ == "all" || selection_.empty() ||
                        lower(port.name).find(lower(selection_)) != std::string::npos;
    const bool open = std::any_of(inputs_.begin(), inputs_.end(),
                                  [&](const auto& in) { return in->name == port.name; });
    if (!wanted || open) continue;
    try {
      this->open(port.index, port.name);
      news.push_back("MIDI input '" + port.name + "' connected");
    } catch (const RtMidiError& e) {
      news.push_back("MIDI input '" + port.name + "' could not be opened: " + e.getMessage());
    }
  }
  return news;
}

std::vector<std::string> MidiInputs::connected() const {
  std::vector<std::string> names;
  for (const auto& input : inputs_) names.push_back(input->name);
  return names;
}

}  // namespace reverie::host
