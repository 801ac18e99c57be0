// Ctrl-C, SIGTERM and SIGHUP as a stop request that long jobs poll, so they clean up instead of
// dying mid-write, and end with the exit status shells expect (128 + the signal's number).
#pragma once

namespace reverie::cli {

/// Installs SIGINT, SIGTERM and SIGHUP handlers that record the signal and request a stop. They
/// do not restart system calls, so a blocked open or read returns at once; after the first signal
/// Ctrl-C takes its default action, so a second Ctrl-C ends the process straight away. A signal
/// ignored when reverie started (nohup, a background job of a script) stays ignored.
void catchInterrupts();
/// For a stream to standard output written by a library's own loop (libsndfile's FLAC and Ogg,
/// which retry an interrupted write): a second after a stop is requested, standard output is
/// pointed at /dev/null, so a write blocked on a reader that stopped reading ends and the
/// command can stop. A reader that still reads gets the stream's proper ending well before.
void releaseStandardOutputOnStop();
/// A signal has come (the stop request is set).
bool interrupted();
/// The signal that came first, or 0.
int interruptSignal();
/// 128 + that signal (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP); 0 if none came.
int interruptExitCode();

}  // namespace reverie::cli
