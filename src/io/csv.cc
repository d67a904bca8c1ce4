// SPDX-License-Identifier: Apache-2.0
// CsvReader: a block-buffered RFC 4180 parser over zlib's gzread (which reads plain files as they
// are). A record is parsed in place in the buffer; when it runs past the buffered bytes, the
// partial record is moved to the front, more is read, and the record is parsed again from its
// start. Not thread-safe.
#include "placecast/io/csv.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unordered_map>

#include "placecast/common/utf8.h"

namespace placecast::io {
namespace {

constexpr size_t kInitialBuffer = 1 << 20;
constexpr size_t kMaxShown = 60;

std::string Shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxShown)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  if (s.size() > kMaxShown) out += "...";
  return out;
}

}  // namespace

// zlib's inflate over the file's bytes, one gzip member after another. gzread is not used: it
// reports a stream cut short only through gzerror() and ignores trailing bytes after a member.
struct CsvReader::Inflater {
  z_stream z{};
  std::vector<unsigned char> in;
  bool file_eof = false;
  bool member_done = false;  // the last member ended; another may follow
  int64_t members = 0;
  ~Inflater() { inflateEnd(&z); }
};

namespace {
constexpr size_t kInflateInput = 256 * 1024;
}  // namespace

CsvReader::~CsvReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Status CsvReader::Error(int64_t line, std::string_view problem, std::string_view got) const {
  return Status::InvalidInput(path_ + ":" + std::to_string(line) + ": " + std::string(problem) +
                              " (got \"" + Shown(got) + "\")");
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, Options options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::Io(path + ": no such file");
  }
  std::unique_ptr<CsvReader> r(new CsvReader());
  r->path_ = path;
  r->options_ = options;
  r->file_ = std::fopen(path.c_str(), "rb");
  if (r->file_ == nullptr) return Status::Io(path + ": cannot open: " + std::strerror(errno));
  {
    unsigned char magic[2] = {0, 0};
    const size_t n = std::fread(magic, 1, 2, r->file_);
    r->gzipped_ = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    std::rewind(r->file_);
  }
  if (r->gzipped_) {
    r->inflater_ = std::make_unique<Inflater>();
    // 15 + 16: a gzip wrapper (RFC 1952), checked with its CRC-32 and length trailer.
    if (inflateInit2(&r->inflater_->z, 15 + 16) != Z_OK) {
      return Status::Internal(path + ": cannot initialise zlib");
    }
    r->inflater_->in.resize(kInflateInput);
  }
  r->buffer_.resize(kInitialBuffer);
  PLACECAST_RETURN_IF_ERROR(r->Fill());
  // A UTF-8 byte-order mark is not part of the first column's name.
  if (r->end_ - r->pos_ >= 3 && std::memcmp(r->buffer_.data() + r->pos_, "\xEF\xBB\xBF", 3) == 0) {
    r->pos_ += 3;
  }
  if (options.has_header) {
    std::vector<std::string_view> fields;
    const bool saved = r->options_.check_field_count;
    r->options_.check_field_count = false;
    PLACECAST_ASSIGN_OR_RETURN(bool got, r->Next(fields));
    r->options_.check_field_count = saved;
    if (!got)
      return Status::InvalidInput(path + ":1: empty file, expected a header row (got \"\")");
    const std::string where = path + ":" + std::to_string(r->record_line_) + ": ";
    std::unordered_map<std::string_view, size_t> seen;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (const size_t bad = FindInvalidUtf8(fields[i]); bad != std::string_view::npos) {
        return Status::InvalidInput(where + "column " + std::to_string(i + 1) +
                                    ": not valid UTF-8 (" + DescribeInvalidUtf8(fields[i]) +
                                    ") (got \"" + Shown(EscapeInvalidUtf8(fields[i])) + "\")");
      }
      if (fields[i].empty()) continue;
      auto [it, added] = seen.emplace(fields[i], i);
      if (!added) {
        return Status::InvalidInput(where + "column \"" + Shown(fields[i]) +
                                    "\" appears twice: columns " + std::to_string(it->second + 1) +
                                    " and " + std::to_string(i + 1) + " (got \"" +
                                    Shown(fields[i]) + "\")");
      }
    }
    for (auto f : fields) r->header_.emplace_back(f);
    r->expected_fields_ = fields.size();
  }
  return r;
}

int CsvReader::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

int64_t CsvReader::bytes_read() const { return file_bytes_read_; }

Result<size_t> CsvReader::ReadContent(char* dst, size_t want) {
  if (!inflater_) {
    const size_t n = std::fread(dst, 1, want, file_);
    if (n < want) {
      if (std::ferror(file_)) return Status::Io(path_ + ": read error: " + std::strerror(errno));
      eof_ = true;
    }
    file_bytes_read_ += static_cast<int64_t>(n);
    return n;
  }
  Inflater& g = *inflater_;
  z_stream& z = g.z;
  auto refill = [&]() -> Status {
    // Keeps the unread input and reads more after it.
    if (z.avail_in > 0 && z.next_in != g.in.data())
      std::memmove(g.in.data(), z.next_in, z.avail_in);
    const size_t n = std::fread(g.in.data() + z.avail_in, 1, g.in.size() - z.avail_in, file_);
    if (n == 0 && std::ferror(file_)) {
      return Status::Io(path_ + ": read error: " + std::strerror(errno));
    }
    if (n < g.in.size() - z.avail_in) g.file_eof = true;
    file_bytes_read_ += static_cast<int64_t>(n);
    z.next_in = g.in.data();
    z.avail_in += static_cast<uInt>(n);
    return Status::Ok();
  };
  const auto at = [&] { return std::to_string(file_bytes_read_ - z.avail_in); };
  z.next_out = reinterpret_cast<Bytef*>(dst);
  z.avail_out = static_cast<uInt>(want);
  while (z.avail_out == static_cast<uInt>(want)) {
    if (g.member_done) {
      // Between members: the end of the file, or the two magic bytes of another member.
      if (z.avail_in < 2 && !g.file_eof) PLACECAST_RETURN_IF_ERROR(refill());
      if (z.avail_in == 0 && g.file_eof) {
        eof_ = true;
        break;
      }
      if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b) {
        return Status::InvalidInput(
            path_ + ": gzip data: trailing bytes after the last gzip member, at byte " + at() +
            " (got \"" +
            Shown(EscapeInvalidUtf8(std::string_view(reinterpret_cast<const char*>(z.next_in),
                                                     std::min<size_t>(z.avail_in, 16)))) +
            "\")");
      }
      inflateReset(&z);
      g.member_done = false;
    }
    if (z.avail_in == 0 && !g.file_eof) PLACECAST_RETURN_IF_ERROR(refill());
    const int ret = inflate(&z, Z_NO_FLUSH);
    if (ret == Z_STREAM_END) {
      g.member_done = true;
      ++g.members;
    } else if (ret == Z_BUF_ERROR) {
      // No progress possible: the input ran out inside a member.
      if (z.avail_in == 0 && g.file_eof) {
        return Status::InvalidInput(path_ +
                                    ": gzip data: the file ends inside a gzip member (truncated: "
                                    "no end of stream and trailer) after " +
                                    at() + " bytes (got \"unexpected end of file\")");
      }
      if (z.avail_in > 0) {
        return Status::Internal(path_ + ": gzip data: zlib made no progress at byte " + at());
      }
    } else if (ret != Z_OK) {
      return Status::InvalidInput(path_ + ": gzip data: broken at about byte " + at() + " (got \"" +
                                  (z.msg ? z.msg : "zlib error " + std::to_string(ret)) + "\")");
    }
  }
  return want - static_cast<size_t>(z.avail_out);
}

Status CsvReader::Fill() {
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  while (!eof_ && end_ < buffer_.size()) {
    const size_t want = std::min<size_t>(buffer_.size() - end_, 1u << 30);
    PLACECAST_ASSIGN_OR_RETURN(size_t n, ReadContent(buffer_.data() + end_, want));
    end_ += n;
  }
  return Status::Ok();
}

Result<bool> CsvReader::Next(std::vector<std::string_view>& fields) {
  const char delim = options_.delimiter;
  for (;;) {
    fields.clear();
    spans_.clear();
    in_unescaped_.clear();
    unescaped_.clear();
    const char* buf = buffer_.data();
    size_t p = pos_;
    int64_t line = line_;
    // Skip blank lines.
    while (p < end_ && (buf[p] == '\n' || buf[p] == '\r')) {
      if (buf[p] == '\n') ++line;
      ++p;
    }
    if (p == end_) {
      if (eof_) {
        pos_ = p;
        line_ = line;
        return false;
      }
      pos_ = p;
      line_ = line;
      PLACECAST_RETURN_IF_ERROR(Fill());
      continue;
    }
    const int64_t start_line = line;
    const size_t start = p;
    bool need_more = false;
    bool done = false;
    while (!done) {
      if (p < end_ && buf[p] == '"') {
        // Quoted field.
        ++p;
        const size_t fstart = p;
        bool escaped = false;
        bool closed = false;
        while (p < end_) {
          const char c = buf[p];
          if (c == '"') {
            if (p + 1 >= end_ && !eof_) break;  // need to see the next byte
            if (p + 1 < end_ && buf[p + 1] == '"') {
              escaped = true;
              p += 2;
              continue;
            }
            closed = true;
            break;
          }
          if (c == '\n') ++line;
          ++p;
        }
        if (!closed) {
          if (!eof_) {
            need_more = true;
            break;
          }
          return Error(start_line, "unterminated quoted field",
                       std::string_view(buf + fstart - 1, end_ - fstart + 1));
        }
        const size_t fend = p;
        ++p;  // closing quote
        if (escaped) {
          const size_t off = unescaped_.size();
          for (size_t i = fstart; i < fend; ++i) {
            unescaped_ += buf[i];
            if (buf[i] == '"') ++i;
          }
          spans_.emplace_back(off, unescaped_.size() - off);
          in_unescaped_.push_back(1);
        } else {
          spans_.emplace_back(fstart, fend - fstart);
          in_unescaped_.push_back(0);
        }
        if (p >= end_) {
          if (!eof_) {
            need_more = true;
            break;
          }
          done = true;
        } else if (buf[p] == delim) {
          ++p;
          if (p >= end_ && !eof_) {
            need_more = true;
            break;
          }
          if (p >= end_) {  // trailing delimiter at end of file: one more empty field
            spans_.emplace_back(p, 0);
            in_unescaped_.push_back(0);
            done = true;
          }
        } else if (buf[p] == '\n' || buf[p] == '\r') {
          done = true;
        } else {
          size_t e = p;
          while (e < end_ && buf[e] != '\n' && e - p < kMaxShown) ++e;
          return Error(line, "unexpected character after closing quote",
                       std::string_view(buf + fstart - 1, e - fstart + 1));
        }
      } else {
        const size_t fstart = p;
        while (p < end_) {
          const char c = buf[p];
          if (c == delim || c == '\n' || c == '\r') break;
          ++p;
        }
        if (p >= end_ && !eof_) {
          need_more = true;
          break;
        }
        spans_.emplace_back(fstart, p - fstart);
        in_unescaped_.push_back(0);
        if (p < end_ && buf[p] == delim) {
          ++p;
          if (p >= end_ && !eof_) {
            need_more = true;
            break;
          }
          if (p >= end_) {
            spans_.emplace_back(p, 0);
            in_unescaped_.push_back(0);
            done = true;
          }
        } else {
          done = true;
        }
      }
    }
    if (need_more) {
      pos_ = start;
      line_ = start_line;
      PLACECAST_RETURN_IF_ERROR(Fill());
      continue;
    }
    // End of record: consume the line ending. A record that ends at the end of the file without
    // one may have been cut short: the caller is told (terminated()).
    terminated_ = p < end_;
    if (p < end_ && buf[p] == '\r') ++p;
    if (p < end_ && buf[p] == '\n') {
      ++p;
      ++line;
    }
    const size_t record_end = p;
    pos_ = p;
    line_ = line;
    record_line_ = start_line;
    fields.reserve(spans_.size());
    for (size_t i = 0; i < spans_.size(); ++i) {
      const char* base = in_unescaped_[i] ? unescaped_.data() : buf;
      fields.emplace_back(base + spans_[i].first, spans_[i].second);
    }
    if (options_.check_field_count && (terminated_ || !options_.lenient_unterminated_last)) {
      if (expected_fields_ == 0) expected_fields_ = fields.size();
      if (fields.size() != expected_fields_) {
        size_t e = record_end;
        while (e > start && (buf[e - 1] == '\n' || buf[e - 1] == '\r')) --e;
        return Error(start_line,
                     "expected " + std::to_string(expected_fields_) + " fields, found " +
                         std::to_string(fields.size()),
                     std::string_view(buf + start, e - start));
      }
    }
    return true;
  }
}

CsvReadAhead::CsvReadAhead(std::unique_ptr<CsvReader> reader, size_t batch_records,
                           size_t max_batches)
    : reader_(std::move(reader)),
      batch_records_(std::max<size_t>(1, batch_records)),
      max_batches_(std::max<size_t>(1, max_batches)),
      thread_([this] { Produce(); }) {}

CsvReadAhead::~CsvReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CsvReadAhead::Produce() {
  std::vector<std::string_view> f;
  for (;;) {
    Batch b;
    while (b.lines.size() < batch_records_) {
      Result<bool> got = reader_->Next(f);
      if (!got.ok() || !*got) {
        if (!got.ok()) b.status = got.status();
        b.end = true;
        break;
      }
      b.record_first.push_back(b.field_start.size());
      for (std::string_view v : f) {
        b.field_start.push_back(b.text.size());
        b.text.append(v);
      }
      if (!reader_->terminated()) b.unterminated = b.lines.size();
      b.lines.push_back(reader_->line());
    }
    b.record_first.push_back(b.field_start.size());
    b.field_start.push_back(b.text.size());
    b.bytes_read = reader_->bytes_read();
    const bool end = b.end;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || queue_.size() < max_batches_; });
      if (stop_) return;
      queue_.push_back(std::move(b));
    }
    cv_.notify_all();
    if (end) return;
  }
}

Result<bool> CsvReadAhead::Next(std::vector<std::string_view>& fields) {
  while (!have_current_ || next_ == current_.lines.size()) {
    if (have_current_ && current_.end) {
      if (!current_.status.ok()) return current_.status;
      return false;
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty(); });
      current_ = std::move(queue_.front());
      queue_.pop_front();
    }
    cv_.notify_all();
    have_current_ = true;
    next_ = 0;
    bytes_read_ = current_.bytes_read;
  }
  const Batch& b = current_;
  fields.clear();
  for (size_t j = b.record_first[next_]; j < b.record_first[next_ + 1]; ++j) {
    fields.emplace_back(b.text.data() + b.field_start[j], b.field_start[j + 1] - b.field_start[j]);
  }
  line_ = b.lines[next_];
  terminated_ = next_ != b.unterminated;
  ++next_;
  return true;
}

}  // namespace placecast::io
