// `reverie devices`: the audio outputs by host API and the MIDI inputs, as text or JSON.
#include <cstdio>

#include "cli/commands.hpp"
#include "host/audio_host.hpp"
#include "host/midi_host.hpp"

namespace reverie::cli {
namespace {

std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else
      out += c;
  }
  return out + "\"";
}

int runDevices(bool json, const std::string& midiApi) {
  host::AudioSystem audio;
  const auto devices = audio.devices();
  std::vector<host::MidiPortInfo> midiPorts;
  std::string midiProblem;
  try {
    midiPorts = host::listMidiInputs(midiApi);
  } catch (const std::exception& e) {
    midiProblem = e.what();
  }
  if (json) {
    std::printf("{\n  \"audio\": [");
    for (std::size_t i = 0; i < devices.size(); ++i) {
      const auto& d = devices[i];
      std::printf(
          "%s\n    {\"index\": %d, \"name\": %s, \"host_api\": %s, \"output_channels\": %d, "
          "\"default_rate\": %.0f, \"default\": %s}",
          i ? "," : "", d.index, jsonString(d.name).c_str(), jsonString(d.hostApiKey).c_str(),
          d.outputChannels, d.defaultRate, d.isDefaultOutput ? "true" : "false");
    }
    std::printf("\n  ],\n  \"midi_inputs\": [");
    for (std::size_t i = 0; i < midiPorts.size(); ++i)
      std::printf("%s\n    {\"index\": %d, \"name\": %s}", i ? "," : "", midiPorts[i].index,
                  jsonString(midiPorts[i].name).c_str());
    std::printf("\n  ]%s\n}\n", midiProblem.empty()
                                    ? ""
                                    : (",\n  \"midi_error\": " + jsonString(midiProblem)).c_str());
    return 0;
  }
  std::string api;
  for (const auto& d : devices) {
    if (d.hostApi != api) {
      api = d.hostApi;
      std::printf("audio outputs, %s (--host-api %s):\n", api.c_str(), d.hostApiKey.c_str());
    }
    std::printf("  %3d  %-40s %2d out  %6.0f Hz%s\n", d.index, d.name.c_str(), d.outputChannels,
                d.defaultRate, d.isDefaultOutput ? "  (default)" : "");
  }
  if (devices.empty())
    std::printf("audio outputs: none found (is a sound card or a JACK server there?)\n");
  std::printf("MIDI inputs:\n");
  for (const auto& port : midiPorts) std::printf("  %3d  %s\n", port.index, port.name.c_str());
  if (midiPorts.empty())
    std::printf("  none%s\n", midiProblem.empty() ? "" : (" (" + midiProblem + ")").c_str());
  return 0;
}

}  // namespace

void addDevicesCommand(CLI::App& app, Action& action) {
  auto json = std::make_shared<bool>(false);
  auto midiApi = std::make_shared<std::string>();
  CLI::App* devices = app.add_subcommand(
      "devices", "List audio outputs (by host API) and MIDI inputs, for 'reverie play'");
  devices->add_flag("--json", *json, "Print JSON instead of a table");
  devices
      ->add_option("--midi-api", *midiApi,
                   "MIDI system: jack or alsa [default: JACK if running, else ALSA]")
      ->check(CLI::IsMember({"jack", "alsa"}));
  devices->callback([json, midiApi, &action] {
    action = [json, midiApi] { return runDevices(*json, *midiApi); };
  });
}

}  // namespace reverie::cli
