// Every modal kernel this CPU runs gives the same bits, and each mode rings as a damped sine.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "dsp/modal_kernel.hpp"

using namespace reverie::dsp;

namespace {

struct Bank {
  alignas(64) float re[64] = {}, im[64] = {}, c[64] = {}, s[64] = {}, gain[64] = {}, side[64] = {};
  ModeArrays arrays(int groups) { return {re, im, c, s, gain, side, groups}; }
};

}  // namespace

TEST_CASE("modal kernels agree bit for bit, whatever the instruction set") {
  NamedKernel kernels[4];
  const int count = availableModalKernels(kernels, 4);
  REQUIRE(count >= 1);
  std::mt19937 random(3);
  std::vector<float> excitation(2000);
  for (float& x : excitation) x = static_cast<float>(random() % 2001) / 1000.0f - 1.0f;
  for (int groups = 1; groups <= 4; ++groups) {
    std::vector<float> referenceMid, referenceSide;
    for (int k = 0; k < count; ++k) {
      Bank bank;
      for (int m = 0; m < 16 * groups; ++m) {
        const double omega = 0.003 + 0.021 * m, radius = 0.9995 - 0.00001 * m;
        bank.c[m] = static_cast<float>(radius * std::cos(omega));
        bank.s[m] = static_cast<float>(radius * std::sin(omega));
        bank.gain[m] = 1.0f / static_cast<float>(m + 1);
        bank.side[m] = (m % 3 == 0) ? 0.5f : -0.25f;
      }
      std::vector<float> mid(2000, 0.0f), side(2000, 0.0f);
      kernels[k].kernel(bank.arrays(groups), excitation.data(), mid.data(), side.data(), 1000);
      kernels[k].kernel(bank.arrays(groups), nullptr, mid.data() + 1000, side.data() + 1000, 1000);
      CAPTURE(kernels[k].name);
      CAPTURE(groups);
      if (k == 0) {
        referenceMid = mid;
        referenceSide = side;
        CHECK(std::fabs(mid[1500]) > 0.0f);
        CHECK(std::fabs(side[1500]) > 0.0f);
      } else {
        CHECK(std::memcmp(mid.data(), referenceMid.data(), mid.size() * sizeof(float)) == 0);
        CHECK(std::memcmp(side.data(), referenceSide.data(), side.size() * sizeof(float)) == 0);
      }
    }
  }
  MESSAGE("kernels compared: " << count << " (first: " << std::string(kernels[0].name) << ")");
}

TEST_CASE("a mode struck by an impulse rings as r^n sin(w n) times its gain") {
  Bank bank;
  const double omega = 0.05, radius = 0.999;
  bank.c[0] = static_cast<float>(radius * std::cos(omega));
  bank.s[0] = static_cast<float>(radius * std::sin(omega));
  bank.gain[0] = 0.5f;
  std::vector<float> excitation(400, 0.0f), mid(400, 0.0f), side(400, 0.0f);
  excitation[0] = 1.0f;
  modalKernel()(bank.arrays(1), excitation.data(), mid.data(), side.data(), 400);
  double worst = 0.0;
  for (int n = 0; n < 400; ++n)  // the impulse enters the real part at n = 0
    worst = std::max(worst, std::fabs(mid[static_cast<std::size_t>(n)] -
                                      0.5 * std::pow(radius, n) * std::sin(omega * n)));
  CHECK(worst < 1e-5);
}
