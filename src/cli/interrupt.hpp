// Ctrl-C, SIGTERM and SIGHUP as a stop request that long jobs poll, so they clean up instead of
// dying mid-write, and end with the exit status shells expect (128 + the signal's number).
#pragma once

namespace reverie::cli {

/// Installs SIGINT, SIGTERM and SIGHUP handlers that record the signal and request a stop. They
/// do not restart system calls, so a blocked open or read returns at once; after the first signal
/// Ctrl-C takes its default action, so a second Ctrl-C ends the process straight away. A signal
/// ignored when reverie started (nohup, a background job of a script) stays ignored.
void catchInterrupts();
/// A signal has come (the stop request is set).
bool interrupted();
/// The signal that came first, or 0.
int interruptSignal();
/// 128 + that signal (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP); 0 if none came.
int interruptExitCode();

}  // namespace reverie::cli
