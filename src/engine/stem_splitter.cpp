// StemSplitter: planning the parts of the master bus, and splitting each block into them.
#include "engine/stem_splitter.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <set>

namespace reverie {
namespace {

/// The distinct nodes connected into `node`.
std::set<NodeId> upstreamOf(const Graph& graph, NodeId node) {
  std::set<NodeId> nodes;
  for (const Connection& c : graph.connections())
    if (c.to.node == node) nodes.insert(c.from.node);
  return nodes;
}

}  // namespace

StemSplitter::StemSplitter(const Graph& graph, int maxBlockFrames)
    : maxBlockFrames_(maxBlockFrames), capacity_(2 * static_cast<std::size_t>(maxBlockFrames)) {
  // Every output node's left and right inputs are the master bus's channels.
  for (const auto& [id, entry] : graph.entries()) {
    if (!entry.node->type().isOutput) continue;
    for (const Connection& c : graph.connections())
      if (c.to.node == id && c.to.port < 2) trace(graph, c.from.node, c.from.port, c.to.port, {});
  }
  // Sources in the order the preset declares them, then the returns.
  std::vector<int> order(stems_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [this](int a, int b) {
    const Stem& x = stems_[static_cast<std::size_t>(a)];
    const Stem& y = stems_[static_cast<std::size_t>(b)];
    return x.isReturn != y.isReturn ? y.isReturn : x.node < y.node;
  });
  std::vector<int> rank(order.size());
  std::vector<Stem> sorted;
  for (std::size_t i = 0; i < order.size(); ++i) {
    rank[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
    sorted.push_back(stems_[static_cast<std::size_t>(order[i])]);
  }
  stems_ = std::move(sorted);
  for (Term& term : terms_) term.stem = rank[static_cast<std::size_t>(term.stem)];
  // Terms of one stem together, in a fixed order: the sums do not depend on the graph's history.
  std::stable_sort(terms_.begin(), terms_.end(),
                   [](const Term& a, const Term& b) { return a.stem < b.stem; });
  stemAudio_.assign(stems_.size(), std::vector<float>(2 * capacity_, 0.0f));
  busAudio_.assign(2 * capacity_, 0.0f);
}

bool StemSplitter::isShared(const Graph& graph, NodeId node) const {
  const Node& n = graph.node(node);
  return n.mixesDry() && n.type().inputs.size() == n.type().outputs.size() &&
         upstreamOf(graph, node).size() >= 2;
}

void StemSplitter::trace(const Graph& graph, NodeId node, int port, int channel,
                         const std::vector<int>& path) {
  const bool shared = isShared(graph, node);
  Term term;
  term.channel = channel;
  term.capture = captureOf(graph, node);
  term.port = port;
  term.isReturn = shared;
  term.path = path;
  term.stem = stemOf(graph, node, shared);
  terms_.push_back(term);
  if (!shared) return;
  // What feeds this input reaches the output through the effect's dry gain.
  std::vector<int> inner = path;
  inner.push_back(term.capture);
  for (const Connection& c : graph.connections())
    if (c.to.node == node && c.to.port == port)
      trace(graph, c.from.node, c.from.port, channel, inner);
}

int StemSplitter::captureOf(const Graph& graph, NodeId node) {
  for (std::size_t i = 0; i < captures_.size(); ++i)
    if (captures_[i].node == node) return static_cast<int>(i);
  Capture capture;
  capture.node = node;
  capture.ports = static_cast<int>(graph.node(node).type().outputs.size());
  capture.shared = isShared(graph, node);
  const std::size_t frames = static_cast<std::size_t>(maxBlockFrames_);
  capture.outputs.assign(static_cast<std::size_t>(capture.ports) * frames, 0.0f);
  if (capture.shared) {
    capture.inputs.assign(static_cast<std::size_t>(capture.ports) * frames, 0.0f);
    capture.dry.assign(frames, 1.0f);
  }
  captures_.push_back(std::move(capture));
  return static_cast<int>(captures_.size()) - 1;
}

int StemSplitter::stemOf(const Graph& graph, NodeId node, bool isReturn) {
  // A part is named by the head of the chain it ends: follow single feeds upwards, up to a
  // node fed by several (or none).
  NodeId head = node;
  if (!isReturn) {
    for (std::set<NodeId> up = upstreamOf(graph, head); up.size() == 1;
         up = upstreamOf(graph, head)) {
      if (isShared(graph, *up.begin())) break;
      head = *up.begin();
    }
  }
  std::string name = graph.entry(head).name + (isReturn ? "-return" : "");
  for (std::size_t i = 0; i < stems_.size(); ++i)
    if (stems_[i].name == name) return static_cast<int>(i);
  stems_.push_back({std::move(name), head, isReturn});
  return static_cast<int>(stems_.size()) - 1;
}

void StemSplitter::nodeRendered(NodeId id, const Node& node, const ProcessBlock& block) noexcept {
  for (Capture& capture : captures_) {
    if (capture.node != id) continue;
    const std::size_t frames = static_cast<std::size_t>(block.frames);
    const std::size_t stride = static_cast<std::size_t>(maxBlockFrames_);
    for (int p = 0; p < capture.ports; ++p) {
      std::memcpy(capture.outputs.data() + static_cast<std::size_t>(p) * stride, block.outputs[p],
                  frames * sizeof(float));
      if (capture.shared)
        std::memcpy(capture.inputs.data() + static_cast<std::size_t>(p) * stride, block.inputs[p],
                    frames * sizeof(float));
    }
    if (capture.shared) {
      const std::span<const float> dry = node.dryGains();
      std::copy(dry.begin(), dry.end(), capture.dry.begin());
    }
    return;
  }
}

float StemSplitter::termValue(const Term& term, int frame) const noexcept {
  const Capture& capture = captures_[static_cast<std::size_t>(term.capture)];
  const std::size_t at =
      static_cast<std::size_t>(term.port) * static_cast<std::size_t>(maxBlockFrames_) +
      static_cast<std::size_t>(frame);
  float value = capture.outputs[at];
  if (term.isReturn) value -= capture.dry[static_cast<std::size_t>(frame)] * capture.inputs[at];
  for (int effect : term.path)
    value *= captures_[static_cast<std::size_t>(effect)].dry[static_cast<std::size_t>(frame)];
  return value;
}

void StemSplitter::busRendered(const float* left, const float* right, int frames) noexcept {
  if (held_ + static_cast<std::size_t>(frames) > capacity_) {
    lost_ += static_cast<std::uint64_t>(frames);
    return;
  }
  for (std::vector<float>& audio : stemAudio_)
    std::fill(audio.begin() + static_cast<std::ptrdiff_t>(2 * held_),
              audio.begin() + static_cast<std::ptrdiff_t>(2 * (held_ + frames)), 0.0f);
  for (const Term& term : terms_) {
    float* audio = stemAudio_[static_cast<std::size_t>(term.stem)].data() + 2 * held_;
    for (int i = 0; i < frames; ++i) audio[2 * i + term.channel] += termValue(term, i);
  }
  for (int i = 0; i < frames; ++i) {
    busAudio_[2 * (held_ + static_cast<std::size_t>(i))] = left[i];
    busAudio_[2 * (held_ + static_cast<std::size_t>(i)) + 1] = right[i];
  }
  held_ += static_cast<std::size_t>(frames);
}

}  // namespace reverie
