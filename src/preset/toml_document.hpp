// The parts every reverie TOML file shares, whatever it describes (a patch, an arc): reading
// the file, parsing it with located errors, its format_version and its one-line description.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "preset/diagnostic_list.hpp"

namespace reverie::preset {

// `kind` names the file in messages: "preset", "arc".

/// Far above any hand-written preset or arc (the shipped ones are a few KB): a larger file is
/// the wrong file, and is refused before it is read into memory.
inline constexpr std::size_t kMaxTomlFileBytes = 16u << 20;

/// The bytes of the file; a folder, a missing or an unreadable file is reported without a
/// position ("cannot open arc: ...") and thrown.
std::string readTextFile(const std::filesystem::path& path, std::string_view kind,
                         DiagnosticList& diagnostics);
/// The TOML document; invalid TOML is reported (bad UTF-8 at its very byte) and thrown, since
/// nothing after a syntax error can be trusted. Every reverie TOML file is parsed here, and
/// text beyond TomlLimits (toml_screen.hpp) is refused before toml++ sees it.
toml::table parseTomlDocument(std::string_view text, const std::string& sourceName,
                              std::string_view kind, DiagnosticList& diagnostics);
/// format_version, required, 1 to `highest`. A newer version is reported and thrown at once: a
/// newer format may use keys this build does not know, so follow-on errors would mislead.
int readFormatVersion(const toml::table& root, int highest, DiagnosticList& diagnostics);
/// The optional top-level description, which must be one line (`reverie presets` lists it).
std::optional<std::string> readDescription(const toml::table& root, DiagnosticList& diagnostics);

/// The top of a reverie document: the parsed table, its format_version and its description.
struct DocumentTop {
  toml::table root;
  int formatVersion = 0;
  std::optional<std::string> description;
};
/// Parses a document (parseTomlDocument) and reads its top as every kind does: an empty file
/// is refused at once ("empty KIND: add format_version = N" and then `emptyHint`, what else it
/// needs), then format_version (1 to `highestVersion`), no top-level key outside `topKeys`, and
/// the description.
DocumentTop readDocumentTop(std::string_view text, const std::string& sourceName,
                            std::string_view kind, int highestVersion, std::string_view emptyHint,
                            const std::vector<std::string>& topKeys, DiagnosticList& diagnostics);

}  // namespace reverie::preset
