# ingest side of placecast_io: CSV reader, presets, projection, stores, boundary readers.
list(APPEND PLACECAST_IO_SOURCES
  csv.cc time_parse.cc projection.cc mapping.cc store.cc geopackage_store.cc gpkg_functions.cc
  boundary.cc ingest.cc store_state.cc staging.cc calendar.cc)
list(APPEND PLACECAST_IO_TEST_SOURCES
  csv_test.cc time_parse_test.cc store_test.cc ingest_test.cc points_test.cc
  store_durability_test.cc boundary_test.cc calendar_test.cc)
# Times a full ingest of one file (not a test): `placecast_ingest_timing INPUT PRESET STORE`.
add_executable(placecast_ingest_timing EXCLUDE_FROM_ALL ingest_timing_main.cc)
target_link_libraries(placecast_ingest_timing PRIVATE placecast::io)
