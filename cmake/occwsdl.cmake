# occ_generate_wsdl(<target> WSDL <file> NAMESPACE <ns> BASENAME <name> [SERVER])
#
# Runs kdwsdl2cpp at build time and adds the generated header and source to
# <target>. Client and server code get different C++ namespaces so that a program
# may link both (the cloud's tests use the client against the server).
function(occ_generate_wsdl target)
    cmake_parse_arguments(G "SERVER" "WSDL;NAMESPACE;BASENAME" "" ${ARGN})
    set(generator KDSoap::kdwsdl2cpp)
    set(header ${CMAKE_CURRENT_BINARY_DIR}/${G_BASENAME}.h)
    set(source ${CMAKE_CURRENT_BINARY_DIR}/${G_BASENAME}.cpp)
    set(options -namespace ${G_NAMESPACE})
    if(G_SERVER)
        list(APPEND options -server)
    endif()
    add_custom_command(OUTPUT ${header}
        COMMAND ${generator} ${options} ${G_WSDL} -o ${header}
        DEPENDS ${G_WSDL} ${generator}
        COMMENT "kdwsdl2cpp: ${G_BASENAME}.h")
    add_custom_command(OUTPUT ${source}
        COMMAND ${generator} ${options} -impl ${G_BASENAME}.h ${G_WSDL} -o ${source}
        DEPENDS ${G_WSDL} ${header} ${generator}
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
        COMMENT "kdwsdl2cpp: ${G_BASENAME}.cpp")
    # Generated code is not ours to fix; keep -Werror for our own files only.
    set_source_files_properties(${header} ${source} PROPERTIES COMPILE_OPTIONS "-w")
    target_sources(${target} PRIVATE ${header} ${source})
    target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_BINARY_DIR})
endfunction()
