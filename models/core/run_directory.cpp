#include "core/run_directory.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"

namespace lrt {

namespace {

void make_directories(const std::string& path) {
  // mkdir -p: create each missing component in turn.
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      throw RunError("cannot create directory " + prefix + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw InputError(InputLocation(path), "exists and is not a directory; expected a directory for results");
}

}  // namespace

RunDirectory::RunDirectory(std::string path, bool force, const std::vector<std::string>& result_files)
    : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
  if (path_.empty()) throw InputError(InputLocation(), "--out: empty path; expected a directory");
  make_directories(path_);
  if (!force)
    for (const auto& name : result_files)
      if (path_exists(file(name)))
        throw InputError(InputLocation(path_),
                         "already holds results (" + name + "); choose another --out or pass --force to overwrite");
}

std::string RunDirectory::file(const std::string& name) const { return path_ + "/" + name; }

void RunDirectory::write(const std::string& name, const std::string& content) const {
  write_file_atomically(file(name), content);
}

}  // namespace lrt
