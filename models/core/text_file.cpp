#include "core/text_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lrt {

namespace {

// Reads an opened stream to the end; false when the read itself failed.
bool slurp(std::ifstream& in, std::string& out) {
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return !in.bad();
}

}  // namespace

std::string read_text_file(const std::string& path, const std::string& what, const InputLocation& where) {
  // The message names the path unless the location already is the file.
  const bool at_file = where.file.empty();
  const InputLocation at = at_file ? InputLocation(path) : where;
  const std::string subject = at_file ? what : what + " " + path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(at, subject + " is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(at, "cannot open " + subject + ": " + std::strerror(errno));
  std::string text;
  if (!slurp(in, text)) throw InputError(at, "cannot read " + subject + ": " + std::strerror(errno));
  return text;
}

std::optional<std::string> read_text_file_if_present(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  if (!slurp(in, text)) throw RunError("cannot read " + path + ": " + std::strerror(errno));
  return text;
}

}  // namespace lrt
