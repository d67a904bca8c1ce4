# privacy side of placecast_io: small-cell suppression, the Laplace mechanism and donut geomasking
# for public-release products (docs/privacy.md).
list(APPEND PLACECAST_IO_SOURCES privacy.cc)
list(APPEND PLACECAST_IO_TEST_SOURCES privacy_test.cc)
