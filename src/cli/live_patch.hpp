// The patch `reverie play` is playing, swapped for another (program change, edited file)
// without a dropout: the new one is built beside the old, which rings out and is removed.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "live/live_renderer.hpp"
#include "reverie/engine.hpp"
#include "reverie/preset.hpp"

namespace reverie::cli {

class LivePatch {
 public:
  /// `mpe`: nodes whose type takes MPE (NodeType::mpeParameter) play MPE's lower zone.
  LivePatch(Engine& engine, live::LiveRenderer& renderer, bool mpe)
      : engine_(engine), renderer_(renderer), mpe_(mpe) {}

  /// Control thread: builds `patch` into the running engine and routes every MIDI channel to
  /// its note players; the previous patch gets all-notes-off and leaves in a few seconds.
  /// Throws (keeping the old patch) if the patch cannot be built.
  void load(const Patch& patch);
  /// Control thread, before load: `node` also hears every channel (the arc's composer, for its
  /// tension controller and its next-scene key), whichever patch is loaded.
  void addListener(NodeId node) { listeners_.push_back(node); }
  /// Control thread: removes patches whose release time is up.
  void tick();

  const std::string& name() const { return name_; }
  /// Voices sounding in the current patch's note players.
  int voices() const;

 private:
  struct Generation {
    std::vector<NodeId> nodes, players;
    std::chrono::steady_clock::time_point leaveAt;
  };
  Engine& engine_;
  live::LiveRenderer& renderer_;
  Generation current_;
  std::vector<Generation> leaving_;
  std::vector<NodeId> listeners_;
  std::string name_;
  int generation_ = 0;
  bool mpe_ = false;
};

}  // namespace reverie::cli
