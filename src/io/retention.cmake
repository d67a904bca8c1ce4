# retention side of placecast_io: retention periods and the cutoff of a purge.
list(APPEND PLACECAST_IO_SOURCES retention.cc)
list(APPEND PLACECAST_IO_TEST_SOURCES retention_test.cc)
