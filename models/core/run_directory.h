#pragma once
// A result directory (`--out DIR`): created if missing; one that already holds results is
// refused unless --force, so no result is overwritten silently. Files are written
// atomically (temporary file + rename), so an interrupted run never leaves a torn file.

#include <string>
#include <vector>

namespace lrt {

class RunDirectory {
 public:
  /// Opens `path` for results. If it holds any of `result_files` and `force` is false,
  /// throws InputError naming the directory and the first file found. Throws RunError
  /// when the directory cannot be created.
  RunDirectory(std::string path, bool force, const std::vector<std::string>& result_files);

  const std::string& path() const { return path_; }
  /// The full path of `name` inside the directory.
  std::string file(const std::string& name) const;
  /// Writes `content` to `name` atomically. Throws RunError.
  void write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace lrt
