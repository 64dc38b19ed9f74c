#include "core/checkpoint.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/error.h"

namespace lrt {

namespace {

constexpr char kMagic[8] = {'L', 'R', 'T', 'S', 'I', 'M', 'C', 'K'};

uint32_t crc32_of(const uint8_t* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large buffers in chunks.
  while (size > 0) {
    const uInt chunk = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

template <class T>
void put(std::vector<uint8_t>& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
}

std::string hex64(uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

/// Bounds-checked little-endian reader over the image.
class Reader {
 public:
  Reader(const std::vector<uint8_t>& b, const std::string& path) : b_(b), path_(path) {}
  template <class T>
  T get(const char* what) {
    need(sizeof(T), what);
    uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(b_[pos_ + i]) << (8 * i);
    pos_ += sizeof(T);
    return static_cast<T>(v);
  }
  std::vector<uint8_t> take(uint64_t n, const char* what) {
    need(n, what);
    std::vector<uint8_t> out(b_.begin() + static_cast<std::ptrdiff_t>(pos_),
                             b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return out;
  }
  uint64_t pos() const { return pos_; }
  [[noreturn]] void fail(uint64_t at, const std::string& problem) const {
    throw InputError(InputLocation(path_, -1, static_cast<int64_t>(at)), problem);
  }

 private:
  void need(uint64_t n, const char* what) const {
    if (b_.size() - pos_ < n)
      fail(b_.size(), std::string("truncated checkpoint: ") + what + " needs " + std::to_string(n) +
                          " bytes at offset " + std::to_string(pos_) + ", file has " + std::to_string(b_.size()));
  }
  const std::vector<uint8_t>& b_;
  const std::string& path_;
  uint64_t pos_ = 0;
};

}  // namespace

void CheckpointWriter::add_bytes(const std::string& name, std::vector<uint8_t> payload) {
  if (name.empty() || name.size() > 0xFFFF) throw std::logic_error("checkpoint section name length");
  if (!sections_.emplace(name, std::move(payload)).second)
    throw std::logic_error("duplicate checkpoint section " + name);
}

std::vector<uint8_t> CheckpointWriter::serialize() const {
  std::vector<uint8_t> out(kMagic, kMagic + sizeof kMagic);
  put<uint32_t>(out, kCheckpointFormatVersion);
  put<uint64_t>(out, config_hash_);
  put<uint32_t>(out, static_cast<uint32_t>(sections_.size()));
  for (const auto& [name, payload] : sections_) {
    put<uint16_t>(out, static_cast<uint16_t>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
    put<uint64_t>(out, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
    put<uint32_t>(out, crc32_of(payload.data(), payload.size()));
  }
  put<uint32_t>(out, crc32_of(out.data(), out.size()));
  return out;
}

void CheckpointWriter::write(const std::string& path) const {
  const auto image = serialize();
  write_file_atomically(path, std::string(image.begin(), image.end()));
}

Checkpoint Checkpoint::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(InputLocation(path), "cannot open checkpoint for reading");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(InputLocation(path), "read error");
  return parse(bytes, path);
}

Checkpoint Checkpoint::parse(const std::vector<uint8_t>& bytes, const std::string& path) {
  Checkpoint ck;
  ck.path_ = path;
  Reader r(bytes, ck.path_);
  if (bytes.empty()) throw InputError(InputLocation(path), "file is empty; expected an lrtsim checkpoint");
  const auto magic = r.take(sizeof kMagic, "the magic");
  if (!std::equal(magic.begin(), magic.end(), kMagic)) r.fail(0, "not an lrtsim checkpoint (magic is not LRTSIMCK)");
  const auto version = r.get<uint32_t>("the format version");
  if (version != kCheckpointFormatVersion)
    r.fail(8, "checkpoint format version " + std::to_string(version) + "; this lrtsim reads version " +
                  std::to_string(kCheckpointFormatVersion));
  ck.config_hash_ = r.get<uint64_t>("the config hash");
  const auto count = r.get<uint32_t>("the section count");
  for (uint32_t s = 0; s < count; ++s) {
    const uint64_t start = r.pos();
    const auto name_len = r.get<uint16_t>("a section name length");
    if (name_len == 0) r.fail(start, "section " + std::to_string(s) + " has an empty name");
    const auto name_bytes = r.take(name_len, "a section name");
    const std::string name(name_bytes.begin(), name_bytes.end());
    const auto size = r.get<uint64_t>("a section length");
    const uint64_t payload_at = r.pos();
    auto payload = r.take(size, ("section '" + name + "'").c_str());
    const auto crc = r.get<uint32_t>("a section CRC");
    if (crc != crc32_of(payload.data(), payload.size()))
      r.fail(payload_at, "section '" + name + "' fails its CRC-32 check (corrupt checkpoint)");
    if (!ck.sections_.emplace(name, std::move(payload)).second)
      r.fail(start, "duplicate section '" + name + "'");
  }
  const uint64_t body_end = r.pos();
  const auto file_crc = r.get<uint32_t>("the file CRC");
  if (file_crc != crc32_of(bytes.data(), body_end)) r.fail(body_end, "file CRC-32 mismatch (corrupt checkpoint)");
  if (r.pos() != bytes.size())
    r.fail(r.pos(), std::to_string(bytes.size() - r.pos()) + " bytes after the end of the checkpoint");
  return ck;
}

std::vector<std::string> Checkpoint::section_names() const {
  std::vector<std::string> names;
  for (const auto& kv : sections_) names.push_back(kv.first);
  return names;
}

const std::vector<uint8_t>& Checkpoint::bytes(const std::string& name) const {
  const auto it = sections_.find(name);
  if (it == sections_.end())
    throw InputError(InputLocation(path_, -1, -1, name), "checkpoint has no section '" + name + "'");
  return it->second;
}

void Checkpoint::check_array_size(const std::string& name, std::size_t size, std::size_t elem,
                                  int64_t expected) const {
  if (size % elem != 0)
    throw InputError(InputLocation(path_, -1, -1, name),
                     "section size " + std::to_string(size) + " is not a multiple of " + std::to_string(elem));
  if (expected >= 0 && size / elem != static_cast<std::size_t>(expected))
    throw InputError(InputLocation(path_, -1, -1, name),
                     "section holds " + std::to_string(size / elem) + " values; this configuration expects " +
                         std::to_string(expected) + " (checkpoint from another network?)");
}

void Checkpoint::require_config_hash(uint64_t expected) const {
  if (config_hash_ != expected)
    throw InputError(InputLocation(path_),
                     "checkpoint was written under configuration hash " + hex64(config_hash_) +
                         ", the current configuration hashes to " + hex64(expected) +
                         "; expected a checkpoint of this configuration");
}

}  // namespace lrt
