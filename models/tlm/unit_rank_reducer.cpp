#include "tlm/unit_rank_reducer.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "core/error.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

UnitRankReducer::UnitRankReducer(::tlm::tlm_fw_transport_if<>& port, rank_reduce_unit& unit, size_t context,
                                 uint64_t registers, uint64_t pair_addr, sc_core::sc_time& delay)
    : port_(port),
      unit_(unit),
      context_(context),
      registers_(registers),
      pair_addr_(pair_addr),
      delay_(delay),
      tag_(new CostTag) {
  trans_.set_extension(tag_);
  const golden::RankReduceParams& p = unit_.impl(context_).params();
  codes_.resize(static_cast<size_t>(p.n_o + p.n_i));
  if constexpr (!kLittleEndianHost) bytes_.resize(2 * codes_.size());  // the staging copy
  // The context's DZ_ADDR / A_ADDR hold the pair buffer from reset (RankReduceContextSpec); a
  // driver built for another buffer is a wiring error (checked here: no socket is called
  // outside a SystemC process).
  if (unit_.pair_addresses(context_) !=
      std::make_pair(pair_addr_, pair_addr_ + 2 * static_cast<uint64_t>(p.n_o)))
    throw std::logic_error(std::string(unit_.name()) + ": context " + std::to_string(context_) +
                           " was not elaborated with this driver's pair buffer");
}

void UnitRankReducer::transport(::tlm::tlm_generic_payload& t, const char* what) {
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  port_.b_transport(t, delay_);
  if (t.is_response_error())
    throw RunError(std::string(unit_.name()) + ": " + what + " at address " + std::to_string(t.get_address()) +
                   " returned " + t.get_response_string());
}

void UnitRankReducer::write_register(uint32_t offset, uint32_t value) {
  unsigned char data[4];
  store_code_le(static_cast<int32_t>(value), data, 4);
  ::tlm::tlm_generic_payload& t = trans_;
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  t.set_address(registers_ + offset);
  t.set_data_ptr(data);
  t.set_data_length(4);
  t.set_streaming_width(4);
  transport(t, "register write");
}

void UnitRankReducer::step(const double* dz, const double* a) {
  const golden::RankReduceParams& p = unit_.impl(context_).params();
  // The same block quantization as golden::RankReduceFixed::step.
  const int dz_exp = golden::RankReduceFixed::quantize_input(dz, p.n_o, codes_.data());
  const int a_exp = golden::RankReduceFixed::quantize_input(a, p.n_i, codes_.data() + p.n_o);
  send(dz_exp, a_exp);
}

namespace {

// The block quantization of golden::RankReduceFixed::step_integer: dz then a into `codes`.
void normalize_pair(const golden::RankReduceParams& p, const int16_t* dz, int dz_frac, const int16_t* a, int a_frac,
                    int16_t* codes, int& dz_exp, int& a_exp) {
  dz_exp = golden::RankReduceFixed::normalize_codes(dz, p.n_o, dz_frac, codes);
  a_exp = golden::RankReduceFixed::normalize_codes(a, p.n_i, a_frac, codes + p.n_o);
}

}  // namespace

bool UnitRankReducer::step_integer(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac) {
  int dz_exp = 0, a_exp = 0;
  normalize_pair(unit_.impl(context_).params(), dz, dz_frac, a, a_frac, codes_.data(), dz_exp, a_exp);
  send(dz_exp, a_exp);
  return true;
}

void UnitRankReducer::prepare_integer(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac,
                                      const std::vector<int>& rows) {
  if (!unit_.impl(context_).speculative()) return;
  const golden::RankReduceParams& p = unit_.impl(context_).params();
  ahead_.resize(rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    SpeculativePair& sp = ahead_[k];
    sp.codes.resize(static_cast<size_t>(p.n_o + p.n_i));
    const auto row = static_cast<int64_t>(rows[k]);
    normalize_pair(p, dz + row * p.n_o, dz_frac, a + row * p.n_i, a_frac, sp.codes.data(), sp.dz_exp, sp.a_exp);
  }
  unit_.speculate(context_, ahead_);
}

void UnitRankReducer::send(int dz_exp, int a_exp) {
  unsigned char* data = reinterpret_cast<unsigned char*>(codes_.data());  // a write's target only reads it
  if constexpr (!kLittleEndianHost) {
    store_le16(codes_.data(), codes_.size(), bytes_.data());
    data = bytes_.data();
  }
  ::tlm::tlm_generic_payload& t = trans_;
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  t.set_address(pair_addr_);
  t.set_data_ptr(data);
  t.set_data_length(static_cast<unsigned>(2 * codes_.size()));
  t.set_streaming_width(static_cast<unsigned>(2 * codes_.size()));
  transport(t, "pair write");
  write_register(rank_reduce_unit::kDzExp, static_cast<uint32_t>(dz_exp));
  write_register(rank_reduce_unit::kAExp, static_cast<uint32_t>(a_exp));
  write_register(rank_reduce_unit::kControl, rank_reduce_unit::kStep);
}

void UnitRankReducer::reset() { write_register(rank_reduce_unit::kControl, rank_reduce_unit::kReset); }

}  // namespace lrt::tlm
