// A request to stop, set by a host (the command's signal handler) and polled by long jobs on the
// control thread: a render, a loudness pass, reading an input. Never read on the audio thread.
#pragma once

#include <atomic>

namespace reverie {

namespace detail {
inline std::atomic<bool> stopRequestedFlag{false};
// A signal handler may only touch lock-free atomics (C++ [support.signal]).
static_assert(std::atomic<bool>::is_always_lock_free);
}  // namespace detail

/// Asks every long job to stop at its next check. Async-signal-safe.
inline void requestStop() noexcept {
  detail::stopRequestedFlag.store(true, std::memory_order_relaxed);
}

/// Whether a stop was asked for; long loops check it between chunks and throw RuntimeFailure.
inline bool stopRequested() noexcept {
  return detail::stopRequestedFlag.load(std::memory_order_relaxed);
}

}  // namespace reverie
