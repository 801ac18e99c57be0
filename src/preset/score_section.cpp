// [[score]] entries: timed notes and parameter changes that demonstrate a patch.
#include <cctype>
#include <charconv>

#include "preset/patch_sections.hpp"

namespace reverie::preset {
namespace {

const std::vector<std::string> kScoreKeys = {"at",     "node",  "note",  "velocity",
                                             "length", "param", "value", "ramp"};
constexpr int kHighestKey = 127;  // MIDI 1.0 key numbers
// A score plays within a render, which is at most a day long (render --max-length); a ramp
// within the longest [render] length. Beyond these a time only overflows a frame count.
constexpr double kMaxScoreSeconds = 86400.0;
constexpr double kMaxRampSeconds = 3600.0;

/// "C4" -> 60, "F#3" -> 54, "Bb2" -> 46, "C-1" -> 0 (scientific pitch, C4 = MIDI 60).
std::optional<int> parseNoteName(std::string_view name) {
  if (name.empty()) return std::nullopt;
  static constexpr int kPitchClass[] = {9, 11, 0, 2, 4, 5, 7};  // A B C D E F G
  const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  if (letter < 'A' || letter > 'G') return std::nullopt;
  int key = kPitchClass[letter - 'A'];
  std::size_t next = 1;
  if (next < name.size() && (name[next] == '#' || name[next] == 'b')) {
    key += name[next] == '#' ? 1 : -1;
    ++next;
  }
  int octave = 0;
  const char* begin = name.data() + next;
  const char* end = name.data() + name.size();
  const auto result = std::from_chars(begin, end, octave);
  if (begin == end || result.ec != std::errc() || result.ptr != end) return std::nullopt;
  if (octave < -1 || octave > 9) return std::nullopt;
  return (octave + 1) * 12 + key;
}

std::vector<std::string> notePlayers(const PatchReader& reader) {
  std::vector<std::string> names;
  for (const auto& [name, declared] : reader.nodes)
    if (declared.type != nullptr && declared.type->acceptsNotes) names.push_back(name);
  return names;
}

bool readKey(const toml::node& note, ScoreEntry& entry, DiagnosticList& diagnostics) {
  const std::string rule = "write a MIDI key 0 to 127 or a name like \"C4\", \"F#3\", \"Bb2\"";
  std::optional<int> key;
  if (const auto* integer = note.as_integer()) {
    if (integer->get() >= 0 && integer->get() <= kHighestKey)
      key = static_cast<int>(integer->get());
    else
      diagnostics.add(note.source(), "note " + std::to_string(integer->get()) +
                                         " is out of range (MIDI keys 0 to 127)");
  } else if (const auto* text = note.as_string()) {
    key = parseNoteName(text->get());
    if (!key) {
      diagnostics.add(note.source(),
                      "note " + inQuotes(text->get()) + " is not a note name; " + rule);
    } else if (*key < 0 || *key > kHighestKey) {
      diagnostics.add(note.source(), "note " + inQuotes(text->get()) +
                                         " is out of range (C-1 to G9, MIDI keys 0 to 127)");
      key.reset();
    }
  } else {
    diagnostics.add(note.source(),
                    "note must be a MIDI key or a name, not " + describeType(note) + "; " + rule);
  }
  if (key) entry.key = *key;
  return key.has_value();
}

bool readNote(const toml::table& table, const toml::node& note, const NodeType* type,
              ScoreEntry& entry, PatchReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  entry.kind = ScoreEntry::Kind::kNote;
  bool ok = readKey(note, entry, diagnostics);
  for (const char* changeKey : {"value", "ramp"}) {
    if (const toml::node* misplaced = table.get(changeKey)) {
      diagnostics.add(misplaced->source(),
                      "'" + std::string(changeKey) +
                          "' belongs to a parameter change (with param = ...); "
                          "a note takes velocity and length");
      ok = false;
    }
  }
  if (const toml::node* velocity = table.get("velocity")) {
    // A note-on of velocity 0 means note-off in MIDI, so 0 is not a playable velocity.
    const auto number = readNumber(*velocity, "'velocity'", "above 0, at most 1", diagnostics);
    if (number && (*number <= 0.0 || *number > 1.0)) {
      diagnostics.add(velocity->source(), "'velocity' = " + formatNumber(*number) +
                                              " is out of range (above 0, at most 1)");
      ok = false;
    } else if (number) {
      entry.velocity = static_cast<float>(*number);
    } else {
      ok = false;
    }
  }
  if (const toml::node* length = table.get("length")) {
    const auto seconds =
        readNumber(*length, "note 'length'", "seconds, above 0 and at most 86400", diagnostics);
    if (seconds && (*seconds <= 0.0 || *seconds > kMaxScoreSeconds)) {
      diagnostics.add(length->source(), "note 'length' = " + formatNumber(*seconds) +
                                            " s is out of range (above 0 s and at most 86400 s)");
      ok = false;
    } else if (seconds) {
      entry.lengthSeconds = *seconds;
    } else {
      ok = false;
    }
  }
  if (type != nullptr && !type->acceptsNotes) {
    const std::vector<std::string> players = notePlayers(reader);
    diagnostics.add(table.get("node")->source(),
                    "node " + inQuotes(entry.node) + " (" + std::string(type->name) +
                        ") does not play notes; send score notes to a node that does (" +
                        (players.empty() ? "this patch has none" : joinNames(players)) + ")");
    ok = false;
  }
  return ok;
}

bool readParameterChange(const toml::table& table, const toml::node& param, const NodeType* type,
                         ScoreEntry& entry, DiagnosticList& diagnostics) {
  entry.kind = ScoreEntry::Kind::kParameter;
  bool ok = true;
  for (const char* noteKey : {"velocity", "length"}) {
    if (const toml::node* misplaced = table.get(noteKey)) {
      diagnostics.add(misplaced->source(), "'" + std::string(noteKey) +
                                               "' belongs to a note; a parameter change takes "
                                               "param and value");
      ok = false;
    }
  }
  const toml::node* value = table.get("value");
  if (value == nullptr) {
    diagnostics.add(table.source(), "[[score]] parameter change has no value; add value = ...");
    ok = false;
  }
  const std::optional<std::string> id = readString(param, "'param'", diagnostics);
  if (!id || type == nullptr) return false;
  const int index = findParameter(type->parameters, *id);
  if (index < 0) {
    const std::vector<std::string> ids = parameterIds(*type);
    const std::string hint = suggestion(*id, ids);
    diagnostics.add(param.source(), "unknown parameter " + inQuotes(*id) + " for " +
                                        std::string(type->name) + " " + inQuotes(entry.node) +
                                        (hint.empty() ? "; it has: " + joinNames(ids) : hint));
    return false;
  }
  if (value == nullptr) return false;
  const auto number = readParameterValue(*value, type->parameters[static_cast<std::size_t>(index)],
                                         type->name, diagnostics);
  if (!number) return false;
  entry.parameter = *id;
  entry.value = *number;
  if (const toml::node* ramp = table.get("ramp")) {
    const ParameterDescriptor& descriptor = type->parameters[static_cast<std::size_t>(index)];
    const auto seconds = readNumber(*ramp, "'ramp'", "seconds, 0 to 3600", diagnostics);
    if (!seconds) return false;
    if (*seconds < 0.0) {
      diagnostics.add(ramp->source(), "'ramp' = " + formatNumber(*seconds) +
                                          " s is negative; a ramp lasts 0 s or more");
      return false;
    }
    if (*seconds > kMaxRampSeconds) {
      diagnostics.add(ramp->source(),
                      "'ramp' = " + formatNumber(*seconds) + " s is out of range (0 to 3600 s)");
      return false;
    }
    if (descriptor.isChoice() && *seconds > 0.0) {
      diagnostics.add(ramp->source(),
                      "parameter " + inQuotes(*id) + " is a choice and cannot ramp; remove 'ramp'");
      return false;
    }
    entry.rampSeconds = *seconds;
  }
  return ok;
}

void readScoreEntry(const toml::table& table, PatchReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  checkKeys(table, kScoreKeys, "[[score]]", diagnostics);
  ScoreEntry entry;
  bool ok = true;

  if (const toml::node* at = table.get("at")) {
    const auto seconds = readNumber(*at, "'at'", "seconds from the start, 0 to 86400", diagnostics);
    if (seconds && *seconds < 0.0) {
      diagnostics.add(at->source(), "'at' = " + formatNumber(*seconds) +
                                        " s is negative; score times count from 0 s");
    } else if (seconds && *seconds > kMaxScoreSeconds) {
      diagnostics.add(at->source(), "'at' = " + formatNumber(*seconds) +
                                        " s is out of range (0 to 86400 s, a day)");
    }
    ok = seconds && *seconds >= 0.0 && *seconds <= kMaxScoreSeconds;
    if (ok) entry.atSeconds = *seconds;
  } else {
    diagnostics.add(table.source(), "[[score]] entry has no time; add at = <seconds>");
    ok = false;
  }

  const DeclaredNode* declared = readNodeReference(table, "[[score]]", reader, entry.node);
  const NodeType* type = declared != nullptr ? declared->type : nullptr;
  ok = ok && declared != nullptr;

  const toml::node* note = table.get("note");
  const toml::node* param = table.get("param");
  if (note != nullptr && param != nullptr) {
    diagnostics.add(table.source(),
                    "[[score]] entry has both note and param; write one note "
                    "or one parameter change per entry");
    return;
  }
  if (note == nullptr && param == nullptr) {
    diagnostics.add(table.source(),
                    "[[score]] entry has neither note nor param; add note = 60 "
                    "(a note) or param = \"...\" and value = ... (a change)");
    return;
  }
  const bool entryOk = note != nullptr
                           ? readNote(table, *note, type, entry, reader)
                           : readParameterChange(table, *param, type, entry, diagnostics);
  if (ok && entryOk) reader.patch.score.push_back(std::move(entry));
}

}  // namespace

void readScore(const toml::node& section, PatchReader& reader) {
  for (const toml::table* table : tablesOf(section, "score", reader.diagnostics))
    readScoreEntry(*table, reader);
}

}  // namespace reverie::preset
