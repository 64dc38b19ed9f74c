#include "tlm/tlm_mac_kernels.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

TlmMacKernels::TlmMacKernels(::tlm::tlm_fw_transport_if<>& port, uint64_t base, uint64_t memory_bytes,
                             bool bit_scalable, sc_core::sc_time& delay)
    : port_(port), base_(base), memory_bytes_(memory_bytes), bit_scalable_(bit_scalable), delay_(delay),
      tag_(new CostTag) {
  trans_.set_extension(tag_);
}

void TlmMacKernels::transport(::tlm::tlm_command cmd, uint64_t address, unsigned char* data, uint64_t bytes) {
  ::tlm::tlm_generic_payload& t = trans_;
  t.set_command(cmd);
  t.set_address(address);
  t.set_data_ptr(data);
  t.set_data_length(static_cast<unsigned>(bytes));
  t.set_streaming_width(static_cast<unsigned>(bytes));
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  port_.b_transport(t, delay_);
  if (t.is_response_error())
    throw RunError("MAC array: " + t.get_response_string() + " for " + std::to_string(bytes) + " bytes at bus address " +
                   std::to_string(address));
}

void TlmMacKernels::put(uint64_t offset, const void* src, uint64_t bytes) {
  if (bytes == 0) return;
  if (dmi_ != nullptr) {
    std::memcpy(dmi_ + offset, src, bytes);
    return;
  }
  transport(::tlm::TLM_WRITE_COMMAND, base_ + kMacMemoryOffset + offset,
            static_cast<unsigned char*>(const_cast<void*>(src)), bytes);  // a write only reads the data
}

void TlmMacKernels::get(uint64_t offset, void* dst, uint64_t bytes) {
  if (bytes == 0) return;
  if (dmi_ != nullptr) {
    std::memcpy(dst, dmi_ + offset, bytes);
    return;
  }
  transport(::tlm::TLM_READ_COMMAND, base_ + kMacMemoryOffset + offset, static_cast<unsigned char*>(dst), bytes);
}

void TlmMacKernels::run(MacJob job, Phase phase, const int16_t* a, const int16_t* b, void* c) {
  const MacOperands o = mac_operands(job);
  run(job, phase, {{0, a, o.a_bytes}}, {{0, b, o.b_bytes}}, {{0, c, o.c_bytes}});
}

void TlmMacKernels::run(MacJob job, Phase phase, std::initializer_list<In> a, std::initializer_list<In> b,
                        std::initializer_list<Out> c) {
  if (!dmi_asked_) {  // once: the array's operand memory never moves
    dmi_asked_ = true;
    ::tlm::tlm_dmi dmi;
    trans_.set_address(base_ + kMacMemoryOffset);
    trans_.set_command(::tlm::TLM_WRITE_COMMAND);
    if (port_.get_direct_mem_ptr(trans_, dmi) && dmi.is_read_write_allowed() &&
        dmi.get_start_address() <= base_ + kMacMemoryOffset &&
        dmi.get_end_address() >= base_ + kMacMemoryOffset + memory_bytes_ - 1)
      dmi_ = dmi.get_dmi_ptr() + (base_ + kMacMemoryOffset - dmi.get_start_address());
  }
  const MacOperands o = mac_operands(job);
  job.a = 0;
  job.b = mac_array::offset_of_b(o);
  job.c = mac_array::offset_of_c(o);
  if (mac_array::footprint(o) > memory_bytes_)
    throw std::logic_error("MAC array: a job of " + std::to_string(mac_array::footprint(o)) +
                           " operand bytes, the memory has " + std::to_string(memory_bytes_));
  for (const In& p : a) put(job.a + p.offset, p.data, p.bytes);
  for (const In& p : b) put(job.b + p.offset, p.data, p.bytes);
  tag_->phase = phase;
  transport(::tlm::TLM_WRITE_COMMAND, base_, reinterpret_cast<unsigned char*>(&job), sizeof job);
  for (const Out& p : c)
    if (p.data != nullptr) get(job.c + p.offset, p.data, p.bytes);
}

namespace {

MacJob job_of(MacKernel kernel, const golden::MacOperandBits& bits, int m, int n, int k) {
  MacJob j;
  j.kernel = static_cast<uint32_t>(kernel);
  j.weight_bits = bits.weight_bits;
  j.activation_bits = bits.activation_bits;
  j.m = m;
  j.n = n;
  j.k = k;
  j.accumulator_bits = kMacAccumulatorBits;
  return j;
}

// The jobs of a layer, as the layer's calls build them (and mac_memory_bytes sizes them).
MacJob forward_job(const golden::MacOperandBits& bits, int m, int n, int k) {
  return job_of(MacKernel::kGemmNt, bits, m, n, k);
}
MacJob fc_forward_job(const golden::MacOperandBits& bits, int n_i, int n_o) {
  return job_of(MacKernel::kVectorMatrix, bits, 1, n_o, n_i);
}
MacJob fc_backward_job(const golden::MacOperandBits& bits, int n_i, int n_o) {
  MacJob j = job_of(MacKernel::kGemmNt, bits, 1, n_i, n_o);
  j.gradient_a = 1;
  return j;
}
MacJob conv_backward_job(const golden::MacOperandBits& bits, const golden::TensorShape& in, int c_out) {
  MacJob j = job_of(MacKernel::kConvBackwardData, bits, 0, c_out, 0);
  j.in_h = in.h;
  j.in_w = in.w;
  j.in_c = in.c;
  return j;
}
MacJob weight_gradient_job(const golden::MacOperandBits& bits, int pairs, int n_o, int k) {
  return job_of(MacKernel::kWeightGradient, bits, pairs, n_o, k);
}
// Batch norm: one multiply-add per element forward, two backward, at 16 x 16 bits into 32.
MacJob bn_job(MacKernel kernel, const golden::TensorShape& shape) {
  MacJob j = job_of(kernel, {16, 16}, 0, 0, 0);
  j.in_h = shape.h;
  j.in_w = shape.w;
  j.in_c = shape.c;
  return j;
}
MacJob bn_forward_job(const golden::TensorShape& shape, int shift_in, const golden::ShiftQuantizer& yq) {
  MacJob j = bn_job(MacKernel::kBnNormalize, shape);
  j.shift = shift_in;
  j.frac = yq.shift;
  j.lo = yq.lo;
  j.hi = yq.hi;
  return j;
}
MacJob bn_backward_job(const golden::TensorShape& shape, const golden::BnBackwardSpec& spec) {
  MacJob j = bn_job(MacKernel::kBnBackward, shape);
  j.through_stats = spec.through_stats ? 1 : 0;
  j.batch = spec.batch;
  j.frac = spec.param_frac;
  j.lo = spec.dx_min;
  j.hi = spec.dx_max;
  return j;
}
MacJob bias_gradient_job(const golden::MacOperandBits& bits, int pairs, int n_o) {
  return job_of(MacKernel::kColumnSum, bits, pairs, n_o, 0);
}
// rank products of B_w x B_a-bit signed codes need B_w + B_a - 1 + ceil(log2 rank) bits: the
// accumulator is at least that wide (at least the array's 32).
MacJob factor_product_job(const golden::MacOperandBits& bits, int n_o, int n_i, int rank) {
  MacJob j = job_of(MacKernel::kGemmNtWide, bits, n_o, n_i, rank);
  uint32_t log2_rank = 0;
  while ((1 << log2_rank) < rank) ++log2_rank;
  j.accumulator_bits = std::max(kMacAccumulatorBits, bits.weight_bits + bits.activation_bits - 1 + log2_rank);
  return j;
}

}  // namespace

MacJob TlmMacKernels::scalable(MacJob job) const {
  job.bit_scalable = bit_scalable_ ? 1 : 0;
  return job;
}

void TlmMacKernels::forward(const golden::MacOperandBits& bits, int m, int n, int k, const int16_t* a,
                            const int16_t* b, int32_t* c) {
  run(scalable(forward_job(bits, m, n, k)), Phase::kForward, a, b, c);
}

void TlmMacKernels::fc_forward(const golden::MacOperandBits& bits, int n_i, int n_o, const int16_t* x,
                               const int16_t* wt, int32_t* out) {
  run(scalable(fc_forward_job(bits, n_i, n_o)), Phase::kForward, x, wt, out);
}

void TlmMacKernels::fc_backward_data(const golden::MacOperandBits& bits, int n_i, int n_o, const int16_t* dz,
                                     const int16_t* wt, int32_t* dx) {
  run(scalable(fc_backward_job(bits, n_i, n_o)), Phase::kBackward, dz, wt, dx);
}

void TlmMacKernels::conv_backward_data(const golden::MacOperandBits& bits, const golden::TensorShape& in, int c_out,
                                       const int16_t* dz, const int16_t* wt, int32_t* dx) {
  run(scalable(conv_backward_job(bits, in, c_out)), Phase::kBackward, dz, wt, dx);
}

void TlmMacKernels::weight_gradient(const golden::MacOperandBits& bits, int pairs, int n_o, int k, const int16_t* dz,
                                    const int16_t* a, int32_t* g) {
  run(scalable(weight_gradient_job(bits, pairs, n_o, k)), Phase::kBackward, dz, a, g);
}

void TlmMacKernels::bias_gradient(const golden::MacOperandBits& bits, int pairs, int n_o, const int16_t* dz,
                                  int32_t* db) {
  run(bias_gradient_job(bits, pairs, n_o), Phase::kUpdate, dz, nullptr, db);
}

void TlmMacKernels::bn_forward(const golden::TensorShape& shape, const int16_t* x, int shift_in,
                               const golden::BnNormalizeChannel* channels, const golden::ShiftQuantizer& yq,
                               int32_t* xhat, int16_t* y, uint8_t* clipped) {
  const MacJob job = bn_forward_job(shape, shift_in, yq);
  const BnOffsets o = bn_offsets(job);
  run(job, Phase::kForward, {{0, x, 2 * o.elements}},
      {{0, channels, o.channels * sizeof(golden::BnNormalizeChannel)}},
      {{0, xhat, 4 * o.elements}, {o.c_y, y, 2 * o.elements}, {o.c_clipped, clipped, o.elements}});
}

void TlmMacKernels::bn_backward(const golden::TensorShape& shape, const int16_t* dy, const uint8_t* clipped,
                                const int32_t* xhat, const golden::BnBackwardChannel* channels,
                                const golden::BnBackwardSpec& spec, int16_t* dx, int64_t* dgamma, int64_t* dbeta) {
  const MacJob job = bn_backward_job(shape, spec);
  const BnOffsets o = bn_offsets(job);
  run(job, Phase::kBackward, {{0, dy, 2 * o.elements}},
      {{0, channels, o.channels * sizeof(golden::BnBackwardChannel)},
       {o.b_xhat, xhat, 4 * o.elements},
       {o.b_clipped, clipped, o.elements}},
      {{0, dgamma, 8 * o.channels}, {o.c_dbeta, dbeta, 8 * o.channels}, {o.c_dx, dx, 2 * o.elements}});
}

void TlmMacKernels::factor_product(const golden::MacOperandBits& bits, int n_o, int n_i, int rank, const int16_t* l,
                                   const int16_t* r, int64_t* c) {
  run(factor_product_job(bits, n_o, n_i, rank), Phase::kUpdate, l, r, c);
}

uint64_t mac_memory_bytes(const golden::Engine& engine) {
  uint64_t bytes = 0;
  for (int l : engine.trainable_layers()) {
    const golden::AffineLayer& layer = engine.affine(l);
    const golden::MacOperandBits any{8, 8};  // sizes do not depend on widths
    const int pairs = layer.pairs(), n_o = layer.n_out(), k = layer.fan_in();
    const MacJob backward = layer.is_conv() ? conv_backward_job(any, layer.in_shape(), n_o)
                                            : fc_backward_job(any, k, n_o);
    // Per-pixel SGD's one-pair jobs are weight-gradient jobs of one pair: never larger.
    const MacJob forward = layer.is_conv() ? forward_job(any, pairs, n_o, k) : fc_forward_job(any, k, n_o);
    for (const MacJob& j :
         {forward, backward, weight_gradient_job(any, pairs, n_o, k), bias_gradient_job(any, pairs, n_o)})
      bytes = std::max(bytes, mac_array::footprint(mac_operands(j)));
    if (const golden::LrtAccumulator* acc = layer.updater().lrt_accumulator())
      bytes = std::max(bytes, mac_array::footprint(mac_operands(
                                  factor_product_job(any, n_o, k, acc->params().reducer.rank))));
  }
  for (const golden::LayerShape& s : golden::derive_shapes(engine.network()))
    if (s.spec.kind == golden::LayerKind::kBatchNorm)
      for (const MacJob& j : {bn_forward_job(s.in, 0, {}), bn_backward_job(s.in, {})})
        bytes = std::max(bytes, mac_array::footprint(mac_operands(j)));
  return bytes;
}

}  // namespace lrt::tlm
