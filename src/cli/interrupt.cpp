// The interrupt handler: async-signal-safe, records the signal and requests a stop.
#include "cli/interrupt.hpp"

#include <csignal>

#include "reverie/stop_request.hpp"

namespace reverie::cli {
namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
volatile std::sig_atomic_t caught = 0;
// Which of kSignals we handle: one ignored when we started (nohup, `cmd &` in a script) stays so.
volatile std::sig_atomic_t handled[3] = {};

void setAction(int signal, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  for (int other : kSignals) sigaddset(&action.sa_mask, other);  // one handler at a time
  action.sa_flags = 0;  // no SA_RESTART: a blocking call returns EINTR instead of resuming
  sigaction(signal, &action, nullptr);
}

extern "C" void onSignal(int signal) {
  if (caught == 0) caught = signal;
  requestStop();
  // Whoever presses Ctrl-C twice means it: the next one takes its default action at once. A
  // SIGTERM or SIGHUP that follows (a closing terminal, a service manager) keeps the clean-up.
  if (handled[0] != 0) setAction(SIGINT, SIG_DFL);
}

}  // namespace

void catchInterrupts() {
  for (int i = 0; i < 3; ++i) {
    struct sigaction current {};
    if (sigaction(kSignals[i], nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    handled[i] = 1;
    setAction(kSignals[i], onSignal);
  }
}

bool interrupted() {
  return stopRequested();
}

int interruptSignal() {
  return caught;
}

int interruptExitCode() {
  return caught == 0 ? 0 : 128 + caught;
}

}  // namespace reverie::cli
