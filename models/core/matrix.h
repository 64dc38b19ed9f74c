#pragma once
// A small dense matrix, column-major: each column is contiguous, because the hot loops
// of rankReduce (Gram-Schmidt dot products, basis updates) walk columns of Q_L, Q_R.

#include <cassert>
#include <cstddef>
#include <vector>

namespace lrt {

template <class T>
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols, T fill = T{})
      : rows_(rows), cols_(cols), data_(rows * cols, fill) {}

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  T& operator()(std::size_t r, std::size_t c) {
    assert(r < rows_ && c < cols_);
    return data_[c * rows_ + r];
  }
  const T& operator()(std::size_t r, std::size_t c) const {
    assert(r < rows_ && c < cols_);
    return data_[c * rows_ + r];
  }
  T* col(std::size_t c) { return data_.data() + c * rows_; }
  const T* col(std::size_t c) const { return data_.data() + c * rows_; }
  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  void fill(T v) { data_.assign(data_.size(), v); }
  bool operator==(const Matrix& o) const {
    return rows_ == o.rows_ && cols_ == o.cols_ && data_ == o.data_;
  }

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<T> data_;
};

}  // namespace lrt
