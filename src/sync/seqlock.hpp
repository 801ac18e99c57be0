// A few numbers handed from one writer thread to readers without locks: a seqlock whose every
// access is sequentially consistent. One total order over the counter and the values makes a
// read that saw the same even count before and after consistent, with no fences (which
// ThreadSanitizer cannot follow), as LiveRenderer's clock anchor does.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace reverie::sync {

template <std::size_t N>
class SeqlockValues {
 public:
  using Values = std::array<double, N>;
  /// The one writer: never waits.
  void store(const Values& values) noexcept {
    const std::uint64_t sequence = sequence_.load(std::memory_order_relaxed);
    sequence_.store(sequence + 1, std::memory_order_seq_cst);
    for (std::size_t i = 0; i < N; ++i) values_[i].store(values[i], std::memory_order_seq_cst);
    sequence_.store(sequence + 2, std::memory_order_seq_cst);
  }
  /// A reader that must not wait (the audio thread): false, and `out` untouched, if a write was
  /// under way in each of `tries` attempts.
  bool tryLoad(Values& out, int tries) const noexcept {
    for (int attempt = 0; attempt < tries; ++attempt) {
      const std::uint64_t before = sequence_.load(std::memory_order_seq_cst);
      if (before & 1u) continue;
      Values values;
      for (std::size_t i = 0; i < N; ++i) values[i] = values_[i].load(std::memory_order_seq_cst);
      if (sequence_.load(std::memory_order_seq_cst) == before) {
        out = values;
        return true;
      }
    }
    return false;
  }
  /// A reader that may retry until the write is over (a few stores away).
  Values load() const noexcept {
    Values values{};
    while (!tryLoad(values, 1)) {
    }
    return values;
  }
  /// Whether anything was ever stored.
  bool written() const noexcept { return sequence_.load(std::memory_order_seq_cst) != 0; }

 private:
  std::atomic<std::uint64_t> sequence_{0};
  std::array<std::atomic<double>, N> values_{};
};

}  // namespace reverie::sync
