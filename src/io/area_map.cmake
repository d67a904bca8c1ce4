# area maps of placecast_io: choropleth PNG of named areas (audit exposure maps).
list(APPEND PLACECAST_IO_SOURCES area_map.cc)
list(APPEND PLACECAST_IO_TEST_SOURCES area_map_test.cc)
