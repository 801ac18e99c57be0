// The CLAP build in a minimal CLAP host of the test's own (dlopen, clap_entry, the plugin
// factory, state and process with MIDI events; DPF's CLAP headers): a preset chosen by state
// renders what `reverie render FILE.mid --preset P` writes, and the state it saves chooses the
// same preset in a fresh instance.
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "clap/entry.h"
#include "clap/ext/latency.h"
#include "clap/ext/state.h"
#include "clap/plugin-factory.h"
#include "midi/smf_reader.hpp"
#include "plugin/phrase.hpp"
#include "support/command.hpp"

namespace reverie::test {
namespace {

constexpr const char* kClapFile = REVERIE_PLUGIN_DIR "/clap/reverie.clap";
constexpr const char* kClapId = "org.reverie.instrument";

// The module, loaded once and initialised once per process as CLAP asks.
const clap_plugin_entry_t* clapEntry() {
  static const clap_plugin_entry_t* entry = [] {
    void* module = dlopen(kClapFile, RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MESSAGE(module != nullptr, "cannot load " << kClapFile << ": " << dlerror());
    const auto* found = static_cast<const clap_plugin_entry_t*>(dlsym(module, "clap_entry"));
    REQUIRE(found != nullptr);
    REQUIRE(found->init(kClapFile));
    return found;
  }();
  return entry;
}

void nothing(const clap_host_t*) {}
// The host side of the latency extension (DPF's CLAP wrapper calls it without asking): this
// host reads the latency after activation, so a change needs no action.
const clap_host_latency_t kHostLatency{nothing};
const void* hostExtension(const clap_host_t*, const char* id) {
  return std::strcmp(id, CLAP_EXT_LATENCY) == 0 ? &kHostLatency : nullptr;
}

const clap_host_t kHost{CLAP_VERSION_INIT, nullptr, "reverie-test", "reverie", "", "0",
                        hostExtension,     nothing, nothing,        nothing};

// The events of one block: a list the plugin reads, of MIDI events at their frames.
struct EventList {
  std::vector<clap_event_midi_t> events;
  clap_input_events_t list{
      this,
      [](const clap_input_events_t* l) {
        return static_cast<uint32_t>(static_cast<const EventList*>(l->ctx)->events.size());
      },
      [](const clap_input_events_t* l, uint32_t i) {
        return &static_cast<const EventList*>(l->ctx)->events[i].header;
      }};
};

// A byte buffer a state is saved to and loaded from.
struct StateBytes {
  std::vector<char> bytes;
  std::size_t readAt = 0;
};

// Streams over `state`, made where they are used (they point at it).
clap_ostream_t writerOf(StateBytes& state) {
  return {&state, [](const clap_ostream_t* s, const void* data, uint64_t size) {
            auto& self = *static_cast<StateBytes*>(s->ctx);
            const auto* p = static_cast<const char*>(data);
            self.bytes.insert(self.bytes.end(), p, p + size);
            return static_cast<int64_t>(size);
          }};
}
clap_istream_t readerOf(StateBytes& state) {
  return {&state, [](const clap_istream_t* s, void* data, uint64_t size) {
            auto& self = *static_cast<StateBytes*>(s->ctx);
            const std::size_t n = std::min<std::size_t>(size, self.bytes.size() - self.readAt);
            std::memcpy(data, self.bytes.data() + self.readAt, n);
            self.readAt += n;
            return static_cast<int64_t>(n);
          }};
}

// DPF's CLAP state layout: key and value strings, each ended by a zero byte, between its
// state markers, then its terminator.
StateBytes presetState(const std::string& preset) {
  StateBytes state;
  for (const std::string& s : {std::string("__dpf_state_begin__"), std::string("preset"), preset,
                               std::string("__dpf_state_end__")})
    state.bytes.insert(state.bytes.end(), s.c_str(), s.c_str() + s.size() + 1);
  state.bytes.push_back('\xfe');
  return state;
}

class ClapInstance {
 public:
  ClapInstance() {
    const auto* factory =
        static_cast<const clap_plugin_factory_t*>(clapEntry()->get_factory(CLAP_PLUGIN_FACTORY_ID));
    REQUIRE(factory != nullptr);
    REQUIRE(factory->get_plugin_count(factory) == 1);
    REQUIRE(std::string(factory->get_plugin_descriptor(factory, 0)->id) == kClapId);
    plugin_ = factory->create_plugin(factory, &kHost, kClapId);
    REQUIRE(plugin_ != nullptr);
    REQUIRE(plugin_->init(plugin_));
    state_ =
        static_cast<const clap_plugin_state_t*>(plugin_->get_extension(plugin_, CLAP_EXT_STATE));
    REQUIRE(state_ != nullptr);
  }
  ~ClapInstance() {
    if (processing_) plugin_->stop_processing(plugin_);
    if (active_) plugin_->deactivate(plugin_);
    plugin_->destroy(plugin_);
  }
  ClapInstance(const ClapInstance&) = delete;
  ClapInstance& operator=(const ClapInstance&) = delete;

  bool load(StateBytes& state) {
    const clap_istream_t reader = readerOf(state);
    return state_->load(plugin_, &reader);
  }
  StateBytes save() {
    StateBytes state;
    const clap_ostream_t writer = writerOf(state);
    REQUIRE(state_->save(plugin_, &writer));
    return state;
  }
  void start(int maxBlock) {
    REQUIRE(plugin_->activate(plugin_, kPluginRate, 1, static_cast<uint32_t>(maxBlock)));
    active_ = true;
    REQUIRE(plugin_->start_processing(plugin_));
    processing_ = true;
  }
  int latency() const {
    const auto* ext = static_cast<const clap_plugin_latency_t*>(
        plugin_->get_extension(plugin_, CLAP_EXT_LATENCY));
    REQUIRE(ext != nullptr);
    return static_cast<int>(ext->get(plugin_));
  }
  // Renders `frames` in blocks of `block`, the messages at their frames.
  Stereo render(const std::vector<FramedMidi>& messages, std::uint64_t frames, int block) {
    Stereo out{std::vector<float>(frames), std::vector<float>(frames)};
    std::size_t next = 0;
    EventList events;
    clap_output_events_t ignored{
        nullptr, [](const clap_output_events_t*, const clap_event_header_t*) { return true; }};
    for (std::uint64_t start = 0; start < frames; start += static_cast<std::uint64_t>(block)) {
      const auto count = static_cast<uint32_t>(std::min<std::uint64_t>(block, frames - start));
      events.events.clear();
      for (; next < messages.size() && messages[next].frame < start + count; ++next) {
        clap_event_midi_t e{};
        e.header = {sizeof(clap_event_midi_t), static_cast<uint32_t>(messages[next].frame - start),
                    CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_MIDI, 0};
        std::memcpy(e.data, messages[next].bytes, 3);
        events.events.push_back(e);
      }
      float* channels[2] = {out.left.data() + start, out.right.data() + start};
      clap_audio_buffer_t audio{channels, nullptr, 2, 0, 0};
      const clap_process_t process{static_cast<int64_t>(start),
                                   count,
                                   nullptr,
                                   nullptr,
                                   &audio,
                                   0,
                                   1,
                                   &events.list,
                                   &ignored};
      REQUIRE(plugin_->process(plugin_, &process) != CLAP_PROCESS_ERROR);
    }
    return out;
  }

 private:
  const clap_plugin_t* plugin_ = nullptr;
  const clap_plugin_state_t* state_ = nullptr;
  bool active_ = false, processing_ = false;
};

}  // namespace

TEST_CASE("plugin: the CLAP build renders what reverie render does, and round-trips its state") {
  ScratchFolder folder;
  const auto phrase = writePhrase(folder.path());
  const std::vector<FramedMidi> messages = framedMessages(midi::loadMidiFile(phrase));
  const std::string preset = "ice-violin";
  const Stereo reference = renderReference(phrase, preset, folder.path());
  const auto frames = static_cast<std::uint64_t>(reference.left.size());

  StateBytes saved;
  {
    ClapInstance chosen;
    StateBytes state = presetState(preset);
    REQUIRE(chosen.load(state));
    chosen.start(256);
    const Stereo out = chosen.render(messages, frames + 4096, 256);
    const Comparison c = compareAfterLatency(out, chosen.latency(), reference);
    MESSAGE("CLAP, " << preset << " chosen by state, blocks of 256: " << c.frames
                     << " frames after a latency of " << chosen.latency() << ", " << c.differing
                     << " differ (largest by " << c.largestDifference << "); peak " << c.peak);
    CHECK(c.peak > 0.01f);
    CHECK(c.differing == 0);
    saved = chosen.save();
  }
  // The saved state, loaded into a fresh instance, chooses the same preset.
  ClapInstance restored;
  REQUIRE(restored.load(saved));
  restored.start(1000);
  const Stereo out = restored.render(messages, frames + 4096, 1000);
  const Comparison c = compareAfterLatency(out, restored.latency(), reference);
  std::string shown(saved.bytes.begin(), saved.bytes.end() - 2);  // without the terminator
  std::replace(shown.begin(), shown.end(), '\0', '|');
  MESSAGE("CLAP, the saved state ("
          << shown << ") in a fresh instance, blocks of 1000: " << c.differing << " of " << c.frames
          << " frames differ (largest by " << c.largestDifference << "); peak " << c.peak
          << ", latency " << restored.latency());
  CHECK(c.differing == 0);
}

}  // namespace reverie::test
