// The subcommands of `reverie`, each registered on the CLI11 app by its own file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <new>
#include <stdexcept>
#include <string>

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

/// Memory ran out while reading or preparing an input: the input's problem (exit 2), reported by
/// main as "'INPUT' is too large to VERB: ...; FIX", not as an internal error.
class InputTooLarge : public std::runtime_error {
 public:
  InputTooLarge(std::string input, std::string verb, std::string fix)
      : std::runtime_error("'" + input + "' is too large to " + verb), fix_(std::move(fix)) {}
  const std::string& fix() const { return fix_; }

 private:
  std::string fix_;
};

/// Runs `step`, turning std::bad_alloc into InputTooLarge(input, verb, fix).
template <typename Step>
decltype(auto) preparingInput(const std::string& input, const std::string& verb,
                              const std::string& fix, Step&& step) {
  try {
    return step();
  } catch (const std::bad_alloc&) {
    throw InputTooLarge(input, verb, fix);
  }
}

/// What `reverie render` plays when given nothing: the default arc.
inline constexpr const char* kDefaultPreset = "the-performance";

}  // namespace reverie::cli
