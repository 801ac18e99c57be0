// What DPF builds reverie as: a stereo instrument with MIDI in, programs (the shipped presets
// and arcs), state (the preset or arc chosen, the seed), latency (the master limiter's
// look-ahead), the host's timeline (an arc follows its tempo, bars and transport) and no GUI.
#pragma once

#define DISTRHO_PLUGIN_NAME "reverie"
#define DISTRHO_PLUGIN_URI "urn:reverie:instrument"
#define DISTRHO_PLUGIN_CLAP_ID "org.reverie.instrument"

#define DISTRHO_PLUGIN_HAS_UI 0
#define DISTRHO_PLUGIN_IS_SYNTH 1
#define DISTRHO_PLUGIN_IS_RT_SAFE 1
#define DISTRHO_PLUGIN_NUM_INPUTS 0
#define DISTRHO_PLUGIN_NUM_OUTPUTS 2
#define DISTRHO_PLUGIN_WANT_MIDI_INPUT 1
#define DISTRHO_PLUGIN_WANT_PROGRAMS 1
#define DISTRHO_PLUGIN_WANT_STATE 1
#define DISTRHO_PLUGIN_WANT_FULL_STATE 1
#define DISTRHO_PLUGIN_WANT_LATENCY 1
#define DISTRHO_PLUGIN_WANT_TIMEPOS 1

#define DISTRHO_PLUGIN_LV2_CATEGORY "lv2:InstrumentPlugin"
#define DISTRHO_PLUGIN_VST3_CATEGORIES "Instrument|Synth|Stereo"
#define DISTRHO_PLUGIN_CLAP_FEATURES "instrument", "synthesizer", "stereo"
