// reverie_realism: the phrase and the measurements of bench/realism.sh, which compares an
// orchestra preset with a General MIDI soundfont played by fluidsynth.
//
//   reverie_realism phrase PROGRAM OUT.mid   write the phrase for GM program PROGRAM (0-127)
//   reverie_realism compare PROGRAM REF OURS print the 1/3-octave comparison and per-note facts
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/fft.hpp"
#include "support/smf_writer.hpp"
#include "support/spectral_shape.hpp"

namespace {

using reverie::test::TrackWriter;

constexpr int kDivision = 480;              // ticks per quarter
constexpr double kSecondsPerQuarter = 0.5;  // 120 bpm
constexpr double kFloorDb = -60.0;          // band levels re the whole: see bandLevelsDb
constexpr double kTailSeconds = 2.5;        // after the last note-off, before the end of track

struct PhraseNote {
  double startSeconds;
  double lengthSeconds;
  int key;
  int velocity;
};

/// A held chord (three seconds), then an eight-note melody with long and short notes and
/// velocities from piano to forte, in each instrument's own register.
std::vector<PhraseNote> phraseFor(int program) {
  std::vector<int> chord;
  int melodyRoot = 72;
  if (program == 47) {  // timpani: one stroke left to ring, then strokes on tonic and dominant
    chord = {48};
    melodyRoot = 43;
  } else if (program == 68) {  // oboe: one held note
    chord = {69};
    melodyRoot = 72;
  } else if (program >= 56 && program <= 63) {  // brass
    chord = {48, 55, 64, 67};
    melodyRoot = 60;
  } else if (program >= 52 && program <= 54) {  // choir
    chord = {48, 55, 64, 72};
    melodyRoot = 67;
  } else {  // strings
    chord = {48, 55, 64, 72};
    melodyRoot = 72;
  }
  std::vector<PhraseNote> notes;
  for (int key : chord) notes.push_back({0.0, 3.0, key, 80});
  // Scale steps of a major scale above the root; timpani alternate two drums a fifth apart.
  const int steps[] = {0, 2, 4, 7, 5, 4, 2, 0};
  const int drums[] = {5, 0, 5, 0, 5, 5, 0, 5};
  const double lengths[] = {0.5, 0.25, 0.25, 1.0, 0.5, 0.25, 0.25, 1.5};
  const int velocities[] = {64, 72, 80, 100, 84, 70, 90, 110};
  double at = 3.5;
  for (int i = 0; i < 8; ++i) {
    const int key = melodyRoot + (program == 47 ? drums[i] : steps[i]);
    // Legato-ish: each note sounds for 90% of its slot, as a player's detached line.
    notes.push_back({at, lengths[i] * 0.9, key, velocities[i]});
    at += lengths[i];
  }
  return notes;
}

std::uint32_t ticksOf(double seconds) {
  return static_cast<std::uint32_t>(std::lround(seconds / kSecondsPerQuarter * kDivision));
}

int writePhrase(int program, const char* path) {
  struct Event {
    std::uint32_t tick;
    int order;  // note-offs before note-ons at the same tick
    int status, key, velocity;
  };
  std::vector<Event> events;
  for (const PhraseNote& n : phraseFor(program)) {
    events.push_back({ticksOf(n.startSeconds), 1, 0x90, n.key, n.velocity});
    events.push_back({ticksOf(n.startSeconds + n.lengthSeconds), 0, 0x80, n.key, 0});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.tick != b.tick ? a.tick < b.tick : a.order < b.order;
  });
  TrackWriter track;
  track.tempo(0, static_cast<std::uint32_t>(kSecondsPerQuarter * 1e6));
  track.event(0, {0xC0, program});
  std::uint32_t last = 0;
  for (const Event& e : events) {
    track.event(e.tick - last, {e.status, e.key, e.velocity});
    last = e.tick;
  }
  track.end(ticksOf(kTailSeconds));
  reverie::test::writeBytes(path, reverie::test::smfFile(0, kDivision, {track}));
  return 0;
}

struct Mono {
  std::vector<float> samples;
  double sampleRate = 0.0;
};

bool readMono(const char* path, Mono& out) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path, SFM_READ, &info);
  if (file == nullptr) {
    std::fprintf(stderr, "reverie_realism: cannot read %s: %s\n", path, sf_strerror(nullptr));
    return false;
  }
  std::vector<float> interleaved(static_cast<std::size_t>(info.frames) * info.channels);
  sf_readf_float(file, interleaved.data(), info.frames);
  sf_close(file);
  out.sampleRate = info.samplerate;
  out.samples.assign(static_cast<std::size_t>(info.frames), 0.0f);
  for (std::size_t i = 0; i < out.samples.size(); ++i) {
    float sum = 0.0f;
    for (int c = 0; c < info.channels; ++c) sum += interleaved[i * info.channels + c];
    out.samples[i] = sum / static_cast<float>(info.channels);
  }
  return true;
}

/// Nominal 1/3-octave centres from 40 Hz to 16 kHz (IEC 61260 base-two, 1 kHz reference).
std::vector<double> bandCentres() {
  std::vector<double> centres;
  for (int k = -14; k <= 12; ++k) centres.push_back(1000.0 * std::pow(2.0, k / 3.0));
  return centres;
}

/// Power per 1/3-octave band in dB relative to the power of all bands together (so two
/// renders compare after power matching), from Welch-averaged Hann spectra. Floored at -60 dB:
/// a band that far under the whole is inaudible beside it, and a recording's noise floor there
/// must not count against a clean synthesis (nor digital silence against a noisy one).
std::vector<double> bandLevelsDb(const Mono& sound) {
  constexpr std::size_t kSize = 16384;
  const std::vector<double> window =
      reverie::test::windowCoefficients(reverie::test::Window::kHann, kSize);
  reverie::test::RealFft fft(kSize);
  std::vector<double> frame(kSize);
  std::vector<std::complex<double>> bins(fft.binCount());
  std::vector<double> power(fft.binCount(), 0.0);
  for (std::size_t start = 0; start + kSize <= sound.samples.size(); start += kSize / 2) {
    for (std::size_t i = 0; i < kSize; ++i) frame[i] = sound.samples[start + i] * window[i];
    fft.forward(frame, bins);
    for (std::size_t k = 0; k < bins.size(); ++k) power[k] += std::norm(bins[k]);
  }
  const std::vector<double> centres = bandCentres();
  std::vector<double> bands(centres.size(), 0.0);
  const double binHz = sound.sampleRate / static_cast<double>(kSize);
  for (std::size_t b = 0; b < centres.size(); ++b) {
    const double low = centres[b] * std::pow(2.0, -1.0 / 6.0);
    const double high = centres[b] * std::pow(2.0, 1.0 / 6.0);
    for (std::size_t k = 1; k < power.size(); ++k) {
      const double f = static_cast<double>(k) * binHz;
      if (f >= low && f < high) bands[b] += power[k];
    }
  }
  double total = 0.0;
  for (double p : bands) total += p;
  std::vector<double> levels;
  for (double p : bands) levels.push_back(std::max(kFloorDb, 10.0 * std::log10(p / total + 1e-30)));
  return levels;
}

/// RMS envelope in 5 ms frames.
std::vector<double> envelope(const Mono& sound, std::size_t& frameLength) {
  frameLength = static_cast<std::size_t>(sound.sampleRate * 0.005);
  std::vector<double> env;
  for (std::size_t s = 0; s + frameLength <= sound.samples.size(); s += frameLength) {
    double sum = 0.0;
    for (std::size_t i = 0; i < frameLength; ++i)
      sum += sound.samples[s + i] * sound.samples[s + i];
    env.push_back(std::sqrt(sum / static_cast<double>(frameLength)));
  }
  return env;
}

struct NoteFacts {
  double attackMs = 0.0;     // from note-on until the envelope first reaches 90% of its peak
  double endDb = 0.0;        // level in the note's last 30 ms relative to its peak
  double centroidHz = 0.0;   // spectral centroid over the sounding note
  double flatness = 0.0;     // Wiener entropy over the note: noise ~0.56, tones near 0
  double peakDbfs = -200.0;  // the note's peak RMS (5 ms) in dBFS
};

/// Facts of the phrase's n-th event window: the chord is one window, each melody note another.
NoteFacts factsOf(const Mono& sound, double start, double length) {
  std::size_t frameLength = 0;
  const std::vector<double> env = envelope(sound, frameLength);
  const double frameSeconds = static_cast<double>(frameLength) / sound.sampleRate;
  const auto first = static_cast<std::size_t>(start / frameSeconds);
  const auto last = std::min(env.size(), static_cast<std::size_t>((start + length) / frameSeconds));
  NoteFacts facts;
  if (first >= last) return facts;
  const double peak = *std::max_element(env.begin() + first, env.begin() + last);
  for (std::size_t i = first; i < last; ++i)
    if (env[i] >= 0.9 * peak) {
      facts.attackMs = static_cast<double>(i - first + 1) * frameSeconds * 1000.0;
      break;
    }
  const std::size_t tailFrames = 6;
  double tail = 0.0;
  for (std::size_t i = last - std::min(tailFrames, last - first); i < last; ++i) tail += env[i];
  tail /= static_cast<double>(std::min(tailFrames, last - first));
  facts.endDb = 20.0 * std::log10(tail / (peak + 1e-30) + 1e-30);
  facts.peakDbfs = 20.0 * std::log10(peak + 1e-30);
  const auto a = static_cast<std::size_t>(start * sound.sampleRate);
  const auto b =
      std::min(sound.samples.size(), static_cast<std::size_t>((start + length) * sound.sampleRate));
  if (a < b) {
    const std::span<const float> note(sound.samples.data() + a, b - a);
    facts.centroidHz = reverie::test::spectralCentroidHz(note, sound.sampleRate);
    facts.flatness = reverie::test::spectralFlatness(note, sound.sampleRate);
  }
  return facts;
}

int compare(int program, const char* referencePath, const char* oursPath) {
  Mono reference, ours;
  if (!readMono(referencePath, reference) || !readMono(oursPath, ours)) return 1;
  const std::vector<double> ref = bandLevelsDb(reference);
  const std::vector<double> our = bandLevelsDb(ours);
  const std::vector<double> centres = bandCentres();
  std::vector<std::pair<double, std::size_t>> differences;
  double sum = 0.0;
  for (std::size_t b = 0; b < centres.size(); ++b) {
    differences.push_back({our[b] - ref[b], b});
    sum += std::abs(our[b] - ref[b]);
  }
  const double mean = sum / static_cast<double>(centres.size());
  std::sort(differences.begin(), differences.end(),
            [](const auto& x, const auto& y) { return std::abs(x.first) > std::abs(y.first); });
  std::printf("mean_abs_db %.1f  worst:", mean);
  for (std::size_t i = 0; i < 3; ++i)
    std::printf(" %.0fHz %+.1f", centres[differences[i].second], differences[i].first);
  std::printf("\n");
  std::printf("  band_hz   ");
  for (double c : centres) std::printf("%6.0f", c);
  std::printf("\n  reference ");
  for (double v : ref) std::printf("%6.1f", v);
  std::printf("\n  reverie   ");
  for (double v : our) std::printf("%6.1f", v);
  std::printf("\n");

  // Listen by numbers: the chord, then each melody note (its window is its slot).
  const std::vector<PhraseNote> notes = phraseFor(program);
  std::vector<std::pair<double, double>> windows;
  windows.push_back({0.0, 3.5});
  for (const PhraseNote& n : notes)
    if (n.startSeconds > 0.0) windows.push_back({n.startSeconds, n.lengthSeconds / 0.9});
  std::printf(
      "  note  start  len | attack_ms ref/ours | end_db ref/ours | centroid_hz ref/ours | "
      "peak_dbfs ref/ours | flatness ref/ours\n");
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const NoteFacts r = factsOf(reference, windows[i].first, windows[i].second);
    const NoteFacts o = factsOf(ours, windows[i].first, windows[i].second);
    std::printf(
        "  %4zu %6.2f %4.2f | %5.0f %5.0f | %6.1f %6.1f | %6.0f %6.0f | %6.1f %6.1f | %.1e %.1e\n",
        i, windows[i].first, windows[i].second, r.attackMs, o.attackMs, r.endDb, o.endDb,
        r.centroidHz, o.centroidHz, r.peakDbfs, o.peakDbfs, r.flatness, o.flatness);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "phrase" && argc == 4) return writePhrase(std::atoi(argv[2]), argv[3]);
  if (command == "compare" && argc == 5) return compare(std::atoi(argv[2]), argv[3], argv[4]);
  std::fprintf(stderr,
               "usage: reverie_realism phrase PROGRAM OUT.mid\n"
               "       reverie_realism compare PROGRAM REFERENCE.wav OURS.wav\n");
  return 2;
}
