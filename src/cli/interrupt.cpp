// The interrupt handler: async-signal-safe, records the signal and requests a stop.
#include "cli/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include "reverie/stop_request.hpp"

namespace reverie::cli {
namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
volatile std::sig_atomic_t caught = 0;
// Two SIGINTs closer than this are one request (see onSignal); a person's second press is
// further apart.
constexpr double kSameInterruptSeconds = 0.25;
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

// When the first signal came, by CLOCK_MONOTONIC (clock_gettime is async-signal-safe).
timespec firstCaught{};

double secondsSinceFirst() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec - firstCaught.tv_sec) +
         1e-9 * static_cast<double>(now.tv_nsec - firstCaught.tv_nsec);
}

extern "C" void onSignal(int signal) {
  if (caught == 0) {
    caught = signal;
    clock_gettime(CLOCK_MONOTONIC, &firstCaught);
    if (releaseTo >= 0) alarm(1);
    requestStop();
    return;
  }
  requestStop();
  // Whoever presses Ctrl-C a second time means it: it takes its default action at once. A
  // SIGINT within kSameInterruptSeconds of the first is the same request sent twice (`timeout
  // -s INT` signals the process and then its group), not a person's second press. A SIGTERM or
  // SIGHUP that follows (a closing terminal, a service manager) keeps the clean-up.
  if (signal == SIGINT && handled[0] != 0 && secondsSinceFirst() >= kSameInterruptSeconds) {
    setAction(SIGINT, SIG_DFL);
    raise(SIGINT);  // blocked while this handler runs: delivered, and deadly, on return
  }
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
