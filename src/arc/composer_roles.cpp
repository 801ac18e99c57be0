// The composer's roles (composer_roles.hpp).
#include "arc/composer_roles.hpp"

namespace reverie::arc {

ChordRange chordRangeOf(NodeRole role) {
  switch (role) {
    case NodeRole::kStrings:
      return {36, 55, 76};
    case NodeRole::kPad:
      return {48, 57, 74};
    case NodeRole::kChoir:
      return {41, 53, 72};
    case NodeRole::kBrass:
      return {38, 50, 67};
    case NodeRole::kBowedCrystal:
      return {60, 67, 84};
    case NodeRole::kKeys:
      return {48, 60, 72};
    default:
      return {0, 0, 0};
  }
}

bool playsChords(NodeRole role, const Scene& scene) {
  if (chordRangeOf(role).bassLow == 0) return false;
  if (role == NodeRole::kStrings && scene.has(Texture::kTremolo)) return true;
  if (role == NodeRole::kBrass && scene.has(Texture::kStabs)) return false;
  return scene.has(Texture::kChorale);
}

bool mayLead(NodeRole role) {
  switch (role) {
    case NodeRole::kWinds:
    case NodeRole::kBrass:
    case NodeRole::kCrystal:
    case NodeRole::kBowedCrystal:
    case NodeRole::kStrings:
    case NodeRole::kChoir:
    case NodeRole::kPad:
    case NodeRole::kKeys:
      return true;
    default:
      return false;
  }
}

int leadBase(NodeRole role) {
  switch (role) {
    case NodeRole::kBrass:
      return 48;
    case NodeRole::kCrystal:
    case NodeRole::kShards:
      return 72;
    case NodeRole::kBowedCrystal:
      return 60;  // a bowed soloist sings in the violin's middle register
    case NodeRole::kStrings:
      return 60;
    case NodeRole::kChoir:
      return 57;
    default:
      return 60;
  }
}

}  // namespace reverie::arc
