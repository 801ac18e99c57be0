// The interrupt handler: async-signal-safe, records the signal and requests a stop.
#include "cli/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

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

// /dev/null, opened ahead, when standard output is to be released a second after a stop.
volatile std::sig_atomic_t releaseTo = -1;

extern "C" void onAlarm(int) {
  if (releaseTo >= 0) dup2(releaseTo, STDOUT_FILENO);
}

extern "C" void onSignal(int signal) {
  if (caught == 0) {
    caught = signal;
    if (releaseTo >= 0) alarm(1);
  }
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

void releaseStandardOutputOnStop() {
  const int devNull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devNull < 0) return;
  struct sigaction action {};
  action.sa_handler = onAlarm;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the blocked write returns and is tried again on /dev/null
  sigaction(SIGALRM, &action, nullptr);
  releaseTo = devNull;
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
