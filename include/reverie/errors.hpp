// The two kinds of failure the command reports: bad input (exit 2) and run-time trouble (exit 1).
#pragma once

#include <stdexcept>

namespace reverie {

/// Something the user gave us is wrong: a preset, an option, a file name. Exit status 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Something failed while running: a disk, a device. Exit status 1.
class RuntimeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace reverie
