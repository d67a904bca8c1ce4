# products side of placecast_io: forecast tables (CSV, GeoJSON, GeoPackage), PNG map and
# hit-rate curves, HTML report.
list(APPEND PLACECAST_IO_SOURCES products.cc map_render.cc vector_layer.cc)
list(APPEND PLACECAST_IO_TEST_SOURCES products_test.cc map_render_test.cc vector_layer_test.cc)
# The tests reopen GeoPackages through OGR and read PNG pixels back through Cairo. io_test is
# created after this file is read, so the link is deferred to the end of the directory.
if(PLACECAST_BUILD_TESTS)
  cmake_language(DEFER CALL target_link_libraries io_test PRIVATE GDAL::GDAL PkgConfig::CAIRO)
endif()
