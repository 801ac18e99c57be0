// Controller: a checked command becomes timed events, a request, or a reply.
#include "osc/osc_controller.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "arc/composer.hpp"
#include "osc/arc_actions.hpp"

namespace reverie::osc {
namespace {

/// "p3-strings" -> "strings": later generations of a live patch carry a prefix.
std::string withoutGeneration(const std::string& name) {
  if (name.size() < 3 || name[0] != 'p') return name;
  std::size_t i = 1;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  return i > 1 && i < name.size() && name[i] == '-' ? name.substr(i + 1) : name;
}

Outgoing failure(std::string_view address, const std::string& reason) {
  return {"/reverie/fail", {Arg::string(std::string(address)), Arg::string(reason)}, false};
}

}  // namespace

Directory makeDirectory(const Graph& graph, std::span<const NodeId> ids, NodeId composer,
                        std::vector<std::string> scenes) {
  Directory d;
  for (NodeId id : ids)
    d.nodes[withoutGeneration(graph.entry(id).name)] = {id, graph.node(id).parameters()};
  if (composer != kInvalidNode) {
    const Directory::Entry entry{composer, graph.node(composer).parameters()};
    d.nodes[graph.entry(composer).name] = entry;
    d.nodes["composer"] = entry;
  }
  d.composer = composer;
  d.scenes = std::move(scenes);
  return d;
}

bool Controller::post(const live::TimedEvent& event) {
  return renderer_.postTimed(event);
}

bool Controller::postParameter(NodeId node, int index, float value, std::int64_t frame) {
  live::TimedEvent e;
  e.frame = frame;
  e.isMidi = false;
  e.node = {node, Event{0, EventType::kParameter, 0, static_cast<std::uint16_t>(index), value}};
  e.generator = node == directory_.composer;  // (the caller holds the lock)
  return post(e);
}

int Controller::handle(std::string_view address, std::span<const Arg> args, std::int64_t frame,
                       const std::string& from, std::vector<Outgoing>& out) {
  const Parsed parsed = parseCommand(address, args);
  int subscribe = 0;
  const std::string reason =
      parsed.ok ? act(parsed.command, frame, from, out, subscribe) : parsed.reason;
  if (!reason.empty()) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    // Never a failure for a failure: two programs refusing each other's refusals (or liblo's
    // client socket, which is the server's own, talking to itself) would never stop.
    if (address != "/reverie/fail") out.push_back(failure(address, reason));
    return 0;
  }
  return subscribe;
}

std::string Controller::act(const Command& c, std::int64_t frame, const std::string& from,
                            std::vector<Outgoing>& out, int& subscribe) {
  auto midi = [&](int kind, int data1, int data2) {
    live::TimedEvent e;
    e.frame = frame;
    e.midi = {static_cast<std::uint8_t>(kind | c.channel), static_cast<std::uint8_t>(data1),
              static_cast<std::uint8_t>(data2)};
    return post(e) ? std::string() : std::string("the queue to the audio thread is full");
  };
  std::unique_lock lock(mutex_);
  const NodeId composer = directory_.composer;
  auto needArc = [&]() -> std::string {
    return composer == kInvalidNode ? "no arc is running (start play with --arc ARC)" : "";
  };
  switch (c.kind) {
    case CommandKind::kNote:
      return midi(0x90, c.a, c.b);
    case CommandKind::kNoteOff:
      return midi(0x80, c.a, 64);
    case CommandKind::kControl:
      return midi(0xB0, c.a, c.b);
    case CommandKind::kBend: {
      const int value = std::clamp(
          8192 + static_cast<int>(c.value < 0 ? c.value * 8192.0 : c.value * 8191.0), 0, 16383);
      return midi(0xE0, value & 0x7F, value >> 7);
    }
    case CommandKind::kParameter: {
      const std::size_t dot = c.text.rfind('.');
      const std::string node = c.text.substr(0, dot), id = c.text.substr(dot + 1);
      const auto it = directory_.nodes.find(node);
      if (it == directory_.nodes.end()) return "no node named '" + node + "'";
      const auto& table = it->second.parameters;
      const auto row = std::find_if(table.begin(), table.end(),
                                    [&](const ParameterDescriptor& p) { return p.id == id; });
      if (row == table.end()) return "node '" + node + "' has no parameter '" + id + "'";
      const float value = row->clamp(static_cast<float>(c.value));
      // No echo here: subscribers hear the change as the audio thread applies it (echo).
      if (!postParameter(it->second.id, static_cast<int>(row - table.begin()), value, frame))
        return "the queue to the audio thread is full";
      return {};
    }
    case CommandKind::kPreset:
      requests_.push_back({Request::Kind::kPreset, c.text, from});
      return {};
    case CommandKind::kTension:
    case CommandKind::kTensionSource: {
      if (auto missing = needArc(); !missing.empty()) return missing;
      const bool live = c.kind == CommandKind::kTension || c.a == 1;
      // /reverie/tension also hands the tension to the live source, so it is heard at once.
      bool ok = postParameter(composer, arc::composer_parameter::kTensionSource, live ? 1.0f : 0.0f,
                              frame);
      if (c.kind == CommandKind::kTension)
        ok = ok && postParameter(composer, arc::composer_parameter::kLiveTension,
                                 static_cast<float>(c.value), frame);
      if (!ok) return "the queue to the audio thread is full";
      liveSource_.store(live, std::memory_order_relaxed);
      if (c.kind == CommandKind::kTension) liveTension_.store(c.value, std::memory_order_relaxed);
      return {};
    }
    case CommandKind::kSceneNext: {
      if (auto missing = needArc(); !missing.empty()) return missing;
      // A press of the advance control: rising past 0.5, then back (the composer acts on the
      // rise, at its next bar line).
      const bool ok = postParameter(composer, arc::composer_parameter::kAdvance, 1.0f, frame) &&
                      postParameter(composer, arc::composer_parameter::kAdvance, 0.0f, frame);
      return ok ? std::string() : std::string("the queue to the audio thread is full");
    }
    case CommandKind::kSceneGoto: {
      if (auto missing = needArc(); !missing.empty()) return missing;
      int scene = c.a - 1;
      if (!c.text.empty()) {
        const auto& names = directory_.scenes;
        const auto it = std::find(names.begin(), names.end(), c.text);
        if (it == names.end()) return "the arc has no scene named '" + c.text + "'";
        scene = static_cast<int>(it - names.begin());
      }
      if (scene >= static_cast<int>(directory_.scenes.size()))
        return "the arc has " + std::to_string(directory_.scenes.size()) + " scenes";
      if (scene < status_.scene)
        return "the composer moves forward only (it is in scene " +
               std::to_string(status_.scene + 1) + ")";
      // The composer's goto control at the message's frame: it lands on the playing scene's
      // exit point after that frame.
      return postParameter(composer, arc::composer_parameter::kGoto,
                           1.0f + static_cast<float>(scene), frame)
                 ? std::string()
                 : std::string("the queue to the audio thread is full");
    }
    case CommandKind::kHold:
    case CommandKind::kStinger: {
      if (auto missing = needArc(); !missing.empty()) return missing;
      const ArcAction action = c.kind == CommandKind::kHold ? holdEvent(composer, c.a == 1)
                                                            : stingerEvent(composer, c.text);
      if (!action.event) return action.failure;
      live::TimedEvent e;
      e.frame = frame;
      e.isMidi = false;
      e.node = *action.event;
      e.generator = true;
      return post(e) ? std::string() : std::string("the queue to the audio thread is full");
    }
    case CommandKind::kNotify:
      subscribe = c.a == 1 ? 1 : -1;
      return {};
    case CommandKind::kStatus: {
      const Status& s = status_;
      out.push_back({"/reverie/status",
                     {Arg::integer(s.voices), Arg::real(s.cpuLoad),
                      Arg::integer(static_cast<std::int64_t>(s.xruns)),
                      Arg::integer(static_cast<std::int64_t>(s.dropped)),
                      Arg::integer(static_cast<std::int64_t>(s.late))},
                     false});
      return {};
    }
  }
  return "unhandled";
}

void Controller::setDirectory(Directory directory) {
  std::lock_guard lock(mutex_);
  directory_ = std::move(directory);
}

void Controller::publish(const Status& status) {
  std::lock_guard lock(mutex_);
  status_ = status;
}

Status Controller::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::vector<Request> Controller::takeRequests() {
  std::lock_guard lock(mutex_);
  return std::exchange(requests_, {});
}

std::string Controller::parameterName(NodeId node, int index) const {
  std::lock_guard lock(mutex_);
  const std::string* name = nullptr;
  for (const auto& [n, entry] : directory_.nodes)
    if (entry.id == node && (name == nullptr || n == "composer")) name = &n;
  if (name == nullptr) return {};
  const auto& table = directory_.nodes.at(*name).parameters;
  if (index < 0 || static_cast<std::size_t>(index) >= table.size()) return {};
  return *name + "." + std::string(table[static_cast<std::size_t>(index)].id);
}

void Controller::fail(const Request& request, const std::string& address,
                      const std::string& reason) {
  std::lock_guard lock(mutex_);
  deferred_.emplace_back(request.from, failure(address, reason));
}

std::vector<std::pair<std::string, Outgoing>> Controller::takeDeferred() {
  std::lock_guard lock(mutex_);
  return std::exchange(deferred_, {});
}

}  // namespace reverie::osc
