// Wait-free single-producer/single-consumer ring buffer for hand-offs between threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace reverie {

/// Fixed capacity, allocated at construction. push() runs on exactly one thread and
/// pop()/front() on exactly one other; neither ever blocks, allocates or fails silently.
template <typename T>
class SpscQueue {
  static_assert(std::is_trivially_copyable_v<T>, "SpscQueue holds plain data");

 public:
  /// `capacity` is rounded up to a power of two.
  explicit SpscQueue(std::size_t capacity) {
    std::size_t size = 2;
    while (size < capacity) size <<= 1;
    mask_ = size - 1;
    slots_ = std::make_unique<T[]>(size);
  }

  std::size_t capacity() const { return mask_ + 1; }

  /// Producer: false when full (the caller counts the drop; it never waits).
  bool push(const T& value) noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - headCache_ > mask_) {
      headCache_ = head_.load(std::memory_order_acquire);
      if (tail - headCache_ > mask_) return false;
    }
    slots_[tail & mask_] = value;
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  /// Producer: true when push() would fail now.
  bool full() noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - headCache_ <= mask_) return false;
    headCache_ = head_.load(std::memory_order_acquire);
    return tail - headCache_ > mask_;
  }

  /// Consumer: the oldest element, or nullptr when empty. Valid until pop().
  const T* front() noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head == tailCache_) {
      tailCache_ = tail_.load(std::memory_order_acquire);
      if (head == tailCache_) return nullptr;
    }
    return &slots_[head & mask_];
  }

  /// Consumer: removes the oldest element into `out`; false when empty.
  bool pop(T& out) noexcept {
    const T* item = front();
    if (item == nullptr) return false;
    out = *item;
    head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    return true;
  }

  /// Consumer: drops the element front() returned.
  void popFront() noexcept {
    head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

 private:
  static constexpr std::size_t kLine = 64;
  std::unique_ptr<T[]> slots_;
  std::size_t mask_ = 0;
  alignas(kLine) std::atomic<std::size_t> head_{0};  // written by the consumer
  std::size_t tailCache_ = 0;                        // consumer's view of tail
  alignas(kLine) std::atomic<std::size_t> tail_{0};  // written by the producer
  std::size_t headCache_ = 0;                        // producer's view of head
};

}  // namespace reverie
