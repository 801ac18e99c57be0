// The composer's roles (composer_roles.hpp): one row per role, in NodeRole's order.
#include "arc/composer_roles.hpp"

#include <iterator>

namespace reverie::arc {
namespace {

struct RoleTraits {
  ChordRange chords;  ///< bassLow = 0: plays no chords
  bool mayLead;
  int leadBase;
};

constexpr RoleTraits kRoles[] = {
    {{36, 55, 76}, true, 60},  // strings
    {{0, 0, 0}, true, 60},     // winds
    {{48, 57, 74}, true, 60},  // pad
    {{38, 50, 67}, true, 48},  // brass
    {{41, 53, 72}, true, 57},  // choir
    {{0, 0, 0}, false, 60},    // timpani
    {{0, 0, 0}, true, 72},     // crystal, struck
    {{0, 0, 0}, false, 72},    // shards
    {{60, 67, 84}, true, 60},  // bowed crystal: a soloist in the violin's middle register
    {{0, 0, 0}, false, 60},    // audience
    {{0, 0, 0}, false, 60},    // tuning
    {{48, 60, 72}, true, 60},  // keys
    {{0, 0, 0}, false, 60},    // other
    {{0, 0, 0}, false, 60},    // clock
};
static_assert(std::size(kRoles) == static_cast<std::size_t>(NodeRole::kClock) + 1,
              "one row per NodeRole, in its order");

const RoleTraits& traits(NodeRole role) {
  return kRoles[static_cast<std::size_t>(role)];
}

}  // namespace

ChordRange chordRangeOf(NodeRole role) {
  return traits(role).chords;
}

bool playsChords(NodeRole role, const Scene& scene) {
  if (chordRangeOf(role).bassLow == 0) return false;
  if (role == NodeRole::kStrings && scene.has(Texture::kTremolo)) return true;
  if (role == NodeRole::kBrass && scene.has(Texture::kStabs)) return false;
  return scene.has(Texture::kChorale);
}

bool mayLead(NodeRole role) {
  return traits(role).mayLead;
}

int leadBase(NodeRole role) {
  return traits(role).leadBase;
}

}  // namespace reverie::arc
