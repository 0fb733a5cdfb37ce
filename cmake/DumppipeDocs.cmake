# Manual pages and documentation, built and installed with the program.
#   dumppipe(1)           from `dumppipe --help` by help2man, plus docs/man/dumppipe.h2m and the
#                         subcommands' own --help (docs/man/subcommands.sh)
#   dumppipe-pipeline(5)  docs/man/dumppipe-pipeline.5.in with every shipped plugin's options,
#                         generated from the plugins themselves by dp-mangen
#   dumppipe-plugin(3)    docs/man/dumppipe-plugin.3 (the SDK; the header is the reference)
option(DP_MANPAGES "Build and install the manual pages (needs help2man)" ON)
set(DP_MAN_SRC ${CMAKE_SOURCE_DIR}/docs/man)
set(DP_MAN_OUT ${CMAKE_BINARY_DIR}/man)

install(FILES docs/json-schema.json docs/json-schema-v1.md docs/findings.md docs/bucket.md docs/symbols.md
  docs/malformed-inputs.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES sdk/ARTIFACTS.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT sdk)
install(DIRECTORY sdk/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT sdk)

if(DP_MANPAGES AND TARGET dumppipe)
  find_program(HELP2MAN help2man REQUIRED)
  add_executable(dp-mangen ${DP_MAN_SRC}/mangen.c)
  target_link_libraries(dp-mangen PRIVATE dumppipe_sdk ${CMAKE_DL_LIBS})
  get_property(dp_plugin_targets GLOBAL PROPERTY DP_PLUGIN_TARGETS)
  set(dp_plugin_files)
  foreach(t ${dp_plugin_targets})
    list(APPEND dp_plugin_files $<TARGET_FILE:${t}>)
  endforeach()
  add_custom_command(OUTPUT ${DP_MAN_OUT}/dumppipe-pipeline.5
    COMMAND ${CMAKE_COMMAND} -E make_directory ${DP_MAN_OUT}
    COMMAND dp-mangen ${DP_MAN_SRC}/dumppipe-pipeline.5.in ${DP_MAN_OUT}/dumppipe-pipeline.5 ${dp_plugin_files}
    DEPENDS dp-mangen ${dp_plugin_targets} ${DP_MAN_SRC}/dumppipe-pipeline.5.in
    COMMENT "Generating dumppipe-pipeline(5) from the plugins' option tables" VERBATIM)
  # No sanitizer report may end up in the page: help2man runs the program we just built.
  # the subcommands (submit, worker, buckets) from their own --help
  add_custom_command(OUTPUT ${DP_MAN_OUT}/dumppipe.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${DP_MAN_OUT}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
      sh ${DP_MAN_SRC}/subcommands.sh $<TARGET_FILE:dumppipe> ${DP_MAN_OUT}/subcommands.h2m
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
      ${HELP2MAN} --no-info --no-discard-stderr --section=1 --version-string=${PROJECT_VERSION}
      --name=triage\ Windows\ crash\ dumps\ with\ a\ pipeline\ of\ plugins
      --include=${DP_MAN_SRC}/dumppipe.h2m --include=${DP_MAN_OUT}/subcommands.h2m
      --output=${DP_MAN_OUT}/dumppipe.1 $<TARGET_FILE:dumppipe>
    DEPENDS dumppipe ${DP_MAN_SRC}/dumppipe.h2m ${DP_MAN_SRC}/subcommands.sh
    COMMENT "Generating dumppipe(1) from dumppipe --help" VERBATIM)
  add_custom_target(manpages ALL DEPENDS ${DP_MAN_OUT}/dumppipe.1 ${DP_MAN_OUT}/dumppipe-pipeline.5)
  install(FILES ${DP_MAN_OUT}/dumppipe.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${DP_MAN_OUT}/dumppipe-pipeline.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
  install(FILES ${DP_MAN_SRC}/dumppipe-plugin.3 DESTINATION ${CMAKE_INSTALL_MANDIR}/man3 COMPONENT sdk)
endif()
