// Test helpers: drive one node directly, block by block, with parameter changes at exact frames.
#include "support/node_render.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "reverie/node_registry.hpp"

namespace reverie::test {

std::unique_ptr<Node> makeNode(std::string_view type, double sampleRate,
                               std::initializer_list<std::pair<const char*, float>> values,
                               std::uint64_t seed) {
  std::unique_ptr<Node> node = findNodeType(type)->create();
  for (const auto& [id, value] : values)
    node->setParameterDirect(findParameter(node->parameters(), id), value);
  node->prepare({sampleRate, 4096, seed});
  return node;
}

Stereo renderStereoNode(Node& node, const std::vector<float>& left, const std::vector<float>& right,
                        const std::vector<TimedParameter>& changes,
                        const std::function<int()>& blockSize) {
  Stereo out{std::vector<float>(left.size()), std::vector<float>(left.size())};
  std::size_t next = 0;
  std::vector<Event> events;
  for (std::size_t done = 0; done < left.size();) {
    const std::size_t frames = std::min<std::size_t>(
        static_cast<std::size_t>(std::clamp(blockSize(), 1, 4096)), left.size() - done);
    events.clear();
    for (; next < changes.size() && changes[next].frame < done + frames; ++next)
      events.push_back({static_cast<std::uint32_t>(changes[next].frame - done),
                        EventType::kParameter, 0, static_cast<std::uint16_t>(changes[next].index),
                        changes[next].value});
    const float* in[] = {left.data() + done, right.data() + done};
    float* outs[] = {out.left.data() + done, out.right.data() + done};
    node.process({in, outs, static_cast<int>(frames), events});
    done += frames;
  }
  return out;
}

bool sameSamples(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

double normalizedCorrelation(const std::vector<float>& a, const std::vector<float>& b,
                             std::size_t begin, std::size_t end) {
  end = std::min({end, a.size(), b.size()});
  double ab = 0.0, aa = 0.0, bb = 0.0, meanA = 0.0, meanB = 0.0;
  for (std::size_t n = begin; n < end; ++n) {
    meanA += a[n];
    meanB += b[n];
  }
  const double count = static_cast<double>(end > begin ? end - begin : 1);
  meanA /= count;
  meanB /= count;
  for (std::size_t n = begin; n < end; ++n) {
    const double x = a[n] - meanA, y = b[n] - meanB;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0.0 && bb > 0.0 ? ab / std::sqrt(aa * bb) : 0.0;
}

}  // namespace reverie::test
