// Server: liblo sockets, decoding, timetags, replies and the notify stream.
#include "osc/osc_server.hpp"

#include <lo/lo.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "osc/osc_time.hpp"
#include "reverie/errors.hpp"

namespace reverie::osc {
namespace {

constexpr std::size_t kMaxSubscribers = 64;
constexpr auto kNotifyPeriod = std::chrono::milliseconds(100);
// A parameter's echo: at most one message per parameter this often (20 a second).
constexpr std::int64_t kEchoIntervalNanos = 50'000'000;
thread_local std::string openError;

void onError(int number, const char* message, const char* where) {
  openError = std::string(message ? message : "error") + " (" + std::to_string(number) +
              (where ? std::string(", ") + where : std::string()) + ")";
}

std::int64_t nanosOf(auto clockNow) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clockNow.time_since_epoch()).count();
}

/// The value at `arg`, copied out: liblo's arguments sit where the message put them, 4-byte
/// aligned, and a union of 8-byte members may not be read there in place.
template <typename T>
T valueAt(const lo_arg* arg) {
  T value;
  std::memcpy(&value, reinterpret_cast<const unsigned char*>(arg), sizeof value);
  return value;
}

Arg decode(char type, const lo_arg* arg) {
  switch (type) {
    case LO_INT32:
      return Arg::integer(valueAt<std::int32_t>(arg));
    case LO_INT64:
      return Arg::integer(valueAt<std::int64_t>(arg));
    case LO_FLOAT:
      return Arg::real(valueAt<float>(arg));
    case LO_DOUBLE:
      return Arg::real(valueAt<double>(arg));
    case LO_STRING:
    case LO_SYMBOL:
      return Arg::string(reinterpret_cast<const char*>(arg));
    case LO_TRUE:
      return Arg::integer(1);
    case LO_FALSE:
      return Arg::integer(0);
    default: {
      Arg other;
      other.tag = type;
      return other;
    }
  }
}

lo_message encode(const Outgoing& out) {
  lo_message m = lo_message_new();
  for (const Arg& a : out.args) {
    if (a.kind == Arg::Kind::kString)
      lo_message_add_string(m, a.text.c_str());
    else if (a.kind == Arg::Kind::kFloat)
      lo_message_add_float(m, static_cast<float>(a.number));
    else
      lo_message_add_int32(
          m, static_cast<std::int32_t>(std::clamp<double>(a.number, INT_MIN, INT_MAX)));
  }
  return m;
}

}  // namespace

struct Server::Socket {
  lo_server server = nullptr;
  Server* owner = nullptr;
};

struct Server::Subscriber {
  std::string url;
  lo_address address = nullptr;
};

Server::Server(int port, Controller& controller, live::LiveRenderer& renderer, double sampleRate,
               double latencySeconds, ParameterEcho* echo)
    : controller_(controller),
      renderer_(renderer),
      sampleRate_(sampleRate),
      latencyNanos_(std::llround(latencySeconds * 1e9)),
      echo_(echo),
      throttle_(kEchoIntervalNanos) {
  const std::string service = std::to_string(port);
  sockets_.resize(2);
  const int protocols[] = {LO_UDP, LO_TCP};
  for (std::size_t i = 0; i < 2; ++i) {
    openError.clear();
    lo_server s = lo_server_new_with_proto(service.c_str(), protocols[i], onError);
    if (s == nullptr) {
      for (Socket& done : sockets_)
        if (done.server) lo_server_free(done.server);
      throw RuntimeFailure("cannot open OSC port " + service + (i == 0 ? " (UDP)" : " (TCP)") +
                           ": " + (openError.empty() ? "in use?" : openError) +
                           "; choose another with --osc");
    }
    // Bundles are dispatched as they arrive, with their timetag: we place them on their frame
    // ourselves rather than let liblo hold them back until their time.
    lo_server_enable_queue(s, 0, 1);
    sockets_[i] = {s, this};
    lo_server_add_method(
        s, nullptr, nullptr,
        [](const char* path, const char* types, lo_arg** argv, int argc, lo_message m, void* user) {
          auto* socket = static_cast<Socket*>(user);
          socket->owner->receive(*socket, path, types, reinterpret_cast<void* const*>(argv), argc,
                                 m);
          return 0;
        },
        &sockets_[i]);
  }
  thread_ = std::thread([this] { run(); });
}

Server::~Server() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  for (Subscriber& s : subscribers_) lo_address_free(s.address);
  for (Socket& s : sockets_) lo_server_free(s.server);
}

void Server::run() {
  lo_server servers[2] = {sockets_[0].server, sockets_[1].server};
  int received[2] = {0, 0};
  while (!stop_.load(std::memory_order_relaxed)) {
    lo_servers_recv_noblock(servers, received, 2, 20);
    for (auto& [url, message] : controller_.takeDeferred()) send(url, message, nullptr, nullptr);
    echoChanges();
    if (std::chrono::steady_clock::now() >= nextNotify_) {
      nextNotify_ = std::chrono::steady_clock::now() + kNotifyPeriod;
      notify(false);
    }
  }
}

void Server::receive(Socket& socket, const char* path, const char* types, void* const* argv,
                     int argc, void* message) {
  received_.fetch_add(1, std::memory_order_relaxed);
  const auto m = static_cast<lo_message>(message);
  std::vector<Arg> args;
  args.reserve(static_cast<std::size_t>(std::max(argc, 0)));
  for (int i = 0; i < argc; ++i)
    args.push_back(decode(types[i], static_cast<const lo_arg*>(argv[i])));
  std::int64_t frame = -1;
  const lo_timetag tag = lo_message_get_timestamp(m);
  if (!(tag.sec == 0 && tag.frac <= 1))
    frame = frameForTimetag(renderer_.clockAnchor(), sampleRate_, ntpToUnixNanos(tag.sec, tag.frac),
                            nanosOf(std::chrono::system_clock::now()),
                            nanosOf(std::chrono::steady_clock::now()), latencyNanos_);
  const lo_address source = lo_message_get_source(m);
  // Replies go back on the connection a TCP message came on, length-prefixed as liblo writes
  // them: liblo 0.31 does not say which framing the client used, and its own reader (Csound's,
  // norns') does not take SLIP replies.
  const bool stream = &socket == &sockets_[1];
  char* url = source ? lo_address_get_url(source) : nullptr;
  const std::string from = url ? url : "";
  std::free(url);
  std::vector<Outgoing> out;
  const int subscribe = controller_.handle(path ? path : "", args, frame, from, out);
  if (subscribe != 0) {
    auto it = std::find_if(subscribers_.begin(), subscribers_.end(),
                           [&](const Subscriber& s) { return s.url == from; });
    if (subscribe < 0 && it != subscribers_.end()) {
      lo_address_free(it->address);
      subscribers_.erase(it);
      if (echo_ != nullptr && subscribers_.empty()) echo_->setEnabled(false);
    } else if (subscribe > 0 && it == subscribers_.end() && !from.empty()) {
      if (subscribers_.size() >= kMaxSubscribers) {
        out.push_back({"/reverie/fail",
                       {Arg::string(path), Arg::string("too many subscribers (64)")},
                       false});
      } else if (stream) {
        // The streams go to a port that listens: a TCP client's own port does not.
        out.push_back({"/reverie/fail",
                       {Arg::string(path), Arg::string("subscribe over UDP, from the port that "
                                                       "should hear the notify streams")},
                       false});
      } else if (lo_address a = lo_address_new_from_url(from.c_str())) {
        subscribers_.push_back({from, a});
        if (echo_ != nullptr) echo_->setEnabled(true);
        sceneSent_ = -2;  // the newcomer hears where the arc is at once
        barSent_ = -1;
      }
    }
  }
  for (const Outgoing& o : out) {
    if (o.broadcast)
      broadcast(o);
    else
      send(from, o, &socket, source);
  }
  if (subscribe > 0) notify(true);
}

void Server::send(const std::string& url, const Outgoing& message, Socket* via, void* address) {
  lo_message m = encode(message);
  if (address != nullptr && via != nullptr) {
    lo_send_message_from(static_cast<lo_address>(address), via->server, message.address.c_str(), m);
  } else if (lo_address a = url.empty() ? nullptr : lo_address_new_from_url(url.c_str())) {
    lo_send_message_from(a, sockets_[0].server, message.address.c_str(), m);
    lo_address_free(a);
  }
  lo_message_free(m);
}

void Server::broadcast(const Outgoing& message) {
  if (subscribers_.empty()) return;
  lo_message m = encode(message);
  for (const Subscriber& s : subscribers_)
    lo_send_message_from(s.address, sockets_[0].server, message.address.c_str(), m);
  lo_message_free(m);
}

void Server::echoChanges() {
  if (echo_ == nullptr) return;
  ParameterChange change;
  while (echo_->pop(change)) throttle_.add(change);
  for (const ParameterChange& c : throttle_.due(nanosOf(std::chrono::steady_clock::now()))) {
    const std::string name = controller_.parameterName(c.node, c.index);
    if (!name.empty()) broadcast({"/reverie/param", {Arg::string(name), Arg::real(c.value)}, true});
  }
}

void Server::notify(bool everything) {
  if (subscribers_.empty()) return;
  const Status status = controller_.status();
  if (status.scene < 0) return;  // no arc
  if (everything || status.scene != sceneSent_) {
    sceneSent_ = status.scene;
    barSent_ = -1;  // a new scene's first bar is news even if its number is the old one
    broadcast(
        {"/reverie/scene", {Arg::string(status.sceneName), Arg::integer(status.scene + 1)}, true});
  }
  if (everything || status.bar != barSent_) {
    barSent_ = status.bar;
    broadcast({"/reverie/bar", {Arg::integer(status.bar)}, true});
  }
  broadcast({"/reverie/tension", {Arg::real(status.tension)}, true});
}

}  // namespace reverie::osc
