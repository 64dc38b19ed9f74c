#pragma once
// Versioned checkpoint container: named binary sections with a CRC-32 each, the hash of
// the configuration that produced it, and a whole-file CRC-32. Written atomically
// (temporary file + rename). Every defect — wrong magic, another format version,
// truncation, a bad CRC, a duplicate or missing section, another configuration — is an
// InputError naming the file and the byte offset.
//
// Layout (all integers little-endian):
//   "LRTSIMCK" | u32 format_version | u64 config_hash | u32 section_count |
//   section_count x ( u16 name_len | name | u64 payload_len | payload | u32 crc32(payload) ) |
//   u32 crc32(all preceding bytes)

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace lrt {

constexpr uint32_t kCheckpointFormatVersion = 1;

/// @brief Collects sections, then writes them atomically.
class CheckpointWriter {
 public:
  explicit CheckpointWriter(uint64_t config_hash) : config_hash_(config_hash) {}
  /// Adds a section; a second section of the same name is a logic error (throws).
  void add_bytes(const std::string& name, std::vector<uint8_t> payload);
  template <class T>
  void add_array(const std::string& name, const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>, "sections hold plain values");
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    add_bytes(name, std::move(bytes));
  }
  /// Serializes the container (exposed for tests and fuzz seeds).
  std::vector<uint8_t> serialize() const;
  /// Writes through a temporary file and rename. Throws RunError.
  void write(const std::string& path) const;

 private:
  uint64_t config_hash_;
  std::map<std::string, std::vector<uint8_t>> sections_;  // ordered: byte-stable output
};

/// @brief A validated checkpoint.
class Checkpoint {
 public:
  /// Reads and validates `path` completely. Throws InputError.
  static Checkpoint read(const std::string& path);
  /// Validates an in-memory image; `path` is used for messages.
  static Checkpoint parse(const std::vector<uint8_t>& bytes, const std::string& path);

  uint64_t config_hash() const { return config_hash_; }
  uint32_t format_version() const { return kCheckpointFormatVersion; }
  const std::string& path() const { return path_; }
  bool has(const std::string& name) const { return sections_.count(name) != 0; }
  std::vector<std::string> section_names() const;
  /// The payload of `name`; InputError when it is missing.
  const std::vector<uint8_t>& bytes(const std::string& name) const;
  /// The payload as an array of T; InputError when missing or its size is not a multiple
  /// of sizeof(T), or (expected_count >= 0) when it holds another number of elements.
  template <class T>
  std::vector<T> array(const std::string& name, int64_t expected_count = -1) const {
    static_assert(std::is_trivially_copyable_v<T>, "sections hold plain values");
    const auto& b = bytes(name);
    check_array_size(name, b.size(), sizeof(T), expected_count);
    std::vector<T> out(b.size() / sizeof(T));
    if (!b.empty()) std::memcpy(out.data(), b.data(), b.size());
    return out;
  }
  /// InputError unless the checkpoint was written under configuration hash `expected`.
  void require_config_hash(uint64_t expected) const;

 private:
  void check_array_size(const std::string& name, std::size_t size, std::size_t elem, int64_t expected) const;
  std::string path_;
  uint64_t config_hash_ = 0;
  std::map<std::string, std::vector<uint8_t>> sections_;
};

}  // namespace lrt
