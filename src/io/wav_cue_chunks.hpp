// Scene markers in a WAV file: `cue ` points and their `labl` names, appended to a finished file.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "reverie/sound_file.hpp"

namespace reverie::io {

/// A `cue ` chunk with one point per marker (cue ids 1..n in the given order, position and sample
/// offset both the frame, in the `data` chunk) and a LIST/adtl chunk with one `labl` per marker.
/// Layout from the RIFF MCI specification (Microsoft/IBM, "Multimedia Programming Interface and
/// Data Specifications 1.0", 1991). Every frame must fit 32 bits; a label stops at any NUL.
std::string wavCueChunks(std::span<const CueMarker> markers);

/// Appends `chunks` (whole, word-aligned RIFF chunks) to the RIFF/WAVE file open read-write on
/// `descriptor`: pads the last chunk to an even length if it is odd, writes the chunks at the end
/// and sets the RIFF size to match. Returns why it failed, or an empty string.
std::string appendToRiffForm(int descriptor, std::string_view chunks);

}  // namespace reverie::io
