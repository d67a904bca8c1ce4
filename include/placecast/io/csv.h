// SPDX-License-Identifier: Apache-2.0
// Streaming CSV reader (RFC 4180) for plain or gzip files, detected by their magic bytes and read
// through zlib in blocks, so an 86 MB export never sits in memory whole. Fields are string_views
// into the reader's buffer, valid until the next call to Next(); no allocation per field.
//
// Thread-safety: a CsvReader is not thread-safe; use one per thread.
#pragma once

#include <condition_variable>
#include <cstdint>
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
  };

  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Opens `path` (plain text or gzip). kNotFound when it does not exist, kIo when it cannot be
  // read, kInvalidInput when the header is broken or the file is empty while a header is expected.
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path) {
    return Open(path, Options());
  }

  const std::vector<std::string>& header() const { return header_; }
  // Index of the column named `name` in the header, or -1.
  int ColumnIndex(std::string_view name) const;

  // Reads the next record into `fields` (views valid until the next call). Returns true for a
  // record, false at the end of the file. kInvalidInput "path:line: problem (got \"...\")" for an
  // unterminated quote, text after a closing quote or a wrong field count; kIo for a read error.
  // Blank lines are skipped.
  Result<bool> Next(std::vector<std::string_view>& fields);

  // Physical line (1-based) on which the last record returned by Next() starts.
  int64_t line() const { return record_line_; }
  // Compressed bytes consumed so far (file bytes for plain files), for progress.
  int64_t bytes_read() const;
  bool gzipped() const { return gzipped_; }
  const std::string& path() const { return path_; }

 private:
  CsvReader() = default;
  Status Fill();  // keeps buffer_[pos_, end_) and reads more after it
  Status Error(int64_t line, std::string_view problem, std::string_view got) const;

  std::string path_;
  Options options_;
  void* gz_ = nullptr;  // gzFile
  bool gzipped_ = false;
  bool eof_ = false;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  std::string unescaped_;  // quoted fields with "" are unescaped here
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
  // Compressed bytes the reading thread had consumed when the current batch was complete.
  int64_t bytes_read() const { return bytes_read_; }

 private:
  struct Batch {
    std::string text;                  // the fields' bytes, back to back
    std::vector<size_t> field_start;   // per field, its offset in text; then text.size()
    std::vector<size_t> record_first;  // per record, its first field's index; then a sentinel
    std::vector<int64_t> lines;        // per record
    int64_t bytes_read = 0;
    Status status;                     // a read error after the records (ends the stream)
    bool end = false;                  // no batch follows
  };
  void Produce();

  std::unique_ptr<CsvReader> reader_;
  size_t batch_records_, max_batches_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;  // guarded by mu_
  bool stop_ = false;        // guarded by mu_
  Batch current_;
  size_t next_ = 0;          // next record of current_
  bool have_current_ = false;
  int64_t line_ = 0, bytes_read_ = 0;
  std::thread thread_;       // last: starts after every member above is ready
};

}  // namespace placecast::io
