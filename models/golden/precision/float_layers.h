#pragma once
// Double-precision reference of every layer the golden engine runs, with exact backward
// passes. It is the mathematical definition the integer datapath quantizes (no quantizers
// here) and the oracle of the finite-difference tests. Layouts match the integer layers:
// feature maps HWC (channels fastest), conv weights [c_out][ky][kx][c_in], fc weights
// [out][in] with the input flattened in HWC order.

#include <cstdint>
#include <vector>

#include "golden/training/network.h"

namespace lrt::golden::fref {

/// @brief z = alpha * (W * a) + b, 3x3 valid convolution; z has shape (h-2, w-2, c_out).
void conv3x3_forward(const TensorShape& in, int c_out, const double* a, const double* w, const double* b,
                     double alpha, double* z);
/// @brief Gradients of conv3x3_forward given dz: da (may be null), dw = alpha * sum dz a^T,
/// db = sum over pixels of dz. da, dw, db are overwritten.
void conv3x3_backward(const TensorShape& in, int c_out, const double* a, const double* w, double alpha,
                      const double* dz, double* da, double* dw, double* db);

/// @brief z = alpha * W a + b with W n_out x n_in.
void fc_forward(int n_in, int n_out, const double* a, const double* w, const double* b, double alpha,
                double* z);
/// @brief Gradients of fc_forward: da (may be null), dw = alpha dz a^T, db = dz.
void fc_backward(int n_in, int n_out, const double* a, const double* w, double alpha, const double* dz,
                 double* da, double* dw, double* db);

/// @brief 2x2 max-pool, stride 2, floor mode; ties go to the first element in raster order.
void maxpool2_forward(const TensorShape& in, const double* x, double* y);
/// @brief Routes dy to the arg-max of each window (same tie rule); dx is overwritten.
void maxpool2_backward(const TensorShape& in, const double* x, const double* dy, double* dx);

void relu_forward(int64_t n, const double* x, double* y);
/// @brief dx = dy where x > 0, else 0.
void relu_backward(int64_t n, const double* x, const double* dy, double* dx);

/// @brief Streaming batch norm of one sample (Appendix E). The statistics first absorb the
/// sample (mu = eta mu_prev + (1-eta) mean(x), sq = eta sq_prev + (1-eta) mean(x^2)), then
/// y = gamma (x - mu) / sqrt(max(sq - mu^2, 0) + eps) + beta per channel.
struct BnStats {
  std::vector<double> mu;
  std::vector<double> sq;
};
void batchnorm_forward(const TensorShape& in, const double* x, const double* gamma, const double* beta,
                       const BnStats& prev, double eta, double eps, double* y, BnStats* next);
/// @brief Exact gradient of batchnorm_forward with respect to x (including the path
/// through the statistics, which depend on x with weight 1 - eta), gamma and beta.
void batchnorm_backward(const TensorShape& in, const double* x, const double* gamma, const BnStats& prev,
                        double eta, double eps, const double* dy, double* dx, double* dgamma, double* dbeta);

/// @brief Softmax cross-entropy: returns -log p[label] and writes dz = p - onehot(label).
double softmax_xent(int n, const double* z, int label, double* dz);

}  // namespace lrt::golden::fref
