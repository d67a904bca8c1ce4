// SPDX-License-Identifier: Apache-2.0
// Products staged before they are published: a command writes its files under temporary names
// (a hidden folder inside the output folder, or a hidden file beside a single output), the ledger
// record that vouches for them commits, and only then are they renamed into place. A failed or
// killed run therefore leaves no product without its record and no half-written file; what a
// killed run leaves staged is removed by the next run into the same folder (stale stages of
// processes that no longer exist). docs/reliability.md states what this does and does not promise.
//
// Not thread-safe: one OutputStage per command.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "placecast/io/ledger.h"
#include "placecast/status.h"

namespace placecast::io {

class OutputStage {
 public:
  // A stage for products that go into the folder `final_dir` (created when missing): files are
  // written into dir(), a fresh hidden folder inside it. Stale stages and temporary files left in
  // `final_dir` by dead processes are removed first. kInvalidInput when `final_dir` exists and is
  // not a folder; kIo when it cannot be created.
  static Result<std::unique_ptr<OutputStage>> ForDir(const std::string& final_dir);
  // A stage for single files anywhere (StageFile).
  static std::unique_ptr<OutputStage> ForFiles();

  ~OutputStage();  // removes whatever was not published
  OutputStage(const OutputStage&) = delete;
  OutputStage& operator=(const OutputStage&) = delete;

  // The folder to write into ("" for a stage made by ForFiles).
  const std::string& dir() const { return stage_dir_; }
  const std::string& final_dir() const { return final_dir_; }

  // Writes `content` under a temporary name beside `final_path` (fsynced). kInvalidInput when
  // `final_path` exists and is not a regular file (a device, FIFO, folder or symbolic link);
  // kIo when it cannot be written.
  Status StageFile(const std::string& final_path, std::string_view content);

  // Every staged file with the SHA-256 of its staged bytes, named by its final path: the files of
  // dir() as final_dir/NAME (sorted by name), then the StageFile files in staging order.
  Result<std::vector<LedgerFile>> Outputs() const;

  // Every (temporary, final) rename Publish will make, both absolute, for
  // Store::RecordPendingMoves.
  std::vector<std::pair<std::string, std::string>> Moves() const;

  // Renames every staged file to its final path (replacing what is there) and removes the stage.
  // kIo naming the first file that could not be moved (the others are still moved).
  Status Publish();

 private:
  OutputStage() = default;
  std::string final_dir_, stage_dir_;
  std::vector<std::pair<std::string, std::string>> files_;  // (temporary, final)
  bool published_ = false;
};

// Removes, from `dir`, stages and temporary files (".NAME.tmp-PID-…", ".placecast-stage-PID-…")
// of processes that no longer run. Best effort; never fails.
void RemoveStaleTemporaries(const std::string& dir);

}  // namespace placecast::io
