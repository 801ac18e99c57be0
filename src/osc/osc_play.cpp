// LiveOsc: the control thread's half of OSC in `reverie play`.
#include "osc/osc_play.hpp"

#include <chrono>
#include <thread>

#include "arc/composer.hpp"
#include "reverie/preset.hpp"

namespace reverie::osc {

LiveOsc::LiveOsc(int port, Engine& engine, live::LiveRenderer& renderer, live::LivePatch& patch,
                 const Arc* arc, NodeId composer, std::vector<NodeId> arcNodes,
                 double outputLatencySeconds)
    : engine_(engine),
      renderer_(renderer),
      patch_(patch),
      arc_(arc),
      composer_(composer),
      arcNodes_(std::move(arcNodes)),
      controller_(renderer, engine.config().sampleRate) {
  if (arc_ != nullptr) cues_.emplace(*arc_, engine.config().sampleRate);
  publishDirectory();
  tick({});
  const double rate = engine.config().sampleRate;
  server_ = std::make_unique<Server>(port, controller_, renderer, rate,
                                     outputLatencySeconds + engine.latencyFrames() / rate, &echo_);
  engine.setObserver(&echo_);
}

LiveOsc::~LiveOsc() {
  server_.reset();
  // The audio thread may be inside a block that loaded the observer: let two blocks end (a
  // stopped stream renders none: then there is nothing to wait for).
  engine_.setObserver(nullptr);
  for (int blocks = 0; blocks < 2; ++blocks) {
    const std::int64_t at = renderer_.framePosition();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    while (renderer_.framePosition() == at && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (renderer_.framePosition() == at) break;
  }
}

void LiveOsc::publishDirectory() {
  published_ = patch_.nodes();
  std::vector<NodeId> ids = published_;
  ids.insert(ids.end(), arcNodes_.begin(), arcNodes_.end());
  std::vector<std::string> scenes;
  if (arc_ != nullptr)
    for (const Scene& s : arc_->scenes) scenes.push_back(s.name);
  controller_.setDirectory(makeDirectory(engine_.graph(), ids, composer_, std::move(scenes)));
}

std::vector<std::string> LiveOsc::tick(const PlayCounters& counters) {
  std::vector<std::string> said;
  for (const Request& request : controller_.takeRequests()) {
    try {
      const std::filesystem::path path = findPreset(request.preset);
      patch_.load(loadPatch(path));
      loaded_ = path;
      said.push_back("OSC preset: " + patch_.name());
    } catch (const std::exception& e) {
      controller_.fail(request, "/reverie/preset", e.what());
      said.push_back("OSC preset '" + request.preset + "' failed: " + e.what() + "; keeping '" +
                     patch_.name() + "'");
    }
  }
  if (patch_.nodes() != published_) publishDirectory();  // a preset, program change or reload
  Status status;
  status.voices = counters.voices;
  status.cpuLoad = counters.cpuLoad;
  status.xruns = counters.xruns;
  status.dropped = renderer_.droppedMessages() + engine_.stats().droppedEvents;
  status.late = renderer_.lateEvents();
  if (cues_) {
    Graph& graph = engine_.graph();
    cues_->update(arc::composerScene(graph.node(composer_)), renderer_.framePosition());
    status.scene = cues_->scene();
    const auto count = static_cast<int>(arc_->scenes.size());
    status.sceneName =
        status.scene < count ? arc_->scenes[static_cast<std::size_t>(status.scene)].name : "end";
    status.bar = cues_->bar();
    status.tension = controller_.liveSource() ? controller_.liveTension() : cues_->scriptTension();
  }
  controller_.publish(status);
  return said;
}

}  // namespace reverie::osc
