// Flushes denormal floats to zero for the lifetime of a scope (the audio thread's render call).
#pragma once

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace reverie::dsp {

/// Sets FTZ and DAZ in MXCSR (x86) or FZ in FPCR (AArch64); restores the old mode on exit.
/// A register write, not a system call: allowed on the audio thread.
class ScopedFlushDenormals {
 public:
#if defined(__SSE__) || defined(__x86_64__)
  ScopedFlushDenormals() : saved_(_mm_getcsr()) {
    _mm_setcsr(saved_ | 0x8040u);
  }
  ~ScopedFlushDenormals() {
    _mm_setcsr(saved_);
  }

 private:
  unsigned int saved_;
#elif defined(__aarch64__)
  ScopedFlushDenormals() {
    asm volatile("mrs %0, fpcr" : "=r"(saved_));
    asm volatile("msr fpcr, %0" : : "r"(saved_ | (1ull << 24)));
  }
  ~ScopedFlushDenormals() {
    asm volatile("msr fpcr, %0" : : "r"(saved_));
  }

 private:
  unsigned long long saved_;
#else
  ScopedFlushDenormals() = default;
#endif
  ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
  ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;
};

}  // namespace reverie::dsp
