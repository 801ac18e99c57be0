// Renders an arc offline through reverie::Instrument, the embedding API, and writes a WAV file.
//   example_render_arc [arc-name-or-path] [out.wav] [seconds] [seed]
// The arc is found by name on the preset search path, as `reverie render` finds it. An
// instrument given no events renders what `reverie render` writes for the same arc and seed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "reverie/instrument.hpp"
#include "reverie/loudness.hpp"
#include "reverie/sound_file.hpp"

int main(int argc, char** argv) try {
  const std::string arc = argc > 1 ? argv[1] : "clockwork";
  const std::string path = argc > 2 ? argv[2] : "render_arc.wav";
  const double seconds = argc > 3 ? std::atof(argv[3]) : 30.0;
  const std::uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1;
  constexpr double kRate = 48000.0;
  constexpr int kBlock = 512;

  reverie::Instrument instrument(arc, {kRate, kBlock, seed});
  // The master limiter looks ahead: its first latencyFrames frames are the silence before the
  // first sound, left out as `reverie render` leaves them out.
  const auto latency = static_cast<std::size_t>(instrument.latencyFrames());
  const auto frames = static_cast<std::size_t>(std::llround(seconds * kRate));
  std::vector<float> left(latency + frames), right(latency + frames);
  for (std::size_t done = 0; done < left.size();) {
    const int block = static_cast<int>(std::min<std::size_t>(kBlock, left.size() - done));
    float* out[2] = {left.data() + done, right.data() + done};
    instrument.process(out, block);
    done += static_cast<std::size_t>(block);
    if (done % (kBlock * 64) == 0) instrument.update();  // frees what the audio side retired
  }
  instrument.update();

  std::vector<float> interleaved(2 * frames);
  for (std::size_t i = 0; i < frames; ++i) {
    interleaved[2 * i] = left[latency + i];
    interleaved[2 * i + 1] = right[latency + i];
  }
  reverie::SoundFileWriter writer(path, kRate, 2, reverie::SampleFormat::kFloat32, seed);
  writer.write(interleaved.data(), frames);
  writer.commit();

  const reverie::LoudnessStats loudness =
      reverie::measureLoudness(interleaved.data(), frames, 2, kRate);
  const reverie::InstrumentMeters meters = instrument.meters();
  std::printf("wrote %s: %.1f s of '%s' (seed %llu), scene %d at the end, %.1f LUFS, %.1f dBTP\n",
              path.c_str(), seconds, instrument.name().c_str(),
              static_cast<unsigned long long>(seed), meters.scene + 1, loudness.integratedLufs,
              loudness.truePeakDbtp);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "example_render_arc: %s\n", e.what());
  return 1;
}
