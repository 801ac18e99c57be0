// ClapInstance: the module, the host's callbacks, streams and event lists.
#include "plugin/clap_host.hpp"

#include <dlfcn.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "clap/entry.h"
#include "clap/ext/latency.h"
#include "clap/plugin-factory.h"
#include "clap/process.h"

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

// Streams over a StateBytes, made where they are used (they point at it).
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

}  // namespace

StateBytes presetState(const std::string& preset) {
  // DPF's layout: key and value strings, each ended by a zero byte, between its state
  // markers, then its terminator.
  StateBytes state;
  for (const std::string& s : {std::string("__dpf_state_begin__"), std::string("preset"), preset,
                               std::string("__dpf_state_end__")})
    state.bytes.insert(state.bytes.end(), s.c_str(), s.c_str() + s.size() + 1);
  state.bytes.push_back('\xfe');
  return state;
}

clap_event_midi_t clapMidi(std::uint32_t frame, const std::uint8_t (&bytes)[3]) {
  clap_event_midi_t e{};
  e.header = {sizeof(clap_event_midi_t), frame, CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_MIDI, 0};
  std::memcpy(e.data, bytes, 3);
  return e;
}

ClapInstance::ClapInstance() {
  const auto* factory =
      static_cast<const clap_plugin_factory_t*>(clapEntry()->get_factory(CLAP_PLUGIN_FACTORY_ID));
  REQUIRE(factory != nullptr);
  REQUIRE(factory->get_plugin_count(factory) == 1);
  REQUIRE(std::string(factory->get_plugin_descriptor(factory, 0)->id) == kClapId);
  plugin_ = factory->create_plugin(factory, &kHost, kClapId);
  REQUIRE(plugin_ != nullptr);
  REQUIRE(plugin_->init(plugin_));
  state_ = static_cast<const clap_plugin_state_t*>(plugin_->get_extension(plugin_, CLAP_EXT_STATE));
  REQUIRE(state_ != nullptr);
}

ClapInstance::~ClapInstance() {
  if (processing_) plugin_->stop_processing(plugin_);
  if (active_) plugin_->deactivate(plugin_);
  plugin_->destroy(plugin_);
}

bool ClapInstance::load(StateBytes& state) {
  const clap_istream_t reader = readerOf(state);
  return state_->load(plugin_, &reader);
}

StateBytes ClapInstance::save() {
  StateBytes state;
  const clap_ostream_t writer = writerOf(state);
  REQUIRE(state_->save(plugin_, &writer));
  return state;
}

void ClapInstance::start(int maxBlockFrames) {
  REQUIRE(plugin_->activate(plugin_, kPluginRate, 1, static_cast<uint32_t>(maxBlockFrames)));
  active_ = true;
  REQUIRE(plugin_->start_processing(plugin_));
  processing_ = true;
}

int ClapInstance::latency() const {
  const auto* ext =
      static_cast<const clap_plugin_latency_t*>(plugin_->get_extension(plugin_, CLAP_EXT_LATENCY));
  REQUIRE(ext != nullptr);
  return static_cast<int>(ext->get(plugin_));
}

clap_event_transport_t clapTransport(bool playing, double beat, double bpm) {
  clap_event_transport_t t{};
  t.header = {sizeof(clap_event_transport_t), 0, CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_TRANSPORT, 0};
  t.flags = CLAP_TRANSPORT_HAS_TEMPO | CLAP_TRANSPORT_HAS_BEATS_TIMELINE |
            CLAP_TRANSPORT_HAS_TIME_SIGNATURE |
            (playing ? static_cast<std::uint32_t>(CLAP_TRANSPORT_IS_PLAYING) : 0u);
  t.song_pos_beats = static_cast<clap_beattime>(std::llround(beat * CLAP_BEATTIME_FACTOR));
  t.tempo = bpm;
  const auto bar = static_cast<std::int32_t>(std::floor(beat / 4.0));
  t.bar_start = static_cast<clap_beattime>(bar) * 4 * CLAP_BEATTIME_FACTOR;
  t.bar_number = bar;
  t.tsig_num = 4;
  t.tsig_denom = 4;
  return t;
}

void ClapInstance::process(std::uint32_t frames, std::span<const clap_event_midi_t> events,
                           float* left, float* right, const clap_event_transport_t* transport) {
  struct List {
    clap_input_events_t in;
    std::span<const clap_event_midi_t> events;
  } list{{nullptr,
          [](const clap_input_events_t* l) {
            return static_cast<uint32_t>(static_cast<const List*>(l->ctx)->events.size());
          },
          [](const clap_input_events_t* l, uint32_t i) {
            return &static_cast<const List*>(l->ctx)->events[i].header;
          }},
         events};
  list.in.ctx = &list;
  const clap_output_events_t ignored{
      nullptr, [](const clap_output_events_t*, const clap_event_header_t*) { return true; }};
  float* channels[2] = {left, right};
  clap_audio_buffer_t audio{channels, nullptr, 2, 0, 0};
  const clap_process_t process{steadyTime_, frames, transport, nullptr, &audio,
                               0,           1,      &list.in,  &ignored};
  const bool processed = plugin_->process(plugin_, &process) != CLAP_PROCESS_ERROR;
  steadyTime_ += frames;
  if (!processed) FAIL("the CLAP plugin's process failed");
}

Stereo ClapInstance::render(const std::vector<FramedMidi>& messages, std::uint64_t frames,
                            int block) {
  Stereo out{std::vector<float>(frames), std::vector<float>(frames)};
  std::size_t next = 0;
  std::vector<clap_event_midi_t> events;
  for (std::uint64_t start = 0; start < frames; start += static_cast<std::uint64_t>(block)) {
    const auto count = static_cast<std::uint32_t>(std::min<std::uint64_t>(block, frames - start));
    events.clear();
    for (; next < messages.size() && messages[next].frame < start + count; ++next)
      events.push_back(
          clapMidi(static_cast<std::uint32_t>(messages[next].frame - start), messages[next].bytes));
    process(count, events, out.left.data() + start, out.right.data() + start);
  }
  return out;
}

}  // namespace reverie::test
