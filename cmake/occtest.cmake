# occ_add_test(NAME <name> LABEL <unit|integration|e2e|fuzz|bench>
#              SOURCES <files...> [LIBS <targets...>] [TIMEOUT <s>] [ENV <VAR=value...>])
#
# The one way a QtTest executable is registered: it builds the executable, adds it
# to ctest with its label and gives every test its own scratch folder.
function(occ_add_test)
    cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS;ENV" ${ARGN})
    if(NOT T_NAME OR NOT T_LABEL OR NOT T_SOURCES)
        message(FATAL_ERROR "occ_add_test needs NAME, LABEL and SOURCES")
    endif()
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 120)
    endif()
    add_executable(${T_NAME} ${T_SOURCES})
    target_link_libraries(${T_NAME} PRIVATE Qt6::Test occ_testsupport ${T_LIBS})
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    set_tests_properties(${T_NAME} PROPERTIES
        LABELS ${T_LABEL}
        TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OCC_BUILD_DIR=${CMAKE_BINARY_DIR};OCC_SOURCE_DIR=${CMAKE_SOURCE_DIR};${T_ENV}")
endfunction()
