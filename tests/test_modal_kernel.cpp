// Every modal kernel this CPU runs gives the same bits, and each mode rings as a damped sine.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "dsp/modal_kernel.hpp"

using namespace reverie::dsp;

namespace {

struct Bank {
  alignas(64) float re[64] = {}, im[64] = {}, c[64] = {}, s[64] = {}, gain[64] = {}, side[64] = {};
  alignas(64) float velocityGain[64] = {};
  bool ownVelocityGain = false;  ///< the bow reads velocityGain, not gain
  ModeArrays arrays(int groups) {
    return {re, im, c, s, gain, side, groups, ownVelocityGain ? velocityGain : nullptr};
  }
  const float* velocityWeights() const { return ownVelocityGain ? velocityGain : gain; }
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

namespace {

/// The bow straight from its definition, in double: each frame the velocity under the bow is
/// the real parts after the rotation weighted by the velocity's gains, the friction gives the
/// force, which lands through the gains.
void bowReference(Bank& bank, int modes, const BowDrive& bow, std::vector<double>& mid,
                  int frames) {
  std::vector<double> re(bank.re, bank.re + modes), im(bank.im, bank.im + modes);
  for (int t = 0; t < frames; ++t) {
    double contact = 0.0;
    std::vector<double> rotated(static_cast<std::size_t>(modes));
    for (int m = 0; m < modes; ++m) {
      rotated[m] = bank.c[m] * re[m] - static_cast<double>(bank.s[m]) * im[m];
      contact += bank.velocityWeights()[m] * rotated[m];
    }
    const double slip = bow.speed - contact;
    const double base = std::fabs(slip * bow.slope) + 0.75;
    const double force = slip * std::min(1.0, 1.0 / std::pow(base, 4.0)) * bow.coupling;
    double sum = 0.0;
    for (int m = 0; m < modes; ++m) {
      const double nextIm = bank.s[m] * re[m] + static_cast<double>(bank.c[m]) * im[m];
      re[m] = rotated[m] + bank.gain[m] * force;
      im[m] = nextIm;
      sum += nextIm;
    }
    mid[static_cast<std::size_t>(t)] += sum;
  }
}

/// One bowed voice alone through `kernel`.
void bowAlone(BowedKernel kernel, Bank& bank, int groups, const BowDrive& bow, float* mid,
              float* side, float* listenRe, float* listenIm, int frames) {
  const BowedVoice voice{bank.arrays(groups), bow, mid, side, listenRe, listenIm};
  kernel(&voice, 1, frames);
}

/// A bank of `modes` modes, its coefficients varied by `variant`. `ownVelocityGain`: the
/// upper modes sound louder (gain x k) while the bow reads them less (velocity gain / k), as a
/// bowed crystal brighter than its bow bears has it.
Bank bowedBank(int modes, int variant, bool ownVelocityGain = false) {
  Bank bank;
  bank.ownVelocityGain = ownVelocityGain;
  for (int m = 0; m < modes; ++m) {
    const double omega = 0.01 + (0.017 + 0.001 * variant) * m, radius = 0.9998 - 0.00002 * m;
    bank.c[m] = static_cast<float>(radius * std::cos(omega));
    bank.s[m] = static_cast<float>(radius * std::sin(omega));
    bank.gain[m] = 0.4f / static_cast<float>(m + 1 + variant);
    bank.side[m] = (m % 2 == 0) ? 0.5f : -0.5f;
    const float k = 1.0f + 0.05f * static_cast<float>(m);
    bank.velocityGain[m] = ownVelocityGain ? bank.gain[m] / k : bank.gain[m];
    if (ownVelocityGain) bank.gain[m] *= k;
  }
  return bank;
}

}  // namespace

TEST_CASE("bowed kernels agree bit for bit, and follow the bow's definition") {
  NamedKernel kernels[4];
  const int count = availableModalKernels(kernels, 4);
  REQUIRE(count >= 1);
  BowDrive bow;
  bow.speed = 0.05f;
  bow.slope = 30.0f;
  bow.coupling = 0.002f;
  bow.listenA = 3;
  bow.listenB = 17;
  for (const bool ownVelocityGain : {false, true})
    for (int groups = 1; groups <= 4; ++groups) {
      std::vector<float> referenceMid, referenceListen;
      const int modes = 16 * groups;
      bow.listenB = groups > 1 ? 17 : -1;
      CAPTURE(ownVelocityGain);
      for (int k = 0; k < count; ++k) {
        Bank bank = bowedBank(modes, 0, ownVelocityGain);
        Bank start = bank;
        std::vector<float> mid(1024, 0.0f), side(1024, 0.0f), listenRe(1024), listenIm(1024);
        float contact = std::numeric_limits<float>::quiet_NaN();
        bow.contact = &contact;
        for (int done = 0; done < 1024; done += 256)
          bowAlone(kernels[k].bowed, bank, groups, bow, mid.data() + done, side.data() + done,
                   listenRe.data() + done, listenIm.data() + done, 256);
        // The same frames in calls of other lengths: the carried velocity makes them the same bits.
        {
          Bank again = start;
          std::vector<float> mid2(1024, 0.0f), side2(1024, 0.0f), re2(1024), im2(1024);
          float carried = std::numeric_limits<float>::quiet_NaN();
          BowDrive split = bow;
          split.contact = &carried;
          const int lengths[] = {1, 37, 200, 1, 500, 285};
          int done = 0;
          for (int length : lengths) {
            bowAlone(kernels[k].bowed, again, groups, split, mid2.data() + done,
                     side2.data() + done, re2.data() + done, im2.data() + done, length);
            done += length;
          }
          REQUIRE(done == 1024);
          CHECK(std::memcmp(mid2.data(), mid.data(), mid.size() * sizeof(float)) == 0);
        }
        CAPTURE(kernels[k].name);
        CAPTURE(groups);
        if (k == 0) {
          referenceMid = mid;
          referenceListen = listenRe;
          // The first 64 frames against the definition in double (the stick-slip is chaotic
          // enough that rounding grows later).
          std::vector<double> exact(64, 0.0);
          bowReference(start, modes, bow, exact, 64);
          double worst = 0.0, peak = 0.0;
          for (int t = 0; t < 64; ++t) {
            worst = std::max(worst, std::fabs(mid[static_cast<std::size_t>(t)] -
                                              exact[static_cast<std::size_t>(t)]));
            peak = std::max(peak, std::fabs(exact[static_cast<std::size_t>(t)]));
          }
          MESSAGE(groups << " groups" << std::string(ownVelocityGain ? ", own velocity gains" : "")
                         << ": bowed kernel against the definition over 64 frames: largest "
                         << worst << " of a peak " << peak);
          CHECK(peak > 1e-5);          // the bow has set the modes going
          CHECK(worst < 1e-4 * peak);  // float rounding, not a different equation
        } else {
          CHECK(std::memcmp(mid.data(), referenceMid.data(), mid.size() * sizeof(float)) == 0);
          CHECK(std::memcmp(listenRe.data(), referenceListen.data(),
                            listenRe.size() * sizeof(float)) == 0);
        }
      }
    }
}

TEST_CASE("bowed voices rendered side by side give the bits each gives alone") {
  NamedKernel kernels[4];
  const int count = availableModalKernels(kernels, 4);
  REQUIRE(count >= 1);
  // Five voices onto one output, the third with fewer groups (it breaks the side-by-side run)
  // and the fourth not listening; each with its own bow.
  constexpr int kVoices = 5, kFrames = 700;
  const int groups[kVoices] = {4, 4, 2, 4, 4};
  for (int k = 0; k < count; ++k) {
    CAPTURE(kernels[k].name);
    Bank alone[kVoices], together[kVoices];
    BowDrive bows[kVoices];
    float contactAlone[kVoices], contactTogether[kVoices];
    for (int v = 0; v < kVoices; ++v) {
      alone[v] = together[v] = bowedBank(16 * groups[v], v);
      bows[v].speed = 0.03f + 0.01f * v;
      bows[v].slope = 30.0f - 2.0f * v;
      bows[v].coupling = 0.002f;
      bows[v].listenA = v == 3 ? -1 : v;
      bows[v].listenB = v == 3 ? -1 : 16 + v;
      contactAlone[v] = contactTogether[v] = std::numeric_limits<float>::quiet_NaN();
    }
    std::vector<float> midAlone(kFrames, 0.0f), sideAlone(kFrames, 0.0f);
    std::vector<float> midTogether(kFrames, 0.0f), sideTogether(kFrames, 0.0f);
    std::vector<float> listenAlone(kVoices * kFrames), listenTogether(kVoices * kFrames);
    std::vector<float> imAlone(kVoices * kFrames), imTogether(kVoices * kFrames);
    // Alone: each voice in turn, in calls of 256 frames and the rest.
    for (int v = 0; v < kVoices; ++v) {
      BowDrive bow = bows[v];
      bow.contact = &contactAlone[v];
      for (int done = 0; done < kFrames; done += 256)
        bowAlone(kernels[k].bowed, alone[v], groups[v], bow, midAlone.data() + done,
                 sideAlone.data() + done, listenAlone.data() + v * kFrames + done,
                 imAlone.data() + v * kFrames + done, std::min(256, kFrames - done));
    }
    // Together: all five in each call, the calls split elsewhere.
    const int lengths[] = {100, 1, 300, 299};
    int done = 0;
    for (int length : lengths) {
      BowedVoice voices[kVoices];
      for (int v = 0; v < kVoices; ++v) {
        voices[v] = {together[v].arrays(groups[v]),
                     bows[v],
                     midTogether.data() + done,
                     sideTogether.data() + done,
                     listenTogether.data() + v * kFrames + done,
                     imTogether.data() + v * kFrames + done};
        voices[v].bow.contact = &contactTogether[v];
      }
      kernels[k].bowed(voices, kVoices, length);
      done += length;
    }
    REQUIRE(done == kFrames);
    CHECK(std::fabs(midAlone[600]) > 0.0f);
    CHECK(std::memcmp(midTogether.data(), midAlone.data(), kFrames * sizeof(float)) == 0);
    CHECK(std::memcmp(sideTogether.data(), sideAlone.data(), kFrames * sizeof(float)) == 0);
    for (int v = 0; v < kVoices; ++v) {
      if (v == 3) continue;  // not listening: its listen frames are not written
      CHECK(std::memcmp(listenTogether.data() + v * kFrames, listenAlone.data() + v * kFrames,
                        kFrames * sizeof(float)) == 0);
      CHECK(std::memcmp(imTogether.data() + v * kFrames, imAlone.data() + v * kFrames,
                        kFrames * sizeof(float)) == 0);
    }
    for (int v = 0; v < kVoices; ++v) {
      CHECK(std::memcmp(together[v].re, alone[v].re, sizeof alone[v].re) == 0);
      CHECK(std::memcmp(&contactTogether[v], &contactAlone[v], sizeof(float)) == 0);
    }
  }
}

TEST_CASE("drift steps agree bit for bit, and turn each mode as exp and cos/sin would") {
  NamedKernel kernels[4];
  const int count = availableModalKernels(kernels, 4);
  REQUIRE(count >= 1);
  constexpr int kModes = 61;  // not a multiple of any vector width: the loop's tail runs too
  double offsetCos[kModes], offsetSin[kModes], depth[kModes], baseOmega[kModes], baseCos[kModes],
      baseSin[kModes], radius[kModes];
  for (int m = 0; m < kModes; ++m) {
    offsetCos[m] = std::cos(2.4 * m);
    offsetSin[m] = std::sin(2.4 * m);
    depth[m] = std::log2(1.0 + m);
    baseOmega[m] = 0.01 + 0.052 * m;  // the last ones drift past Nyquist and stop
    baseCos[m] = std::cos(baseOmega[m]);
    baseSin[m] = std::sin(baseOmega[m]);
    radius[m] = 0.9999 - 1e-6 * m;
  }
  const double phase = 0.7, perDepth = 30.0 * 0.69314718055994531 / 1200.0;
  const DriftInputs in{offsetCos,        offsetSin, depth,           baseOmega,       baseCos,
                       baseSin,          radius,    std::cos(phase), std::sin(phase), perDepth,
                       3.141592653589793};
  std::vector<float> referenceC, referenceS;
  for (int k = 0; k < count; ++k) {
    CAPTURE(kernels[k].name);
    std::vector<float> c(kModes), s(kModes);
    kernels[k].drift(in, c.data(), s.data(), kModes);
    if (k == 0) {
      referenceC = c;
      referenceS = s;
      int stopped = 0;
      for (int m = 0; m < kModes; ++m) {
        const double omega =
            baseOmega[m] * std::exp(perDepth * depth[m] * std::sin(phase + 2.4 * m));
        const double r = omega < 3.141592653589793 ? radius[m] : 0.0;
        stopped += r == 0.0;
        CHECK(std::fabs(c[m] - r * std::cos(omega)) < 2e-7);
        CHECK(std::fabs(s[m] - r * std::sin(omega)) < 2e-7);
      }
      CHECK(stopped > 0);
      CHECK(stopped < 4);
    } else {
      CHECK(std::memcmp(c.data(), referenceC.data(), c.size() * sizeof(float)) == 0);
      CHECK(std::memcmp(s.data(), referenceS.data(), s.size() * sizeof(float)) == 0);
    }
  }
}
