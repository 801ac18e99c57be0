// Seeded pseudo-random generators: every random choice in reverie comes from one of these.
#pragma once

#include <cstdint>
#include <string_view>

namespace reverie::dsp {

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): spreads a seed over all 64 bits.
constexpr std::uint64_t mixSeed(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// FNV-1a hash of a name, so a node's seed follows its name, not its position.
constexpr std::uint64_t hashName(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

/// xoshiro128+ (Blackman & Vigna): small, fast, good enough for audio noise and choices.
class Random {
 public:
  explicit Random(std::uint64_t seed = 1) { reseed(seed); }
  void reseed(std::uint64_t seed) {
    const std::uint64_t a = mixSeed(seed), b = mixSeed(a);
    s_[0] = static_cast<std::uint32_t>(a);
    s_[1] = static_cast<std::uint32_t>(a >> 32);
    s_[2] = static_cast<std::uint32_t>(b);
    s_[3] = static_cast<std::uint32_t>(b >> 32) | 1u;
  }
  std::uint32_t next() {
    const std::uint32_t result = s_[0] + s_[3];
    const std::uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = (s_[3] << 11) | (s_[3] >> 21);
    return result;
  }
  /// Uniform in [0, 1).
  float uniform() { return static_cast<float>(next() >> 8) * (1.0f / 16777216.0f); }
  /// Uniform in [-1, 1).
  float bipolar() { return uniform() * 2.0f - 1.0f; }

 private:
  std::uint32_t s_[4];
};

}  // namespace reverie::dsp
