// Patch presets from TOML: the file, its format version and its top-level keys.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "preset/patch_sections.hpp"

namespace reverie {
namespace {

using preset::DiagnosticList;

const std::vector<std::string> kTopLevelKeys = {"format_version", "description", "render", "node",
                                                "connect",        "score",       "map"};

std::string lowerFirst(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
  return text;
}

struct InvalidByte {
  int line = 1;
  int column = 1;
  unsigned char byte = 0;
};

// toml++ places an invalid UTF-8 sequence at the character before it; this finds the byte
// itself (RFC 3629: lead bytes C2..F4, each followed by its 10xxxxxx continuation bytes).
std::optional<InvalidByte> firstInvalidUtf8(std::string_view text) {
  InvalidByte at;
  std::size_t i = 0;
  while (i < text.size()) {
    at.byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = at.byte < 0x80                       ? 1
                               : at.byte >= 0xC2 && at.byte <= 0xDF ? 2
                               : at.byte >= 0xE0 && at.byte <= 0xEF ? 3
                               : at.byte >= 0xF0 && at.byte <= 0xF4 ? 4
                                                                    : 0;
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!valid) return at;
    if (at.byte == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
    i += length;
  }
  return std::nullopt;
}

std::string hexByte(unsigned char byte) {
  const char* const digits = "0123456789ABCDEF";
  return std::string("0x") + digits[byte >> 4] + digits[byte & 0xF];
}

toml::table parseToml(std::string_view text, const std::string& sourceName,
                      DiagnosticList& diagnostics) {
  try {
    return toml::parse(text, sourceName);
  } catch (const toml::parse_error& error) {
    std::string message = "invalid TOML: " + lowerFirst(std::string(error.description()));
    const std::optional<InvalidByte> invalid =
        message.find("utf-8") != std::string::npos ? firstInvalidUtf8(text) : std::nullopt;
    if (invalid) {
      diagnostics.add(invalid->line, invalid->column,
                      message + " (byte " + hexByte(invalid->byte) +
                          "); a preset must be UTF-8 text (is this the right file?)");
    } else {
      diagnostics.add(error.source(), message);
    }
    diagnostics.throwIfAny();
  }
  return {};
}

// A newer format may use keys this build does not know, so a version it cannot read is the
// only error worth reporting: it stops here rather than listing misleading follow-ons.
int readFormatVersion(const toml::table& root, DiagnosticList& diagnostics) {
  const toml::node* node = root.get("format_version");
  if (node == nullptr) {
    diagnostics.add(1, 1,
                    "missing format_version; add format_version = " +
                        std::to_string(kPresetFormatVersion) + " as the first line");
    return kPresetFormatVersion;
  }
  const auto* integer = node->as_integer();
  if (integer == nullptr) {
    diagnostics.add(node->source(), "format_version must be an integer (" +
                                        std::to_string(kPresetFormatVersion) + "), not " +
                                        preset::describeType(*node));
    return kPresetFormatVersion;
  }
  const std::int64_t version = integer->get();
  if (version > kPresetFormatVersion) {
    diagnostics.add(node->source(), "format_version = " + std::to_string(version) +
                                        " is newer than this reverie reads (up to " +
                                        std::to_string(kPresetFormatVersion) +
                                        "); upgrade reverie");
    diagnostics.throwIfAny();
  }
  if (version < 1) {
    diagnostics.add(node->source(), "format_version = " + std::to_string(version) +
                                        " is not a version; use format_version = " +
                                        std::to_string(kPresetFormatVersion));
    return kPresetFormatVersion;
  }
  return static_cast<int>(version);
}

void readDescription(const toml::table& root, Patch& patch, DiagnosticList& diagnostics) {
  const toml::node* node = root.get("description");
  if (node == nullptr) return;
  const std::optional<std::string> text = preset::readString(*node, "description", diagnostics);
  if (!text) return;
  if (text->find_first_of("\r\n") != std::string::npos) {
    diagnostics.add(node->source(),
                    "description must be one line (`reverie presets` shows it in a list)");
    return;
  }
  patch.description = *text;
}

}  // namespace

namespace preset {

// Limits are generous but finite: a typo of 30000 for 30 should not render for eight hours.
void readRender(const toml::node& section, PatchReader& reader) {
  constexpr double kMaxLengthSeconds = 3600.0;
  constexpr double kMaxTailSeconds = 600.0;
  DiagnosticList& diagnostics = reader.diagnostics;
  const auto* table = section.as_table();
  if (table == nullptr) {
    diagnostics.add(section.source(),
                    "'render' must be a table ([render]), not " + describeType(section));
    return;
  }
  checkKeys(*table, {"length", "tail"}, "[render]", diagnostics);
  if (const toml::node* length = table->get("length")) {
    const std::optional<double> seconds =
        readNumber(*length, "[render] length", "seconds, above 0 and at most 3600", diagnostics);
    if (seconds && (*seconds <= 0.0 || *seconds > kMaxLengthSeconds)) {
      diagnostics.add(length->source(), "[render] length = " + formatNumber(*seconds) +
                                            " s is out of range (above 0 and at most 3600 s)");
    } else if (seconds) {
      reader.patch.lengthSeconds = *seconds;
    }
  }
  if (const toml::node* tail = table->get("tail")) {
    const std::optional<double> seconds =
        readNumber(*tail, "[render] tail", "seconds, 0 to 600", diagnostics);
    if (seconds && (*seconds < 0.0 || *seconds > kMaxTailSeconds)) {
      diagnostics.add(tail->source(), "[render] tail = " + formatNumber(*seconds) +
                                          " s is out of range (0 to 600 s)");
    } else if (seconds) {
      reader.patch.tailSeconds = *seconds;
    }
  }
}

std::vector<std::string> PatchReader::nodeNames() const {
  std::vector<std::string> names;
  for (const auto& [name, declared] : nodes) names.push_back(name);
  return names;
}

}  // namespace preset

Patch parsePatch(std::string_view text, const std::string& sourceName) {
  DiagnosticList diagnostics(sourceName);
  Patch patch;
  patch.name = std::filesystem::path(sourceName).stem().string();
  patch.sourcePath = sourceName;

  const toml::table root = parseToml(text, sourceName, diagnostics);
  if (root.empty()) {
    diagnostics.add(1, 1,
                    "empty preset: add format_version = " + std::to_string(kPresetFormatVersion) +
                        " and at least one [[node]]");
    diagnostics.throwIfAny();
  }
  patch.formatVersion = readFormatVersion(root, diagnostics);
  preset::checkKeys(root, kTopLevelKeys, "", diagnostics);
  readDescription(root, patch, diagnostics);

  preset::PatchReader reader{diagnostics, patch, {}};
  if (const toml::node* render = root.get("render")) preset::readRender(*render, reader);
  if (const toml::node* nodes = root.get("node")) {
    preset::readNodes(*nodes, reader);
    // Without an output node the patch renders silence; say so rather than write a mute file.
    const bool allTypesKnown = std::all_of(reader.nodes.begin(), reader.nodes.end(),
                                           [](const auto& n) { return n.second.type != nullptr; });
    const bool hasOutput = std::any_of(reader.nodes.begin(), reader.nodes.end(),
                                       [](const auto& n) { return n.second.type && n.second.type->isOutput; });
    if (allTypesKnown && !reader.nodes.empty() && !hasOutput)
      diagnostics.add(nodes->source(), "no output node, so nothing would be heard; add a [[node]] "
                                       "with type = \"output\" and connect to its left and right");
  } else {
    diagnostics.add(1, 1,
                    "no [[node]] in preset; add at least one [[node]] with a name and a type");
  }
  if (const toml::node* connections = root.get("connect"))
    preset::readConnections(*connections, reader);
  if (const toml::node* score = root.get("score")) preset::readScore(*score, reader);
  if (const toml::node* maps = root.get("map")) preset::readMaps(*maps, reader);

  diagnostics.throwIfAny();
  std::stable_sort(
      patch.score.begin(), patch.score.end(),
      [](const ScoreEntry& a, const ScoreEntry& b) { return a.atSeconds < b.atSeconds; });
  return patch;
}

Patch loadPatch(const std::filesystem::path& path) {
  const std::string name = path.string();
  DiagnosticList diagnostics(name);
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    diagnostics.add(0, 0, "cannot open preset: it is a folder, not a .toml file");
    diagnostics.throwIfAny();
  }
  std::FILE* file = std::fopen(name.c_str(), "rb");
  if (file == nullptr) {
    diagnostics.add(0, 0, std::string("cannot open preset: ") + std::strerror(errno));
    diagnostics.throwIfAny();
  }
  std::string text;
  char buffer[16384];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, count);
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) {
    diagnostics.add(0, 0, std::string("cannot read preset: ") + std::strerror(error));
    diagnostics.throwIfAny();
  }
  return parsePatch(text, name);
}

}  // namespace reverie
