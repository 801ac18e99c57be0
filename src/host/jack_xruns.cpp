// JackXruns: one jack_set_xrun_callback on a client of our own.
#include "host/jack_xruns.hpp"

#if REVERIE_HAVE_JACK
#include <jack/jack.h>
#endif

#include "reverie/errors.hpp"

namespace reverie::host {

#if !REVERIE_HAVE_JACK

// Built without libjack: the caller counts PortAudio's flags instead.
JackXruns::JackXruns() {
  throw RuntimeFailure("JACK xrun reports are unavailable in this build (built without JACK)");
}
JackXruns::~JackXruns() = default;
void JackXruns::close() {}

#else

JackXruns::JackXruns() {
  jack_status_t status{};
  client_ = jack_client_open("reverie-xruns", JackNoStartServer, &status);
  if (client_ == nullptr)
    throw RuntimeFailure("cannot open a JACK client to count xruns (is the JACK server running?)");
  // The server's notification thread of this client calls it; one atomic increment.
  jack_set_xrun_callback(
      client_,
      [](void* self) {
        static_cast<JackXruns*>(self)->count_.fetch_add(1, std::memory_order_relaxed);
        return 0;
      },
      this);
  // Notifications reach active clients only.
  if (jack_activate(client_) != 0) {
    jack_client_close(client_);
    client_ = nullptr;
    throw RuntimeFailure("cannot activate the JACK client that counts xruns");
  }
}

JackXruns::~JackXruns() {
  close();
}

void JackXruns::close() {
  if (client_ == nullptr) return;
  jack_deactivate(client_);
  jack_client_close(client_);
  client_ = nullptr;
}

#endif

}  // namespace reverie::host
