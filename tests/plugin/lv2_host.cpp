// Lv2Host: lilv world, features, ports and atom sequences.
#include "plugin/lv2_host.hpp"

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/midi/midi.h>
#include <lv2/options/options.h>
#include <lv2/parameters/parameters.h>
#include <lv2/presets/presets.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "doctest/doctest.h"

namespace reverie::test {
namespace {

constexpr std::size_t kAtomBufferBytes = 16384;

// URIs to integers, for the plugin's urid:map and the host's own use.
struct UridMap {
  std::vector<std::string> uris;
  LV2_URID map(const char* uri) {
    const auto found = std::find(uris.begin(), uris.end(), uri);
    if (found != uris.end()) return static_cast<LV2_URID>(found - uris.begin() + 1);
    uris.emplace_back(uri);
    return static_cast<LV2_URID>(uris.size());
  }
  const char* unmap(LV2_URID urid) const {
    return urid >= 1 && urid <= uris.size() ? uris[urid - 1].c_str() : nullptr;
  }
};

LV2_URID mapUri(LV2_URID_Map_Handle handle, const char* uri) {
  return static_cast<UridMap*>(handle)->map(uri);
}
const char* unmapUri(LV2_URID_Unmap_Handle handle, LV2_URID urid) {
  return static_cast<UridMap*>(handle)->unmap(urid);
}
// DPF asks for a worker only to apply state sent as atoms; these tests send none.
LV2_Worker_Status scheduleWork(LV2_Worker_Schedule_Handle, uint32_t, const void*) {
  return LV2_WORKER_ERR_UNKNOWN;
}

}  // namespace

struct Lv2Host::World {
  LilvWorld* world = nullptr;
  const LilvPlugin* plugin = nullptr;
  LilvInstance* instance = nullptr;
  UridMap uridMap;
  LV2_URID_Map map{&uridMap, mapUri};
  LV2_URID_Unmap unmap{&uridMap, unmapUri};
  LV2_Worker_Schedule worker{nullptr, scheduleWork};
  std::int32_t maxBlock = 0;
  float rate = 0.0f;
  std::vector<LV2_Options_Option> options;
  std::vector<LV2_Feature> featureList;
  std::vector<const LV2_Feature*> features;
  // Ports: audio outputs in order, the atom input and output, controls by symbol.
  std::vector<std::uint32_t> audioOut;
  std::vector<std::uint64_t> atomIn, atomOut;  // 8-byte aligned sequences
  std::map<std::string, std::uint32_t> controlIndex;
  std::vector<float> controls;
  LV2_URID midiEvent = 0, sequence = 0, chunk = 0;
  bool active = false;
};

Lv2Host::Lv2Host(const std::string& uri, double sampleRate, int maxBlockFrames)
    : w_(std::make_unique<World>()) {
  World& w = *w_;
  w.world = lilv_world_new();
  lilv_world_load_all(w.world);
  LilvNode* uriNode = lilv_new_uri(w.world, uri.c_str());
  w.plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(w.world), uriNode);
  lilv_node_free(uriNode);
  REQUIRE_MESSAGE(w.plugin != nullptr, "no LV2 plugin " << uri << " on LV2_PATH");

  w.maxBlock = maxBlockFrames;
  w.rate = static_cast<float>(sampleRate);
  const LV2_URID atomInt = w.uridMap.map(LV2_ATOM__Int);
  const LV2_URID atomFloat = w.uridMap.map(LV2_ATOM__Float);
  w.options = {{LV2_OPTIONS_INSTANCE, 0, w.uridMap.map(LV2_BUF_SIZE__maxBlockLength),
                sizeof(std::int32_t), atomInt, &w.maxBlock},
               {LV2_OPTIONS_INSTANCE, 0, w.uridMap.map(LV2_PARAMETERS__sampleRate), sizeof(float),
                atomFloat, &w.rate},
               {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, nullptr}};
  w.featureList = {{LV2_URID__map, &w.map},
                   {LV2_URID__unmap, &w.unmap},
                   {LV2_OPTIONS__options, w.options.data()},
                   {LV2_WORKER__schedule, &w.worker},
                   {LV2_BUF_SIZE__boundedBlockLength, nullptr}};
  for (const LV2_Feature& feature : w.featureList) w.features.push_back(&feature);
  w.features.push_back(nullptr);
  w.midiEvent = w.uridMap.map(LV2_MIDI__MidiEvent);
  w.sequence = w.uridMap.map(LV2_ATOM__Sequence);
  w.chunk = w.uridMap.map(LV2_ATOM__Chunk);

  w.instance = lilv_plugin_instantiate(w.plugin, sampleRate, w.features.data());
  REQUIRE_MESSAGE(w.instance != nullptr, "the LV2 plugin did not instantiate");

  LilvNode* audio = lilv_new_uri(w.world, LV2_CORE__AudioPort);
  LilvNode* control = lilv_new_uri(w.world, LV2_CORE__ControlPort);
  LilvNode* atom = lilv_new_uri(w.world, LV2_ATOM__AtomPort);
  LilvNode* input = lilv_new_uri(w.world, LV2_CORE__InputPort);
  const std::uint32_t ports = lilv_plugin_get_num_ports(w.plugin);
  w.controls.assign(ports, 0.0f);
  w.atomIn.assign(kAtomBufferBytes / 8, 0);
  w.atomOut.assign(kAtomBufferBytes / 8, 0);
  std::vector<float> defaults(ports, 0.0f);
  lilv_plugin_get_port_ranges_float(w.plugin, nullptr, nullptr, defaults.data());
  for (std::uint32_t i = 0; i < ports; ++i) {
    const LilvPort* port = lilv_plugin_get_port_by_index(w.plugin, i);
    const bool isInput = lilv_port_is_a(w.plugin, port, input);
    if (lilv_port_is_a(w.plugin, port, audio)) {
      REQUIRE(!isInput);
      w.audioOut.push_back(i);
    } else if (lilv_port_is_a(w.plugin, port, atom)) {
      lilv_instance_connect_port(w.instance, i, isInput ? w.atomIn.data() : w.atomOut.data());
    } else if (lilv_port_is_a(w.plugin, port, control)) {
      w.controls[i] = std::isnan(defaults[i]) ? 0.0f : defaults[i];
      w.controlIndex[lilv_node_as_string(lilv_port_get_symbol(w.plugin, port))] = i;
      lilv_instance_connect_port(w.instance, i, &w.controls[i]);
    }
  }
  lilv_node_free(audio);
  lilv_node_free(control);
  lilv_node_free(atom);
  lilv_node_free(input);
  REQUIRE(w.audioOut.size() == 2);
}

Lv2Host::~Lv2Host() {
  World& w = *w_;
  if (w.instance != nullptr) {
    if (w.active) lilv_instance_deactivate(w.instance);
    lilv_instance_free(w.instance);
  }
  lilv_world_free(w.world);
}

std::vector<std::string> Lv2Host::presetLabels() {
  World& w = *w_;
  LilvNode* presetClass = lilv_new_uri(w.world, LV2_PRESETS__Preset);
  LilvNode* label = lilv_new_uri(w.world, LILV_NS_RDFS "label");
  LilvNodes* presets = lilv_plugin_get_related(w.plugin, presetClass);
  std::vector<std::string> labels;
  LILV_FOREACH(nodes, i, presets) {
    const LilvNode* preset = lilv_nodes_get(presets, i);
    lilv_world_load_resource(w.world, preset);
    LilvNodes* names = lilv_world_find_nodes(w.world, preset, label, nullptr);
    if (names != nullptr && lilv_nodes_size(names) > 0)
      labels.emplace_back(lilv_node_as_string(lilv_nodes_get_first(names)));
    lilv_nodes_free(names);
  }
  lilv_nodes_free(presets);
  lilv_node_free(label);
  lilv_node_free(presetClass);
  return labels;
}

void Lv2Host::applyPreset(const std::string& wanted) {
  World& w = *w_;
  LilvNode* presetClass = lilv_new_uri(w.world, LV2_PRESETS__Preset);
  LilvNode* label = lilv_new_uri(w.world, LILV_NS_RDFS "label");
  LilvNodes* presets = lilv_plugin_get_related(w.plugin, presetClass);
  LilvState* state = nullptr;
  LILV_FOREACH(nodes, i, presets) {
    const LilvNode* preset = lilv_nodes_get(presets, i);
    lilv_world_load_resource(w.world, preset);
    LilvNodes* names = lilv_world_find_nodes(w.world, preset, label, nullptr);
    const bool match = names != nullptr && lilv_nodes_size(names) > 0 &&
                       wanted == lilv_node_as_string(lilv_nodes_get_first(names));
    lilv_nodes_free(names);
    if (match) {
      state = lilv_state_new_from_world(w.world, &w.map, preset);
      break;
    }
  }
  lilv_nodes_free(presets);
  lilv_node_free(label);
  lilv_node_free(presetClass);
  REQUIRE_MESSAGE(state != nullptr, "no LV2 preset labelled " << wanted);
  restore(state);
}

void Lv2Host::restore(LilvState* state) {
  World& w = *w_;
  const auto setPort = [](const char* symbol, void* data, const void* value, uint32_t size,
                          uint32_t type) {
    auto& host = *static_cast<World*>(data);
    const auto found = host.controlIndex.find(symbol);
    if (found != host.controlIndex.end() && size == sizeof(float) &&
        type == host.uridMap.map(LV2_ATOM__Float))
      host.controls[found->second] = *static_cast<const float*>(value);
  };
  lilv_state_restore(state, w.instance, setPort, &w, 0, w.features.data());
  lilv_state_free(state);
}

std::string Lv2Host::saveState() {
  World& w = *w_;
  const auto getPort = [](const char* symbol, void* data, uint32_t* size,
                          uint32_t* type) -> const void* {
    auto& host = *static_cast<World*>(data);
    const auto found = host.controlIndex.find(symbol);
    if (found == host.controlIndex.end()) return nullptr;
    *size = sizeof(float);
    *type = host.uridMap.map(LV2_ATOM__Float);
    return &host.controls[found->second];
  };
  LilvState* state =
      lilv_state_new_from_instance(w.plugin, w.instance, &w.map, nullptr, nullptr, nullptr, nullptr,
                                   getPort, &w, 0, w.features.data());
  REQUIRE(state != nullptr);
  char* text =
      lilv_state_to_string(w.world, &w.map, &w.unmap, state, "urn:reverie:test-state", nullptr);
  REQUIRE(text != nullptr);
  std::string saved(text);
  lilv_free(text);
  lilv_state_free(state);
  return saved;
}

void Lv2Host::restoreState(const std::string& saved) {
  LilvState* state = lilv_state_new_from_string(w_->world, &w_->map, saved.c_str());
  REQUIRE_MESSAGE(state != nullptr, "lilv could not read the saved state");
  restore(state);
}

void Lv2Host::activate() {
  lilv_instance_activate(w_->instance);
  w_->active = true;
}

namespace {

// A time:Position object as an event at frame 0 of `in`, in the value types hosts send.
void appendPosition(UridMap& uris, LV2_URID_Map& map, LV2_Atom_Sequence* in, const HostTime& time) {
  alignas(8) unsigned char buffer[512] = {};
  auto* event = reinterpret_cast<LV2_Atom_Event*>(buffer);
  event->time.frames = 0;
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &map);
  lv2_atom_forge_set_buffer(&forge, reinterpret_cast<std::uint8_t*>(&event->body),
                            sizeof(buffer) - sizeof(LV2_Atom_Event) + sizeof(LV2_Atom));
  LV2_Atom_Forge_Frame frame;
  lv2_atom_forge_object(&forge, &frame, 0, uris.map(LV2_TIME__Position));
  lv2_atom_forge_key(&forge, uris.map(LV2_TIME__frame));
  lv2_atom_forge_long(&forge, time.frame);
  lv2_atom_forge_key(&forge, uris.map(LV2_TIME__speed));
  lv2_atom_forge_float(&forge, static_cast<float>(time.speed));
  lv2_atom_forge_key(&forge, uris.map(LV2_TIME__bar));
  lv2_atom_forge_long(&forge, time.bar);
  lv2_atom_forge_key(&forge, uris.map(LV2_TIME__barBeat));
  lv2_atom_forge_float(&forge, static_cast<float>(time.barBeat));
  lv2_atom_forge_key(&forge, uris.map(LV2_TIME__beatUnit));
  lv2_atom_forge_int(&forge, time.beatUnit);
  lv2_atom_forge_key(&forge, uris.map(LV2_TIME__beatsPerBar));
  lv2_atom_forge_float(&forge, static_cast<float>(time.beatsPerBar));
  lv2_atom_forge_key(&forge, uris.map(LV2_TIME__beatsPerMinute));
  lv2_atom_forge_float(&forge, static_cast<float>(time.beatsPerMinute));
  lv2_atom_forge_pop(&forge, &frame);
  REQUIRE(lv2_atom_sequence_append_event(in, kAtomBufferBytes - sizeof(LV2_Atom), event) !=
          nullptr);
}

}  // namespace

void Lv2Host::run(int frames, std::span<const BlockMidi> events, float* left, float* right,
                  const HostTime* time) {
  World& w = *w_;
  REQUIRE(frames <= w.maxBlock);
  auto* in = reinterpret_cast<LV2_Atom_Sequence*>(w.atomIn.data());
  in->atom.type = w.sequence;
  in->atom.size = sizeof(LV2_Atom_Sequence_Body);
  in->body.unit = 0;
  in->body.pad = 0;
  if (time != nullptr) appendPosition(w.uridMap, w.map, in, *time);
  for (const BlockMidi& midi : events) {
    alignas(8) unsigned char buffer[sizeof(LV2_Atom_Event) + 8] = {};
    auto* event = reinterpret_cast<LV2_Atom_Event*>(buffer);
    event->time.frames = midi.frame;
    event->body.type = w.midiEvent;
    event->body.size = (midi.bytes[0] & 0xF0) == 0xC0 || (midi.bytes[0] & 0xF0) == 0xD0 ? 2 : 3;
    std::memcpy(buffer + sizeof(LV2_Atom_Event), midi.bytes, 3);
    REQUIRE(lv2_atom_sequence_append_event(in, kAtomBufferBytes - sizeof(LV2_Atom), event) !=
            nullptr);
  }
  auto* out = reinterpret_cast<LV2_Atom*>(w.atomOut.data());
  out->type = w.chunk;
  out->size = kAtomBufferBytes - sizeof(LV2_Atom);
  lilv_instance_connect_port(w.instance, w.audioOut[0], left);
  lilv_instance_connect_port(w.instance, w.audioOut[1], right);
  lilv_instance_run(w.instance, static_cast<std::uint32_t>(frames));
}

float Lv2Host::control(const std::string& symbol) const {
  const auto found = w_->controlIndex.find(symbol);
  REQUIRE_MESSAGE(found != w_->controlIndex.end(), "no control port " << symbol);
  return w_->controls[found->second];
}

void Lv2Host::setControl(const std::string& symbol, float value) {
  const auto found = w_->controlIndex.find(symbol);
  REQUIRE_MESSAGE(found != w_->controlIndex.end(), "no control port " << symbol);
  w_->controls[found->second] = value;
}

}  // namespace reverie::test
