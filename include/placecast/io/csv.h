// SPDX-License-Identifier: Apache-2.0
// Streaming CSV reader (RFC 4180) for plain or gzip files, detected by their magic bytes and read
// through zlib in blocks, so an 86 MB export never sits in memory whole. Fields are string_views
// into the reader's buffer, valid until the next call to Next(); no allocation per field.
// Damage is never read silently: a gzip stream cut short (no trailer) or followed by bytes that are
// not another gzip member (RFC 1952 allows concatenated members) is an error, a header naming a
// column twice or holding invalid UTF-8 is an error, and a final record without a line terminator
// (which cannot be told from a file cut inside its last row) is flagged (terminated()).
//
// Thread-safety: a CsvReader is not thread-safe; use one per thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "placecast/status.h"

namespace placecast::io {

class CsvReader {
 public:
  struct Options {
    // The first record names the columns (header()). When false, header() is empty and every
    // record is data.
    bool has_header = true;
    char delimiter = ',';
    // Every data record must have as many fields as the header (or as the first record when
    // there is no header); a differing count is kInvalidInput naming the line.
    bool check_field_count = true;
    // When true, a final record without a line terminator (terminated() false) is returned
    // whatever its field count, for callers that reject such a record themselves (ingest). When
    // false, its field count is checked like any other record's.
    bool lenient_unterminated_last = false;
  };

  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Opens `path` (plain text or gzip). kIo when it does not exist or when it cannot be
  // read, kInvalidInput when the header is broken, names a column twice ("path:1: column \"x\"
  // appears twice: columns 2 and 5"; empty names are not compared), holds invalid UTF-8
  // ("path:1: column 3: not valid UTF-8 (byte 0xFF at offset 2)"), or the file is empty while a
  // header is expected.
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path) {
    return Open(path, Options());
  }

  const std::vector<std::string>& header() const { return header_; }
  // Index of the column named `name` in the header, or -1.
  int ColumnIndex(std::string_view name) const;

  // Reads the next record into `fields` (views valid until the next call). Returns true for a
  // record, false at the end of the file. kInvalidInput "path:line: problem (got \"...\")" for an
  // unterminated quote (an end of file inside a quoted field), text after a closing quote or a
  // wrong field count; kIo for a read error; kInvalidInput "path: gzip data ..." for a gzip file
  // that is cut short (no trailer), has trailing bytes that are not a gzip member, or is broken.
  // Blank lines are skipped. Data fields are not checked for UTF-8 (callers check the fields they
  // keep, with placecast/common/utf8.h).
  Result<bool> Next(std::vector<std::string_view>& fields);

  // False when the last record returned by Next() ended at the end of the file without a line
  // terminator ("\n", "\r\n" or "\r"): either a last line written without one, or a file cut
  // inside its last record; the two cannot be told apart.
  bool terminated() const { return terminated_; }

  // Physical line (1-based) on which the last record returned by Next() starts.
  int64_t line() const { return record_line_; }
  // Compressed bytes consumed so far (file bytes for plain files), for progress.
  int64_t bytes_read() const;
  bool gzipped() const { return gzipped_; }
  const std::string& path() const { return path_; }

 private:
  CsvReader() = default;
  struct Inflater;  // zlib state for gzip files (csv.cc)
  Status Fill();    // keeps buffer_[pos_, end_) and reads more after it
  // Reads up to `want` bytes of content into `dst`; sets eof_ at the end of the file.
  Result<size_t> ReadContent(char* dst, size_t want);
  Status Error(int64_t line, std::string_view problem, std::string_view got) const;

  std::string path_;
  Options options_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<Inflater> inflater_;  // set for gzip files
  int64_t file_bytes_read_ = 0;
  bool gzipped_ = false;
  bool eof_ = false;
  bool terminated_ = true;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  std::string unescaped_;                         // quoted fields with "" are unescaped here
  std::vector<std::pair<size_t, size_t>> spans_;  // field offsets for the current record
  std::vector<uint8_t> in_unescaped_;
  int64_t line_ = 1;         // physical line at pos_
  int64_t record_line_ = 0;  // line where the last record started
  std::vector<std::string> header_;
  size_t expected_fields_ = 0;
};

// Reads a CsvReader's records on a second thread, in batches, so that decompression and field
// splitting overlap with whatever the caller does with the records. Same interface and results
// as the CsvReader it wraps: the same records, line numbers and errors in the same order (an error
// is returned after the records read before it). Fields are views valid until the next Next().
//
// Thread-safety: one consumer thread; the wrapped reader must not be used elsewhere.
class CsvReadAhead {
 public:
  // `batch_records` records per hand-over; at most `max_batches` batches wait ahead.
  explicit CsvReadAhead(std::unique_ptr<CsvReader> reader, size_t batch_records = 4096,
                        size_t max_batches = 4);
  ~CsvReadAhead();  // stops the reading thread and waits for it
  CsvReadAhead(const CsvReadAhead&) = delete;
  CsvReadAhead& operator=(const CsvReadAhead&) = delete;

  // As CsvReader::Next.
  Result<bool> Next(std::vector<std::string_view>& fields);
  // As CsvReader::line() for the last record returned.
  int64_t line() const { return line_; }
  // As CsvReader::terminated() for the last record returned.
  bool terminated() const { return terminated_; }
  // Compressed bytes the reading thread had consumed when the current batch was complete.
  int64_t bytes_read() const { return bytes_read_; }

 private:
  struct Batch {
    std::string text;                  // the fields' bytes, back to back
    std::vector<size_t> field_start;   // per field, its offset in text; then text.size()
    std::vector<size_t> record_first;  // per record, its first field's index; then a sentinel
    std::vector<int64_t> lines;        // per record
    int64_t bytes_read = 0;
    size_t unterminated = SIZE_MAX;  // index of a record without a line terminator, if any
    Status status;                   // a read error after the records (ends the stream)
    bool end = false;                // no batch follows
  };
  void Produce();

  std::unique_ptr<CsvReader> reader_;
  size_t batch_records_, max_batches_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;  // guarded by mu_
  bool stop_ = false;        // guarded by mu_
  Batch current_;
  size_t next_ = 0;  // next record of current_
  bool have_current_ = false;
  int64_t line_ = 0, bytes_read_ = 0;
  bool terminated_ = true;
  std::thread thread_;  // last: starts after every member above is ready
};

}  // namespace placecast::io
