#!/usr/bin/env python3
"""Summarises a Standard MIDI File as read by mido (python3-mido), a reader reverie shares no
code with: the header, each track's name, the conductor's meta events by tick, each track's
channel messages by kind, and every note-on and note-off at its frame at RATE Hz (mido's own
walk of the tempo map). Usage: smf_summary.py FILE RATE"""
import sys

import mido


def main():
    path, rate = sys.argv[1], float(sys.argv[2])
    midi = mido.MidiFile(path)
    print("format", midi.type)
    print("division", midi.ticks_per_beat)
    channel_track = {}
    for index, track in enumerate(midi.tracks):
        print("track", index, track.name)
        tick = 0
        counts = {}
        for message in track:
            tick += message.time
            if message.type == "set_tempo":
                print("tempo", tick, message.tempo)
            elif message.type == "marker":
                print("marker", tick, message.text)
            elif message.type == "key_signature":
                print("key", tick, message.key)
            elif message.type == "time_signature":
                print("meter", tick, message.numerator, message.denominator)
            elif message.type == "control_change":
                key = "cc%d" % message.control
                counts[key] = counts.get(key, 0) + 1
                channel_track[message.channel] = index
            elif message.type in ("note_on", "note_off"):
                on = message.type == "note_on" and message.velocity > 0
                key = "on" if on else "off"
                counts[key] = counts.get(key, 0) + 1
                channel_track[message.channel] = index
        for key in sorted(counts):
            print("count", index, key, counts[key])
    seconds = 0.0
    for message in midi:  # every track merged, times in seconds through the tempo map
        seconds += message.time
        if message.type in ("note_on", "note_off"):
            on = message.type == "note_on" and message.velocity > 0
            print("note", channel_track[message.channel], "on" if on else "off",
                  round(seconds * rate), message.note)


main()
