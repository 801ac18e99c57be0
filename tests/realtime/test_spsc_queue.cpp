// The SPSC queue under a real producer and consumer: nothing lost, nothing reordered.
#include <doctest/doctest.h>

#include <cstdint>
#include <thread>

#include "engine/spsc_queue.hpp"

TEST_CASE("SPSC queue hands 1,000,000 values across threads in order, none lost") {
  reverie::SpscQueue<std::uint64_t> queue(64);
  constexpr std::uint64_t kCount = 1000000;
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kCount;)
      if (queue.push(i)) ++i;
  });
  std::uint64_t expected = 0, outOfOrder = 0, value = 0;
  while (expected < kCount) {
    if (!queue.pop(value)) continue;
    if (value != expected) ++outOfOrder;
    ++expected;
  }
  producer.join();
  CHECK(outOfOrder == 0);
  CHECK_FALSE(queue.pop(value));
}

TEST_CASE("SPSC queue reports full instead of waiting") {
  reverie::SpscQueue<int> queue(4);
  int pushed = 0;
  while (queue.push(pushed)) ++pushed;
  CHECK(pushed == 4);
  int value = -1;
  CHECK(queue.pop(value));
  CHECK(value == 0);
  CHECK(queue.push(99));
}
