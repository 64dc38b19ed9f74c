#include "core/idx.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "core/error.h"

namespace lrt {

const char* to_string(IdxType type) {
  switch (type) {
    case IdxType::kUint8: return "uint8";
    case IdxType::kInt8: return "int8";
    case IdxType::kInt16: return "int16";
    case IdxType::kInt32: return "int32";
    case IdxType::kFloat32: return "float32";
    case IdxType::kFloat64: return "float64";
  }
  return "unknown";
}

int element_size(IdxType type) {
  switch (type) {
    case IdxType::kUint8:
    case IdxType::kInt8: return 1;
    case IdxType::kInt16: return 2;
    case IdxType::kInt32:
    case IdxType::kFloat32: return 4;
    case IdxType::kFloat64: return 8;
  }
  return 0;
}

uint64_t IdxArray::count() const {
  uint64_t n = 1;
  for (uint32_t d : dims) n *= d;  // read_idx has checked that this cannot overflow
  return n;
}

double IdxArray::value(uint64_t i) const {
  const uint8_t* p = raw.data() + i * static_cast<uint64_t>(element_size(type));
  switch (type) {
    case IdxType::kUint8: return *p;
    case IdxType::kInt8: return static_cast<int8_t>(*p);
    case IdxType::kInt16: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case IdxType::kInt32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case IdxType::kFloat32: { float v; std::memcpy(&v, p, 4); return v; }
    case IdxType::kFloat64: { double v; std::memcpy(&v, p, 8); return v; }
  }
  return 0;
}

namespace {

// Reads the whole (decompressed) stream with zlib's gz* API, which passes raw files
// through unchanged. Corrupt or truncated gzip streams are reported with the offset
// reached in the decompressed stream.
std::vector<uint8_t> read_stream(const std::string& path, bool& gzipped) {
  struct GzCloser { void operator()(gzFile_s* f) const { gzclose(f); } };
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw InputError({path}, "cannot open file for reading");
  gzipped = gzdirect(file.get()) == 0;
  std::vector<uint8_t> data;
  uint8_t buffer[1 << 16];
  while (true) {
    const int n = gzread(file.get(), buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      const char* msg = gzerror(file.get(), &code);
      InputLocation where{path};
      where.byte_offset = static_cast<int64_t>(data.size());
      throw InputError(where, std::string("corrupt gzip stream (") + msg + ")");
    }
    if (n == 0) break;
    data.insert(data.end(), buffer, buffer + n);
  }
  int code = 0;
  const char* msg = gzerror(file.get(), &code);
  if (code != Z_OK && code != Z_STREAM_END) {
    InputLocation where{path};
    where.byte_offset = static_cast<int64_t>(data.size());
    throw InputError(where, std::string("corrupt or truncated gzip stream (") + msg + ")");
  }
  if (gzipped && data.empty()) throw InputError({path}, "gzip stream holds no data; expected an IDX file");
  return data;
}

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

[[noreturn]] void fail_at(const std::string& path, uint64_t offset, const std::string& problem) {
  InputLocation where{path};
  where.byte_offset = static_cast<int64_t>(offset);
  throw InputError(where, problem);
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  IdxArray out;
  const std::vector<uint8_t> bytes = read_stream(path, out.gzipped);
  if (bytes.empty()) throw InputError({path}, "file is empty; expected an IDX file");
  if (bytes.size() < 4) fail_at(path, bytes.size(), "truncated IDX header: need 4 bytes, file has " +
                                                        std::to_string(bytes.size()));
  if (bytes[0] != 0 || bytes[1] != 0)
    fail_at(path, 0, "not an IDX file: the first two bytes must be zero (magic 0x0000tt0d)");
  const uint8_t type_code = bytes[2];
  switch (type_code) {
    case 0x08: case 0x09: case 0x0B: case 0x0C: case 0x0D: case 0x0E: break;
    default:
    {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02X", type_code);
      fail_at(path, 2, std::string("unknown IDX element type ") + code +
                           "; expected one of 0x08 0x09 0x0B 0x0C 0x0D 0x0E");
    }
  }
  out.type = static_cast<IdxType>(type_code);
  const int ndims = bytes[3];
  if (ndims < 1 || ndims > 4)
    fail_at(path, 3, "IDX header declares " + std::to_string(ndims) + " dimensions; expected 1 to 4");
  const uint64_t header = 4 + 4 * static_cast<uint64_t>(ndims);
  if (bytes.size() < header)
    fail_at(path, bytes.size(), "truncated IDX header: " + std::to_string(ndims) + " dimensions need " +
                                    std::to_string(header) + " bytes, file has " + std::to_string(bytes.size()));
  const uint64_t esize = static_cast<uint64_t>(element_size(out.type));
  uint64_t count = 1;
  for (int d = 0; d < ndims; ++d) {
    const uint32_t dim = load_be32(bytes.data() + 4 + 4 * d);
    if (dim == 0) fail_at(path, 4 + 4 * static_cast<uint64_t>(d), "dimension " + std::to_string(d) + " is 0; expected >= 1");
    // Reject sizes that cannot be addressed before multiplying (no overflow).
    if (count > (std::numeric_limits<uint64_t>::max() / esize) / dim)
      fail_at(path, 4 + 4 * static_cast<uint64_t>(d), "dimensions overflow a 64-bit size");
    count *= dim;
    out.dims.push_back(dim);
  }
  const uint64_t payload = count * esize;
  if (bytes.size() - header < payload)
    fail_at(path, bytes.size(), "truncated IDX data: header declares " + std::to_string(payload) +
                                    " data bytes, file has " + std::to_string(bytes.size() - header));
  if (bytes.size() - header > payload)
    fail_at(path, header + payload, std::to_string(bytes.size() - header - payload) +
                                        " bytes after the declared data; expected end of file");
  out.raw.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  // Big-endian elements to host order (byte reversal per element).
  if (esize > 1)
    for (uint64_t i = 0; i < out.raw.size(); i += esize)
      for (uint64_t a = i, b = i + esize - 1; a < b; ++a, --b) std::swap(out.raw[a], out.raw[b]);
  if (out.type == IdxType::kFloat32 || out.type == IdxType::kFloat64)
    for (uint64_t i = 0; i < count; ++i)
      if (!std::isfinite(out.value(i)))
        fail_at(path, header + i * esize, "element " + std::to_string(i) + " is NaN or Inf; expected finite values");
  return out;
}

LabeledImages read_labeled_images(const std::string& images_path, const std::string& labels_path,
                                  int num_classes) {
  IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (images.type != IdxType::kUint8 || images.dims.size() != 3)
    throw InputError({images_path}, std::string("images must be a 3-D uint8 IDX array; file holds a ") +
                                        std::to_string(images.dims.size()) + "-D " + to_string(images.type) + " array");
  if (labels.type != IdxType::kUint8 || labels.dims.size() != 1)
    throw InputError({labels_path}, std::string("labels must be a 1-D uint8 IDX array; file holds a ") +
                                        std::to_string(labels.dims.size()) + "-D " + to_string(labels.type) + " array");
  if (images.dims[0] != labels.dims[0])
    throw InputError({labels_path}, std::to_string(labels.dims[0]) + " labels for " + std::to_string(images.dims[0]) +
                                        " images in " + images_path + "; expected equal counts");
  for (uint32_t i = 0; i < labels.dims[0]; ++i)
    if (labels.raw[i] >= num_classes) {
      InputLocation where{labels_path};
      where.byte_offset = 8 + i;  // 4-byte magic + one dimension
      throw InputError(where, "label " + std::to_string(labels.raw[i]) + " of item " + std::to_string(i) +
                                  " is out of range; expected 0.." + std::to_string(num_classes - 1));
    }
  LabeledImages out;
  out.count = images.dims[0];
  out.rows = images.dims[1];
  out.cols = images.dims[2];
  out.pixels = std::move(images.raw);
  out.labels = labels.raw;
  return out;
}

}  // namespace lrt
