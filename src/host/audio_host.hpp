// PortAudio: the sound card side of live play. Device listing, choice and one output stream.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace reverie::host {

class JackXruns;

/// Runs `f` with stderr pointed at /dev/null: sound libraries probing absent cards and
/// servers print dozens of lines that say nothing to a musician.
template <class F>
auto quietly(F&& f);

/// Whether a JACK server is running (asked without starting one).
bool jackServerRunning();

struct AudioDeviceInfo {
  int index = 0;  ///< PortAudio's device index
  std::string name;
  std::string hostApi;     ///< "JACK Audio Connection Kit", "ALSA", ...
  std::string hostApiKey;  ///< "jack", "alsa", "oss", ...
  int outputChannels = 0;
  double defaultRate = 0.0;
  bool isDefaultOutput = false;  ///< the default output of its host API
};

/// Initialises PortAudio for its lifetime (its ALSA probing chatter kept off the terminal).
class AudioSystem {
 public:
  AudioSystem();
  ~AudioSystem();
  AudioSystem(const AudioSystem&) = delete;
  AudioSystem& operator=(const AudioSystem&) = delete;

  std::vector<AudioDeviceInfo> devices() const;
  /// A device went away mid-stream: skip PortAudio's shutdown, which would wait for it.
  void abandon() { abandoned_ = true; }
  /// Short keys of the host APIs present ("jack", "alsa", ...).
  std::vector<std::string> hostApis() const;
  /// The output device to use: `hostApi` ("" = any, default first) and `device` (name
  /// substring, index, or "" for the host API's default). Throws InputError listing the
  /// valid choices when nothing matches.
  AudioDeviceInfo chooseOutput(const std::string& hostApi, const std::string& device) const;

 private:
  bool abandoned_ = false;
};

/// Called on the audio thread with non-interleaved stereo output and the callback's time.
using RenderCallback = std::function<void(float* const* out, int frames, std::int64_t nanos)>;

/// One stereo float output stream at a fixed block size.
class AudioStream {
 public:
  /// Throws InputError if the device refuses the rate or block size (listing what works),
  /// RuntimeFailure if it cannot be opened.
  AudioStream(const AudioDeviceInfo& device, double sampleRate, int blockFrames,
              RenderCallback render);
  ~AudioStream();
  AudioStream(const AudioStream&) = delete;
  AudioStream& operator=(const AudioStream&) = delete;

  void start();
  /// Stops the stream; under JACK also stops counting xruns, so xruns() is final.
  void stop();
  /// The device is gone: never touch the stream again (stopping it would wait forever).
  void abandon();
  /// False once the device has gone away: the stream stopped on its own, or its callbacks
  /// stopped coming for a second (a JACK server that died says nothing to PortAudio).
  bool running() const;
  double cpuLoad() const;  ///< fraction of the period the callback uses (PortAudio's estimate)
  /// Xruns as the host API reports them: under JACK the server's own count (its xrun
  /// callback), elsewhere the callbacks PortAudio flagged with an underflow or overflow.
  std::uint64_t xruns() const;
  /// Who counted xruns(): "the JACK server" or "PortAudio".
  const char* xrunSource() const;
  double latencySeconds() const;

 private:
  static int callback(const void*, void* output, unsigned long frames, const void* timeInfo,
                      unsigned long statusFlags, void* self);
  void* stream_ = nullptr;
  RenderCallback render_;
  std::unique_ptr<JackXruns> jackXruns_;  // under JACK only
  std::atomic<std::uint64_t> flaggedCallbacks_{0};
  std::atomic<bool> finished_{false};
  bool abandoned_ = false;
  std::atomic<std::int64_t> lastCallbackNanos_{0};
};

// ---- implementation ----
void silenceStderr(int& saved, int& null);
void restoreStderr(int saved, int null);

template <class F>
auto quietly(F&& f) {
  int saved = -1, null = -1;
  silenceStderr(saved, null);
  struct Restore {
    int saved, null;
    ~Restore() { restoreStderr(saved, null); }
  } restore{saved, null};
  return f();
}

}  // namespace reverie::host
