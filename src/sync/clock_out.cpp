// MIDI clock out: a thread that sends each tick when the audio clock says it is due.
#include "sync/clock_out.hpp"

#include <RtMidi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "reverie/errors.hpp"

namespace reverie::sync {
namespace {

constexpr double kTicksPerQuarter = 24.0;
// The thread wakes at least this often to read the audio clock again (a tempo change, a stop).
constexpr auto kMaxSleep = std::chrono::milliseconds(2);
// Ticks more than this many behind (a stall, a jump of the song): skipped, not sent in a burst.
constexpr double kMaxLateTicks = 2.0;

double steadyNanos() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count());
}

}  // namespace

ClockOut::ClockOut(const std::string& api, const std::string& port) {
  try {
    out_ = std::make_unique<RtMidiOut>(api == "jack" ? RtMidi::UNIX_JACK : RtMidi::LINUX_ALSA,
                                       "reverie-clock");
  } catch (const RtMidiError& e) {
    throw RuntimeFailure("--clock-out: MIDI output through " + api + " is not available (" +
                         e.getMessage() + ")");
  }
  std::vector<std::string> names;
  for (unsigned i = 0; i < out_->getPortCount(); ++i) names.push_back(out_->getPortName(i));
  int chosen = -1;
  const bool number = !port.empty() && std::all_of(port.begin(), port.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  if (number && std::stoul(port) < names.size()) chosen = static_cast<int>(std::stoul(port));
  for (std::size_t i = 0; chosen < 0 && i < names.size(); ++i)
    if (names[i].find(port) != std::string::npos) chosen = static_cast<int>(i);
  if (chosen < 0) {
    std::string list;
    for (std::size_t i = 0; i < names.size(); ++i)
      list += "\n  " + std::to_string(i) + ": " + names[i];
    throw InputError("--clock-out: no MIDI output '" + port + "'" +
                     (names.empty() ? std::string(" (there are none)") : "; there are:" + list));
  }
  out_->openPort(static_cast<unsigned>(chosen), "clock");
  portName_ = names[static_cast<std::size_t>(chosen)];
  thread_ = std::thread([this] { run(); });
}

ClockOut::~ClockOut() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (out_) {
    try {
      if (rolling_.load()) {  // a drum machine left running would play on
        send(0xFC);
        // JACK MIDI leaves in the next cycle: give it a few before the port closes.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    } catch (...) {
    }
  }
}

void ClockOut::publish(double quarterBeat, double quartersPerMinute, bool rolling,
                       std::int64_t heardNanos) noexcept {
  anchor_.store(
      {quarterBeat, quartersPerMinute, static_cast<double>(heardNanos), rolling ? 1.0 : 0.0});
}

ClockOut::Anchor ClockOut::read() const noexcept {
  const auto v = anchor_.load();
  return {v[0], v[1], v[2], v[3] != 0.0, anchor_.written()};
}

void ClockOut::send(std::uint8_t status, int data1, int data2) {
  std::vector<unsigned char> bytes{status};
  if (data1 >= 0) bytes.push_back(static_cast<unsigned char>(data1));
  if (data2 >= 0) bytes.push_back(static_cast<unsigned char>(data2));
  out_->sendMessage(&bytes);
}

void ClockOut::run() {
  bool sentRolling = false;
  double nextTick = 0.0;  // the song tick to send next
  while (!stop_.load(std::memory_order_relaxed)) {
    const Anchor a = read();
    if (!a.valid || !(a.qpm > 0.0)) {
      std::this_thread::sleep_for(kMaxSleep);
      continue;
    }
    const double nanosPerTick = 60e9 / (a.qpm * kTicksPerQuarter);
    const double now = steadyNanos();
    const double tickNow = a.beat * kTicksPerQuarter + (now - a.nanos) / nanosPerTick;
    try {
      if (a.rolling != sentRolling) {
        sentRolling = a.rolling;
        rolling_.store(a.rolling);
        if (!a.rolling) {
          send(0xFC);
        } else if (a.beat * kTicksPerQuarter < 0.5) {
          send(0xFA);  // from the top: the next clock is the song's first
          nextTick = 0.0;
        } else {  // from the next 16th: song position, then continue
          const double sixteenth = std::ceil(tickNow / 6.0);
          send(0xF2, static_cast<int>(sixteenth) & 0x7F, (static_cast<int>(sixteenth) >> 7) & 0x7F);
          send(0xFB);
          nextTick = sixteenth * 6.0;
        }
      }
      if (!a.rolling) {
        std::this_thread::sleep_for(kMaxSleep);
        continue;
      }
      if (tickNow - nextTick > kMaxLateTicks) nextTick = std::ceil(tickNow);
      if (tickNow >= nextTick) {
        send(0xF8);
        ticks_.fetch_add(1, std::memory_order_relaxed);
        nextTick += 1.0;
        continue;
      }
    } catch (const RtMidiError&) {
      // The port went away: keep the thread (and the music) running; nothing to send to.
    }
    const double wait = std::min((nextTick - tickNow) * nanosPerTick, 2e6);
    std::this_thread::sleep_for(std::chrono::nanoseconds(static_cast<std::int64_t>(wait)));
  }
}

Transport ArcClock::step(int scene, int frames) noexcept {
  Transport t;
  t.external = false;
  t.beatType = 4.0;
  t.beat = beat_;
  const bool playing = scene >= 0 && static_cast<std::size_t>(scene) < tempos_.size();
  t.rolling = playing;
  if (playing) {
    t.beatsPerMinute = tempos_[static_cast<std::size_t>(scene)];
    beat_ += frames * t.beatsPerMinute / (60.0 * sampleRate_);
  }
  return t;
}

}  // namespace reverie::sync
