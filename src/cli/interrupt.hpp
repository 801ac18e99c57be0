// Ctrl-C and SIGTERM as a flag that long jobs poll, so they can clean up instead of dying mid-write.
#pragma once

namespace reverie::cli {

/// Installs SIGINT/SIGTERM handlers that only set a flag.
void catchInterrupts();
bool interrupted();

}  // namespace reverie::cli
