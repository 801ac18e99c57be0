// "audience": the audience's parameter indices, for code that drives them (the composer's
// murmur, applause and cheers). The table beside the node checks each against its row.
#pragma once

namespace reverie::audience_parameter {

enum : int { kMurmur, kCoughs, kWhispers, kApplause, kCheers, kSize, kSpread, kLevel };

}  // namespace reverie::audience_parameter
