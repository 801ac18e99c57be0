// Finding presets by name on the search path, and listing them with their descriptions.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "io/input_file.hpp"
#include "preset/diagnostic_list.hpp"
#include "preset/toml_document.hpp"
#include "preset/toml_screen.hpp"

namespace reverie {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(std::string_view file, const std::string& message) {
  throw PresetError({PresetDiagnostic{std::string(file), 0, 0, message}});
}

// Every .toml file under `folder`, sorted, so the winner of a name never depends on the order
// in which the file system happens to list a folder.
std::vector<fs::path> presetFiles(const fs::path& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) return {};
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code ignored;
    if (it->is_regular_file(ignored) && it->path().extension() == ".toml")
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "bell" matches <folder>/**/bell.toml; "patches/bell" matches <folder>/**/patches/bell.toml.
bool matches(const fs::path& file, const fs::path& folder, std::string_view name) {
  const std::string relative = file.lexically_relative(folder).replace_extension().generic_string();
  if (relative == name) return true;
  return relative.size() > name.size() && relative.ends_with(name) &&
         relative[relative.size() - name.size() - 1] == '/';
}

// Only the description is wanted, so a TOML parse is enough: arcs and instruments use other
// layouts, and a full patch check would call them broken.
std::string describe(const fs::path& file) {
  std::string text;
  try {
    text = io::readInputFile(file, preset::kMaxTomlFileBytes);
  } catch (const io::InputFileError& error) {
    return "(broken: cannot open: " + error.reason() + ")";
  }
  if (const auto problem = preset::screenToml(text))
    return "(broken: line " + std::to_string(problem->line) + ": " + problem->message + ")";
  try {
    const toml::table root = toml::parse(text, file.string());
    return preset::oneLine(root["description"].value_or(std::string()));
  } catch (const toml::parse_error& error) {
    return "(broken: line " + std::to_string(error.source().begin.line) + ": " +
           preset::oneLine(error.description()) + ")";
  }
}

}  // namespace

std::vector<fs::path> presetPathVariable() {
  std::vector<fs::path> folders;
  if (const char* variable = std::getenv("REVERIE_PRESET_PATH")) {
    std::string_view list(variable);
    while (!list.empty()) {
      const std::size_t colon = list.find(':');
      folders.emplace_back(list.substr(0, colon));
      list = colon == std::string_view::npos ? std::string_view() : list.substr(colon + 1);
    }
  }
  return folders;
}

std::vector<fs::path> presetSearchPath() {
  std::vector<fs::path> folders;
  const auto add = [&folders](const fs::path& folder) {
    if (!folder.empty() && std::find(folders.begin(), folders.end(), folder) == folders.end())
      folders.push_back(folder);
  };
  for (const fs::path& folder : presetPathVariable()) add(folder);
  add("presets");
  // Beside the executable: <prefix>/bin/reverie finds <prefix>/share/reverie/presets wherever
  // the package was installed, and build/reverie in a source tree finds the tree's presets.
  std::error_code error;
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path prefix = executable.parent_path().parent_path();
    if (fs::is_directory(prefix / "share/reverie/presets", error))
      add(prefix / "share/reverie/presets");
    if (fs::is_regular_file(prefix / "CMakeLists.txt", error) &&
        fs::is_directory(prefix / "presets", error))
      add(prefix / "presets");
  }
#ifdef REVERIE_PRESET_INSTALL_DIR
  add(REVERIE_PRESET_INSTALL_DIR);
#endif
  return folders;
}

fs::path findPreset(std::string_view nameOrPath) {
  if (nameOrPath.empty()) fail("reverie", "no preset given; name one, or give a .toml path");
  const fs::path given(nameOrPath);
  std::error_code error;
  if (fs::is_regular_file(given, error)) return given;
  // A FIFO or device is refused as what it is (reading it could block); a folder only when it
  // is named as a file, since a preset name may also be a folder's.
  const std::string kind = io::nonRegularKind(given);
  if ((!kind.empty() && kind != "a folder") || given.extension() == ".toml") {
    fail(nameOrPath,
         "cannot open preset: " + (kind.empty() ? std::string(std::strerror(ENOENT))
                                                : "it is " + kind + ", not a regular file"));
  }

  const std::vector<fs::path> folders = presetSearchPath();
  std::vector<std::string> available;
  std::vector<std::string> searched;
  for (const fs::path& folder : folders) {
    searched.push_back(folder.string());
    for (const fs::path& file : presetFiles(folder)) {
      if (matches(file, folder, nameOrPath)) return file;
      available.push_back(file.stem().string());
    }
  }
  if (kind == "a folder")
    fail(nameOrPath,
         "cannot open preset: it is a folder, not a regular file, and no preset has "
         "that name; name a .toml file in it (`reverie presets` lists the presets)");
  std::string message = "no preset named " + preset::inQuotes(nameOrPath) + " in " +
                        preset::joinNames(searched) + preset::suggestion(nameOrPath, available);
  fail(nameOrPath, message +
                       " (`reverie presets` lists them; set REVERIE_PRESET_PATH to add "
                       "folders)");
}

std::vector<PresetInfo> listPresets() {
  std::vector<PresetInfo> presets;
  std::set<std::string> seen;
  for (const fs::path& folder : presetSearchPath()) {
    for (const fs::path& file : presetFiles(folder)) {
      std::string name = file.stem().string();
      if (!seen.insert(name).second) continue;  // an earlier folder overrides this one
      presets.push_back(
          {std::move(name), file.parent_path().filename().string(), describe(file), file});
    }
  }
  std::sort(presets.begin(), presets.end(), [](const PresetInfo& a, const PresetInfo& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.name < b.name;
  });
  return presets;
}

}  // namespace reverie
