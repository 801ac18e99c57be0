// The reverie command: render, play, devices, presets, nodes, bench. Exit 0 ok, 2 bad input, 1
// run-time failure.
#include <cstdio>
#include <exception>
#include <new>

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
      "Presets are found by name in $REVERIE_PRESET_PATH, ./presets and the installed share "
      "folder.",
      "reverie"};
  app.set_version_flag("--version", std::string("reverie ") + REVERIE_VERSION);
  app.require_subcommand(0, 1);
  app.footer(
      "Exit status: 0 success, 2 bad usage or input, 1 failure at run time.\n"
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
  // A signal that cut a step short ends with the status shells expect for it, whatever the step
  // threw on its way out (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
  const auto failed = [](int status) {
    return reverie::cli::interrupted() ? reverie::cli::interruptExitCode() : status;
  };
  try {
    return action();
  } catch (const reverie::PresetError& e) {
    for (const auto& d : e.diagnostics()) std::fprintf(stderr, "%s\n", d.format().c_str());
    return failed(2);
  } catch (const reverie::InputError& e) {
    std::fprintf(stderr, "reverie: error: %s\n", e.what());
    return failed(2);
  } catch (const reverie::GraphError& e) {
    std::fprintf(stderr, "reverie: error: %s\n", e.what());
    return failed(2);
  } catch (const reverie::RuntimeFailure& e) {
    std::fprintf(stderr, "reverie: error: %s\n", e.what());
    return failed(1);
  } catch (const reverie::cli::InputTooLarge& e) {
    std::fprintf(stderr,
                 "reverie: error: %s: memory ran out while reading or preparing it "
                 "(std::bad_alloc); %s\n",
                 e.what(), e.fix().c_str());
    return failed(2);
  } catch (const std::bad_alloc&) {
    std::fputs(
        "reverie: error: out of memory (std::bad_alloc); close other programs and try again\n",
        stderr);
    return failed(1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reverie: internal error: %s (please report it)\n", e.what());
    return failed(1);
  }
}
