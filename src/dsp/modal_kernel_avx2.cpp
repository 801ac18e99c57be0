// The AVX2+FMA modal kernel: 16 lanes as two 256-bit registers. Compiled with -mavx2 -mfma
// (see CMakeLists.txt) and called only when the CPU has both. No standard headers here: an
// inline function compiled for AVX2 must never be picked by the linker for other code.
#include <immintrin.h>

#include "dsp/modal_kernel_impl.hpp"
#include "dsp/mode_drift_impl.hpp"

namespace reverie::dsp {
namespace {

struct Lanes16 {
  __m256 lo, hi;
  // Copies member by member: copied as a whole struct, GCC 12 moved each value through
  // memory and general registers 8 bytes at a time, which made this kernel 3.7 times slower
  // than the AVX-512 one on the same CPU (29 against 7.9 ns a voice-frame of 64 struck modes).
  Lanes16() = default;
  Lanes16(__m256 l, __m256 h) : lo(l), hi(h) {}
  Lanes16(const Lanes16& o) : lo(o.lo), hi(o.hi) {}
  Lanes16& operator=(const Lanes16& o) {
    lo = o.lo;
    hi = o.hi;
    return *this;
  }
  static Lanes16 load(const float* p) { return {_mm256_load_ps(p), _mm256_load_ps(p + 8)}; }
  static void store(float* p, const Lanes16& a) {
    _mm256_store_ps(p, a.lo);
    _mm256_store_ps(p + 8, a.hi);
  }
  static Lanes16 broadcast(float x) { return {_mm256_set1_ps(x), _mm256_set1_ps(x)}; }
  static Lanes16 zero() { return {_mm256_setzero_ps(), _mm256_setzero_ps()}; }
  static Lanes16 add(const Lanes16& a, const Lanes16& b) {
    return {_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi)};
  }
  static Lanes16 mul(const Lanes16& a, const Lanes16& b) {
    return {_mm256_mul_ps(a.lo, b.lo), _mm256_mul_ps(a.hi, b.hi)};
  }
  static Lanes16 fma(const Lanes16& a, const Lanes16& b, const Lanes16& c) {
    return {_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)};
  }
  static Lanes16 fnma(const Lanes16& a, const Lanes16& b, const Lanes16& c) {
    return {_mm256_fnmadd_ps(a.lo, b.lo, c.lo), _mm256_fnmadd_ps(a.hi, b.hi, c.hi)};
  }
  static void reduce2(const Lanes16& a, const Lanes16& b, float& ra, float& rb) {
    // a in the low 128-bit half, b in the high, reduced together.
    const __m256 a8 = _mm256_add_ps(a.lo, a.hi), b8 = _mm256_add_ps(b.lo, b.hi);  // i + (i+8)
    const __m256 lows = _mm256_permute2f128_ps(a8, b8, 0x20);          // a8[0..3], b8[0..3]
    const __m256 highs = _mm256_permute2f128_ps(a8, b8, 0x31);         // a8[4..7], b8[4..7]
    const __m256 s4 = _mm256_add_ps(lows, highs);                      // i + (i+4)
    const __m256 s2 = _mm256_add_ps(s4, _mm256_permute_ps(s4, 0x4E));  // (0+2), (1+3)
    const __m256 s1 = _mm256_add_ps(s2, _mm256_permute_ps(s2, 0xB1));  // + lane 1
    ra = _mm256_cvtss_f32(s1);
    rb = _mm_cvtss_f32(_mm256_extractf128_ps(s1, 1));
  }
};

}  // namespace

// One bowed voice at a time: two voices' state and weights spill out of 16 registers (18.7
// against 20.3 ns a voice-frame of 64 modes).
KernelSet avx2Kernels() {
  return {renderModesWith<Lanes16>, renderBowedWith<Lanes16, 1>, driftModesWith};
}

}  // namespace reverie::dsp
