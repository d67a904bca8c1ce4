# environment side of placecast_io: static environment layers read through GDAL/OGR.
list(APPEND PLACECAST_IO_SOURCES env_layer.cc)
list(APPEND PLACECAST_IO_TEST_SOURCES env_layer_test.cc)
