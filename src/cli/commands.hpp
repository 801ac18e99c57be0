// The subcommands of `reverie`, each registered on the CLI11 app by its own file.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace reverie::cli {

/// What a subcommand does once its options are parsed; returns the exit status.
using Action = std::function<int()>;

/// Each adds its subcommand and sets `action` when that subcommand is chosen.
void addRenderCommand(CLI::App& app, Action& action);
void addPresetsCommand(CLI::App& app, Action& action);
void addNodesCommand(CLI::App& app, Action& action);
void addBenchCommand(CLI::App& app, Action& action);
void addPlayCommand(CLI::App& app, Action& action);
void addDevicesCommand(CLI::App& app, Action& action);

/// What `reverie render` plays when given nothing: the default arc.
inline constexpr const char* kDefaultPreset = "the-performance";

}  // namespace reverie::cli
