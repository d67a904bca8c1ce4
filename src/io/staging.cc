// SPDX-License-Identifier: Apache-2.0
// OutputStage: products written under temporary names and renamed into place after the ledger
// record that vouches for them has committed (include/placecast/io/staging.h).
#include "placecast/io/staging.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "placecast/io/file_util.h"

namespace placecast::io {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kStagePrefix = ".placecast-stage-";

// The pid in "<prefix><pid>-…", or 0.
long PidAfter(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix) return 0;
  name.remove_prefix(prefix.size());
  long pid = 0;
  size_t i = 0;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) pid = pid * 10 + (name[i] - '0');
  return i > 0 && i < name.size() && name[i] == '-' ? pid : 0;
}

bool Dead(long pid) { return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

}  // namespace

void RemoveStaleTemporaries(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] != '.') continue;
    long pid = PidAfter(name, kStagePrefix);
    if (pid == 0) {
      const size_t at = name.find(".tmp-");
      if (at != std::string::npos) pid = PidAfter(name.substr(at), ".tmp-");
    }
    if (Dead(pid)) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }
}

Result<std::unique_ptr<OutputStage>> OutputStage::ForDir(const std::string& final_dir) {
  PLACECAST_RETURN_IF_ERROR(MakeDirs(final_dir));
  RemoveStaleTemporaries(final_dir);
  std::unique_ptr<OutputStage> s(new OutputStage());
  s->final_dir_ = final_dir;
  std::string name(kStagePrefix);
  name.append(std::to_string(::getpid())).append("-").append(RandomHex(6));
  s->stage_dir_ = (fs::path(final_dir) / name).string();
  if (::mkdir(s->stage_dir_.c_str(), 0755) != 0) {
    return Status::Io(final_dir + ": cannot create a staging folder (" + std::strerror(errno) +
                      ")");
  }
  return s;
}

std::unique_ptr<OutputStage> OutputStage::ForFiles() {
  return std::unique_ptr<OutputStage>(new OutputStage());
}

OutputStage::~OutputStage() {
  if (published_) return;
  std::error_code ec;
  for (const auto& [tmp, final_path] : files_) fs::remove(tmp, ec);
  if (!stage_dir_.empty()) fs::remove_all(stage_dir_, ec);
}

Status OutputStage::StageFile(const std::string& final_path, std::string_view content) {
  PLACECAST_RETURN_IF_ERROR(CheckOutputPath(final_path));
  const fs::path p(final_path);
  if (p.has_parent_path()) RemoveStaleTemporaries(p.parent_path().string());
  std::string name(".");
  name.append(p.filename().string()).append(".tmp-").append(std::to_string(::getpid()));
  name.append("-s-").append(RandomHex(6));
  const std::string tmp = (p.parent_path() / name).string();
  // WriteFileAtomic writes `tmp` through its own temporary file, so `tmp` is whole or absent.
  PLACECAST_RETURN_IF_ERROR(WriteFileAtomic(tmp, content).Wrap(final_path));
  files_.emplace_back(tmp, final_path);
  return Status::Ok();
}

Result<std::vector<LedgerFile>> OutputStage::Outputs() const {
  std::vector<LedgerFile> out;
  if (!stage_dir_.empty()) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(stage_dir_, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) names.push_back(it->path().filename().string());
    }
    if (ec) return Status::Io(stage_dir_ + ": cannot list (" + ec.message() + ")");
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      PLACECAST_ASSIGN_OR_RETURN(std::string h, Sha256File((fs::path(stage_dir_) / n).string()));
      out.push_back({(fs::path(final_dir_) / n).string(), std::move(h)});
    }
  }
  for (const auto& [tmp, final_path] : files_) {
    PLACECAST_ASSIGN_OR_RETURN(std::string h, Sha256File(tmp));
    out.push_back({final_path, std::move(h)});
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> OutputStage::Moves() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto abs = [](const std::string& p) {
    std::error_code ec;
    const fs::path a = fs::absolute(p, ec);
    return ec ? p : a.lexically_normal().string();
  };
  if (!stage_dir_.empty()) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(stage_dir_, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      out.emplace_back(abs((fs::path(stage_dir_) / n).string()),
                       abs((fs::path(final_dir_) / n).string()));
    }
  }
  for (const auto& [tmp, final_path] : files_) out.emplace_back(abs(tmp), abs(final_path));
  return out;
}

Status OutputStage::Publish() {
  Status first;
  auto move = [&first](const std::string& from, const std::string& to) {
    if (Status st = CheckOutputPath(to); !st.ok()) {
      if (first.ok()) first = st;
      return;
    }
    if (std::rename(from.c_str(), to.c_str()) != 0 && first.ok()) {
      first =
          Status::Io(to + ": cannot move the product into place (" + std::strerror(errno) + ")");
    }
  };
  if (!stage_dir_.empty()) {
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(stage_dir_, ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      move((fs::path(stage_dir_) / n).string(), (fs::path(final_dir_) / n).string());
    }
    fs::remove_all(stage_dir_, ec);
  }
  for (const auto& [tmp, final_path] : files_) move(tmp, final_path);
  published_ = true;
  return first;
}

}  // namespace placecast::io
