// The catalogue of node types: built-ins plus any a program registers.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "reverie/node.hpp"

namespace reverie {

/// Every registered node type, sorted by name. Control thread.
std::vector<const NodeType*> nodeTypes();
/// The type called `name`, or nullptr.
const NodeType* findNodeType(std::string_view name);
/// Adds a type (a program's own node). Its descriptor must outlive the program's use of it.
void registerNodeType(const NodeType& type);

}  // namespace reverie
