// The VST3 build in a minimal VST3 host of the test's own, on the C interfaces DPF ships
// (travesty): the module's factory, the audio module class, a component and its processor,
// note events at their sample offsets. The default program (the first preset) plays the notes
// of the phrase exactly as `reverie render notes.mid --preset clockwork-violin` does.
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "midi/smf_reader.hpp"
#include "plugin/phrase.hpp"
#include "support/command.hpp"
#include "travesty/audio_processor.h"
#include "travesty/component.h"
#include "travesty/events.h"
#include "travesty/factory.h"

namespace reverie::test {
namespace {

constexpr const char* kVst3File =
    REVERIE_PLUGIN_DIR "/vst3/reverie.vst3/Contents/" REVERIE_VST3_ARCH "-linux/reverie.so";

// An event list the plugin reads: a COM-style object whose first member points at its table.
struct EventList {
  const v3_event_list_cpp* table;
  const v3_event* events;
  int32_t count;
};

const v3_event_list_cpp* eventListTable() {
  static const v3_event_list_cpp table = [] {
    v3_event_list_cpp t{};
    t.query_interface = [](void*, const v3_tuid, void** obj) -> v3_result {
      *obj = nullptr;
      return V3_NO_INTERFACE;
    };
    t.ref = [](void*) -> uint32_t { return 1; };
    t.unref = [](void*) -> uint32_t { return 1; };
    t.list.get_event_count = [](void* self) -> uint32_t {
      return static_cast<uint32_t>(static_cast<EventList*>(self)->count);
    };
    t.list.get_event = [](void* self, int32_t index, v3_event* event) -> v3_result {
      const auto* list = static_cast<EventList*>(self);
      if (index < 0 || index >= list->count) return V3_INVALID_ARG;
      *event = list->events[index];
      return V3_OK;
    };
    t.list.add_event = [](void*, v3_event*) -> v3_result { return V3_NOT_IMPLEMENTED; };
    return t;
  }();
  return &table;
}

// A note as VST3 carries it. DPF turns the velocity back into MIDI as (int)(velocity * 127),
// so the host's value sits half a step above the MIDI velocity it stands for.
v3_event noteEvent(int32_t offset, const std::uint8_t (&bytes)[3]) {
  v3_event e{};
  e.sample_offset = offset;
  e.flags = V3_EVENT_IS_LIVE;
  const bool on = (bytes[0] & 0xF0) == 0x90 && bytes[2] > 0;
  e.type = on ? V3_EVENT_NOTE_ON : V3_EVENT_NOTE_OFF;
  if (on) {
    e.note_on = {static_cast<int16_t>(bytes[0] & 0x0F),
                 static_cast<int16_t>(bytes[1]),
                 0.0f,
                 (bytes[2] + 0.5f) / 127.0f,
                 0,
                 -1};
  } else {
    e.note_off = {static_cast<int16_t>(bytes[0] & 0x0F), static_cast<int16_t>(bytes[1]), 0.0f, -1,
                  0.0f};
  }
  return e;
}

}  // namespace

TEST_CASE("plugin: the VST3 build loads through its factory and renders what reverie render does") {
  void* module = dlopen(kVst3File, RTLD_NOW | RTLD_LOCAL);
  REQUIRE_MESSAGE(module != nullptr, "cannot load " << kVst3File << ": " << dlerror());
  const auto moduleEntry = reinterpret_cast<bool (*)(void*)>(dlsym(module, "ModuleEntry"));
  const auto moduleExit = reinterpret_cast<bool (*)()>(dlsym(module, "ModuleExit"));
  const auto getFactory = reinterpret_cast<void* (*)()>(dlsym(module, "GetPluginFactory"));
  const bool exported = moduleEntry != nullptr && moduleExit != nullptr && getFactory != nullptr;
  REQUIRE_MESSAGE(exported, "the VST3 module lacks ModuleEntry, ModuleExit or GetPluginFactory");
  REQUIRE(moduleEntry(module));
  auto** factory = static_cast<v3_plugin_factory_cpp**>(getFactory());
  REQUIRE(factory != nullptr);

  v3_class_info info{};
  bool found = false;
  const int32_t classes = (*factory)->v1.num_classes(factory);
  for (int32_t i = 0; i < classes && !found; ++i)
    found = (*factory)->v1.get_class_info(factory, i, &info) == V3_OK &&
            std::string(info.category) == "Audio Module Class";
  REQUIRE(found);
  MESSAGE("VST3 factory: " << classes << " classes; the audio module is '" << info.name << "'");
  CHECK(std::string(info.name) == "reverie");

  v3_component_cpp** component = nullptr;
  REQUIRE((*factory)->v1.create_instance(factory, info.class_id, v3_component_iid,
                                         reinterpret_cast<void**>(&component)) == V3_OK);
  REQUIRE((*component)->base.initialize(component, nullptr) == V3_OK);
  v3_audio_processor_cpp** processor = nullptr;
  REQUIRE((*component)
              ->query_interface(component, v3_audio_processor_iid,
                                reinterpret_cast<void**>(&processor)) == V3_OK);
  constexpr int kBlock = 256;
  v3_process_setup setup{V3_REALTIME, V3_SAMPLE_32, kBlock, kPluginRate};
  REQUIRE((*processor)->proc.setup_processing(processor, &setup) == V3_OK);
  REQUIRE((*component)->comp.activate_bus(component, V3_AUDIO, V3_OUTPUT, 0, true) == V3_OK);
  REQUIRE((*component)->comp.set_active(component, true) == V3_OK);
  REQUIRE((*processor)->proc.set_processing(processor, true) == V3_OK);
  const auto latency = static_cast<int>((*processor)->proc.get_latency_samples(processor));

  ScratchFolder folder;
  const auto notes = writePhrase(folder.path(), true);
  const std::vector<FramedMidi> messages = framedMessages(midi::loadMidiFile(notes));
  REQUIRE(messages.size() == 10);
  const Stereo reference = renderReference(notes, "clockwork-violin", folder.path());
  const std::uint64_t frames = reference.left.size() + 4096;
  Stereo out{std::vector<float>(frames), std::vector<float>(frames)};
  std::size_t next = 0;
  std::vector<v3_event> events;
  for (std::uint64_t start = 0; start < frames; start += kBlock) {
    const auto count = static_cast<int32_t>(std::min<std::uint64_t>(kBlock, frames - start));
    events.clear();
    for (; next < messages.size() && messages[next].frame < start + count; ++next)
      events.push_back(
          noteEvent(static_cast<int32_t>(messages[next].frame - start), messages[next].bytes));
    EventList list{eventListTable(), events.data(), static_cast<int32_t>(events.size())};
    auto* listObject = reinterpret_cast<v3_event_list**>(&list);
    float* channels[2] = {out.left.data() + start, out.right.data() + start};
    v3_audio_bus_buffers bus{};
    bus.num_channels = 2;
    bus.channel_buffers_32 = channels;
    v3_process_data data{V3_REALTIME, V3_SAMPLE_32, count,   0,          1,       nullptr,
                         &bus,        nullptr,      nullptr, listObject, nullptr, nullptr};
    REQUIRE((*processor)->proc.process(processor, &data) == V3_OK);
  }
  const Comparison c = compareAfterLatency(out, latency, reference);
  MESSAGE("VST3, the default program (clockwork-violin), blocks of "
          << kBlock << ": " << c.frames << " frames after a latency of " << latency << ", "
          << c.differing << " differ (largest by " << c.largestDifference << "); peak " << c.peak);
  CHECK(c.peak > 0.01f);
  CHECK(c.differing == 0);

  (*processor)->proc.set_processing(processor, false);
  (*component)->comp.set_active(component, false);
  (*processor)->unref(processor);
  (*component)->base.terminate(component);
  (*component)->unref(component);
  (*factory)->unref(factory);  // the host's reference, which GetPluginFactory handed over
  moduleExit();
}

}  // namespace reverie::test
