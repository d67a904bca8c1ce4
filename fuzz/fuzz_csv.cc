// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the CSV reader (placecast/io/csv.h): CsvReader and CsvReadAhead over plain
// and gzip files. The first byte chooses the options; the rest is the file, written as is (a seed
// that is already gzip stays gzip) or, when asked, gzip-compressed here and optionally cut short
// or followed by garbage. Every record is read to the end or to the first error; both readers must
// agree on the records and the error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "placecast/io/csv.h"

namespace {

using placecast::io::CsvReadAhead;
using placecast::io::CsvReader;

struct Outcome {
  std::vector<std::vector<std::string>> records;
  std::vector<int64_t> lines;
  std::string error;
};

constexpr size_t kMaxRecords = 10000;

template <typename Reader>
void ReadAll(Reader& reader, Outcome* out) {
  std::vector<std::string_view> fields;
  while (out->records.size() < kMaxRecords) {
    auto more = reader.Next(fields);
    if (!more.ok()) {
      out->error = more.status().ToString();
      return;
    }
    if (!*more) return;
    out->records.emplace_back(fields.begin(), fields.end());
    out->lines.push_back(reader.line());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  const uint8_t extra = data[1];
  std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);

  CsvReader::Options options;
  options.has_header = (mode & 1) != 0;
  options.check_field_count = (mode & 2) != 0;
  static constexpr char kDelimiters[] = {',', ';', '\t', '|'};
  options.delimiter = kDelimiters[(mode >> 2) & 3];
  const bool read_ahead = (mode & 16) != 0;

  std::string bytes(body);
  if ((mode & 32) != 0) {
    bytes = placecast::fuzz::Gzip(body);
    if ((mode & 64) != 0) {  // damaged gzip: cut short, or trailing garbage
      const size_t cut = extra % 16;
      if ((extra & 0x80) != 0) {
        bytes.append(cut + 1, static_cast<char>(extra));
      } else {
        bytes.resize(bytes.size() > cut ? bytes.size() - cut : 0);
      }
    }
  }
  const std::string path = placecast::fuzz::WriteTempFile("input.csv", bytes);

  auto plain = CsvReader::Open(path, options);
  Outcome direct;
  if (plain.ok()) {
    (void)(*plain)->header();
    (void)(*plain)->ColumnIndex("id");
    ReadAll(**plain, &direct);
    (void)(*plain)->bytes_read();
  }
  if (!read_ahead) return 0;

  // The read-ahead wrapper must give the same records, lines and error as the plain reader.
  auto again = CsvReader::Open(path, options);
  if (plain.ok() != again.ok()) std::abort();
  if (!again.ok()) return 0;
  CsvReadAhead ahead(std::move(*again), /*batch_records=*/1 + extra % 7, /*max_batches=*/2);
  Outcome wrapped;
  ReadAll(ahead, &wrapped);
  if (wrapped.records != direct.records || wrapped.lines != direct.lines) std::abort();
  // The wrapper stops early when the plain read stopped at kMaxRecords without error.
  if (direct.records.size() < kMaxRecords && wrapped.error != direct.error) std::abort();
  return 0;
}
