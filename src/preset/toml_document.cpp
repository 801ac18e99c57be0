// Reading and parsing a reverie TOML file, with the checks patches and arcs share.
#include "preset/toml_document.hpp"

#include "io/input_file.hpp"
#include "preset/patch_sections.hpp"
#include "preset/toml_screen.hpp"

namespace reverie::preset {
namespace {

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

}  // namespace

std::string readTextFile(const std::filesystem::path& path, std::string_view kind,
                         DiagnosticList& diagnostics) {
  try {
    return io::readInputFile(path, kMaxTomlFileBytes);
  } catch (const io::InputFileError& error) {
    diagnostics.add(0, 0, "cannot open " + std::string(kind) + ": " + error.reason());
    diagnostics.throwIfAny();
    throw;  // not reached: throwIfAny throws what was just added
  }
}

toml::table parseTomlDocument(std::string_view text, const std::string& sourceName,
                              std::string_view kind, DiagnosticList& diagnostics) {
  // toml++ recurses once per key part and nested value: deep files are refused before it runs.
  if (const std::optional<TomlLimitProblem> problem = screenToml(text)) {
    diagnostics.add(problem->line, problem->column, problem->message);
    diagnostics.throwIfAny();
  }
  try {
    return toml::parse(text, sourceName);
  } catch (const toml::parse_error& error) {
    std::string message = "invalid TOML: " + lowerFirst(std::string(error.description()));
    const std::optional<InvalidByte> invalid =
        message.find("utf-8") != std::string::npos ? firstInvalidUtf8(text) : std::nullopt;
    if (invalid) {
      diagnostics.add(invalid->line, invalid->column,
                      message + " (byte " + hexByte(invalid->byte) + "); " + withArticle(kind) +
                          " must be UTF-8 text (is this the right file?)");
    } else {
      diagnostics.add(error.source(), message);
    }
    diagnostics.throwIfAny();
  }
  return {};
}

int readFormatVersion(const toml::table& root, int highest, DiagnosticList& diagnostics) {
  const toml::node* node = root.get("format_version");
  const std::string current = std::to_string(highest);
  if (node == nullptr) {
    diagnostics.add(
        1, 1, "missing format_version; add format_version = " + current + " as the first line");
    return highest;
  }
  const auto* integer = node->as_integer();
  if (integer == nullptr) {
    diagnostics.add(node->source(), "format_version must be an integer (" + current + "), not " +
                                        describeType(*node));
    return highest;
  }
  const std::int64_t version = integer->get();
  if (version > highest) {
    diagnostics.add(node->source(), "format_version = " + std::to_string(version) +
                                        " is newer than this reverie reads (up to " + current +
                                        "); upgrade reverie");
    diagnostics.throwIfAny();
  }
  if (version < 1) {
    diagnostics.add(node->source(), "format_version = " + std::to_string(version) +
                                        " is not a version; use format_version = " + current);
    return highest;
  }
  return static_cast<int>(version);
}

std::optional<std::string> readDescription(const toml::table& root, DiagnosticList& diagnostics) {
  const toml::node* node = root.get("description");
  if (node == nullptr) return std::nullopt;
  std::optional<std::string> text = readString(*node, "description", diagnostics);
  if (text && text->find_first_of("\r\n") != std::string::npos) {
    diagnostics.add(node->source(),
                    "description must be one line (`reverie presets` shows it in a list)");
    return std::nullopt;
  }
  return text;
}

DocumentTop readDocumentTop(std::string_view text, const std::string& sourceName,
                            std::string_view kind, int highestVersion, std::string_view emptyHint,
                            const std::vector<std::string>& topKeys, DiagnosticList& diagnostics) {
  DocumentTop top;
  top.root = parseTomlDocument(text, sourceName, kind, diagnostics);
  if (top.root.empty()) {
    diagnostics.add(1, 1,
                    "empty " + std::string(kind) + ": add format_version = " +
                        std::to_string(highestVersion) + std::string(emptyHint));
    diagnostics.throwIfAny();
  }
  top.formatVersion = readFormatVersion(top.root, highestVersion, diagnostics);
  checkKeys(top.root, topKeys, "", diagnostics);
  top.description = readDescription(top.root, diagnostics);
  return top;
}

}  // namespace reverie::preset
