// "output": the master bus input. Whatever reaches its ports is what the listener hears.
#include "nodes/builtin_nodes.hpp"

namespace reverie {
namespace {

class OutputNode final : public Node {
 public:
  OutputNode() : Node(kOutputType) {}

 protected:
  // The engine reads the inputs straight into the master bus and its limiter.
  void render(const float* const*, float* const*, int) noexcept override {}
};

}  // namespace

const NodeType kOutputType{"output",     "Stereo master output (followed by the master limiter)",
                           kStereoPorts, {},
                           {},           false,
                           true,         createNode<OutputNode>};

}  // namespace reverie
