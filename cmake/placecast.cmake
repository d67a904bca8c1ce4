# SPDX-License-Identifier: Apache-2.0
# placecast_add_library(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
#   builds placecast_NAME with alias placecast::NAME.
# placecast_add_test(NAME SOURCES ... [DEPS ...] [LABELS ...])
#   builds a GoogleTest executable and registers each of its tests with CTest.

function(placecast_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
    # Designated initializers leave defaulted fields out on purpose (ops field tables); GCC 12
    # warns about them all the same.
    -Wno-missing-field-initializers)
  if(PLACECAST_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(placecast_add_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(placecast_${name} STATIC ${A_SOURCES})
  add_library(placecast::${name} ALIAS placecast_${name})
  target_include_directories(placecast_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/generated
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(placecast_${name} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  placecast_warnings(placecast_${name})
endfunction()

function(placecast_add_test name)
  if(NOT PLACECAST_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    PLACECAST_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    PLACECAST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  placecast_warnings(${name})
  set(labels unit ${A_LABELS})
  gtest_discover_tests(${name} PROPERTIES LABELS "${labels}" DISCOVERY_TIMEOUT 60)
endfunction()
