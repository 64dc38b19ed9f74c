#include "tlm/rank_reduce_unit.h"

#include <stdexcept>
#include <string>

#include "core/error.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {
namespace {

// Bus format: little endian, whatever the host.
void put_u16(unsigned char* p, int16_t v) { store_code_le(v, p, 2); }
void put_u32(unsigned char* p, uint32_t v) { store_code_le(static_cast<int32_t>(v), p, 4); }
int16_t get_i16(const unsigned char* p) { return static_cast<int16_t>(load_code_le(p, 2)); }
uint32_t get_u32(const unsigned char* p) { return static_cast<uint32_t>(load_code_le(p, 4)); }

}  // namespace

RankReduceStateLayout::RankReduceStateLayout(const golden::RankReduceParams& params)
    : n_o(static_cast<uint64_t>(params.n_o)),
      n_i(static_cast<uint64_t>(params.n_i)),
      q(static_cast<uint64_t>(params.rank) + 1) {
  if (params.n_o < 1 || params.n_i < 1 || params.rank < 1)
    throw std::invalid_argument("rank reduce state layout: n_o, n_i and rank must be positive");
}

rank_reduce_unit::rank_reduce_unit(const sc_core::sc_module_name& name, const RankReduceUnitSpecs& specs,
                                   std::unique_ptr<RankReduceImpl> impl, uint64_t state_addr,
                                   const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name),
      in("in"),
      mem("mem"),
      specs_(specs),
      costs_(specs.costs != nullptr ? specs.costs : &hw::builtin_rr_unit_costs()),
      impl_(std::move(impl)),
      layout_(impl_ ? impl_->params() : golden::RankReduceParams{1, 1, 1}),
      state_addr_(state_addr),
      clock_period_(clock_period) {
  if (!impl_) throw std::invalid_argument(std::string(basename()) + ": no rank-reduce implementation");
  if (specs_.register_access_cycles < 1)
    throw std::invalid_argument(std::string(basename()) + ": register_access_cycles must be >= 1");
  if (costs_->ranks.count(impl_->params().rank) == 0)
    throw std::invalid_argument(std::string(basename()) + ": the rank-reduce cost table has no rank " +
                                std::to_string(impl_->params().rank));
  if (clock_period_ == sc_core::SC_ZERO_TIME)
    throw std::invalid_argument(std::string(basename()) + ": zero clock period");
  if (state_addr_ > UINT64_MAX - layout_.total_bytes())
    throw std::invalid_argument(std::string(basename()) + ": state region beyond the address space");
  state_ = RankReduceState::zero(impl_->params());
  dz_.resize(layout_.n_o);
  a_.resize(layout_.n_i);
  in.register_b_transport(this, &rank_reduce_unit::b_transport);
  in.register_transport_dbg(this, &rank_reduce_unit::transport_dbg);
}

void rank_reduce_unit::b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t addr = trans.get_address();
  if (trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (trans.get_data_length() != 4 || trans.get_streaming_width() < 4) {
    trans.set_response_status(::tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (addr >= kRegisterBytes || addr % 4 != 0) {
    trans.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const auto offset = static_cast<uint32_t>(addr);
  ++stats_.register_accesses;
  delay += clock_cycles(specs_.register_access_cycles, clock_period_);
  ::tlm::tlm_response_status status = ::tlm::TLM_OK_RESPONSE;
  switch (trans.get_command()) {
    case ::tlm::TLM_WRITE_COMMAND:
      status = write_register(offset, get_u32(trans.get_data_ptr()), delay);
      break;
    case ::tlm::TLM_READ_COMMAND: {
      uint32_t value = 0;
      status = read_register(offset, value);
      if (status == ::tlm::TLM_OK_RESPONSE) put_u32(trans.get_data_ptr(), value);
      break;
    }
    case ::tlm::TLM_IGNORE_COMMAND:
      break;
  }
  trans.set_response_status(status);
}

::tlm::tlm_response_status rank_reduce_unit::write_register(uint32_t offset, uint32_t value,
                                                            sc_core::sc_time& delay) {
  switch (offset) {
    case kDzAddr: dz_addr_ = value; return ::tlm::TLM_OK_RESPONSE;
    case kAAddr: a_addr_ = value; return ::tlm::TLM_OK_RESPONSE;
    case kDzExp: dz_exp_ = static_cast<int32_t>(value); return ::tlm::TLM_OK_RESPONSE;
    case kAExp: a_exp_ = static_cast<int32_t>(value); return ::tlm::TLM_OK_RESPONSE;
    case kControl:
      if (value == kStep) return step(delay);
      if (value == kReset) {
        reset_state();
        return ::tlm::TLM_OK_RESPONSE;
      }
      return ::tlm::TLM_COMMAND_ERROR_RESPONSE;
    default:
      return ::tlm::TLM_COMMAND_ERROR_RESPONSE;  // read-only registers
  }
}

::tlm::tlm_response_status rank_reduce_unit::read_register(uint32_t offset, uint32_t& value) const {
  switch (offset) {
    case kDzAddr: value = dz_addr_; break;
    case kAAddr: value = a_addr_; break;
    case kDzExp: value = static_cast<uint32_t>(dz_exp_); break;
    case kAExp: value = static_cast<uint32_t>(a_exp_); break;
    case kStatus: value = status_; break;
    case kPairs: value = static_cast<uint32_t>(impl_->stats().pairs); break;
    case kSign: value = impl_->last_pair().sign_word; break;
    default: return ::tlm::TLM_COMMAND_ERROR_RESPONSE;  // CONTROL is write-only
  }
  return ::tlm::TLM_OK_RESPONSE;
}

::tlm::tlm_generic_payload& rank_reduce_unit::payload(::tlm::tlm_command cmd, uint64_t addr, void* data,
                                                     uint64_t bytes) {
  ::tlm::tlm_generic_payload& t = mem_trans_;  // reused: constructing a payload allocates
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(static_cast<unsigned char*>(data));
  t.set_data_length(static_cast<unsigned>(bytes));
  t.set_streaming_width(static_cast<unsigned>(bytes));
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  return t;
}

::tlm::tlm_response_status rank_reduce_unit::mem_access(::tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes,
                                  sc_core::sc_time& delay) {
  ::tlm::tlm_generic_payload& t = payload(cmd, addr, data, bytes);
  mem->b_transport(t, delay);
  return t.get_response_status();
}

void rank_reduce_unit::state_access(::tlm::tlm_command cmd, uint64_t offset, void* data, uint64_t bytes,
                                    const char* what) {
  // Functional only: the cost table holds the time and energy of the RTL's state traffic.
  const uint64_t addr = state_addr_ + offset;
  ::tlm::tlm_generic_payload& t = payload(cmd, addr, data, bytes);
  if (mem->transport_dbg(t) == bytes) return;
  throw RunError(std::string(name()) + ": " + (cmd == ::tlm::TLM_READ_COMMAND ? "read" : "write") + " of " +
                 what + " (" + std::to_string(bytes) + " bytes at mem address " + std::to_string(addr) +
                 ") failed; is the state region mapped at state_addr?");
}

void rank_reduce_unit::load_metadata(RankReduceState& s) {
  bytes_.assign(layout_.metadata_bytes(), 0);
  state_access(::tlm::TLM_READ_COMMAND, layout_.metadata(), bytes_.data(), bytes_.size(), "metadata");
  const unsigned char* p = bytes_.data();
  for (uint64_t j = 0; j < layout_.q; ++j) s.exp_left[j] = get_i16(p + 2 * j);
  p += 2 * layout_.q;
  for (uint64_t j = 0; j < layout_.q; ++j) s.exp_right[j] = get_i16(p + 2 * j);
  p += 2 * layout_.q;
  for (uint64_t j = 0; j < layout_.q; ++j) s.cx[j] = get_u32(p + 4 * j);
  p += 4 * layout_.q;
  s.cx_exp = get_i16(p);
}

void rank_reduce_unit::encode_metadata(const RankReduceState& s, unsigned char* p) const {
  for (uint64_t j = 0; j < layout_.q; ++j) put_u16(p + 2 * j, s.exp_left[j]);
  p += 2 * layout_.q;
  for (uint64_t j = 0; j < layout_.q; ++j) put_u16(p + 2 * j, s.exp_right[j]);
  p += 2 * layout_.q;
  for (uint64_t j = 0; j < layout_.q; ++j) put_u32(p + 4 * j, s.cx[j]);
  p += 4 * layout_.q;
  put_u16(p, s.cx_exp);
}

void rank_reduce_unit::store_metadata(const RankReduceState& s) {
  bytes_.assign(layout_.metadata_bytes(), 0);
  encode_metadata(s, bytes_.data());
  state_access(::tlm::TLM_WRITE_COMMAND, layout_.metadata(), bytes_.data(), bytes_.size(), "metadata");
}

void rank_reduce_unit::read_columns(bool left, uint64_t first, uint64_t count, RankReduceState& into) {
  const uint64_t n = left ? layout_.n_o : layout_.n_i;
  bytes_.assign(2 * n * count, 0);
  state_access(::tlm::TLM_READ_COMMAND, layout_.column(left, first), bytes_.data(), bytes_.size(),
               left ? "Q_L columns" : "Q_R columns");
  int16_t* dst = (left ? into.q_left.data() : into.q_right.data()) + first * n;
  for (uint64_t i = 0; i < n * count; ++i) dst[i] = get_i16(bytes_.data() + 2 * i);
}

void rank_reduce_unit::write_columns(bool left, uint64_t first, uint64_t count, const RankReduceState& s) {
  const uint64_t n = left ? layout_.n_o : layout_.n_i;
  const int16_t* src = (left ? s.q_left.data() : s.q_right.data()) + first * n;
  bytes_.assign(2 * n * count, 0);
  for (uint64_t i = 0; i < n * count; ++i) put_u16(bytes_.data() + 2 * i, src[i]);
  state_access(::tlm::TLM_WRITE_COMMAND, layout_.column(left, first), bytes_.data(), bytes_.size(),
               left ? "Q_L columns" : "Q_R columns");
}

::tlm::tlm_response_status rank_reduce_unit::step(sc_core::sc_time& delay) {
  // 1. The pair. A controller's bad address is its error, reported on the CONTROL write with
  // nothing changed.
  bytes_.assign(2 * layout_.n_o, 0);
  const bool dz_ok = mem_access(::tlm::TLM_READ_COMMAND, dz_addr_, bytes_.data(), bytes_.size(), delay) ==
                     ::tlm::TLM_OK_RESPONSE;
  for (uint64_t i = 0; i < layout_.n_o; ++i) dz_[i] = get_i16(bytes_.data() + 2 * i);
  bytes_.assign(2 * layout_.n_i, 0);
  const bool a_ok = dz_ok && mem_access(::tlm::TLM_READ_COMMAND, a_addr_, bytes_.data(), bytes_.size(),
                                        delay) == ::tlm::TLM_OK_RESPONSE;
  for (uint64_t i = 0; i < layout_.n_i; ++i) a_[i] = get_i16(bytes_.data() + 2 * i);
  if (!a_ok) {
    status_ = kStatusInputError;
    ++stats_.input_errors;
    return ::tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
  const RankReducePair pair{dz_.data(), dz_exp_, a_.data(), a_exp_};
  const golden::RankReduceParams& params = impl_->params();
  const uint64_t r = layout_.q - 1;
  ++stats_.steps;

  if (is_zero_input(params, pair)) {
    impl_->step(state_, pair);
    ++stats_.zero_input;
  } else {
    // Load the state the step reads (columns 0..r-1 and the metadata), step, store what changed.
    load_metadata(state_);
    for (bool left : {true, false}) read_columns(left, 0, r, state_);
    impl_->step(state_, pair);
    for (bool left : {true, false}) write_columns(left, 0, r + 1, state_);
    store_metadata(state_);
    if (impl_->last_pair().skipped_kappa)
      ++stats_.skipped_kappa;
    else
      ++stats_.updated;
  }
  const golden::FixedPairTrace& t = impl_->last_pair();
  status_ = (t.zero_input ? kStatusZeroInput : 0u) | (t.vanished_left ? kStatusVanishedLeft : 0u) |
            (t.vanished_right ? kStatusVanishedRight : 0u) | (t.skipped_kappa ? kStatusSkippedKappa : 0u) |
            (static_cast<uint32_t>(t.kept) << kStatusKeptShift);
  charge_pair(t, delay);
  return ::tlm::TLM_OK_RESPONSE;
}

void rank_reduce_unit::charge_pair(const golden::FixedPairTrace& t, sc_core::sc_time& delay) {
  const golden::RankReduceParams& p = impl_->params();
  const hw::RrUnitPairCost c = costs_->pair_cost(p.rank, p.mode == golden::RankReduceMode::kUnbiased, p.n_o, p.n_i,
                                                 hw::rr_pair_outcome(t));
  if (const std::optional<uint64_t> measured = impl_->measured_cycles()) {
    // The RTL counted its own cycles: they are the time, and the cost table must agree (the
    // co-simulation tests check the same equality on random streams; a difference here is a
    // stale table or an RTL change without a new closed form).
    const uint64_t took = *measured - measured_before_;
    measured_before_ = *measured;
    if (took != c.cycles)
      throw RunError(std::string(name()) + ": the RTL took " + std::to_string(took) + " cycles for pair " +
                     std::to_string(t.pair_index) + ", the cost table says " + std::to_string(c.cycles) +
                     " (regenerate configs/rank_reduce_unit.yaml: lrtsim unit-costs)");
  }
  stats_.busy_cycles += c.cycles;
  stats_.sram_read_words += c.sram_reads;
  stats_.sram_write_words += c.sram_writes;
  stats_.energy += device::to_energy_units(costs_->compute_energy_pj(c), "rank-reduce unit pair energy");
  delay += clock_cycles(c.cycles, clock_period_);
}

void rank_reduce_unit::reset_state() {
  // The environment clears the region, as for the RTL (docs/rtl.md): no unit time.
  bytes_.assign(layout_.total_bytes(), 0);
  state_access(::tlm::TLM_WRITE_COMMAND, 0, bytes_.data(), bytes_.size(), "the whole state (reset)");
  impl_->reset();
  state_ = RankReduceState::zero(impl_->params());
  status_ = 0;
  ++stats_.resets;
}

}  // namespace lrt::tlm

namespace lrt::tlm {

void rank_reduce_unit::load_state(const golden::RankReduceFixedState& s) {
  impl_->set_state(s);
  state_ = impl_->state();
  // The layout of RankReduceStateLayout, in one image.
  std::vector<unsigned char> image(layout_.total_bytes(), 0);
  for (bool left : {true, false}) {
    const uint64_t n = left ? layout_.n_o : layout_.n_i;
    const std::vector<int16_t>& codes = left ? state_.q_left : state_.q_right;
    for (uint64_t j = 0; j < layout_.q; ++j)
      for (uint64_t i = 0; i < n; ++i) put_u16(image.data() + layout_.column(left, j) + 2 * i, codes[j * n + i]);
  }
  encode_metadata(state_, image.data() + layout_.metadata());
  ::tlm::tlm_generic_payload t;
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  t.set_address(state_addr_);
  t.set_data_ptr(image.data());
  t.set_data_length(static_cast<unsigned>(image.size()));
  t.set_streaming_width(static_cast<unsigned>(image.size()));
  if (mem->transport_dbg(t) != image.size())
    throw RunError(std::string(name()) + ": could not load the state into memory at address " +
                   std::to_string(state_addr_));
}

}  // namespace lrt::tlm
