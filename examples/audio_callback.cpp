// Drives reverie from "your own audio callback": a loop standing in for a sound card asks for a
// block of 256 frames at a time, the callback sends MIDI with frame offsets, and a control
// thread swaps the preset in the middle without the callback ever waiting. No sound card is
// needed: what the card would have played is written to a WAV file.
//   example_audio_callback [out.wav] [first-preset] [second-preset]
// Prints the frames where each note started and where the second preset took over.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "reverie/instrument.hpp"
#include "reverie/sound_file.hpp"

namespace {

constexpr double kRate = 48000.0;
constexpr int kBlock = 256;
constexpr std::uint64_t kSecond = 48000;

// What the callback and the control thread share: atomics only.
struct Shared {
  std::atomic<bool> swapWanted{false}, finished{false};
};

// The audio callback: everything here is wait-free (no allocation, lock, print or wait).
class Callback {
 public:
  Callback(reverie::Instrument& instrument, Shared& shared)
      : instrument_(instrument), shared_(shared) {}

  void operator()(float* const* out, int frames) noexcept {
    reverie::MidiEvent events[4];
    int count = 0;
    const std::uint64_t end = frame_ + static_cast<std::uint64_t>(frames);
    auto at = [&](std::uint64_t when) { return when >= frame_ && when < end; };
    auto offset = [&](std::uint64_t when) { return static_cast<std::uint32_t>(when - frame_); };
    // The first preset plays A4 from 0.1 s to 1.6 s; at 2 s the callback asks for the swap.
    if (at(kFirstNote))
      events[count++] = reverie::MidiEvent::noteOn(offset(kFirstNote), 0, 69, 100);
    if (at(kFirstNote + kNoteLength))
      events[count++] = reverie::MidiEvent::noteOff(offset(kFirstNote + kNoteLength), 0, 69);
    if (at(2 * kSecond)) shared_.swapWanted.store(true, std::memory_order_release);
    // Once the second preset is in (the meters count the swap), it plays E5 the same way.
    if (swapFrame_ == 0 && shared_.swapWanted.load(std::memory_order_acquire) &&
        instrument_.meters().swaps > 1) {
      swapFrame_ = frame_;
      secondNote_ = frame_ + 1000;
    }
    if (swapFrame_ != 0 && at(secondNote_))
      events[count++] = reverie::MidiEvent::noteOn(offset(secondNote_), 0, 76, 100);
    if (swapFrame_ != 0 && at(secondNote_ + kNoteLength))
      events[count++] = reverie::MidiEvent::noteOff(offset(secondNote_ + kNoteLength), 0, 76);
    instrument_.process(out, frames, {events, static_cast<std::size_t>(count)});
    frame_ = end;
  }

  bool done() const { return swapFrame_ != 0 && frame_ >= secondNote_ + 2 * kSecond; }
  std::uint64_t swapFrame() const { return swapFrame_; }
  std::uint64_t secondNote() const { return secondNote_; }
  static constexpr std::uint64_t kFirstNote = kSecond / 10, kNoteLength = 3 * kSecond / 2;

 private:
  reverie::Instrument& instrument_;
  Shared& shared_;
  std::uint64_t frame_ = 0, swapFrame_ = 0, secondNote_ = 0;
};

}  // namespace

int main(int argc, char** argv) try {
  const std::string path = argc > 1 ? argv[1] : "audio_callback.wav";
  const std::string first = argc > 2 ? argv[2] : "glass-harmonica";
  const std::string second = argc > 3 ? argv[3] : "oboe";

  reverie::Instrument instrument(first, {kRate, kBlock, /*seed=*/1});
  Shared shared;
  // From here on this thread is the control thread: it builds the second preset off the audio
  // thread, and update() frees the first one there once it has rung out.
  std::thread control([&instrument, &shared, &second] {
    while (!shared.swapWanted.load(std::memory_order_acquire) &&
           !shared.finished.load(std::memory_order_acquire))
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (!shared.finished.load(std::memory_order_acquire)) instrument.load(second);
    while (!shared.finished.load(std::memory_order_acquire)) {
      instrument.update();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  // The "sound card": a thread of its own calling back for a block at a time, at four times
  // real time; what it would have played goes into `recording`.
  std::vector<float> recording;
  recording.reserve(static_cast<std::size_t>(2 * 10 * kSecond));
  Callback callback(instrument, shared);
  std::thread card([&] {
    std::vector<float> left(kBlock), right(kBlock);
    float* out[2] = {left.data(), right.data()};
    const auto period = std::chrono::duration<double>(kBlock / kRate / 4.0);
    auto next = std::chrono::steady_clock::now();
    // Gives up after a minute of audio if the swap never came.
    for (std::uint64_t block = 0; !callback.done() && block < 60 * kSecond / kBlock; ++block) {
      callback(out, kBlock);
      for (int i = 0; i < kBlock; ++i) {
        recording.push_back(left[static_cast<std::size_t>(i)]);
        recording.push_back(right[static_cast<std::size_t>(i)]);
      }
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
      std::this_thread::sleep_until(next);
    }
  });
  card.join();
  shared.finished.store(true, std::memory_order_release);
  control.join();

  const std::size_t frames = recording.size() / 2;
  reverie::SoundFileWriter writer(path, kRate, 2, reverie::SampleFormat::kFloat32);
  writer.write(recording.data(), frames);
  writer.commit();
  const reverie::InstrumentMeters meters = instrument.meters();
  const int latency = instrument.latencyFrames();
  std::printf("latency %d frames\n", latency);
  std::printf("note A4 at frame %llu on %s\n",
              static_cast<unsigned long long>(Callback::kFirstNote), first.c_str());
  std::printf("swap at frame %llu\n", static_cast<unsigned long long>(callback.swapFrame()));
  std::printf("note E5 at frame %llu on %s\n",
              static_cast<unsigned long long>(callback.secondNote()), instrument.name().c_str());
  std::printf("wrote %s: %zu frames, peak %.3f, notes %llu, dropped %llu\n", path.c_str(), frames,
              std::max(meters.maxPeak[0], meters.maxPeak[1]),
              static_cast<unsigned long long>(meters.notesPlayed),
              static_cast<unsigned long long>(meters.droppedEvents));
  return callback.swapFrame() != 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "example_audio_callback: %s\n", e.what());
  return 1;
}
