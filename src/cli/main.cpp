// The reverie command: render, play, devices, presets, nodes, bench. Exit 0 ok, 2 bad input, 1 run-time failure.
#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "reverie/errors.hpp"
#include "reverie/graph.hpp"
#include "reverie/preset.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "reverie: a real-time generative synthesizer of crystal and orchestra.\n"
      "Renders patches and MIDI files offline (bit-identical for a seed), plays live from MIDI,\n"
      "and lists what it can play.\n"
      "Presets are found by name in $REVERIE_PRESET_PATH, ./presets and the installed share folder.",
      "reverie"};
  app.set_version_flag("--version", std::string("reverie ") + REVERIE_VERSION);
  app.require_subcommand(0, 1);
  app.footer("Exit status: 0 success, 2 bad usage or input, 1 failure at run time.\n"
             "Run 'reverie COMMAND --help' for a command's options.\n");

  reverie::cli::Action action;
  reverie::cli::addRenderCommand(app, action);
  reverie::cli::addPlayCommand(app, action);
  reverie::cli::addDevicesCommand(app, action);
  reverie::cli::addPresetsCommand(app, action);
  reverie::cli::addNodesCommand(app, action);
  reverie::cli::addBenchCommand(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "reverie: error: %s (see 'reverie --help')\n", e.what());
    return 2;
  }
  if (!action) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  try {
    return action();
  } catch (const reverie::PresetError& e) {
    for (const auto& d : e.diagnostics()) std::fprintf(stderr, "%s\n", d.format().c_str());
    return 2;
  } catch (const reverie::InputError& e) {
    std::fprintf(stderr, "reverie: error: %s\n", e.what());
    return 2;
  } catch (const reverie::GraphError& e) {
    std::fprintf(stderr, "reverie: error: %s\n", e.what());
    return 2;
  } catch (const reverie::RuntimeFailure& e) {
    std::fprintf(stderr, "reverie: error: %s\n", e.what());
    return reverie::cli::interrupted() ? 130 : 1;  // 128 + SIGINT, as shells report it
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reverie: internal error: %s (please report it)\n", e.what());
    return 1;
  }
}
