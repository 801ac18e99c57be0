// The texture directives an arc's scenes may ask of the composer: one table for all readers.
#include "reverie/arc.hpp"

namespace reverie {
namespace {

constexpr TextureInfo kTextures[] = {
    {Texture::kChorale, "chorale", "sustained chords in every section that plays"},
    {Texture::kTheme, "theme",
     "the lead section states the theme in the scene's key, then varies it"},
    {Texture::kImprovise, "improvise", "crystal sections improvise on the theme and the chords"},
    {Texture::kTremolo, "tremolo", "strings reiterate the bow, faster as tension rises"},
    {Texture::kSwell, "swell",
     "dynamics swell into every phrase end and fall back at the bar line"},
    {Texture::kStabs, "stabs", "brass stabs: short accented chords, syncopated as tension rises"},
    {Texture::kHeartbeat, "heartbeat", "timpani heartbeat on the tonic, quickening with tension"},
    {Texture::kRoll, "roll", "timpani rolls that swell into phrase ends"},
    {Texture::kCadence, "cadence",
     "cadential phrases in the home key (I - IV - V7 - I and its kin, a plan per phrase), V7 - I "
     "at the end; each phrase opens on the tonic, softens and grows into its cadence"},
    {Texture::kShatter, "shatter", "crystal shatter sections burst into shards on chord tones"},
    {Texture::kDrop, "drop",
     "one crystal note after the first bar, left to ring; with improvise, one on every bar line"},
    {Texture::kTuning, "tuning",
     "the tuning node plays its scene: the oboe's A, the orchestra gliding onto it"},
    {Texture::kMurmur, "murmur", "the audience talks, hushing as the dynamics rise"},
    {Texture::kApplause, "applause",
     "the audience applauds with the dynamics curve, cheering at the top"},
    {Texture::kSilence, "silence", "nothing new is played; whatever sounds is released"},
    {Texture::kTicking, "ticking",
     "the arc's clock section ([music] clock) ticks and tocks on every eighth note"},
};

}  // namespace

std::span<const TextureInfo> textureTable() {
  return kTextures;
}

}  // namespace reverie
