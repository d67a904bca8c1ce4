# products side of placecast_io: forecast tables (CSV, GeoJSON, GeoPackage); the PNG maps and the
# HTML report are drawn by placecast_render (src/render).
list(APPEND PLACECAST_IO_SOURCES products.cc vector_layer.cc)
list(APPEND PLACECAST_IO_TEST_SOURCES products_test.cc vector_layer_test.cc)
# The tests reopen GeoPackages through OGR. io_test is created after this file is read, so the
# link is deferred to the end of the directory.
if(PLACECAST_BUILD_TESTS)
  cmake_language(DEFER CALL target_link_libraries io_test PRIVATE GDAL::GDAL)
endif()
