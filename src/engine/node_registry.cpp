// The node-type catalogue: built-in types register here, programs may add their own.
#include "reverie/node_registry.hpp"

#include <algorithm>

#include "nodes/builtin_nodes.hpp"

namespace reverie {
namespace {

std::vector<const NodeType*>& registry() {
  static std::vector<const NodeType*> types = builtinNodeTypes();
  return types;
}

}  // namespace

std::vector<const NodeType*> nodeTypes() {
  std::vector<const NodeType*> sorted = registry();
  std::sort(sorted.begin(), sorted.end(),
            [](const NodeType* a, const NodeType* b) { return a->name < b->name; });
  return sorted;
}

const NodeType* findNodeType(std::string_view name) {
  for (const NodeType* type : registry())
    if (type->name == name) return type;
  return nullptr;
}

void registerNodeType(const NodeType& type) {
  auto& types = registry();
  std::erase_if(types, [&](const NodeType* t) { return t->name == type.name; });
  types.push_back(&type);
}

}  // namespace reverie
