// Stems: the master bus, before the limiter, split into one part per sounding node and one per
// shared effect's return, so that the parts add up to the bus sample by sample.
//
// Every send effect (hall, halo, chorus, echo) mixes its input into its output unchanged but for
// a dry gain (Node::dryGains). Such an effect fed by two or more nodes is shared: a source's part
// is the source's own output times the dry gains of the shared effects on its way to the output,
// and the effect's return is what it adds, its output less the dry gain times its input, carried
// on the same way. Anything else feeding a shared effect or the output is one part, with whatever
// chain it heads: strings -> ensemble (a chorus only strings feed) is the stem "strings".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reverie/engine.hpp"

namespace reverie {

class StemSplitter final : public RenderObserver {
 public:
  struct Stem {
    std::string name;  ///< the node's name; a shared effect's return is "<name>-return"
    NodeId node = kInvalidNode;
    bool isReturn = false;
  };

  /// Control thread, after Engine::commit prepared the nodes: plans the stems of `graph` for
  /// blocks of up to `maxBlockFrames` frames. The splitter holds up to twice that between
  /// two clear() calls.
  StemSplitter(const Graph& graph, int maxBlockFrames);

  const std::vector<Stem>& stems() const { return stems_; }

  // ---- the render's thread, between blocks ----
  /// Frames held since the last clear().
  std::size_t heldFrames() const { return held_; }
  /// Stem `index`'s held frames, interleaved stereo.
  const float* stem(std::size_t index) const { return stemAudio_[index].data(); }
  /// The master bus's held frames (interleaved stereo, before the limiter): the stems' sum.
  const float* bus() const { return busAudio_.data(); }
  void clear() { held_ = 0; }
  /// Frames that found the splitter full (clear() was not called in time); they are lost.
  std::uint64_t lostFrames() const { return lost_; }

  // ---- RenderObserver, on the audio thread ----
  void nodeRendered(NodeId id, const Node& node, const ProcessBlock& block) noexcept override;
  void busRendered(const float* left, const float* right, int frames) noexcept override;

 private:
  /// A node whose audio this block a part needs: its outputs, and for a shared effect its
  /// inputs and dry gains, copied as it renders (the plan reuses its buffers after).
  struct Capture {
    NodeId node = kInvalidNode;
    int ports = 0;
    bool shared = false;
    std::vector<float> outputs, inputs, dry;  // ports * maxBlockFrames (dry: maxBlockFrames)
  };
  /// One contribution to a stem's channel: a node's output port (or an effect's return on it),
  /// times the dry gains of the shared effects along the way.
  struct Term {
    int stem = 0;
    int channel = 0;
    int capture = 0;
    int port = 0;
    bool isReturn = false;
    std::vector<int> path;  ///< captures whose dry gains scale the term
  };

  void trace(const Graph& graph, NodeId node, int port, int channel, const std::vector<int>& path);
  int captureOf(const Graph& graph, NodeId node);
  int stemOf(const Graph& graph, NodeId node, bool isReturn);
  bool isShared(const Graph& graph, NodeId node) const;
  float termValue(const Term& term, int frame) const noexcept;

  int maxBlockFrames_ = 0;
  std::size_t capacity_ = 0;
  std::vector<Stem> stems_;
  std::vector<Capture> captures_;
  std::vector<Term> terms_;
  std::vector<std::vector<float>> stemAudio_;
  std::vector<float> busAudio_;
  std::size_t held_ = 0;
  std::uint64_t lost_ = 0;
};

}  // namespace reverie
