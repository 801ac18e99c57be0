// The interrupt flag: async-signal-safe, set by the handler, read by the render loop.
#include "cli/interrupt.hpp"

#include <csignal>

namespace reverie::cli {
namespace {
volatile std::sig_atomic_t flag = 0;
extern "C" void onSignal(int) { flag = 1; }
}  // namespace

void catchInterrupts() {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
}

bool interrupted() { return flag != 0; }

}  // namespace reverie::cli
