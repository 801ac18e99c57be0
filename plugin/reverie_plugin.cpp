// reverie as a DPF instrument plugin (LV2, CLAP, VST3): host MIDI on its frames into
// reverie::Instrument, the shipped presets as programs, the chosen preset as state.
//
// Threads: DPF calls activate, setState and getState on the host's main thread, loadProgram
// and setParameterValue from any thread (the audio thread too), run on the audio thread. The
// Instrument's control side (build, load, update) runs under `control_` on the main thread or
// on the plugin's own control thread, which also takes program requests from loadProgram and
// MIDI. run() touches only atomics, its own fixed arrays and Instrument::process.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "DistrhoPlugin.hpp"
#include "preset_catalog.hpp"
#include "reverie/instrument.hpp"

START_NAMESPACE_DISTRHO

namespace {

constexpr uint32_t kLevelParameter = 0;
constexpr uint32_t kParameterCount = 1;
constexpr float kMinLevelDb = -60.0f;
constexpr float kMaxLevelDb = 12.0f;
constexpr const char* kPresetStateKey = "preset";
// DPF's wrappers hand run() at most 512 events (kMaxMidiEvents); room to spare.
constexpr std::size_t kMaxEvents = 1024;
// How often the control thread frees what the audio thread retired (Instrument::update asks
// for every 10-100 ms) and picks up program requests.
constexpr auto kControlInterval = std::chrono::milliseconds(40);

float levelGain(float levelDb) {
  return std::pow(10.0f, std::clamp(levelDb, kMinLevelDb, kMaxLevelDb) / 20.0f);
}

}  // namespace

class ReveriePlugin : public Plugin {
 public:
  ReveriePlugin()
      : Plugin(kParameterCount, static_cast<uint32_t>(reverie::plugin::shippedPresets().size()),
               1) {
    controlThread_ = std::thread([this] { controlLoop(); });
  }

  ~ReveriePlugin() override {
    {
      std::lock_guard<std::mutex> lock(wakeMutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    controlThread_.join();
  }

 protected:
  const char* getLabel() const override { return "reverie"; }
  const char* getDescription() const override {
    return "A generative crystal and orchestra synthesizer: every shipped reverie preset, "
           "played from MIDI.";
  }
  const char* getMaker() const override { return "reverie"; }
  // The project declares no license yet; the TTL says so rather than guess one.
  const char* getLicense() const override { return "not declared"; }
  uint32_t getVersion() const override { return d_version(0, 1, 0); }
  int64_t getUniqueId() const override { return d_cconst('r', 'v', 'r', 'e'); }

  void initParameter(uint32_t index, Parameter& parameter) override {
    if (index != kLevelParameter) return;
    parameter.hints = kParameterIsAutomatable;
    parameter.name = "Output level";
    parameter.shortName = "Level";
    parameter.symbol = "level";
    parameter.unit = "dB";
    parameter.ranges.min = kMinLevelDb;
    parameter.ranges.max = kMaxLevelDb;
    parameter.ranges.def = 0.0f;
  }

  void initProgramName(uint32_t index, String& programName) override {
    const auto presets = reverie::plugin::shippedPresets();
    if (index < presets.size()) programName = presets[index].name;
  }

  void initState(uint32_t index, State& state) override {
    if (index != 0) return;
    state.hints = 0;
    state.key = kPresetStateKey;
    state.defaultValue = reverie::plugin::shippedPresets().front().name;
    state.label = "Preset";
    state.description = "A shipped preset's name, or the path of a preset file (.toml)";
  }

  float getParameterValue(uint32_t index) const override {
    return index == kLevelParameter ? levelDb_.load(std::memory_order_relaxed) : 0.0f;
  }

  void setParameterValue(uint32_t index, float value) override {
    if (index == kLevelParameter) levelDb_.store(value, std::memory_order_relaxed);
  }

  // Any thread, the audio thread included: only records the choice; the control thread (or
  // the next activate) builds it.
  void loadProgram(uint32_t index) override {
    if (index >= reverie::plugin::shippedPresets().size()) return;
    program_.store(static_cast<int>(index), std::memory_order_relaxed);
    choices_.fetch_add(1, std::memory_order_release);
  }

  String getState(const char* key) const override {
    if (std::string(key) != kPresetStateKey) return String();
    std::lock_guard<std::mutex> lock(control_);
    return String(choiceText().c_str());
  }

  // The host's main thread: a session or LV2 preset restored, or a file chosen. Builds the
  // preset now when the plugin is active, so the host finds it playing when this returns.
  void setState(const char* key, const char* value) override {
    if (std::string(key) != kPresetStateKey || value == nullptr) return;
    std::lock_guard<std::mutex> lock(control_);
    if (const auto shipped = reverie::plugin::findShipped(value)) {
      program_.store(static_cast<int>(*shipped), std::memory_order_relaxed);
    } else {
      filePreset_ = value;
      program_.store(-1, std::memory_order_relaxed);
    }
    choices_.fetch_add(1, std::memory_order_release);
    if (active_) loadChoice();
  }

  // The main thread, with run() not running: a fresh instrument for the chosen preset, so what
  // plays from here is what `reverie render` renders for it (the same graph, names and seeds).
  void activate() override {
    std::lock_guard<std::mutex> lock(control_);
    live_.store(nullptr, std::memory_order_release);
    instrument_.reset();
    gain_ = levelGain(levelDb_.load(std::memory_order_relaxed));
    build();
    active_ = true;
  }

  void deactivate() override {
    std::lock_guard<std::mutex> lock(control_);
    active_ = false;
  }

  void run(const float**, float** outputs, uint32_t frames, const MidiEvent* midiEvents,
           uint32_t midiEventCount) override {
    reverie::Instrument* instrument = live_.load(std::memory_order_acquire);
    if (instrument == nullptr) {
      std::fill_n(outputs[0], frames, 0.0f);
      std::fill_n(outputs[1], frames, 0.0f);
      return;
    }
    std::size_t count = 0;
    for (uint32_t i = 0; i < midiEventCount; ++i) {
      const MidiEvent& event = midiEvents[i];
      if (event.size == 0 || event.size > 3) continue;  // SysEx: nothing in reverie reads it
      const uint8_t status = event.data[0];
      if (status < 0x80 || status >= 0xF0) continue;
      if ((status & 0xF0) == 0xC0) {  // a program change: the control thread loads it
        midiProgram_.store(event.data[1] & 0x7F, std::memory_order_relaxed);
        continue;
      }
      if (count == events_.size()) break;
      events_[count++] = {event.frame, status, event.size > 1 ? event.data[1] : uint8_t{0},
                          event.size > 2 ? event.data[2] : uint8_t{0}};
    }
    instrument->process(outputs, static_cast<int>(frames), {events_.data(), count});
    applyLevel(outputs, frames);
  }

 private:
  // Ramps the gain across the block to its target; at unity it leaves the samples untouched.
  void applyLevel(float** outputs, uint32_t frames) {
    const float target = levelGain(levelDb_.load(std::memory_order_relaxed));
    if (target == 1.0f && gain_ == 1.0f) return;
    const float step = (target - gain_) / static_cast<float>(std::max(frames, 1u));
    for (uint32_t i = 0; i < frames; ++i) {
      const float gain = gain_ + step * static_cast<float>(i + 1);
      outputs[0][i] *= gain;
      outputs[1][i] *= gain;
    }
    gain_ = target;
  }

  // Under control_: the chosen preset as shown to the host.
  std::string choiceText() const {
    const int program = program_.load(std::memory_order_relaxed);
    return program >= 0 ? reverie::plugin::shippedPresets()[static_cast<std::size_t>(program)].name
                        : filePreset_;
  }

  // Under control_: what Instrument is given for the choice: a shipped preset's file where the
  // plugin finds it, else the name or path for the command's own search.
  std::string choicePath() const {
    const int program = program_.load(std::memory_order_relaxed);
    if (program < 0) return filePreset_;
    const auto& preset = reverie::plugin::shippedPresets()[static_cast<std::size_t>(program)];
    const std::filesystem::path file = reverie::plugin::locate(preset);
    return file.empty() ? std::string(preset.name) : file.string();
  }

  // Under control_, with run() not running or no instrument yet: builds a new one.
  void build() {
    loaded_ = choices_.load(std::memory_order_acquire);
    const reverie::InstrumentConfig config{
        getSampleRate(), static_cast<int>(std::clamp(getBufferSize(), 1u, 4096u)), 1, false};
    try {
      instrument_ = std::make_unique<reverie::Instrument>(choicePath(), config);
      setLatency(static_cast<uint32_t>(instrument_->latencyFrames()));
      live_.store(instrument_.get(), std::memory_order_release);
    } catch (const std::exception& e) {
      d_stderr2("reverie: cannot load preset '%s': %s", choiceText().c_str(), e.what());
    }
  }

  // Under control_, active: the choice beside the one playing (the audio thread takes it over
  // at its next block), or a first instrument if none could be built before.
  void loadChoice() {
    if (!instrument_) return build();
    loaded_ = choices_.load(std::memory_order_acquire);
    try {
      instrument_->load(choicePath());
    } catch (const std::exception& e) {
      d_stderr2("reverie: cannot load preset '%s': %s", choiceText().c_str(), e.what());
    }
  }

  void controlLoop() {
    std::unique_lock<std::mutex> wakeLock(wakeMutex_);
    while (!stopping_) {
      wake_.wait_for(wakeLock, kControlInterval);
      if (stopping_) break;
      std::lock_guard<std::mutex> lock(control_);
      const int requested = midiProgram_.exchange(-1, std::memory_order_relaxed);
      if (requested >= 0 &&
          static_cast<std::size_t>(requested) < reverie::plugin::shippedPresets().size()) {
        program_.store(requested, std::memory_order_relaxed);
        choices_.fetch_add(1, std::memory_order_release);
      }
      if (active_ && choices_.load(std::memory_order_acquire) != loaded_) loadChoice();
      if (instrument_) instrument_->update();
    }
  }

  // The choice: a shipped preset (program_ >= 0) or a file (program_ == -1, filePreset_), and
  // a count of choices made, so the control thread sees a change it has not built yet.
  std::atomic<int> program_{0};
  std::atomic<uint32_t> choices_{0};
  std::atomic<int> midiProgram_{-1};
  std::string filePreset_;  // under control_
  uint32_t loaded_ = 0;     // under control_: choices_ as of the last build or load
  bool active_ = false;     // under control_

  mutable std::mutex control_;
  std::unique_ptr<reverie::Instrument> instrument_;  // under control_
  std::atomic<reverie::Instrument*> live_{nullptr};  // what run() plays

  std::atomic<float> levelDb_{0.0f};
  float gain_ = 1.0f;  // audio thread (and activate)
  std::array<reverie::MidiEvent, kMaxEvents> events_{};

  std::mutex wakeMutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // under wakeMutex_
  std::thread controlThread_;

  DISTRHO_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(ReveriePlugin)
};

Plugin* createPlugin() {
  return new ReveriePlugin();
}

END_NAMESPACE_DISTRHO
