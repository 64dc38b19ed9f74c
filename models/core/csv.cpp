#include "core/csv.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace lrt {

namespace {

double parse_field(const std::string& field, const InputLocation& where, std::size_t column) {
  // Trim surrounding blanks (spaces, tabs, a trailing '\r' from CRLF files).
  const auto first = field.find_first_not_of(" \t\r");
  const auto last = field.find_last_not_of(" \t\r");
  const std::string text = first == std::string::npos ? "" : field.substr(first, last - first + 1);
  const std::string col = "column " + std::to_string(column + 1);
  if (text.empty()) throw InputError(where, col + ": empty field; expected a finite decimal number");
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size())
    throw InputError(where, col + ": '" + text + "' is not a number; expected a finite decimal number");
  if (!std::isfinite(v) || (errno == ERANGE && std::fabs(v) > 1.0))
    throw InputError(where, col + ": '" + text + "' is not finite; expected a finite decimal number");
  return v;
}

}  // namespace

std::vector<std::vector<double>> read_csv_rows(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path}, "cannot open file for reading");
  std::vector<std::vector<double>> rows;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      // Blank lines are tolerated only at the end of the file.
      std::string rest;
      while (std::getline(in, rest)) {
        ++line_no;
        if (rest.find_first_not_of(" \t\r") != std::string::npos)
          throw InputError({path, line_no}, "data after a blank line; expected one vector per line");
      }
      break;
    }
    const InputLocation where{path, line_no};
    std::vector<double> row;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      row.push_back(parse_field(line.substr(start, comma - start), where, row.size()));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (!rows.empty() && row.size() != rows.front().size())
      throw InputError(where, "row has " + std::to_string(row.size()) + " values but line 1 has " +
                                  std::to_string(rows.front().size()) + "; expected equal-length rows");
    rows.push_back(std::move(row));
  }
  if (in.bad()) throw InputError({path}, "read error");
  if (rows.empty()) throw InputError({path}, "file is empty; expected at least one row of numbers");
  return rows;
}

void write_csv_matrix(const std::string& path, const Matrix<double>& m) {
  std::ostringstream out;
  out.precision(17);
  for (std::size_t r = 0; r < m.rows(); ++r) {
    for (std::size_t c = 0; c < m.cols(); ++c) {
      if (c) out << ',';
      out << m(r, c);
    }
    out << '\n';
  }
  write_file_atomically(path, out.str());
}

}  // namespace lrt
