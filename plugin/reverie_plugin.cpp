// reverie as a DPF instrument plugin (LV2, CLAP, VST3): host MIDI on its frames into
// reverie::Instrument, the shipped presets and arcs as programs, the chosen one and the seed as
// state, and the host's timeline (tempo, meter, position, transport) as the Transport an arc
// follows.
//
// Threads: DPF calls activate, setState and getState on the host's main thread, loadProgram
// and setParameterValue from any thread (the audio thread too), run on the audio thread. The
// Instrument's control side (build, load, update) runs under `control_` on the main thread or
// on the plugin's own control thread, which also takes program requests from loadProgram and
// MIDI. run() touches only atomics, its own fixed arrays and Instrument::process. A seed change
// builds a new Instrument on the control thread, hands it to run() through an atomic pointer and
// frees the old one once run() is past it (runs_ counts run()'s entries and exits).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "DistrhoPlugin.hpp"
#include "DistrhoPluginUtils.hpp"
#include "preset_catalog.hpp"
#include "reverie/instrument.hpp"

START_NAMESPACE_DISTRHO

namespace {

constexpr uint32_t kLevelParameter = 0;
constexpr uint32_t kSceneParameter = 1;  // an output: the arc's scene now (0 for a preset)
constexpr uint32_t kSeedParameter = 2;
constexpr uint32_t kParameterCount = 3;
constexpr float kMaxSeed = 65535.0f;
constexpr float kMinLevelDb = -60.0f;
constexpr float kMaxLevelDb = 12.0f;
constexpr const char* kPresetStateKey = "preset";
constexpr const char* kSeedStateKey = "seed";
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
               2) {
    lv2_ = std::string(getPluginFormatName()) == "LV2";
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
    // What each parameter is: hints, name, short name, symbol, unit, range and default.
    const auto describe = [&parameter](uint32_t hints, const char* name, const char* shortName,
                                       const char* symbol, const char* unit, float min, float max,
                                       float def) {
      parameter.hints = hints;
      parameter.name = name;
      parameter.shortName = shortName;
      parameter.symbol = symbol;
      parameter.unit = unit;
      parameter.ranges.min = min;
      parameter.ranges.max = max;
      parameter.ranges.def = def;
    };
    switch (index) {
      case kLevelParameter:
        return describe(kParameterIsAutomatable, "Output level", "Level", "level", "dB",
                        kMinLevelDb, kMaxLevelDb, 0.0f);
      case kSceneParameter:
        return describe(kParameterIsOutput | kParameterIsInteger, "Arc scene", "Scene", "scene", "",
                        0.0f, 64.0f, 0.0f);
      case kSeedParameter:
        return describe(kParameterIsAutomatable | kParameterIsInteger, "Seed", "Seed", "seed", "",
                        1.0f, kMaxSeed, 1.0f);
      default:
        return;
    }
  }

  void initProgramName(uint32_t index, String& programName) override {
    const auto presets = reverie::plugin::shippedPresets();
    if (index < presets.size()) programName = presets[index].name;
  }

  void initState(uint32_t index, State& state) override {
    if (index == 1) {  // the seed as state too: a session restores it before activation
      state.hints = 0;
      state.key = kSeedStateKey;
      state.defaultValue = "1";
      state.label = "Seed";
      state.description = "The seed of the performance (the Seed parameter)";
      return;
    }
    if (index != 0) return;
    state.hints = 0;
    state.key = kPresetStateKey;
    state.defaultValue = reverie::plugin::shippedPresets().front().name;
    state.label = "Preset or arc";
    state.description =
        "A shipped preset's or arc's name, or the path of a preset or arc file (.toml)";
  }

  float getParameterValue(uint32_t index) const override {
    switch (index) {
      case kLevelParameter:
        return levelDb_.load(std::memory_order_relaxed);
      case kSceneParameter:
        return static_cast<float>(std::max(0, scene_.load(std::memory_order_relaxed)));
      case kSeedParameter:
        return static_cast<float>(seed_.load(std::memory_order_relaxed));
      default:
        return 0.0f;
    }
  }

  // Any thread: a new seed is built by the control thread (or the next activate).
  void setParameterValue(uint32_t index, float value) override {
    if (index == kLevelParameter) levelDb_.store(value, std::memory_order_relaxed);
    if (index == kSeedParameter)
      seed_.store(static_cast<std::uint32_t>(std::lround(std::clamp(value, 1.0f, kMaxSeed))),
                  std::memory_order_relaxed);
  }

  // Any thread, the audio thread included: only records the choice; the control thread (or
  // the next activate) builds it.
  void loadProgram(uint32_t index) override {
    if (index >= reverie::plugin::shippedPresets().size()) return;
    program_.store(static_cast<int>(index), std::memory_order_relaxed);
    choices_.fetch_add(1, std::memory_order_release);
  }

  String getState(const char* key) const override {
    if (std::string(key) == kSeedStateKey)
      return String(std::to_string(seed_.load(std::memory_order_relaxed)).c_str());
    if (std::string(key) != kPresetStateKey) return String();
    std::lock_guard<std::mutex> lock(control_);
    return String(choiceText().c_str());
  }

  // The host's main thread: a session or LV2 preset restored, or a file chosen. Builds the
  // preset now when the plugin is active, so the host finds it playing when this returns.
  void setState(const char* key, const char* value) override {
    if (value == nullptr) return;
    if (std::string(key) == kSeedStateKey) {
      std::lock_guard<std::mutex> lock(control_);
      setParameterValue(kSeedParameter, std::strtof(value, nullptr));
      if (active_ && seed_.load(std::memory_order_relaxed) != builtSeed_) build();
      return;
    }
    if (std::string(key) != kPresetStateKey) return;
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
    runs_.fetch_add(1);  // odd while run() may hold an instrument
    // The generation first: one built in between is taken for new at the next block too.
    const std::uint32_t generation = generation_.load();
    reverie::Instrument* instrument = live_.load();
    if (instrument == nullptr) {
      std::fill_n(outputs[0], frames, 0.0f);
      std::fill_n(outputs[1], frames, 0.0f);
      runs_.fetch_add(1);
      return;
    }
    followHost(*instrument, generation, frames);
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
    runs_.fetch_add(1);
  }

 private:
  // The audio thread: the host's timeline as the instrument's Transport. CLAP and VST3 hosts
  // say where they are every block, and that is handed over every block. An LV2 host sends a
  // time:Position when something changes (a locate, a start or stop, a tempo), and between
  // those DPF's LV2 wrapper extrapolates the bar and counts it wrong across a bar line (1.6); the
  // engine moves the clock on by the frames it renders, so there the host's position is handed
  // over only when it says something new: a jump of its frame, a start or stop, a new tempo or
  // meter, or a new instrument.
  void followHost(reverie::Instrument& instrument, std::uint32_t generation, uint32_t frames) {
    const TimePosition& position = getTimePosition();
    const auto& bbt = position.bbt;
    reverie::Transport host;
    host.external = bbt.valid;
    host.rolling = position.playing;
    if (bbt.valid) {
      host.beatsPerBar = bbt.beatsPerBar;
      host.beatType = bbt.beatType;
      host.beatsPerMinute = bbt.beatsPerMinute;
      host.beat = (bbt.bar - 1) * static_cast<double>(bbt.beatsPerBar) + (bbt.beat - 1) +
                  (bbt.ticksPerBeat > 0.0 ? bbt.tick / bbt.ticksPerBeat : 0.0);
    }
    const bool carriesOn = generation == followed_ && position.frame == expectedFrame_ &&
                           host.external == handed_.external && host.rolling == handed_.rolling &&
                           host.beatsPerMinute == handed_.beatsPerMinute &&
                           host.beatsPerBar == handed_.beatsPerBar &&
                           host.beatType == handed_.beatType;
    if (!lv2_ || !carriesOn) instrument.setTransport(host);
    followed_ = generation;
    handed_ = host;
    expectedFrame_ = position.frame + (position.playing ? frames : 0u);
  }

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

  // Under control_: builds a new instrument for the choice and the seed and hands it to run();
  // the one it replaces is freed once run() is past it.
  void build() {
    loaded_ = choices_.load(std::memory_order_acquire);
    builtSeed_ = seed_.load(std::memory_order_relaxed);
    const reverie::InstrumentConfig config{getSampleRate(),
                                           static_cast<int>(std::clamp(getBufferSize(), 1u, 4096u)),
                                           builtSeed_, false};
    try {
      auto fresh = std::make_unique<reverie::Instrument>(choicePath(), config);
      setLatency(static_cast<uint32_t>(fresh->latencyFrames()));
      live_.store(fresh.get());
      generation_.fetch_add(1);  // after the pointer (see run())
      // A run() that took the old instrument has made runs_ odd before it did; wait it out.
      const std::uint64_t runs = runs_.load();
      while ((runs & 1u) != 0 && runs_.load() == runs)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      instrument_ = std::move(fresh);
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
      if (active_ && seed_.load(std::memory_order_relaxed) != builtSeed_)
        build();  // a seed is a new performance: built afresh beside the old
      else if (active_ && choices_.load(std::memory_order_acquire) != loaded_)
        loadChoice();
      if (instrument_) {
        instrument_->update();
        scene_.store(instrument_->meters().scene, std::memory_order_relaxed);
      }
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
  std::atomic<std::uint32_t> seed_{1};
  std::uint32_t builtSeed_ = 1;  // under control_
  std::atomic<int> scene_{-1};
  std::atomic<std::uint64_t> runs_{0};
  std::atomic<std::uint32_t> generation_{0};  // instruments handed to run()
  // The audio thread: what followHost handed over last, to which generation.
  std::uint32_t followed_ = UINT32_MAX;
  reverie::Transport handed_;
  uint64_t expectedFrame_ = 0;
  bool lv2_ = false;   // the format DPF built this module as is LV2
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
