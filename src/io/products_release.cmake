# Public release in the products of placecast_io (the policies themselves are src/privacy).
list(APPEND PLACECAST_IO_TEST_SOURCES products_release_test.cc)
if(PLACECAST_BUILD_TESTS)
  cmake_language(DEFER CALL target_link_libraries io_test PRIVATE placecast::privacy)
endif()
