#include "tlm/mac_array.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "golden/training/mac_kernels.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

mac_array::mac_array(const sc_core::sc_module_name& name, const MacArraySpecs& specs,
                     const sc_core::sc_time& clock_period, uint64_t memory_bytes)
    : sc_core::sc_module(name), in("in"), specs_(specs), clock_period_(clock_period), memory_(memory_bytes) {
  validate(specs_);
  if (clock_period_ == sc_core::SC_ZERO_TIME)
    throw std::invalid_argument(std::string(basename()) + ": zero clock period");
  in.register_b_transport(this, &mac_array::b_transport);
  in.register_get_direct_mem_ptr(this, &mac_array::get_direct_mem_ptr);
  in.register_transport_dbg(this, &mac_array::transport_dbg);
}

namespace {

uint64_t aligned8(uint64_t bytes) { return (bytes + 7) / 8 * 8; }

bool fits(uint64_t offset, uint64_t bytes, unsigned align, uint64_t memory_bytes) {
  return offset % align == 0 && offset <= memory_bytes && bytes <= memory_bytes - offset;
}

}  // namespace

uint64_t mac_array::offset_of_b(const MacOperands& o) { return aligned8(o.a_bytes); }
uint64_t mac_array::offset_of_c(const MacOperands& o) { return offset_of_b(o) + aligned8(o.b_bytes); }
uint64_t mac_array::footprint(const MacOperands& o) { return offset_of_c(o) + aligned8(o.c_bytes); }

static_assert(sizeof(golden::BnNormalizeChannel) % 8 == 0 && sizeof(golden::BnBackwardChannel) % 8 == 0,
              "the channel records keep the regions behind them 8-byte aligned");

BnOffsets bn_offsets(const MacJob& j) {
  BnOffsets o;
  o.elements = static_cast<uint64_t>(j.in_h) * static_cast<uint64_t>(j.in_w) * static_cast<uint64_t>(j.in_c);
  o.channels = static_cast<uint64_t>(j.in_c);
  o.b_xhat = o.channels * sizeof(golden::BnBackwardChannel);
  o.b_clipped = o.b_xhat + 4 * o.elements;
  o.c_y = 4 * o.elements;
  o.c_clipped = o.c_y + 2 * o.elements;
  o.c_dbeta = 8 * o.channels;
  o.c_dx = 16 * o.channels;
  return o;
}

MacOperands mac_operands(const MacJob& j) {
  const auto m = static_cast<uint64_t>(j.m), n = static_cast<uint64_t>(j.n), k = static_cast<uint64_t>(j.k);
  switch (static_cast<MacKernel>(j.kernel)) {
    case MacKernel::kGemmNt: return {2 * m * k, 2 * n * k, 4 * m * n};
    case MacKernel::kGemmNtWide: return {2 * m * k, 2 * n * k, 8 * m * n, 2, 8};
    case MacKernel::kVectorMatrix:
      return {2 * k, 2 * k * n, 4 * n};
    case MacKernel::kWeightGradient: return {2 * m * n, 2 * m * k, 4 * n * k};
    case MacKernel::kColumnSum: return {2 * m * n, 0, 4 * n};
    case MacKernel::kConvBackwardData: {
      const auto pixels = static_cast<uint64_t>(j.in_h - 2) * static_cast<uint64_t>(j.in_w - 2);
      const auto taps = 9 * static_cast<uint64_t>(j.in_c);
      return {2 * pixels * n, 2 * taps * n, 4 * static_cast<uint64_t>(j.in_h) * static_cast<uint64_t>(j.in_w) * j.in_c};
    }
    case MacKernel::kBnNormalize: {
      const BnOffsets o = bn_offsets(j);
      return {2 * o.elements, o.channels * sizeof(golden::BnNormalizeChannel), o.c_clipped + o.elements, 8, 4};
    }
    case MacKernel::kBnBackward: {
      const BnOffsets o = bn_offsets(j);
      return {2 * o.elements, o.b_clipped + o.elements, o.c_dx + 2 * o.elements, 8, 8};
    }
    case MacKernel::kCount: break;
  }
  return {};
}

const char* mac_array::check_job(const MacJob& job, uint64_t memory_bytes) {
  if (job.weight_bits < 1 || job.weight_bits > 32) return "weight_bits outside 1..32";
  if (job.activation_bits < 1 || job.activation_bits > 32) return "activation_bits outside 1..32";
  if (job.accumulator_bits < 1 || job.accumulator_bits > 64) return "accumulator_bits outside 1..64";
  if (job.zero_operand > job.macs) return "zero_operand exceeds macs";
  if (job.bit_scalable > 1) return "bit_scalable is not 0 or 1";
  if (job.bit_scalable == 1 && (job.weight_bits > 8 || job.activation_bits > 8))
    return "a bit-scalable job has operands above 8 bits";
  if (job.kernel > static_cast<uint32_t>(MacKernel::kVectorMatrix)) return "unknown kernel";
  if (job.kernel == static_cast<uint32_t>(MacKernel::kCount)) return "";
  if (job.macs != 0 || job.zero_operand != 0) return "a compute job counts its MACs itself (macs, zero_operand 0)";
  const auto kernel = static_cast<MacKernel>(job.kernel);
  const bool conv = kernel == MacKernel::kConvBackwardData;
  const bool bn = kernel == MacKernel::kBnNormalize || kernel == MacKernel::kBnBackward;
  const bool column_sum = kernel == MacKernel::kColumnSum;
  if (bn) {
    if (job.in_h < 1 || job.in_w < 1 || job.in_c < 1 || job.m != 0 || job.n != 0 || job.k != 0)
      return "batch-norm map out of range";
    if (kernel == MacKernel::kBnNormalize && (job.shift < 0 || job.shift > 62 || job.frac < 0 || job.frac > 62))
      return "batch-norm shifts out of range";
    if (kernel == MacKernel::kBnBackward && (job.batch < 1 || job.frac < 0 || job.frac > 62 || job.through_stats > 1))
      return "batch-norm backward parameters out of range";
    if (job.lo > job.hi) return "batch-norm code range empty";
  } else if (job.n < 1 || (!conv && job.m < 0) || (!conv && !column_sum && job.k < 1) || (column_sum && job.k != 0)) {
    return "dimensions out of range";
  }
  if (conv && (job.in_h < 3 || job.in_w < 3 || job.in_c < 1)) return "conv input shape out of range";
  if (job.gradient_a > 1) return "gradient_a is not 0 or 1";
  if (kernel == MacKernel::kVectorMatrix && job.m != 1) return "a vector-matrix job has m = 1";
  const MacOperands o = mac_operands(job);
  if (o.a_bytes > (uint64_t{1} << 41) || o.b_bytes > (uint64_t{1} << 41) || o.c_bytes > (uint64_t{1} << 42))
    return "operands too large";
  if (!fits(job.a, o.a_bytes, 2, memory_bytes) || !fits(job.b, o.b_bytes, o.b_align, memory_bytes) ||
      !fits(job.c, o.c_bytes, o.c_align, memory_bytes))
    return "operands outside the operand memory";
  return "";
}

device::EnergyUnits mac_array::energy_per_mac(const MacWidths& w) const {
  const double full_adders = static_cast<double>(w.weight_bits) * w.activation_bits + w.accumulator_bits;
  return device::to_energy_units(full_adders * specs_.full_adder_energy_pj, "full_adder_energy_pj");
}

MacJobCost mac_array::cost(const MacJob& job) const {
  const char* problem = check_job(job);
  if (*problem != '\0') throw std::invalid_argument(std::string("mac_array job: ") + problem);
  MacJobCost c;
  c.active_macs = job.macs - job.zero_operand;
  const uint64_t slots = specs_.zero_skip ? c.active_macs : job.macs;
  // A bit-scalable job is counted in 1 x 1 b products, 64 per lane and cycle.
  const uint64_t per_slot = job.bit_scalable ? uint64_t{job.weight_bits} * job.activation_bits : 1;
  const uint64_t per_cycle = job.bit_scalable ? 64 * uint64_t{specs_.lanes} : specs_.lanes;
  const uint64_t work = slots * per_slot;
  c.cycles = work == 0 ? 0 : (work - 1) / per_cycle + 1 + specs_.pipeline_fill_cycles;
  c.energy_per_mac = energy_per_mac({job.weight_bits, job.activation_bits, job.accumulator_bits});
  c.energy = device::energy_of(c.active_macs, c.energy_per_mac);
  return c;
}

std::vector<uint64_t> mac_array::stats_words() const {
  std::vector<uint64_t> w{stats_.jobs, stats_.macs, stats_.gated_macs, stats_.busy_cycles};
  for (const auto& [widths, count] : stats_.active_macs)
    w.insert(w.end(), {widths.weight_bits, widths.activation_bits, widths.accumulator_bits, count});
  return w;
}

void mac_array::set_stats_words(const std::vector<uint64_t>& w) {
  if (w.size() < 4 || (w.size() - 4) % 4 != 0)
    throw std::invalid_argument("mac_array stats: " + std::to_string(w.size()) + " words, expected 4 + 4 n");
  MacArrayStats s;
  s.jobs = w[0];
  s.macs = w[1];
  s.gated_macs = w[2];
  s.busy_cycles = w[3];
  for (size_t i = 4; i < w.size(); i += 4) {
    if (w[i] < 1 || w[i] > 32 || w[i + 1] < 1 || w[i + 1] > 32 || w[i + 2] < 1 || w[i + 2] > 64)
      throw std::invalid_argument("mac_array stats: operand widths outside the model");
    s.active_macs[{static_cast<uint32_t>(w[i]), static_cast<uint32_t>(w[i + 1]), static_cast<uint32_t>(w[i + 2])}] =
        w[i + 3];
  }
  stats_ = s;
}

device::EnergyUnits mac_array::energy() const {
  device::EnergyUnits total = 0;
  for (const auto& [widths, count] : stats_.active_macs) {
    const device::EnergyUnits e = device::energy_of(count, energy_per_mac(widths));
    if (__builtin_add_overflow(total, e, &total)) throw std::overflow_error("mac_array: energy overflow");
  }
  return total;
}

bool mac_array::in_memory(const ::tlm::tlm_generic_payload& trans) const {
  const uint64_t a = trans.get_address(), len = trans.get_data_length();
  return a >= kMacMemoryOffset && len > 0 && a - kMacMemoryOffset <= memory_.size() &&
         len <= memory_.size() - (a - kMacMemoryOffset);
}

void mac_array::access_memory(::tlm::tlm_generic_payload& trans) {
  unsigned char* m = memory_.data() + (trans.get_address() - kMacMemoryOffset);
  if (trans.is_read()) std::memcpy(trans.get_data_ptr(), m, trans.get_data_length());
  if (trans.is_write()) std::memcpy(m, trans.get_data_ptr(), trans.get_data_length());
}

void mac_array::compute(MacJob& job) {
  unsigned char* base = memory_.data();
  const auto* a = reinterpret_cast<const int16_t*>(base + job.a);
  const auto* b = reinterpret_cast<const int16_t*>(base + job.b);
  auto* c = reinterpret_cast<int32_t*>(base + job.c);
  const MacOperands o = mac_operands(job);
  const auto kernel = static_cast<MacKernel>(job.kernel);
  // The zero detector of the gradient operand, which feeds the scheduler under zero skipping.
  const bool conv = kernel == MacKernel::kConvBackwardData;
  const bool gradient = conv || kernel == MacKernel::kWeightGradient || kernel == MacKernel::kColumnSum ||
                        job.gradient_a;
  // MACs one zero entry of A removes: a column of B in a GEMM (n), a row of B in a
  // vector-matrix product (n), a row of the weight gradient (k), the 9 c taps of a conv input
  // gradient, one add of a column sum.
  const uint64_t per_entry = conv ? 9 * static_cast<uint64_t>(job.in_c)
                             : kernel == MacKernel::kGemmNt || kernel == MacKernel::kVectorMatrix
                                 ? static_cast<uint64_t>(job.n)
                             : kernel == MacKernel::kColumnSum ? 1
                                                               : static_cast<uint64_t>(job.k);
  const uint64_t a_codes = o.a_bytes / 2;
  if (gradient && specs_.zero_skip) job.zero_operand = static_cast<uint64_t>(std::count(a, a + a_codes, 0)) * per_entry;
  const auto mn = static_cast<uint64_t>(job.m) * static_cast<uint64_t>(job.n);
  switch (kernel) {
    case MacKernel::kGemmNt:
      job.macs = mn * static_cast<uint64_t>(job.k);
      golden::kern::gemm_nt_parallel(pool_, job.m, job.n, job.k, a, b, c);
      break;
    case MacKernel::kVectorMatrix:
      job.macs = static_cast<uint64_t>(job.n) * static_cast<uint64_t>(job.k);
      golden::kern::vector_matrix(pool_, job.k, job.n, a, b, c, channels_);
      break;
    case MacKernel::kGemmNtWide:
      job.macs = mn * static_cast<uint64_t>(job.k);
      golden::kern::gemm_nt_wide_parallel(pool_, job.m, job.n, job.k, a, b, reinterpret_cast<int64_t*>(base + job.c));
      break;
    case MacKernel::kColumnSum:
      job.macs = mn;
      golden::kern::column_sum(job.m, job.n, a, c);
      break;
    case MacKernel::kBnNormalize: {  // one multiply-add per element: gamma xhat + beta
      const BnOffsets bo = bn_offsets(job);
      job.macs = bo.elements;
      const golden::ShiftQuantizer yq{job.frac, job.lo, job.hi};
      unsigned char* out = base + job.c;
      golden::bn_normalize({job.in_h, job.in_w, job.in_c}, a, job.shift,
                           reinterpret_cast<const golden::BnNormalizeChannel*>(base + job.b), yq,
                           reinterpret_cast<int32_t*>(out), reinterpret_cast<int16_t*>(out + bo.c_y),
                           out + bo.c_clipped);
      break;
    }
    case MacKernel::kBnBackward: {  // two per element: the sums' g xhat and dx's a t
      const BnOffsets bo = bn_offsets(job);
      job.macs = 2 * bo.elements;
      const golden::BnBackwardSpec spec{job.through_stats == 1, job.batch, job.frac, job.lo, job.hi};
      const unsigned char* inputs = base + job.b;
      unsigned char* out = base + job.c;
      golden::bn_backward({job.in_h, job.in_w, job.in_c}, a, inputs + bo.b_clipped,
                          reinterpret_cast<const int32_t*>(inputs + bo.b_xhat),
                          reinterpret_cast<const golden::BnBackwardChannel*>(inputs), spec,
                          reinterpret_cast<int16_t*>(out + bo.c_dx), reinterpret_cast<int64_t*>(out),
                          reinterpret_cast<int64_t*>(out + bo.c_dbeta));
      break;
    }
    case MacKernel::kWeightGradient:
      job.macs = mn * static_cast<uint64_t>(job.k);
      golden::kern::weight_gradient(job.m, job.n, job.k, a, b, c);
      break;
    case MacKernel::kConvBackwardData: {
      const golden::TensorShape map{job.in_h, job.in_w, job.in_c};
      job.macs = a_codes * per_entry;
      golden::reserve_conv_backward_scratch(scratch_, map, job.n);
      golden::kern::conv3x3_backward_data(map, job.n, a, b, c, scratch_, pool_);
      break;
    }
    case MacKernel::kCount: break;
  }
}

void mac_array::b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (trans.get_address() >= kMacMemoryOffset) {  // the operand memory: a plain memory, free
    if (!in_memory(trans)) {
      trans.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (trans.get_streaming_width() < trans.get_data_length()) {
      trans.set_response_status(::tlm::TLM_BURST_ERROR_RESPONSE);
      return;
    }
    access_memory(trans);
    trans.set_dmi_allowed(true);
    trans.set_response_status(::tlm::TLM_OK_RESPONSE);
    return;
  }
  if (trans.get_data_length() != sizeof(MacJob) || trans.get_streaming_width() < sizeof(MacJob)) {
    trans.set_response_status(::tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (trans.get_address() != 0) {
    trans.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.get_command() != ::tlm::TLM_WRITE_COMMAND) {
    trans.set_response_status(::tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  MacJob job;
  std::memcpy(&job, trans.get_data_ptr(), sizeof job);
  if (*check_job(job, memory_.size()) != '\0') {
    trans.set_response_status(::tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  compute(job);
  job.kernel = static_cast<uint32_t>(MacKernel::kCount);  // it costs what the count job of its MACs costs
  const MacJobCost c = cost(job);
  ++stats_.jobs;
  stats_.macs += job.macs;
  stats_.gated_macs += job.zero_operand;
  stats_.busy_cycles += c.cycles;
  if (c.active_macs != 0)
    stats_.active_macs[{job.weight_bits, job.activation_bits, job.accumulator_bits}] += c.active_macs;
  timeline_.occupy(delay, clock_cycles(c.cycles, clock_period_));  // jobs from overlapping initiators queue
  charge(trans, Component::kMac, c.energy);
  trans.set_response_status(::tlm::TLM_OK_RESPONSE);
}

bool mac_array::get_direct_mem_ptr(::tlm::tlm_generic_payload& trans, ::tlm::tlm_dmi& dmi) {
  // Only the operand memory; the job register and anything beyond refuse, naming the range.
  const uint64_t a = trans.get_address();
  dmi.set_granted_access(::tlm::tlm_dmi::DMI_ACCESS_NONE);
  if (memory_.empty()) {
    dmi.set_start_address(0);
    dmi.set_end_address(~uint64_t{0});
    return false;
  }
  if (a < kMacMemoryOffset) {
    dmi.set_start_address(0);
    dmi.set_end_address(kMacMemoryOffset - 1);
    return false;
  }
  if (a - kMacMemoryOffset >= memory_.size()) {
    dmi.set_start_address(kMacMemoryOffset + memory_.size());
    dmi.set_end_address(~uint64_t{0});
    return false;
  }
  dmi.set_dmi_ptr(memory_.data());
  dmi.set_start_address(kMacMemoryOffset);
  dmi.set_end_address(kMacMemoryOffset + memory_.size() - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(sc_core::SC_ZERO_TIME);
  dmi.set_write_latency(sc_core::SC_ZERO_TIME);
  return true;
}

unsigned int mac_array::transport_dbg(::tlm::tlm_generic_payload& trans) {
  if (!in_memory(trans) || trans.get_byte_enable_ptr() != nullptr) return 0;
  access_memory(trans);
  return trans.get_data_length();
}

}  // namespace lrt::tlm
