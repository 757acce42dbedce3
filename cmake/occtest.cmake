# occ_add_test(NAME <name> LABEL <unit|integration|e2e|fuzz|bench>
#              SOURCES <files...> [LIBS <targets...>] [TIMEOUT <s>] [ENV <VAR=value...>]
#              [CASES <function...>])
#
# The one way a QtTest executable is registered: it builds the executable and adds
# it to ctest with its label - once, or with CASES once per test function
# (<name>_<function>), so that each scenario is a ctest of its own.
function(occ_add_test)
    cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS;ENV;CASES" ${ARGN})
    if(NOT T_NAME OR NOT T_LABEL OR NOT T_SOURCES)
        message(FATAL_ERROR "occ_add_test needs NAME, LABEL and SOURCES")
    endif()
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 120)
    endif()
    add_executable(${T_NAME} ${T_SOURCES} ${CMAKE_SOURCE_DIR}/tests/support/opensslinit.cpp)
    target_link_libraries(${T_NAME} PRIVATE Qt6::Test occ_testsupport ${T_LIBS})
    set(names ${T_NAME})
    if(T_CASES)
        set(names "")
        foreach(case ${T_CASES})
            add_test(NAME ${T_NAME}_${case} COMMAND ${T_NAME} ${case})
            list(APPEND names ${T_NAME}_${case})
        endforeach()
    else()
        add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    endif()
    set_tests_properties(${names} PROPERTIES
        LABELS ${T_LABEL}
        TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OCC_BUILD_DIR=${CMAKE_BINARY_DIR};OCC_SOURCE_DIR=${CMAKE_SOURCE_DIR};${T_ENV}")
endfunction()
