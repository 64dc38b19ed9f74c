#include "golden/training/mac_kernels.h"

namespace lrt::golden {

void reserve_conv_backward_scratch(kern::ConvBackwardScratch& s, const TensorShape& in, int c_out) {
  const auto pairs = static_cast<size_t>(in.h - 2) * static_cast<size_t>(in.w - 2);
  const auto k = static_cast<size_t>(9 * in.c);
  if (s.dz_rows.size() < pairs * static_cast<size_t>(c_out)) s.dz_rows.resize(pairs * static_cast<size_t>(c_out));
  if (s.pixel.size() < pairs) s.pixel.resize(pairs);
  if (s.dcols.size() < pairs * k) s.dcols.resize(pairs * k);
  if (s.w_rows.size() < static_cast<size_t>(c_out) * k) s.w_rows.resize(static_cast<size_t>(c_out) * k);
}

void LocalMacKernels::forward(const MacOperandBits& /*bits*/, int m, int n, int k, const int16_t* a,
                              const int16_t* b, int32_t* c) {
  kern::gemm_nt_parallel(pool_, m, n, k, a, b, c);
}

void LocalMacKernels::fc_forward(const MacOperandBits& /*bits*/, int n_i, int n_o, const int16_t* x,
                                 const int16_t* wt, int32_t* out) {
  kern::vector_matrix(pool_, n_i, n_o, x, wt, out, channels_);
}

void LocalMacKernels::fc_backward_data(const MacOperandBits& /*bits*/, int n_i, int n_o, const int16_t* dz,
                                       const int16_t* wt, int32_t* dx) {
  kern::gemm_nt_parallel(pool_, 1, n_i, n_o, dz, wt, dx);
}

void LocalMacKernels::conv_backward_data(const MacOperandBits& /*bits*/, const TensorShape& in, int c_out,
                                         const int16_t* dz, const int16_t* wt, int32_t* dx) {
  reserve_conv_backward_scratch(scratch_, in, c_out);
  kern::conv3x3_backward_data(in, c_out, dz, wt, dx, scratch_, pool_);
}

void LocalMacKernels::weight_gradient(const MacOperandBits& /*bits*/, int pairs, int n_o, int k, const int16_t* dz,
                                      const int16_t* a, int32_t* g) {
  kern::weight_gradient(pairs, n_o, k, dz, a, g);
}

void LocalMacKernels::bias_gradient(const MacOperandBits& /*bits*/, int pairs, int n_o, const int16_t* dz,
                                    int32_t* db) {
  kern::column_sum(pairs, n_o, dz, db);
}

void LocalMacKernels::bn_forward(const TensorShape& shape, const int16_t* x, int shift_in,
                                 const BnNormalizeChannel* channels, const ShiftQuantizer& yq, int32_t* xhat,
                                 int16_t* y, uint8_t* clipped) {
  bn_normalize(shape, x, shift_in, channels, yq, xhat, y, clipped);
}

void LocalMacKernels::bn_backward(const TensorShape& shape, const int16_t* dy, const uint8_t* clipped,
                                  const int32_t* xhat, const BnBackwardChannel* channels, const BnBackwardSpec& spec,
                                  int16_t* dx, int64_t* dgamma, int64_t* dbeta) {
  golden::bn_backward(shape, dy, clipped, xhat, channels, spec, dx, dgamma, dbeta);
}

void LocalMacKernels::factor_product(const MacOperandBits& /*bits*/, int n_o, int n_i, int rank, const int16_t* l,
                                     const int16_t* r, int64_t* c) {
  kern::gemm_nt_wide_parallel(pool_, n_o, n_i, rank, l, r, c);
}

}  // namespace lrt::golden
