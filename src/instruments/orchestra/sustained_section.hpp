// What the sections of sustained voices (strings, winds) share: voices prepared from one seed,
// settings read on the node's own control grid, a render cut at the grid's points, and voices
// retuned in place.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "dsp/control_grid.hpp"
#include "dsp/random.hpp"
#include "instruments/orchestra/section_node.hpp"

namespace reverie::orchestra {

/// `Voice` is a SustainedVoice with prepare(rate, seed), kControlFrames and retarget(hz).
template <class Voice>
class SustainedSection : public VoiceArraySection<Voice> {
 protected:
  using VoiceArraySection<Voice>::VoiceArraySection;
  using SectionNode::kMaxVoices;

  /// Reads the parameters into the voices' settings (on the grid points, and at prepare).
  virtual void readSettings() noexcept = 0;
  /// Adds `frames` samples of every sounding voice, a span within one grid period.
  virtual void renderVoices(float* left, float* right, int frames) noexcept = 0;

  /// Control thread (onPrepare): each voice seeded from `seed` ^ (`salt` + its index), the
  /// grid from its start, the settings and the level read again.
  void prepareSection(const PrepareInfo& info, std::uint64_t salt) {
    for (std::size_t v = 0; v < this->voices_.size(); ++v)
      this->voices_[v].prepare(info.sampleRate, dsp::mixSeed(info.seed ^ (salt + v)));
    grid_.reset();
    readSettings();
    this->resetLevelGain();
  }

  /// Audio thread: the outputs zeroed, then rendered span by span between the grid points
  /// (settings change only there, so the block size never matters), with expression and level.
  void renderOnGrid(float* const* out, int frames, std::span<const int> smoothed) noexcept {
    float* left = out[0];
    float* right = out[1];
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    grid_.forEachSpan(frames, [&](int done, int span, bool onGrid) {
      if (onGrid) readSettings();
      renderVoices(left + done, right + done, span);
      this->applyExpressionAndLevel(left + done, right + done, span, smoothed);
    });
  }

  void retune() noexcept override {
    for (int v = 0; v < kMaxVoices; ++v)
      if (this->voices_[static_cast<std::size_t>(v)].active() && this->slot(v).key >= 0)
        this->voices_[static_cast<std::size_t>(v)].retarget(this->keyHz(this->slot(v).key));
  }

  dsp::ControlGrid grid_{Voice::kControlFrames};
};

}  // namespace reverie::orchestra
