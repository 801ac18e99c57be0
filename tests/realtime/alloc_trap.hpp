// Counts allocations and mutex locks made by a thread that declared itself the audio thread.
#pragma once

#include <cstdint>

namespace reverie::test {

/// Marks the calling thread as the audio thread (true) or not (false).
void setAudioThread(bool isAudioThread);
/// Violations seen on audio threads since the last reset.
std::uint64_t allocationViolations();
std::uint64_t lockViolations();
void resetViolations();
/// True when malloc and pthread_mutex_lock are interposed (not in sanitizer builds, whose
/// runtimes own those symbols); operator new/delete are always replaced.
bool trapsLibc();

}  // namespace reverie::test
