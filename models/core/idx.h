#pragma once
// IDX files (the MNIST container format: LeCun et al., http://yann.lecun.com/exdb/mnist/),
// raw or gzip-compressed (detected from the content, not the name). Header: two zero
// bytes, a type code, the number of dimensions, then one big-endian uint32 per
// dimension; then the elements, big-endian, row-major. Every defect is an InputError
// naming the file and the byte offset in the (decompressed) IDX stream.

#include <cstdint>
#include <string>
#include <vector>

namespace lrt {

enum class IdxType : uint8_t {
  kUint8 = 0x08, kInt8 = 0x09, kInt16 = 0x0B, kInt32 = 0x0C, kFloat32 = 0x0D, kFloat64 = 0x0E
};
const char* to_string(IdxType type);
int element_size(IdxType type);

/// @brief An IDX array in host byte order.
struct IdxArray {
  IdxType type = IdxType::kUint8;
  std::vector<uint32_t> dims;
  std::vector<uint8_t> raw;   ///< elements in host byte order, element_size(type) bytes each
  bool gzipped = false;       ///< the file was gzip-compressed

  uint64_t count() const;     ///< number of elements (product of dims)
  double value(uint64_t i) const;  ///< element i converted to double (exact for every type)
};

/// @brief Reads and fully validates an IDX file. Throws InputError.
IdxArray read_idx(const std::string& path);

/// @brief Images (N x rows x cols, uint8) with their labels (N, uint8).
struct LabeledImages {
  uint32_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  ///< N * rows * cols, row-major
  std::vector<uint8_t> labels;  ///< N
};

/// @brief Reads an MNIST-format image/label pair and checks that they fit together
/// (3-D uint8 images, 1-D uint8 labels, equal counts, labels < num_classes).
LabeledImages read_labeled_images(const std::string& images_path, const std::string& labels_path,
                                  int num_classes = 10);

}  // namespace lrt
