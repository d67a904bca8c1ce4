// SPDX-License-Identifier: Apache-2.0
// Atomic writes, output-path checks, and the cryptographic primitives placecast uses: SHA-256 and
// HMAC-SHA-256 through OpenSSL's EVP interface, random bytes from OpenSSL's CSPRNG (seeded by the
// OS). Thread-safe (no shared state; OpenSSL 3 is thread-safe).
#include "placecast/io/file_util.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace placecast::io {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// "<dir>/.<name>.tmp-<pid>-<counter>-<random>": unique per process, call and attempt, so two
// writers of one path never share a temporary file.
std::string UniqueTempName(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path p(path);
  const std::string rnd = RandomHex(4);
  std::string name(".");
  name.append(p.filename().string()).append(".tmp-").append(std::to_string(::getpid()));
  name.append("-").append(std::to_string(counter.fetch_add(1))).append("-").append(rnd);
  return (p.parent_path() / name).string();
}

}  // namespace

Status CheckOutputPath(const std::string& path) {
  if (path.empty()) return Status::InvalidInput("output path: empty");
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Io(path + ": cannot inspect (" + std::strerror(errno) + ")");
  }
  if (S_ISLNK(st.st_mode)) {
    return Status::InvalidInput(path +
                                ": is a symbolic link; placecast writes only regular files "
                                "(remove the link or name another path)");
  }
  if (!S_ISREG(st.st_mode)) {
    const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    return Status::InvalidInput(path + ": is " + what +
                                "; placecast writes only regular files (name a file path)");
  }
  return Status::Ok();
}

Status CheckOutputDir(const std::string& dir) {
  if (dir.empty()) return Status::InvalidInput("output directory: empty");
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Io(dir + ": cannot inspect (" + std::strerror(errno) + ")");
  }
  if (S_ISLNK(st.st_mode)) {
    // A link to a directory is how many users arrange their output trees; it is followed, but it
    // must end at a real directory.
    struct stat target;
    if (::stat(dir.c_str(), &target) != 0 || !S_ISDIR(target.st_mode)) {
      return Status::InvalidInput(dir + ": is a symbolic link that does not lead to a directory");
    }
    return Status::Ok();
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidInput(dir + ": exists and is not a directory (name a directory)");
  }
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view content) {
  PLACECAST_RETURN_IF_ERROR(CheckOutputPath(path));
  const std::string tmp = UniqueTempName(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io(path + ": cannot write (" + std::strerror(errno) + ")");
  size_t done = 0;
  int err = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return Status::Io(path + ": write failed (" + std::strerror(err) + ")");
  }
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::Io(path + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::InvalidInput(path + ": not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(path + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::Io(path + ": read failed");
  return ss.str();
}

Status MakeDirs(const std::string& dir) {
  PLACECAST_RETURN_IF_ERROR(CheckOutputDir(dir));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Io(dir + ": cannot create directory (" + ec.message() + ")");
  return Status::Ok();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest fails only on allocation failure; an empty digest then fails every comparison.
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return "";
  return Hex(md, len);
}

std::string Sha256Raw(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return "";
  return std::string(reinterpret_cast<const char*>(md), len);
}

Result<std::string> Sha256File(const std::string& path) {
  // Opened without blocking and checked before a byte is read: a FIFO or device named in a record
  // must not hang or feed the hash forever.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Io(path + ": no such file");
    return Status::Io(path + ": cannot read (" + std::strerror(errno) + ")");
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidInput(path + ": not a regular file (not hashed)");
  }
  // Files of /proc and /sys look regular but are made by the kernel as they are read: some never
  // end or block (/proc/kmsg), none is a product.
  struct statfs fs;
  if (::fstatfs(fd, &fs) == 0 && (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC)) {
    ::close(fd);
    return Status::InvalidInput(path + ": a kernel file (procfs or sysfs), not hashed");
  }
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    ::close(fd);
    return Status::Internal("sha256: cannot initialise OpenSSL digest");
  }
  std::array<unsigned char, 1 << 16> buf;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Status::Io(path + ": read failed (" + why + ")");
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) {
    return Status::Internal("sha256: OpenSSL digest failed");
  }
  return Hex(md, len);
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Status::Internal("random: OpenSSL RAND_bytes failed (no entropy from the OS?)");
  }
  return out;
}

std::string RandomHex(size_t n) {
  auto r = RandomBytes(n);
  if (!r.ok()) return std::to_string(::getpid());
  return Hex(reinterpret_cast<const unsigned char*>(r->data()), r->size());
}

std::string ToHex(std::string_view bytes) {
  return Hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

}  // namespace placecast::io
