# dp_add_plugin(NAME SOURCES src... [LIBS lib...])
# Builds one plugin as NAME.so in the shared plugin directory, against the public SDK only.
function(dp_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_library(plugin_${name} MODULE ${P_SOURCES})
  set_target_properties(plugin_${name} PROPERTIES
    OUTPUT_NAME ${name} PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${DP_PLUGIN_OUTPUT_DIR}
    C_VISIBILITY_PRESET hidden)
  target_link_libraries(plugin_${name} PRIVATE dumppipe_sdk ${P_LIBS})
  install(TARGETS plugin_${name} LIBRARY DESTINATION ${DP_INSTALL_PLUGIN_DIR})
  # the manual page of pipelines documents every shipped plugin's options (cmake/DumppipeDocs.cmake)
  set_property(GLOBAL APPEND PROPERTY DP_PLUGIN_TARGETS plugin_${name})
endfunction()
