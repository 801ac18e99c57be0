# ctest -R plugin_install: `cmake --install` into a scratch prefix puts the three formats in the
# standard folders, and the installed LV2 plugin, hosted from there, finds the installed
# presets and renders what `reverie render` does (plugin_tests run against that prefix).
# -D BUILD=build folder -D PREFIX=scratch prefix -D TESTS=plugin_tests -D ARCH=vst3 arch
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${PREFIX}"
  RESULT_VARIABLE result OUTPUT_QUIET)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${result}")
endif()
foreach(file
    lib/lv2/reverie.lv2/manifest.ttl lib/lv2/reverie.lv2/reverie_dsp.ttl
    lib/lv2/reverie.lv2/presets.ttl lib/lv2/reverie.lv2/reverie_dsp.so
    lib/clap/reverie.clap lib/vst3/reverie.vst3/Contents/${ARCH}-linux/reverie.so
    share/reverie/presets/instruments/glass-harmonica.toml)
  if(NOT EXISTS "${PREFIX}/${file}")
    message(FATAL_ERROR "not installed: ${PREFIX}/${file}")
  endif()
  message(STATUS "installed: ${file}")
endforeach()
execute_process(COMMAND "${CMAKE_COMMAND}" -E env "LV2_PATH=${PREFIX}/lib/lv2" --unset=REVERIE_PRESET_PATH
  "${TESTS}" "--test-case=plugin: an LV2 preset and a MIDI file*" RESULT_VARIABLE result)
file(REMOVE_RECURSE "${PREFIX}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the installed plugin did not render what reverie render does")
endif()
