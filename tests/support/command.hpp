// Test helpers: run the reverie command and work in a scratch folder.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace reverie::test {

/// Built with ASan or TSan (as is the reverie it runs): they reserve terabytes of address space,
/// so a limit on it (RLIMIT_AS) cannot be tried there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

struct CommandResult {
  int exitCode = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

inline std::string readText(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

/// How many entries a folder holds (to show a failed command left nothing behind).
inline std::size_t countFiles(const std::filesystem::path& folder) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(folder)) ++count;
  return count;
}

/// A fresh folder under the system temp folder, removed with the object.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "reverie-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Runs `PROGRAM ARGS` through the shell from `folder`, with the source tree's presets on the
/// search path. `prefix` goes before the command (e.g. a user switch).
inline CommandResult runProgram(const std::string& program, const std::string& args,
                                const std::filesystem::path& folder,
                                const std::string& prefix = "") {
  const std::filesystem::path out = folder / ".stdout", err = folder / ".stderr";
  const std::string command = "cd '" + folder.string() + "' && REVERIE_PRESET_PATH='" +
                              std::string(REVERIE_SOURCE_DIR) + "/presets' " + prefix + " '" +
                              program + "' " + args + " >'" + out.string() + "' 2>'" +
                              err.string() + "'";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = readText(out);
  result.err = readText(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

/// Runs `reverie ARGS` as runProgram does.
inline CommandResult runReverie(const std::string& args, const std::filesystem::path& folder,
                                const std::string& prefix = "") {
  return runProgram(REVERIE_CLI_PATH, args, folder, prefix);
}

}  // namespace reverie::test
