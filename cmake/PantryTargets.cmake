# Helpers so that each subsystem's CMakeLists.txt stays a few lines long.

# pantry_subsystem(NAME DEPS <targets...>)
# Builds every *.cc in the current folder except *_test.cc into the static
# library pantry_<NAME>, and every *_test.cc into the test binary
# pantry_<NAME>_test, registered with CTest through gtest_discover_tests.
function(pantry_subsystem name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(tests)
    list(REMOVE_ITEM sources ${tests})
  endif()
  add_library(pantry_${name} STATIC ${sources})
  target_include_directories(pantry_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(pantry_${name} PUBLIC ${ARG_DEPS})
  if(PANTRY_BUILD_TESTS AND tests)
    add_executable(pantry_${name}_test ${tests})
    target_link_libraries(pantry_${name}_test PRIVATE pantry_${name} ${ARG_TEST_DEPS}
                          GTest::gtest GTest::gmock GTest::gtest_main)
    target_compile_definitions(pantry_${name}_test PRIVATE
      PANTRY_BINARY="${CMAKE_BINARY_DIR}/bin/pantry")
    gtest_discover_tests(pantry_${name}_test DISCOVERY_TIMEOUT 60
                         PROPERTIES TIMEOUT 300)
  endif()
endfunction()
