// The JACK server's own xrun reports, counted by a port-less client of reverie's.
//
// PortAudio's JACK back end turns the server's xrun notifications into one flag that the next
// callback sees, so several xruns between two callbacks (or while a late callback is still
// running) count as one: under load it reported 12 where the server logged 32 (and 23 where it
// logged 93 in tests/live/test_live_honesty.cpp). The server
// notifies every active client of every xrun it detects, so a client that only listens
// counts exactly what the server reports.
#pragma once

#include <atomic>
#include <cstdint>

typedef struct _jack_client jack_client_t;

namespace reverie::host {

class JackXruns {
 public:
  /// Opens and activates the listening client ("reverie-xruns"; no ports, no process
  /// callback, so it adds nothing to the server's cycle). Throws RuntimeFailure without a
  /// server.
  JackXruns();
  ~JackXruns();
  JackXruns(const JackXruns&) = delete;
  JackXruns& operator=(const JackXruns&) = delete;

  /// Xruns the server has reported since the client was activated.
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  /// Stops listening (the count stays as it is), so a count printed afterwards is final.
  void close();
  /// The server died: never call into it again (closing would wait for it).
  void abandon() { client_ = nullptr; }

 private:
  jack_client_t* client_ = nullptr;
  std::atomic<std::uint64_t> count_{0};
};

}  // namespace reverie::host
