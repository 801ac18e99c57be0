// `reverie play`: a preset played live from MIDI through the sound card, with a status line,
// program changes, and the preset file reloaded when it is edited.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/option_checks.hpp"
#include "cli/play_sync.hpp"
#include "cli/play_terminal.hpp"
#include "host/audio_host.hpp"
#include "host/midi_host.hpp"
#include "live/live_patch.hpp"
#include "live/program_list.hpp"
#include "live/repeated_lines.hpp"
#include "osc/osc_play.hpp"
#include "reverie/errors.hpp"

namespace reverie::cli {
namespace {

struct PlayOptions {
  std::string preset = "glass-harmonica";
  std::string audioDevice, hostApi, midiInput = "all", midiApi;
  double sampleRate = 48000.0;
  int bufferFrames = 256;
  std::string velocityCurve = "linear";
  std::uint64_t seed = 1;
  int threads = 1;       // rendering each callback's block
  double seconds = 0.0;  // 0 = until stopped
  bool mpe = false;
  // An arc running under the player:
  std::string arc;
  int tensionController = -1, nextNote = -1, nextController = -1;
  int oscPort = 0;                      // 0: no OSC
  std::string sync = "none", clockOut;  // --sync, --clock-out
};

/// The arc `play --arc` runs under the player, with its live controls wired.
struct LiveArc {
  Arc arc;
  NodeId composer = kInvalidNode;
  std::vector<NodeId> nodes;  // its patch's, for OSC
};

std::optional<LiveArc> startArc(const PlayOptions& options, Engine& engine, live::LivePatch& live) {
  if (options.arc.empty()) {
    if (options.tensionController >= 0 || options.nextNote >= 0 || options.nextController >= 0)
      throw InputError(
          "--tension-cc, --next-note and --next-cc steer an arc; add --arc ARC (e.g. --arc "
          "the-performance)");
    return std::nullopt;
  }
  LiveArc result{loadArc(findPreset(options.arc)), kInvalidNode, {}};
  Graph& graph = engine.graph();
  const arc::ArcNodes nodes = arc::buildArc(result.arc, graph, "arc-");
  result.composer = nodes.composer;
  for (const auto& [name, id] : nodes.ids) result.nodes.push_back(id);
  Node& composer = graph.node(result.composer);
  if (options.tensionController >= 0) {
    graph.setParameter(result.composer, arc::composer_parameter::kTensionSource, 1.0f);
    composer.mapController(options.tensionController, arc::composer_parameter::kLiveTension, 0.0f,
                           1.0f);
  }
  graph.setParameter(result.composer, arc::composer_parameter::kAdvanceNote,
                     static_cast<float>(options.nextNote));
  graph.setParameter(result.composer, arc::composer_parameter::kAdvanceController,
                     static_cast<float>(options.nextController));
  live.addListener(result.composer);
  return result;
}

std::filesystem::file_time_type modified(const std::filesystem::path& path) {
  std::error_code error;
  const auto time = std::filesystem::last_write_time(path, error);
  return error ? std::filesystem::file_time_type{} : time;
}

int runPlay(const PlayOptions& options) {
  catchInterrupts();
  std::filesystem::path presetPath = findPreset(options.preset);
  Patch patch = preparingInput(options.preset, "play", "is it the right file?",
                               [&] { return loadPatch(presetPath); });
  const midi::VelocityCurve curve = midi::parseVelocityCurve(options.velocityCurve);

  host::AudioSystem audio;
  const host::AudioDeviceInfo device = audio.chooseOutput(options.hostApi, options.audioDevice);
  EngineConfig engineConfig;
  engineConfig.sampleRate = options.sampleRate;
  engineConfig.maxBlockFrames = 4096;
  engineConfig.seed = options.seed;
  engineConfig.threads = options.threads;
  Engine engine(engineConfig);
  live::LiveRenderer renderer(engine, live::LiveRenderer::kMaxInputs, curve, options.mpe);
  live::LivePatch live(engine, renderer, options.mpe);
  const std::optional<LiveArc> arc = preparingInput(
      options.arc, "play", "shorten its scenes", [&] { return startArc(options, engine, live); });
  live.load(patch);                // commits the arc's nodes too
  std::unique_ptr<PlaySync> sync;  // set before the stream starts; read by its callback only
  host::AudioStream stream(device, options.sampleRate, options.bufferFrames,
                           [&renderer, &sync](float* const* out, int frames, std::int64_t nanos) {
                             if (sync) sync->beforeBlock(frames, nanos);
                             renderer.render(out, frames, nanos);
                           });
  if (options.sync != "none" || !options.clockOut.empty()) {
    const std::string midiApi = !options.midiApi.empty()    ? options.midiApi
                                : host::jackServerRunning() ? "jack"
                                                            : "alsa";
    sync = std::make_unique<PlaySync>(
        PlaySyncOptions{options.sync, options.clockOut, midiApi, options.midiInput,
                        device.hostApiKey, options.sampleRate, stream.latencySeconds()},
        engine, renderer, arc ? &arc->arc : nullptr,
        arc ? &engine.graph().node(arc->composer) : nullptr);
  }
  host::MidiInputs midi(renderer, options.midiApi, options.midiInput);
  std::unique_ptr<osc::LiveOsc> osc;
  if (options.oscPort > 0)
    osc = std::make_unique<osc::LiveOsc>(
        options.oscPort, engine, renderer, live, arc ? &arc->arc : nullptr,
        arc ? arc->composer : kInvalidNode, arc ? arc->nodes : std::vector<NodeId>{},
        stream.latencySeconds());
  stream.start();

  const bool status = isatty(STDERR_FILENO) != 0;
  std::fprintf(stderr, "reverie: playing '%s' on %s (%s), %.0f Hz, %d frames (%.1f ms out)\n",
               live.name().c_str(), device.name.c_str(), device.hostApiKey.c_str(),
               options.sampleRate, options.bufferFrames, stream.latencySeconds() * 1000.0);
  for (const std::string& name : midi.connected())
    std::fprintf(stderr, "reverie: MIDI input %s\n", name.c_str());
  if (osc)
    std::fprintf(stderr, "reverie: OSC on port %d (UDP and TCP), e.g. /reverie/note 1 69 100\n",
                 options.oscPort);
  if (arc) {
    std::string controls;
    if (options.tensionController >= 0)
      controls += ", tension from CC" + std::to_string(options.tensionController);
    if (options.nextNote >= 0)
      controls += ", next scene on key " + std::to_string(options.nextNote);
    if (options.nextController >= 0)
      controls += ", next scene on CC" + std::to_string(options.nextController);
    std::fprintf(stderr, "reverie: arc '%s' runs underneath (%zu scenes%s)\n",
                 arc->arc.name.c_str(), arc->arc.scenes.size(), controls.c_str());
  }
  if (sync)
    for (const std::string& line : sync->describe())
      std::fprintf(stderr, "reverie: %s\n", line.c_str());
  int sceneShown = -1;
  if (status) std::fprintf(stderr, "reverie: press q or Ctrl-C to stop\n");

  KeyReader keys;
  live::ProgramList programs;  // listed once; listed again only when a preset folder changes
  live::RepeatedLines repeats;
  auto fileTime = modified(presetPath);
  const auto started = std::chrono::steady_clock::now();
  auto nextPoll = started;
  std::uint64_t reportedXruns = 0;
  bool warnedPriority = false;
  auto say = [status](const std::string& line) {
    std::fprintf(stderr, "%sreverie: %s\n", status ? "\r\033[K" : "", line.c_str());
  };
  while (!interrupted() && !keys.quitPressed()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto now = std::chrono::steady_clock::now();
    if (options.seconds > 0.0 && now - started > std::chrono::duration<double>(options.seconds))
      break;
    if (!stream.running()) {
      stream.abandon();
      audio.abandon();
      midi.abandon();
      if (sync) sync->abandon();
      throw RuntimeFailure("the audio device went away (" + device.name + ", " + device.hostApiKey +
                           "); stopped. Start it again, or choose another with --audio-device");
    }
    // Of the program changes that came since the last turn, the last one wins: a controller
    // sending them in a loop must not make us build a patch for each.
    midi::Translator::ProgramRequest request;
    std::uint64_t requests = 0;
    if (renderer.latestProgramRequest(request, requests)) {
      const int number = request.bank * 128 + request.program;
      const std::string program = "program " + std::to_string(number + 1);
      if (const auto preset = programs.find(number, now)) {
        try {
          live.load(loadPatch(preset->path));
          presetPath = preset->path;
          fileTime = modified(presetPath);
          say(program + ": " + live.name());
        } catch (const std::exception& e) {
          if (auto line =
                  repeats.say("program failed",
                              program + " failed: " + e.what() + "; keeping '" + live.name() + "'",
                              now, requests))
            say(*line);
        }
      } else if (auto line = repeats.say("no preset",
                                         program + " has no preset (there are " +
                                             std::to_string(programs.size()) + "); keeping '" +
                                             live.name() + "'",
                                         now, requests)) {
        say(*line);
      }
    }
    for (const std::string& line : repeats.due(now)) say(line);
    if (osc) {
      for (const std::string& line : osc->tick({live.voices(), stream.cpuLoad(), stream.xruns()}))
        say(line);
      if (auto path = osc->takeLoadedPreset()) {  // edits of the new preset's file reload it
        presetPath = *path;
        fileTime = modified(presetPath);
      }
    }
    live.tick();
    if (sync)
      if (auto line = sync->news(now)) say(*line);
    if (arc) {
      const int scene = arc::composerScene(engine.graph().node(arc->composer));
      if (scene != sceneShown) {
        sceneShown = scene;
        const std::size_t count = arc->arc.scenes.size();
        say(static_cast<std::size_t>(scene) < count
                ? "scene " + std::to_string(scene + 1) + "/" + std::to_string(count) + ": " +
                      arc->arc.scenes[static_cast<std::size_t>(scene)].name
                : "the arc has ended; still playing '" + live.name() + "'");
      }
    }
    // A device wired to the 'reverie' port while we are connected to it too: close ours at once.
    for (const std::string& line : midi.checkWiring()) say(line);
    if (now < nextPoll) continue;
    nextPoll = now + std::chrono::milliseconds(500);
    for (const std::string& line : midi.poll()) say(line);
    if (const auto time = modified(presetPath); time != fileTime) {
      fileTime = time;
      try {
        live.load(loadPatch(presetPath));
        say("reloaded " + presetPath.string());
      } catch (const PresetError& e) {
        for (const auto& d : e.diagnostics()) say(d.format());
        say("the edit is not loaded; still playing the previous version");
      } catch (const std::exception& e) {
        say(std::string(e.what()) + "; still playing the previous version");
      }
    }
    if (const EngineStats stats = engine.stats(); stats.refusedWorkers > 0 && !warnedPriority) {
      warnedPriority = true;
      say("warning: the system refused " + std::to_string(stats.refusedWorkers) +
          " render worker(s) the audio thread's realtime priority (" +
          std::to_string(stats.audioRealtimePriority) +
          "), so other programs can delay them and cause xruns; allow realtime scheduling (the "
          "rtprio limit, as the audio group has) or play with --threads 1");
    }
    // Counted on the audio side (atomics), read and printed here.
    const std::uint64_t xruns = stream.xruns();
    if (xruns != reportedXruns && !status) {
      say("xruns: " + std::to_string(xruns));
      reportedXruns = xruns;
    }
    if (status)
      std::fprintf(
          stderr, "\r\033[K%s | voices %d | notes %llu | cpu %.1f%% | xruns %llu | last %s",
          live.name().c_str(), live.voices(),
          static_cast<unsigned long long>(renderer.notesPlayed()), stream.cpuLoad() * 100.0,
          static_cast<unsigned long long>(xruns), describeMessage(renderer.lastMessage()).c_str());
  }
  stream.stop();  // under JACK this also stops counting, so the count below is final
  for (const std::string& line : repeats.flush()) say(line);
  const double played =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr,
               "%sreverie: stopped after %.1f s; notes %llu, xruns %llu (counted by %s), MIDI "
               "messages dropped %llu\n",
               status ? "\r\033[K" : "", played,
               static_cast<unsigned long long>(renderer.notesPlayed()),
               static_cast<unsigned long long>(stream.xruns()), stream.xrunSource(),
               static_cast<unsigned long long>(renderer.droppedMessages()));
  if (osc)
    std::fprintf(stderr, "reverie: OSC messages %llu, refused %llu, late %llu\n",
                 static_cast<unsigned long long>(osc->received()),
                 static_cast<unsigned long long>(osc->failures()),
                 static_cast<unsigned long long>(renderer.lateEvents()));
  // Ctrl-C is how a player is stopped, as q is; a kill or a closed terminal is reported as shells
  // expect (143, 129).
  return interruptSignal() == SIGINT ? 0 : interruptExitCode();
}

}  // namespace

void addPlayCommand(CLI::App& app, Action& action) {
  auto options = std::make_shared<PlayOptions>();
  CLI::App* play =
      app.add_subcommand("play", "Play a preset live from MIDI through the sound card");
  play->footer(
      "MIDI comes from a virtual input port named 'reverie' (connect other programs to it) and\n"
      "from the devices --midi-input names (all: every device, including those plugged in later;\n"
      "under JACK a device that is also wired to the 'reverie' port is heard through that port\n"
      "only, never twice).\n"
      "Program change (with bank select) switches to the Nth preset of 'reverie presets'; editing\n"
      "the preset file reloads it while it plays, and a broken edit keeps the old version.\n"
      "Repeated program changes without a preset are summed up, one line per 10 s.\n"
      "On a terminal a status line shows voices, notes played, callback CPU load, xruns (under\n"
      "JACK the server's own count) and the last MIDI event; q or Ctrl-C stops.\n"
      "--arc runs an arc underneath what you play, e.g.\n"
      "  reverie play glass-harmonica --arc the-performance --tension-cc 1 --next-note 21\n"
      "plays the crystal over the performance, with the mod wheel as the tension and the lowest\n"
      "A moving on to the next scene at its next bar line.\n"
      "--osc PORT takes OSC on that UDP and TCP port (README \"OSC\" lists the addresses), e.g.\n"
      "  oscsend localhost 57120 /reverie/note iii 1 69 100\n"
      "/reverie/note ch key vel, noteoff ch key, cc ch num val, bend ch -1..1, param "
      "\"node.param\"\n"
      "value, preset name, tension 0..1, tension/source script|live, scene/next, scene/goto\n"
      "name-or-number, hold 0|1, stinger name, notify 1|0, status; a bad message gets\n"
      "/reverie/fail address reason. Bundles play at their timetag's frame.\n"
      "--sync jack|midi|link hands the engine an outside clock (README \"Tempo sync\"): the arc\n"
      "follows its bar lines and tempo, and waits while it is stopped, e.g.\n"
      "  reverie play glass-harmonica --arc the-performance --sync jack\n"
      "follows jack_transport or a DAW; --sync midi takes clock from the MIDI inputs; --sync\n"
      "link joins the Link session on the network. --clock-out PORT sends MIDI clock to PORT.");
  play->add_option("preset", options->preset, "Preset name or path to a .toml file")
      ->default_str("glass-harmonica");
  play->add_option("--audio-device", options->audioDevice,
                   "Output device, by name (or part of it) or index; see 'reverie devices'");
  play->add_option("--host-api", options->hostApi,
                   "Audio system: jack, alsa or pulse [default: JACK if running, else ALSA]")
      ->check(CLI::IsMember({"jack", "alsa", "pulse"}));
  play->add_option("--midi-input", options->midiInput, "MIDI device by name or index, all, or none")
      ->default_str("all");
  play->add_option("--midi-api", options->midiApi,
                   "MIDI system: jack or alsa [default: JACK if running, else ALSA]")
      ->check(CLI::IsMember({"jack", "alsa"}));
  play->add_option("-r,--rate", options->sampleRate, "Sample rate in Hz")
      ->check(finiteIn(22050.0, 192000.0, "Hz"))
      ->default_str("48000");
  play->add_option("--buffer", options->bufferFrames, "Frames per audio callback (16 to 4096)")
      ->check(wholeIn(16, 4096, "frames"))
      ->default_str("256");
  play->add_option("--velocity-curve", options->velocityCurve,
                   "linear, soft, hard, fixed=0.7, or an exponent")
      ->default_str("linear");
  play->add_option("--seed", options->seed, "Seed for every random choice")
      ->check(seedValue())
      ->default_str("1");
  play->add_option("--threads", options->threads,
                   "Threads rendering each audio block: the callback's own and N - 1 workers "
                   "that spin, yield, then sleep between blocks (1 to 64) [default: 1]")
      ->check(wholeIn(1, 64, ""));
  play->add_flag("--mpe", options->mpe,
                 "MPE lower zone: channel 1 for the whole instrument, 2-16 bend, press and "
                 "brighten single notes");
  play->add_option("--seconds", options->seconds,
                   "Stop after this many seconds [default: play until stopped]")
      ->check(finiteIn(0.0, 1e7, "seconds"));
  play->add_option("--arc", options->arc,
                   "Run this arc (e.g. the-performance) underneath, performed by the composer");
  play->add_option("--tension-cc", options->tensionController,
                   "With --arc: this controller (0-127, e.g. 1 for the mod wheel) sets the tension "
                   "instead of the script")
      ->check(wholeIn(0, 127, ""));
  play->add_option("--next-note", options->nextNote,
                   "With --arc: this key (0-127, e.g. 21 for the lowest A) moves to the next scene "
                   "at the next bar line")
      ->check(wholeIn(0, 127, ""));
  play->add_option("--next-cc", options->nextController,
                   "With --arc: pressing this pedal or controller (e.g. 67) moves to the next "
                   "scene at the next bar line")
      ->check(wholeIn(0, 127, ""));
  play->add_option("--osc", options->oscPort,
                   "Take OSC on this UDP and TCP port (e.g. 57120); see README \"OSC\"")
      ->check(wholeIn(1, 65535, ""));
  play->add_option("--sync", options->sync,
                   "Follow an outside clock: jack (JACK transport: tempo, meter, bar, rolling), "
                   "midi (MIDI clock in, start/stop/continue, song position) or link (Ableton "
                   "Link: tempo, bar phase, start/stop with its peers) [default: none, the arc "
                   "keeps its own time]")
      ->check(CLI::IsMember({"none", "jack", "midi", "link"}));
  play->add_option("--clock-out", options->clockOut,
                   "Send MIDI clock (24 a quarter note) and start/stop to this MIDI output (name "
                   "or index) at reverie's tempo: the arc's, or the one --sync follows");
  play->callback([options, &action] { action = [options] { return runPlay(*options); }; });
}

}  // namespace reverie::cli
