#pragma once
// The MAC loops of the layers (GEMMs, gradients, bias sums, the LRT update's L R^T, batch
// norm's element-wise work),
// behind an interface, so that what computes them is a choice of the engine's user:
// LocalMacKernels runs the golden kernels (kernels.h) on the caller's thread pool; the TLM engine installs one that hands each job to its MAC array
// module, which computes it on operands in its own memory (tlm/tlm_mac_kernels.h). Both give
// the same bits: the module calls the same kernels.
//
// One call is one job; no call allocates after the first of its size. The operand widths are
// what the array runs the job at (the layer's formats after PFQ): a cost model's input, not the
// arithmetic's (the codes already lie on that grid).

#include <cstdint>

#include "core/thread_pool.h"
#include "golden/training/kernels.h"
#include "golden/training/network.h"
#include "golden/training/streaming_bn.h"

namespace lrt::golden {

/// @brief Operand widths of a job as MacJob has them: weight_bits x activation_bits (for a
/// gradient job the gradient takes the role the job's kind gives it, docs/tlm.md "mac_array").
struct MacOperandBits {
  uint32_t weight_bits = 0;
  uint32_t activation_bits = 0;
};

/// @brief Computes a layer's MAC jobs (see the file comment).
class MacKernels {
 public:
  virtual ~MacKernels() = default;
  /// @brief Forward: C[m][n] = sum_k A[m][k] B[n][k] (A the activation rows, B the weights).
  virtual void forward(const MacOperandBits& bits, int m, int n, int k, const int16_t* a, const int16_t* b,
                       int32_t* c) = 0;
  /// @brief An fc layer's forward on its weights in the cells' order: out[o] = sum_i x[i]
  /// wt[i][o] (kern::vector_matrix; the sums of forward() with m = 1 and B = wt transposed).
  virtual void fc_forward(const MacOperandBits& bits, int n_i, int n_o, const int16_t* x, const int16_t* wt,
                          int32_t* out) = 0;
  /// @brief An fc layer's input gradient: dx[i] = sum_o wt[i][o] dz[o] (gemm_nt with m = 1).
  virtual void fc_backward_data(const MacOperandBits& bits, int n_i, int n_o, const int16_t* dz, const int16_t* wt,
                                int32_t* dx) = 0;
  /// @brief A 3x3 conv layer's input gradient (kern::conv3x3_backward_data).
  virtual void conv_backward_data(const MacOperandBits& bits, const TensorShape& in, int c_out, const int16_t* dz,
                                  const int16_t* wt, int32_t* dx) = 0;
  /// @brief g[o][k] = sum_p dz[p][o] a[p][k] (kern::weight_gradient).
  virtual void weight_gradient(const MacOperandBits& bits, int pairs, int n_o, int k, const int16_t* dz,
                               const int16_t* a, int32_t* g) = 0;
  /// @brief A bias gradient: db[o] = sum_p dz[p][o] (adds: the array runs them as MACs by 1).
  virtual void bias_gradient(const MacOperandBits& bits, int pairs, int n_o, const int16_t* dz, int32_t* db) = 0;
  /// @brief An LRT update's L R^T in codes: c[i][j] = sum_t l[i][t] r[j][t] (l: n_o x rank,
  /// r: n_i x rank, row-major) in 64-bit sums (kern::gemm_nt_wide).
  virtual void factor_product(const MacOperandBits& bits, int n_o, int n_i, int rank, const int16_t* l,
                              const int16_t* r, int64_t* c) = 0;
  /// @brief A batch-norm layer's element-wise forward (golden::bn_normalize).
  virtual void bn_forward(const TensorShape& shape, const int16_t* x, int shift_in,
                          const BnNormalizeChannel* channels, const ShiftQuantizer& yq, int32_t* xhat, int16_t* y,
                          uint8_t* clipped) = 0;
  /// @brief A batch-norm layer's backward (golden::bn_backward; dx may be null).
  virtual void bn_backward(const TensorShape& shape, const int16_t* dy, const uint8_t* clipped, const int32_t* xhat,
                           const BnBackwardChannel* channels, const BnBackwardSpec& spec, int16_t* dx,
                           int64_t* dgamma, int64_t* dbeta) = 0;
};

/// @brief The golden kernels on a thread pool (null: the calling thread).
class LocalMacKernels final : public MacKernels {
 public:
  void set_thread_pool(ThreadPool* pool) { pool_ = pool; }
  void forward(const MacOperandBits& bits, int m, int n, int k, const int16_t* a, const int16_t* b,
               int32_t* c) override;
  void fc_forward(const MacOperandBits& bits, int n_i, int n_o, const int16_t* x, const int16_t* wt,
                  int32_t* out) override;
  void fc_backward_data(const MacOperandBits& bits, int n_i, int n_o, const int16_t* dz, const int16_t* wt,
                        int32_t* dx) override;
  void conv_backward_data(const MacOperandBits& bits, const TensorShape& in, int c_out, const int16_t* dz,
                          const int16_t* wt, int32_t* dx) override;
  void weight_gradient(const MacOperandBits& bits, int pairs, int n_o, int k, const int16_t* dz, const int16_t* a,
                       int32_t* g) override;
  void bias_gradient(const MacOperandBits& bits, int pairs, int n_o, const int16_t* dz, int32_t* db) override;
  void factor_product(const MacOperandBits& bits, int n_o, int n_i, int rank, const int16_t* l, const int16_t* r,
                      int64_t* c) override;
  void bn_forward(const TensorShape& shape, const int16_t* x, int shift_in, const BnNormalizeChannel* channels,
                  const ShiftQuantizer& yq, int32_t* xhat, int16_t* y, uint8_t* clipped) override;
  void bn_backward(const TensorShape& shape, const int16_t* dy, const uint8_t* clipped, const int32_t* xhat,
                   const BnBackwardChannel* channels, const BnBackwardSpec& spec, int16_t* dx, int64_t* dgamma,
                   int64_t* dbeta) override;

 private:
  ThreadPool* pool_ = nullptr;
  kern::ConvBackwardScratch scratch_;  // grown to the largest job, then reused
  std::vector<int> channels_;          // fc_forward's non-zero inputs (grown, then reused)
};

/// @brief Grows `s` to hold conv3x3_backward_data's scratch for this shape (no-op if it does).
void reserve_conv_backward_scratch(kern::ConvBackwardScratch& s, const TensorShape& in, int c_out);

}  // namespace lrt::golden
