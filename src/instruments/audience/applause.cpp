// Applause: the clappers' schedule and the band classes' filtered noise bursts.
#include "instruments/audience/applause.hpp"

#include <algorithm>
#include <cmath>

#include "dsp/formant_resonator.hpp"
#include "dsp/lane_mixdown.hpp"
#include "dsp/math_constants.hpp"

namespace reverie::audience {
namespace {

using dsp::Float4;

// A full house at full enthusiasm (400 people, 2000 claps a second) peaks near -5 dBFS.
constexpr float kClapGain = 0.151f;
// The broadband part of each burst beside its resonance, the crack of the palms, through a
// one-pole low-pass at 9 kHz (so its colour does not depend on the sample rate).
constexpr float kCrack = 0.45f;
constexpr double kCrackCornerHz = 9000.0;
constexpr double kLowestCentreHz = 700.0, kHighestCentreHz = 3200.0;
constexpr float kTempoJitter = 0.08f;  // clap-to-clap period variation, +-
constexpr float kSilentEnvelope = 1e-9f;

}  // namespace

void Applause::prepare(double sampleRate, std::uint64_t seed) {
  sampleRate_ = sampleRate;
  random_.reseed(seed);
  for (Clapper& c : clappers_) {
    c = Clapper{};
    c.periodScale = std::exp2(0.3f * random_.bipolar());  // tempos 0.81 to 1.23 of the crowd's
    c.loudness = 0.35f + 0.65f * random_.uniform();       // the near and the far
    c.seat = random_.bipolar();
    c.band = static_cast<int>(random_.next() % kBands);
  }
  for (int b = 0; b < kBands; ++b) {
    const int q = b / 4, lane = b % 4;
    // Centres spread evenly on a log scale, each nudged; Q 1.2 to 2.5; decay 2.5 to 5.5 ms.
    const double position = (b + 0.5 + 0.4 * random_.bipolar()) / kBands;
    const double centreHz =
        kLowestCentreHz * std::pow(kHighestCentreHz / kLowestCentreHz, position);
    const double quality = 1.2 + 1.3 * random_.uniform();
    const dsp::ResonatorCoefficients c =
        dsp::resonatorCoefficients(static_cast<float>(centreHz / sampleRate),
                                   static_cast<float>(centreHz / quality / sampleRate), 1.0f);
    gain_[q][lane] = c.gain;
    a1_[q][lane] = c.a1;
    a2_[q][lane] = c.a2;
    const double decaySeconds = 0.0025 + 0.003 * random_.uniform();
    decay_[q][lane] = static_cast<float>(std::exp(-1.0 / (decaySeconds * sampleRate)));
  }
  for (int q = 0; q < kQuads; ++q) {
    noise_[q].seed(random_);
    envelopeLeft_[q] = envelopeRight_[q] = left1_[q] = left2_[q] = leftOut1_[q] = leftOut2_[q] =
        dsp::broadcast(0.0f);
    right1_[q] = right2_[q] = rightOut1_[q] = rightOut2_[q] = dsp::broadcast(0.0f);
  }
  for (int s = 0; s < kTickFrames; ++s)
    for (int q = 0; q < kQuads; ++q) jumpLeft_[s][q] = jumpRight_[s][q] = dsp::broadcast(0.0f);
  crackCoefficient_ =
      static_cast<float>(1.0 - std::exp(-2.0 * dsp::kPiTo15Digits * kCrackCornerHz / sampleRate));
  for (int q = 0; q < kQuads; ++q) crackLeft_[q] = crackRight_[q] = dsp::broadcast(0.0f);
  spread_ = -1.0f;  // pan gains placed at the first tick
  nextClap_.fill(0);
  due_.fill(-1);
  listed_.fill(false);
  joined_ = 0;
  idle_ = true;
}

void Applause::schedule(std::uint64_t now, float enthusiasm, float size, float spread) noexcept {
  if (!idle_) {
    for (int s = 0; s < kTickFrames; ++s)
      for (int q = 0; q < kQuads; ++q) jumpLeft_[s][q] = jumpRight_[s][q] = dsp::broadcast(0.0f);
  }
  const float e = std::clamp(enthusiasm, 0.0f, 1.0f);
  // The crowd joins in as enthusiasm squared: a few scattered hands, then the house.
  const float crowd = 24.0f + 376.0f * std::clamp(size, 0.0f, 1.0f);
  const int joined = std::min(kMaxClappers, static_cast<int>(crowd * e * e + 0.5f));
  const double period = sampleRate_ / (2.0 + 3.0 * e);  // and claps faster, 2 to 5 a second
  for (int i = joined_; i < joined; ++i) {  // newcomers come in anywhere in their first period
    if (listed_[static_cast<std::size_t>(i)]) continue;  // left a moment ago: still listed
    nextClap_[static_cast<std::size_t>(i)] =
        now + static_cast<std::uint64_t>(
                  period * clappers_[static_cast<std::size_t>(i)].periodScale * random_.uniform());
    enlist(i);
  }
  joined_ = joined;  // those past the count leave the calendar when their tick comes
  const float width = std::clamp(spread, 0.0f, 1.0f);
  if (width != spread_) {  // constant-power pan of every seat, placed again only when it moves
    spread_ = width;
    for (int i = 0; i < kMaxClappers; ++i) {
      const float angle =
          (clappers_[static_cast<std::size_t>(i)].seat * width + 1.0f) * 0.785398163f;
      panLeft_[static_cast<std::size_t>(i)] = std::cos(angle);
      panRight_[static_cast<std::size_t>(i)] = std::sin(angle);
    }
  }
  const std::uint64_t end = now + kTickFrames;
  std::int16_t& head = due_[static_cast<std::size_t>((now / kTickFrames) % kCalendarTicks)];
  int i = head;
  head = -1;
  while (i >= 0) {
    const auto at = static_cast<std::size_t>(i);
    const int following = nextListed_[at];
    listed_[at] = false;
    if (i < joined) {
      const Clapper& c = clappers_[at];
      std::uint64_t& next = nextClap_[at];
      while (next < end) {
        const int offset = next > now ? static_cast<int>(next - now) : 0;
        const float amplitude = kClapGain * c.loudness * (0.75f + 0.5f * random_.uniform());
        const int q = c.band / 4, lane = c.band % 4;
        jumpLeft_[offset][q][lane] += amplitude * panLeft_[at];
        jumpRight_[offset][q][lane] += amplitude * panRight_[at];
        next += static_cast<std::uint64_t>(period * c.periodScale *
                                           (1.0 + kTempoJitter * random_.bipolar()));
      }
      enlist(i);
    }
    i = following;
  }
  float loudest = 0.0f;
  for (int q = 0; q < kQuads; ++q)
    for (int lane = 0; lane < 4; ++lane)
      loudest = std::max({loudest, envelopeLeft_[q][lane], envelopeRight_[q][lane]});
  idle_ = joined == 0 && loudest < kSilentEnvelope;
}

void Applause::enlist(int i) noexcept {
  const auto at = static_cast<std::size_t>(i);
  std::int16_t& head =
      due_[static_cast<std::size_t>((nextClap_[at] / kTickFrames) % kCalendarTicks)];
  nextListed_[at] = head;
  head = static_cast<std::int16_t>(i);
  listed_[at] = true;
}

void Applause::render(float* left, float* right, int offset, int frames) noexcept {
  if (idle_) return;
  Float4 sumLeft[kTickFrames], sumRight[kTickFrames];
  for (int i = 0; i < frames; ++i) sumLeft[i] = sumRight[i] = dsp::broadcast(0.0f);
  // Quad by quad, its state in locals: nothing written through left/right can alias it.
  for (int q = 0; q < kQuads; ++q) {
    Float4 envelopeLeft = envelopeLeft_[q], envelopeRight = envelopeRight_[q];
    Float4 left1 = left1_[q], left2 = left2_[q], leftOut1 = leftOut1_[q], leftOut2 = leftOut2_[q];
    Float4 right1 = right1_[q], right2 = right2_[q], rightOut1 = rightOut1_[q],
           rightOut2 = rightOut2_[q];
    Float4 crackLeft = crackLeft_[q], crackRight = crackRight_[q];
    dsp::NoiseQuad noise = noise_[q];
    const Float4 decay = decay_[q], gain = gain_[q], a1 = a1_[q], a2 = a2_[q];
    const float crack = crackCoefficient_;
    for (int i = 0; i < frames; ++i) {
      envelopeLeft = envelopeLeft * decay + jumpLeft_[offset + i][q];
      envelopeRight = envelopeRight * decay + jumpRight_[offset + i][q];
      const Float4 n = noise.next();
      const Float4 rotated = {n[1], n[2], n[3], n[0]};  // another band's noise: independent
      const Float4 xl = envelopeLeft * n, xr = envelopeRight * rotated;
      const Float4 yl = gain * (xl - left2) + a1 * leftOut1 + a2 * leftOut2;
      const Float4 yr = gain * (xr - right2) + a1 * rightOut1 + a2 * rightOut2;
      crackLeft += crack * (xl - crackLeft);
      crackRight += crack * (xr - crackRight);
      sumLeft[i] += yl + kCrack * crackLeft;
      sumRight[i] += yr + kCrack * crackRight;
      left2 = left1;
      left1 = xl;
      leftOut2 = leftOut1;
      leftOut1 = yl;
      right2 = right1;
      right1 = xr;
      rightOut2 = rightOut1;
      rightOut1 = yr;
    }
    envelopeLeft_[q] = envelopeLeft;
    envelopeRight_[q] = envelopeRight;
    left1_[q] = left1;
    left2_[q] = left2;
    leftOut1_[q] = leftOut1;
    leftOut2_[q] = leftOut2;
    right1_[q] = right1;
    right2_[q] = right2;
    rightOut1_[q] = rightOut1;
    rightOut2_[q] = rightOut2;
    crackLeft_[q] = crackLeft;
    crackRight_[q] = crackRight;
    noise_[q] = noise;
  }
  dsp::addLaneSums(sumLeft, sumRight, left, right, frames);
}

}  // namespace reverie::audience
