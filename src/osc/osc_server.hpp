// The liblo side of `play --osc PORT`: one thread of its own serves UDP and TCP (liblo's
// stream framing: SLIP or length-prefixed, as the client sends) on the same port number. It
// decodes each message, takes a bundle's timetag to a frame of the renderer's clock, hands it
// to the Controller, sends replies, echoes to subscribers, and the notify stream 10 times a
// second. It is a control-side thread: it reaches the audio thread only through the
// renderer's timed queue (the Controller posts there), and it is that queue's one producer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "osc/osc_controller.hpp"
#include "osc/param_echo.hpp"

namespace reverie::osc {

class Server {
 public:
  /// Opens UDP and TCP on `port` and starts the thread. Throws RuntimeFailure if the port
  /// cannot be opened (taken by another program, say). `latencySeconds`: from a frame's
  /// rendering to its sound (see frameForTimetag). `echo` (may be null): the parameter
  /// changes the audio thread applied, echoed to subscribers as /reverie/param.
  Server(int port, Controller& controller, live::LiveRenderer& renderer, double sampleRate,
         double latencySeconds = 0.0, ParameterEcho* echo = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Messages received (bundled ones counted one by one).
  std::uint64_t received() const { return received_.load(std::memory_order_relaxed); }

 private:
  struct Socket;
  void run();
  void receive(Socket& socket, const char* path, const char* types, void* const* argv, int argc,
               void* message);
  void send(const std::string& url, const Outgoing& message, Socket* via, void* address);
  void broadcast(const Outgoing& message);
  void notify(bool everything);
  void echoChanges();

  Controller& controller_;
  live::LiveRenderer& renderer_;
  double sampleRate_;
  std::int64_t latencyNanos_;
  ParameterEcho* echo_;
  EchoThrottle throttle_;
  std::vector<Socket> sockets_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> received_{0};
  struct Subscriber;
  std::vector<Subscriber> subscribers_;
  std::chrono::steady_clock::time_point nextNotify_{};
  int sceneSent_ = -2, barSent_ = -1;
};

}  // namespace reverie::osc
