# DPF 1.6's presets.ttl writer picks the prefix of every state key in program i's preset from
# the hints of state i (not of the key's own state): the program whose index is that of the one
# host-visible state (the file) gets its plain states (preset, seed, macros) under the plugin's
# URI, where DPF's restore does not look for them, and every other program's empty file under
# DPF's prefix, a property no TTL defines. This puts the plain states back under DPF's prefix
# and leaves the file out of the presets (a shipped preset names no file).
# Usage: cmake -DTTL=<presets.ttl> -DURI=<plugin uri> -P fix_presets_ttl.cmake
file(READ "${TTL}" text)
foreach(key preset seed macros)
  string(REPLACE "<${URI}#${key}>" "<urn:distrho:${key}>" text "${text}")
endforeach()
string(REGEX REPLACE "\n[ ]*<[^>\n]*[#:]file> \"\" ;" "" text "${text}")
file(WRITE "${TTL}" "${text}")
