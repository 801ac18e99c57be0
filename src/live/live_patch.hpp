// The patch (or arc) a live engine is playing, swapped for another (program change, edited
// file, a plugin's preset menu) without a dropout: the new one is built beside the old on the
// control thread and published with Engine::commit, which the audio thread picks up at its next
// block boundary; the old one gets all-notes-off, rings out and is removed, and the plans the
// audio thread retired are freed here, off the audio thread. `reverie play` and
// reverie::Instrument both play through it.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "live/live_renderer.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/preset.hpp"

namespace reverie::live {

class LivePatch {
 public:
  /// `mpe`: nodes whose type takes MPE (NodeType::mpeParameter) play MPE's lower zone.
  LivePatch(Engine& engine, LiveRenderer& renderer, bool mpe)
      : engine_(engine), renderer_(renderer), mpe_(mpe) {}

  /// Control thread: builds `patch` into the running engine and routes every MIDI channel to
  /// its note players; the previous patch gets all-notes-off and leaves in a few seconds.
  /// Throws (keeping the old patch) if the patch cannot be built. The first patch's nodes keep
  /// their own names, so they are seeded as an offline render of it seeds them.
  void load(const Patch& patch);
  /// Control thread: the same for an arc (its patch and the composer performing it); every MIDI
  /// channel reaches the composer (its tension controller and next-scene key).
  void load(const Arc& arc);
  /// Control thread, before load: `node` also hears every channel (the arc's composer, for its
  /// tension controller and its next-scene key), whichever patch is loaded.
  void addListener(NodeId node) { listeners_.push_back(node); }
  /// Control thread: removes patches whose release time is up and frees retired plans.
  void tick();

  const std::string& name() const { return name_; }
  /// Voices sounding in the current patch's note players.
  int voices() const;
  /// The nodes of the current patch (or arc), for control surfaces that name them.
  const std::vector<NodeId>& nodes() const { return current_.nodes; }
  /// The current arc's composer, or kInvalidNode when a patch is loaded.
  NodeId composer() const { return composer_; }

 private:
  struct Generation {
    std::vector<NodeId> nodes, players;
    std::chrono::steady_clock::time_point leaveAt;
  };
  std::string nextPrefix();
  void install(Generation next, const std::vector<midi::ChannelTarget>& targets,
               const std::string& name);

  Engine& engine_;
  LiveRenderer& renderer_;
  Generation current_;
  std::vector<Generation> leaving_;
  std::vector<NodeId> listeners_;
  std::string name_;
  NodeId composer_ = kInvalidNode;
  int generation_ = 0;
  bool mpe_ = false;
};

}  // namespace reverie::live
