// AudioSystem and AudioStream over PortAudio (v19).
#include "host/audio_host.hpp"

#include <fcntl.h>
#if REVERIE_HAVE_JACK
#include <jack/jack.h>
#endif
#include <pa_jack.h>
#include <portaudio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "host/jack_xruns.hpp"
#include "reverie/errors.hpp"

namespace reverie::host {
namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string hostKey(PaHostApiTypeId type) {
  switch (type) {
    case paJACK:
      return "jack";
    case paALSA:
      return "alsa";
    case paOSS:
      return "oss";
    default:
      return "other";
  }
}

std::string listDevices(const std::vector<AudioDeviceInfo>& devices) {
  std::string text;
  for (const AudioDeviceInfo& d : devices)
    text += "\n  " + std::to_string(d.index) + ": " + d.name + " (" + d.hostApiKey + ", " +
            std::to_string(d.outputChannels) + " out, " +
            std::to_string(static_cast<int>(d.defaultRate)) + " Hz)";
  return text;
}

}  // namespace

void silenceStderr(int& saved, int& null) {
  std::fflush(stderr);
  saved = dup(STDERR_FILENO);
  null = open("/dev/null", O_WRONLY);
  if (null >= 0) dup2(null, STDERR_FILENO);
}

void restoreStderr(int saved, int null) {
  std::fflush(stderr);
  if (saved >= 0) {
    dup2(saved, STDERR_FILENO);
    close(saved);
  }
  if (null >= 0) close(null);
}

bool jackServerRunning() {
#if !REVERIE_HAVE_JACK
  return false;  // built without libjack: nothing to ask with (PortAudio may still use JACK)
#else
  // A server busy with other clients' opens and closes can refuse one (seen on a loaded
  // two-core machine, where play then said the server was not running): ask three times.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const bool answered = quietly([] {
      jack_status_t status{};
      jack_client_t* client = jack_client_open("reverie-probe", JackNoStartServer, &status);
      if (client == nullptr) return false;
      jack_client_close(client);
      return true;
    });
    if (answered) return true;
  }
  return false;
#endif
}

AudioSystem::AudioSystem() {
  setenv("JACK_NO_START_SERVER", "1", 0);  // never spawn a JACK server behind the user's back
  PaJack_SetClientName("reverie");
  // A verbose server (jackd -v) makes every client library print its own log lines.
#if REVERIE_HAVE_JACK
  jack_set_info_function([](const char*) {});
#endif
  const PaError error = quietly([] { return Pa_Initialize(); });
  if (error != paNoError)
    throw RuntimeFailure(std::string("cannot start PortAudio: ") + Pa_GetErrorText(error));
}

AudioSystem::~AudioSystem() {
  if (!abandoned_) quietly([] { return Pa_Terminate(); });
}

std::vector<AudioDeviceInfo> AudioSystem::devices() const {
  std::vector<AudioDeviceInfo> out;
  for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (info == nullptr || info->maxOutputChannels < 2) continue;
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    AudioDeviceInfo d;
    d.index = i;
    d.name = info->name;
    d.hostApi = api != nullptr ? api->name : "?";
    d.hostApiKey = api != nullptr ? hostKey(api->type) : "other";
    d.outputChannels = info->maxOutputChannels;
    d.defaultRate = info->defaultSampleRate;
    d.isDefaultOutput = api != nullptr && api->defaultOutputDevice == i;
    out.push_back(d);
  }
  return out;
}

std::vector<std::string> AudioSystem::hostApis() const {
  std::vector<std::string> keys;
  for (PaHostApiIndex i = 0; i < Pa_GetHostApiCount(); ++i)
    if (const PaHostApiInfo* api = Pa_GetHostApiInfo(i)) keys.push_back(hostKey(api->type));
  return keys;
}

AudioDeviceInfo AudioSystem::chooseOutput(const std::string& hostApi,
                                          const std::string& device) const {
  std::vector<AudioDeviceInfo> candidates;
  const std::string api =
      lower(hostApi == "pulse" ? "alsa" : hostApi);  // PulseAudio is reached through ALSA
  for (const AudioDeviceInfo& d : devices())
    if (api.empty() || d.hostApiKey == api) candidates.push_back(d);
  if (candidates.empty()) {
    std::string present;
    for (const std::string& key : hostApis()) present += (present.empty() ? "" : ", ") + key;
    throw InputError("no stereo output on host API '" + hostApi + "'; available: " +
                     (present.empty() ? "none (is a sound server running?)" : present) +
                     (api == "jack" ? " (is the JACK server running?)" : ""));
  }
  if (device.empty()) {
    if (hostApi == "pulse")
      for (const AudioDeviceInfo& d : candidates)
        if (lower(d.name).find("pulse") != std::string::npos) return d;
    // The default of the preferred API: JACK if it is running, then the system default.
    for (const std::string& preferred :
         {std::string("jack"), std::string("alsa"), std::string("other"), std::string("oss")})
      for (const AudioDeviceInfo& d : candidates)
        if (d.hostApiKey == preferred && d.isDefaultOutput) return d;
    return candidates.front();
  }
  const bool numeric = std::all_of(device.begin(), device.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  for (const AudioDeviceInfo& d : candidates)
    if (numeric ? std::to_string(d.index) == device : lower(d.name) == lower(device)) return d;
  if (!numeric)
    for (const AudioDeviceInfo& d : candidates)
      if (lower(d.name).find(lower(device)) != std::string::npos) return d;
  throw InputError("no audio output device '" + device + "'" +
                   (hostApi.empty() ? "" : " on " + hostApi) +
                   "; choose one of:" + listDevices(candidates));
}

AudioStream::AudioStream(const AudioDeviceInfo& device, double sampleRate, int blockFrames,
                         RenderCallback render)
    : render_(std::move(render)) {
  // Listening before the stream opens, so xruns its start causes are counted too. Without the
  // listener (the server refused one more client) PortAudio's flags are counted instead.
  if (device.hostApiKey == "jack") {
    try {
      jackXruns_ = std::make_unique<JackXruns>();
    } catch (const RuntimeFailure&) {
      jackXruns_.reset();
    }
  }
  PaStreamParameters output{};
  output.device = device.index;
  output.channelCount = 2;
  output.sampleFormat = paFloat32 | paNonInterleaved;
  output.suggestedLatency = Pa_GetDeviceInfo(device.index)->defaultLowOutputLatency;
  if (Pa_IsFormatSupported(nullptr, &output, sampleRate) != paFormatIsSupported) {
    std::string rates;
    for (double rate : {44100.0, 48000.0, 88200.0, 96000.0, 192000.0})
      if (Pa_IsFormatSupported(nullptr, &output, rate) == paFormatIsSupported)
        rates += (rates.empty() ? "" : ", ") + std::to_string(static_cast<int>(rate));
    throw InputError("device '" + device.name + "' cannot play at " +
                     std::to_string(static_cast<int>(sampleRate)) + " Hz; it takes: " +
                     (rates.empty() ? "none of the usual rates" : rates) + " (use -r)");
  }
  const PaError error = quietly([&] {
    return Pa_OpenStream(
        &stream_, nullptr, &output, sampleRate, static_cast<unsigned long>(blockFrames), paClipOff,
        [](const void* in, void* out, unsigned long frames, const PaStreamCallbackTimeInfo* time,
           PaStreamCallbackFlags flags,
           void* self) { return AudioStream::callback(in, out, frames, time, flags, self); },
        this);
  });
  if (error != paNoError)
    throw RuntimeFailure("cannot open '" + device.name + "' at " +
                         std::to_string(static_cast<int>(sampleRate)) + " Hz, " +
                         std::to_string(blockFrames) + " frames: " + Pa_GetErrorText(error));
  Pa_SetStreamFinishedCallback(
      stream_, [](void* self) { static_cast<AudioStream*>(self)->finished_.store(true); });
}

AudioStream::~AudioStream() {
  if (stream_ == nullptr || abandoned_) return;
  stop();
  Pa_CloseStream(stream_);
}

void AudioStream::start() {
  const PaError error = Pa_StartStream(stream_);
  if (error != paNoError)
    throw RuntimeFailure(std::string("cannot start the audio stream: ") + Pa_GetErrorText(error));
}

void AudioStream::stop() {
  if (!abandoned_ && Pa_IsStreamStopped(stream_) == 0) Pa_StopStream(stream_);
  if (jackXruns_ && !abandoned_) jackXruns_->close();
}

void AudioStream::abandon() {
  abandoned_ = true;
  if (jackXruns_) jackXruns_->abandon();
}

std::uint64_t AudioStream::xruns() const {
  return jackXruns_ ? jackXruns_->count() : flaggedCallbacks_.load(std::memory_order_relaxed);
}

const char* AudioStream::xrunSource() const {
  return jackXruns_ ? "the JACK server" : "PortAudio";
}

bool AudioStream::running() const {
  if (finished_.load() || Pa_IsStreamActive(stream_) != 1) return false;
  const std::int64_t last = lastCallbackNanos_.load(std::memory_order_relaxed);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  return last == 0 || now - last < 1'000'000'000;  // before the first callback, give it time
}

double AudioStream::cpuLoad() const {
  return Pa_GetStreamCpuLoad(stream_);
}

double AudioStream::latencySeconds() const {
  const PaStreamInfo* info = Pa_GetStreamInfo(stream_);
  return info != nullptr ? info->outputLatency : 0.0;
}

int AudioStream::callback(const void*, void* output, unsigned long frames, const void*,
                          unsigned long statusFlags, void* self) {
  auto* stream = static_cast<AudioStream*>(self);
  // One per callback that reports any underflow or overflow (PortAudio cannot say how many).
  if (statusFlags & (paInputUnderflow | paInputOverflow | paOutputUnderflow | paOutputOverflow))
    stream->flaggedCallbacks_.fetch_add(1, std::memory_order_relaxed);
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  stream->lastCallbackNanos_.store(now, std::memory_order_relaxed);
  stream->render_(static_cast<float* const*>(output), static_cast<int>(frames), now);
  return paContinue;
}

}  // namespace reverie::host
