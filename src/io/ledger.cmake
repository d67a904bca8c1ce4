# ledger side of placecast_io: the tamper-evident hash chain of commands kept in the store.
list(APPEND PLACECAST_IO_SOURCES ledger.cc)
list(APPEND PLACECAST_IO_TEST_SOURCES ledger_test.cc)
