// The portable modal kernel: 16 lanes as a plain array, with fmaf for bit-exact fused steps.
#include <cmath>

#include "dsp/modal_kernel_impl.hpp"
#include "dsp/mode_drift_impl.hpp"

namespace reverie::dsp {
namespace {

struct Lanes16 {
  float v[16];
  static Lanes16 load(const float* p) {
    Lanes16 r;
    for (int i = 0; i < 16; ++i) r.v[i] = p[i];
    return r;
  }
  static void store(float* p, const Lanes16& a) {
    for (int i = 0; i < 16; ++i) p[i] = a.v[i];
  }
  static Lanes16 broadcast(float x) {
    Lanes16 r;
    for (float& lane : r.v) lane = x;
    return r;
  }
  static Lanes16 zero() { return broadcast(0.0f); }
  static Lanes16 add(const Lanes16& a, const Lanes16& b) {
    Lanes16 r;
    for (int i = 0; i < 16; ++i) r.v[i] = a.v[i] + b.v[i];
    return r;
  }
  static Lanes16 mul(const Lanes16& a, const Lanes16& b) {
    Lanes16 r;
    for (int i = 0; i < 16; ++i) r.v[i] = a.v[i] * b.v[i];
    return r;
  }
  static Lanes16 fma(const Lanes16& a, const Lanes16& b, const Lanes16& c) {
    Lanes16 r;
    for (int i = 0; i < 16; ++i) r.v[i] = std::fma(a.v[i], b.v[i], c.v[i]);
    return r;
  }
  static Lanes16 fnma(const Lanes16& a, const Lanes16& b, const Lanes16& c) {
    Lanes16 r;
    for (int i = 0; i < 16; ++i) r.v[i] = std::fma(-a.v[i], b.v[i], c.v[i]);
    return r;
  }
  static float reduce(const Lanes16& a) {
    float s8[8], s4[4];
    for (int i = 0; i < 8; ++i) s8[i] = a.v[i] + a.v[i + 8];
    for (int i = 0; i < 4; ++i) s4[i] = s8[i] + s8[i + 4];
    return (s4[0] + s4[2]) + (s4[1] + s4[3]);
  }
  static void reduce2(const Lanes16& a, const Lanes16& b, float& ra, float& rb) {
    ra = reduce(a);
    rb = reduce(b);
  }
};

}  // namespace

KernelSet portableKernels() {
  return {renderModesWith<Lanes16>, renderBowedWith<Lanes16>, driftModesWith};
}

}  // namespace reverie::dsp
