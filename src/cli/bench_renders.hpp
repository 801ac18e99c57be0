// `reverie bench`'s renders through `reverie render` itself, each a process of its own: long
// renders (peak memory, realtime factor with the writing) and batches of takes (throughput).
#pragma once

namespace reverie::cli {

/// The hardware threads the benches compare one thread against (1 to 64).
int benchCores();

/// 10 minutes, 1 hour, 1 hour levelled (and 8 hours with `eightHours`) of 'glass-harmonica'.
void benchLongRenders(bool eightHours);
/// Takes of 'the-performance' one at a time and a core's worth at a time.
void benchBatch();
/// A 16-channel General MIDI file rendered on one thread and on every core.
void benchMidiFile();

}  // namespace reverie::cli
