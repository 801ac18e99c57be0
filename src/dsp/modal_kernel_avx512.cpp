// The AVX-512 modal kernel: 16 lanes in one register. Compiled with -mavx512f (see
// CMakeLists.txt), called only when the CPU has it; no standard headers, as for AVX2.
// GCC 12's own AVX-512 intrinsics read _mm512_undefined_ps() and warn about it
// (GCC PR 105593, fixed in 13); the warning is about the header, not this code.
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "dsp/modal_kernel_impl.hpp"
#include "dsp/mode_drift_impl.hpp"

namespace reverie::dsp {
namespace {

struct Lanes16 {
  __m512 v;
  static Lanes16 load(const float* p) { return {_mm512_load_ps(p)}; }
  static void store(float* p, const Lanes16& a) { _mm512_store_ps(p, a.v); }
  static Lanes16 broadcast(float x) { return {_mm512_set1_ps(x)}; }
  static Lanes16 zero() { return {_mm512_setzero_ps()}; }
  static Lanes16 add(const Lanes16& a, const Lanes16& b) { return {_mm512_add_ps(a.v, b.v)}; }
  static Lanes16 mul(const Lanes16& a, const Lanes16& b) { return {_mm512_mul_ps(a.v, b.v)}; }
  static Lanes16 fma(const Lanes16& a, const Lanes16& b, const Lanes16& c) {
    return {_mm512_fmadd_ps(a.v, b.v, c.v)};
  }
  static Lanes16 fnma(const Lanes16& a, const Lanes16& b, const Lanes16& c) {
    return {_mm512_fnmadd_ps(a.v, b.v, c.v)};
  }
  // 128-bit blocks of a and b. Shuffles and permutes here take the full-mask form: GCC 12's plain
  // ones pass an undefined vector as their unused mask source, which -Wuninitialized reports
  // once inlined (a false alarm; the instruction is the same).
  template <int kPattern>
  static __m512 blocks(__m512 a, __m512 b) {
    return _mm512_mask_shuffle_f32x4(a, 0xFFFF, a, b, kPattern);
  }
  static void reduce2(const Lanes16& a, const Lanes16& b, float& ra, float& rb) {
    // 128-bit blocks: a in blocks 0-1, b in blocks 2-3 after the first step.
    const __m512 lows = blocks<0x44>(a.v, b.v);                 // a.0 a.1 b.0 b.1
    const __m512 highs = blocks<0xEE>(a.v, b.v);                // a.2 a.3 b.2 b.3
    const __m512 s8 = _mm512_add_ps(lows, highs);               // i + (i+8)
    const __m512 s4 = _mm512_add_ps(s8, blocks<0xB1>(s8, s8));  // + (i+4)
    const __m512 s2 =
        _mm512_add_ps(s4, _mm512_mask_permute_ps(s4, 0xFFFF, s4, 0x4E));  // (0+2), (1+3)
    const __m512 s1 = _mm512_add_ps(s2, _mm512_mask_permute_ps(s2, 0xFFFF, s2, 0xB1));  // + lane 1
    ra = _mm512_cvtss_f32(s1);
    rb = _mm_cvtss_f32(_mm512_mask_extractf32x4_ps(_mm_setzero_ps(), 0xF, s1, 2));
  }
};

}  // namespace

KernelSet avx512Kernels() {
  return {renderModesWith<Lanes16>, renderBowedWith<Lanes16>, driftModesWith};
}

}  // namespace reverie::dsp

#pragma GCC diagnostic pop
