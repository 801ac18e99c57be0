// The AVX-512 modal kernel: 16 lanes in one register. Compiled with -mavx512f (see
// CMakeLists.txt), called only when the CPU has it; no standard headers, as for AVX2.
// GCC 12's own AVX-512 intrinsics read _mm512_undefined_ps() and warn about it
// (GCC PR 105593, fixed in 13); the warning is about the header, not this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "dsp/modal_kernel_impl.hpp"

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
  static float reduce(const Lanes16& a) {
    const __m256 upper = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a.v), 1));
    const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(a.v), upper);
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    const __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 0x55));
    return _mm_cvtss_f32(s1);
  }
};

}  // namespace

void renderModesAvx512(const ModeArrays& m, const float* excitation, float* mid, float* side, int frames) {
  renderModesWith<Lanes16>(m, excitation, mid, side, frames);
}

}  // namespace reverie::dsp

#pragma GCC diagnostic pop
