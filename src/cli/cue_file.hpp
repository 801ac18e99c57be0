// Cue files for `reverie render ARC --cues FILE`: a cued performance, line by line, so that it
// renders the same every time. A line is a time and an action:
//
//   # comments start with '#', anywhere on a line
//   9:1     stinger shatter    bar 9, beat 1 of the performance as played (both from 1)
//   42.5s   next               seconds from the start (a number, then 's')
//   12:3    goto storm         a scene by name, or by number from 1
//   0s      hold on            on | off | arc (every scene holds, none does, as the arc says)
//   30s     tension 0.8        live tension 0..1 (and tension from live), or script | live
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "arc/composer.hpp"
#include "reverie/arc.hpp"

namespace reverie::cli {

/// The cues of `text` for `arc` at `sampleRate`. `name` names the file in messages. Throws
/// InputError with "name:line: what is wrong; the fix" for the first bad line.
std::vector<arc::ComposerCue> parseCues(std::string_view text, const std::string& name,
                                        const Arc& arc, double sampleRate);
/// Reads the cue file at `path` (parseCues). Throws InputError.
std::vector<arc::ComposerCue> loadCues(const std::filesystem::path& path, const Arc& arc,
                                       double sampleRate);

}  // namespace reverie::cli
