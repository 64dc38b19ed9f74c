#include "tlm/rank_reduce_unit.h"

#include <algorithm>
#include <array>
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

rank_reduce_unit::Context::Context(std::unique_ptr<RankReduceImpl> i, uint64_t addr, uint32_t pair_addr)
    : impl(std::move(i)),
      layout(impl->params()),
      state_addr(addr),
      dz_addr(pair_addr),
      a_addr(pair_addr + 2 * static_cast<uint32_t>(layout.n_o)),
      state(RankReduceState::zero(impl->params())),
      tag(new CostTag) {
  mem_trans.set_extension(tag);
  dz.resize(layout.n_o);
  a.resize(layout.n_i);
}

namespace {

std::vector<RankReduceContextSpec> one_context(std::unique_ptr<RankReduceImpl> impl, uint64_t state_addr) {
  std::vector<RankReduceContextSpec> v;
  v.push_back({std::move(impl), state_addr});
  return v;
}

}  // namespace

rank_reduce_unit::rank_reduce_unit(const sc_core::sc_module_name& name, const RankReduceUnitSpecs& specs,
                                   std::unique_ptr<RankReduceImpl> impl, uint64_t state_addr,
                                   const sc_core::sc_time& clock_period)
    : rank_reduce_unit(name, specs, one_context(std::move(impl), state_addr), clock_period) {}

rank_reduce_unit::rank_reduce_unit(const sc_core::sc_module_name& name, const RankReduceUnitSpecs& specs,
                                   std::vector<RankReduceContextSpec> contexts, const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name),
      in("in"),
      mem("mem"),
      specs_(specs),
      costs_(specs.costs != nullptr ? specs.costs : &hw::builtin_rr_unit_costs()),
      clock_period_(clock_period) {
  const std::string me = basename();
  if (contexts.empty()) throw std::invalid_argument(me + ": no context");
  if (specs_.register_access_cycles < 1) throw std::invalid_argument(me + ": register_access_cycles must be >= 1");
  if (clock_period_ == sc_core::SC_ZERO_TIME) throw std::invalid_argument(me + ": zero clock period");
  for (RankReduceContextSpec& c : contexts) {
    if (!c.impl) throw std::invalid_argument(me + ": no rank-reduce implementation");
    const golden::RankReduceParams& p = c.impl->params();
    if (costs_->ranks.count(p.rank) == 0)
      throw std::invalid_argument(me + ": the rank-reduce cost table has no rank " + std::to_string(p.rank));
    if (c.state_addr > UINT64_MAX - RankReduceStateLayout(p).total_bytes())
      throw std::invalid_argument(me + ": state region beyond the address space");
    contexts_.push_back(std::make_unique<Context>(std::move(c.impl), c.state_addr, c.pair_addr));
  }
  in.register_b_transport(this, &rank_reduce_unit::b_transport);
  in.register_transport_dbg(this, &rank_reduce_unit::transport_dbg);
}

namespace {

// The counters of RankReduceUnitStats in checkpoint order.
constexpr size_t kStatsWords = 11;
std::array<uint64_t*, kStatsWords> stats_fields(RankReduceUnitStats& s) {
  return {&s.steps,          &s.zero_input,       &s.skipped_kappa,      &s.updated,
          &s.resets,         &s.input_errors,     &s.busy_cycles,        &s.register_accesses,
          &s.sram_read_words, &s.sram_write_words, &s.energy};
}

}  // namespace

RankReduceUnitStats rank_reduce_unit::total_stats() const {
  RankReduceUnitStats total;
  const auto sum = stats_fields(total);
  for (const auto& x : contexts_) {
    RankReduceUnitStats s = x->stats;
    const auto part = stats_fields(s);
    for (size_t k = 0; k < kStatsWords; ++k) *sum[k] += *part[k];
  }
  return total;
}

std::vector<uint64_t> rank_reduce_unit::stats_words() const {
  std::vector<uint64_t> w;
  for (const auto& x : contexts_) {
    RankReduceUnitStats s = x->stats;
    for (uint64_t* f : stats_fields(s)) w.push_back(*f);
  }
  return w;
}

void rank_reduce_unit::set_stats_words(const std::vector<uint64_t>& words) {
  if (words.size() != kStatsWords * contexts_.size())
    throw std::invalid_argument(std::string(name()) + ": " + std::to_string(words.size()) + " counter words, expected " +
                                std::to_string(kStatsWords * contexts_.size()));
  size_t k = 0;
  for (const auto& x : contexts_)
    for (uint64_t* f : stats_fields(x->stats)) *f = words[k++];
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
  if (addr >= register_bytes() || addr % 4 != 0) {
    trans.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  Context& x = *contexts_[addr / kRegisterBytes];
  const auto offset = static_cast<uint32_t>(addr % kRegisterBytes);
  ++x.stats.register_accesses;
  delay += clock_cycles(specs_.register_access_cycles, clock_period_);
  ::tlm::tlm_response_status status = ::tlm::TLM_OK_RESPONSE;
  switch (trans.get_command()) {
    case ::tlm::TLM_WRITE_COMMAND:
      status = write_register(x, offset, get_u32(trans.get_data_ptr()), delay, cost_tag(trans));
      break;
    case ::tlm::TLM_READ_COMMAND: {
      uint32_t value = 0;
      status = read_register(x, offset, value);
      if (status == ::tlm::TLM_OK_RESPONSE) put_u32(trans.get_data_ptr(), value);
      break;
    }
    case ::tlm::TLM_IGNORE_COMMAND:
      break;
  }
  trans.set_response_status(status);
}

::tlm::tlm_response_status rank_reduce_unit::write_register(Context& x, uint32_t offset, uint32_t value,
                                                            sc_core::sc_time& delay, const CostTag* tag) {
  switch (offset) {
    case kDzAddr: x.dz_addr = value; return ::tlm::TLM_OK_RESPONSE;
    case kAAddr: x.a_addr = value; return ::tlm::TLM_OK_RESPONSE;
    case kDzExp: x.dz_exp = static_cast<int32_t>(value); return ::tlm::TLM_OK_RESPONSE;
    case kAExp: x.a_exp = static_cast<int32_t>(value); return ::tlm::TLM_OK_RESPONSE;
    case kControl:
      if (value == kStep) return step(x, delay, tag);
      if (value == kReset) {
        reset_state(x);
        return ::tlm::TLM_OK_RESPONSE;
      }
      return ::tlm::TLM_COMMAND_ERROR_RESPONSE;
    default:
      return ::tlm::TLM_COMMAND_ERROR_RESPONSE;  // read-only registers
  }
}

::tlm::tlm_response_status rank_reduce_unit::read_register(const Context& x, uint32_t offset, uint32_t& value) const {
  switch (offset) {
    case kDzAddr: value = x.dz_addr; break;
    case kAAddr: value = x.a_addr; break;
    case kDzExp: value = static_cast<uint32_t>(x.dz_exp); break;
    case kAExp: value = static_cast<uint32_t>(x.a_exp); break;
    case kStatus: value = x.status; break;
    case kPairs: value = static_cast<uint32_t>(x.impl->stats().pairs); break;
    case kSign: value = x.impl->last_pair().sign_word; break;
    default: return ::tlm::TLM_COMMAND_ERROR_RESPONSE;  // CONTROL is write-only
  }
  return ::tlm::TLM_OK_RESPONSE;
}

::tlm::tlm_generic_payload& rank_reduce_unit::payload(Context& x, ::tlm::tlm_command cmd, uint64_t addr, void* data,
                                                     uint64_t bytes) {
  ::tlm::tlm_generic_payload& t = x.mem_trans;  // reused: constructing a payload allocates
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

::tlm::tlm_response_status rank_reduce_unit::mem_access(Context& x, ::tlm::tlm_command cmd, uint64_t addr, void* data,
                                                        uint64_t bytes, sc_core::sc_time& delay) {
  ::tlm::tlm_generic_payload& t = payload(x, cmd, addr, data, bytes);
  mem->b_transport(t, delay);
  return t.get_response_status();
}

void rank_reduce_unit::state_access(Context& x, ::tlm::tlm_command cmd, uint64_t offset, void* data, uint64_t bytes,
                                    const char* what) {
  // Functional only: the cost table holds the time and energy of the RTL's state traffic.
  const uint64_t addr = x.state_addr + offset;
  ::tlm::tlm_generic_payload& t = payload(x, cmd, addr, data, bytes);
  if (mem->transport_dbg(t) == bytes) return;
  throw RunError(std::string(name()) + ": " + (cmd == ::tlm::TLM_READ_COMMAND ? "read" : "write") + " of " +
                 what + " (" + std::to_string(bytes) + " bytes at mem address " + std::to_string(addr) +
                 ") failed; is the state region mapped at state_addr?");
}

unsigned char* rank_reduce_unit::staging(Context& x, uint64_t size, bool zero) {
  // Grows only: resizing on every pair (the pair, the metadata and the columns differ in size)
  // zero-filled megabytes per sample.
  if (x.bytes.size() < size) x.bytes.resize(size);
  if (zero) std::fill_n(x.bytes.data(), size, static_cast<unsigned char>(0));
  return x.bytes.data();
}

void rank_reduce_unit::load_metadata(Context& x) {
  const RankReduceStateLayout& l = x.layout;
  const uint64_t size = l.metadata_bytes();
  state_access(x, ::tlm::TLM_READ_COMMAND, l.metadata(), staging(x, size, true), size, "metadata");
  const unsigned char* p = x.bytes.data();
  RankReduceState& s = x.state;
  for (uint64_t j = 0; j < l.q; ++j) s.exp_left[j] = get_i16(p + 2 * j);
  p += 2 * l.q;
  for (uint64_t j = 0; j < l.q; ++j) s.exp_right[j] = get_i16(p + 2 * j);
  p += 2 * l.q;
  for (uint64_t j = 0; j < l.q; ++j) s.cx[j] = get_u32(p + 4 * j);
  p += 4 * l.q;
  s.cx_exp = get_i16(p);
}

void rank_reduce_unit::encode_metadata(const Context& x, unsigned char* p) {
  const uint64_t q = x.layout.q;
  const RankReduceState& s = x.state;
  for (uint64_t j = 0; j < q; ++j) put_u16(p + 2 * j, s.exp_left[j]);
  p += 2 * q;
  for (uint64_t j = 0; j < q; ++j) put_u16(p + 2 * j, s.exp_right[j]);
  p += 2 * q;
  for (uint64_t j = 0; j < q; ++j) put_u32(p + 4 * j, s.cx[j]);
  p += 4 * q;
  put_u16(p, s.cx_exp);
}

void rank_reduce_unit::store_metadata(Context& x) {
  const uint64_t size = x.layout.metadata_bytes();
  encode_metadata(x, staging(x, size, true));
  state_access(x, ::tlm::TLM_WRITE_COMMAND, x.layout.metadata(), x.bytes.data(), size, "metadata");
}

void rank_reduce_unit::read_columns(Context& x, bool left, uint64_t first, uint64_t count) {
  const uint64_t n = left ? x.layout.n_o : x.layout.n_i;
  const uint64_t size = 2 * n * count;
  int16_t* dst = (left ? x.state.q_left.data() : x.state.q_right.data()) + first * n;
  const char* what = left ? "Q_L columns" : "Q_R columns";
  if constexpr (kLittleEndianHost) {
    state_access(x, ::tlm::TLM_READ_COMMAND, x.layout.column(left, first), dst, size, what);
  } else {
    state_access(x, ::tlm::TLM_READ_COMMAND, x.layout.column(left, first), staging(x, size, false), size,
                 what);
    load_le16(x.bytes.data(), n * count, dst);
  }
}

void rank_reduce_unit::write_columns(Context& x, bool left, uint64_t first, uint64_t count) {
  const uint64_t n = left ? x.layout.n_o : x.layout.n_i;
  int16_t* src = (left ? x.state.q_left.data() : x.state.q_right.data()) + first * n;
  const uint64_t size = 2 * n * count;
  const char* what = left ? "Q_L columns" : "Q_R columns";
  if constexpr (kLittleEndianHost) {  // a write's target only reads the data
    state_access(x, ::tlm::TLM_WRITE_COMMAND, x.layout.column(left, first), src, size, what);
  } else {
    store_le16(src, n * count, staging(x, size, false));
    state_access(x, ::tlm::TLM_WRITE_COMMAND, x.layout.column(left, first), x.bytes.data(), size, what);
  }
}

bool rank_reduce_unit::read_codes(Context& x, uint64_t addr, std::vector<int16_t>& codes,
                                  sc_core::sc_time& delay) {
  const uint64_t bytes = 2 * codes.size();
  bool ok = false;
  if constexpr (kLittleEndianHost) {
    ok = mem_access(x, ::tlm::TLM_READ_COMMAND, addr, codes.data(), bytes, delay) == ::tlm::TLM_OK_RESPONSE;
  } else {
    ok = mem_access(x, ::tlm::TLM_READ_COMMAND, addr, staging(x, bytes, false), bytes, delay) ==
         ::tlm::TLM_OK_RESPONSE;
    if (ok) load_le16(x.bytes.data(), codes.size(), codes.data());
  }
  if (!ok) std::fill(codes.begin(), codes.end(), int16_t{0});  // a refused read leaves the codes 0
  return ok;
}

::tlm::tlm_response_status rank_reduce_unit::step(Context& x, sc_core::sc_time& delay, const CostTag* tag) {
  // The STEP's payer pays for the unit's own reads too.
  if (tag != nullptr)
    x.tag->copy_from(*tag);
  else
    x.tag->ledger = nullptr;
  // 1. The pair. A controller's bad address is its error, reported on the CONTROL write with
  // nothing changed.
  const RankReduceStateLayout& l = x.layout;
  const bool a_ok = read_codes(x, x.dz_addr, x.dz, delay) && read_codes(x, x.a_addr, x.a, delay);
  if (!a_ok) {  // nothing is folded: the codes are not looked at
    x.status = kStatusInputError;
    ++x.stats.input_errors;
    return ::tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
  const RankReducePair pair{x.dz.data(), x.dz_exp, x.a.data(), x.a_exp};
  const golden::RankReduceParams& params = x.impl->params();
  const uint64_t r = l.q - 1;
  ++x.stats.steps;
  // Called from a thread process (the TLM engine's learning processes), the unit blocks: the
  // caller catches up with its local time, waits for the datapath, and the pair holds it for its
  // cycles in simulated time (a clocked implementation spends them itself, the golden one waits
  // the cost table's), so that contexts contend in the order they really arrive. Called from
  // outside a process (a test's sc_main) it annotates the delay instead.
  const sc_core::sc_process_handle caller = sc_core::sc_get_current_process_handle();
  const bool blocking = caller.valid() && caller.proc_kind() == sc_core::SC_THREAD_PROC_;
  const bool clocked = x.impl->advances_time();
  if (clocked && !blocking)
    throw std::logic_error(std::string(name()) + ": a clocked implementation steps only from a thread process");
  sc_core::sc_time started = sc_core::SC_ZERO_TIME;
  if (blocking) {
    sc_core::wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    datapath_.enter();
    started = sc_core::sc_time_stamp();
  }

  if (is_zero_input(params, pair)) {
    x.impl->step(x.state, pair);
    ++x.stats.zero_input;
  } else {
    // Load the state the step reads (columns 0..r-1 and the metadata), step, store what changed:
    // column r (the residual) and the metadata always, columns 0..r-1 when the basis was
    // updated, as the RTL writes them (hw/rr_unit_timing.cpp).
    load_metadata(x);
    for (bool left : {true, false}) read_columns(x, left, 0, r);
    x.impl->step(x.state, pair);
    const bool skipped = x.impl->last_pair().skipped_kappa;
    for (bool left : {true, false}) write_columns(x, left, skipped ? r : 0, skipped ? 1 : r + 1);
    store_metadata(x);
    if (skipped)
      ++x.stats.skipped_kappa;
    else
      ++x.stats.updated;
  }
  const golden::FixedPairTrace& t = x.impl->last_pair();
  x.status = (t.zero_input ? kStatusZeroInput : 0u) | (t.vanished_left ? kStatusVanishedLeft : 0u) |
             (t.vanished_right ? kStatusVanishedRight : 0u) | (t.skipped_kappa ? kStatusSkippedKappa : 0u) |
             (static_cast<uint32_t>(t.kept) << kStatusKeptShift);
  charge_pair(x, delay, blocking, blocking ? sc_core::sc_time_stamp() - started : sc_core::SC_ZERO_TIME);
  if (blocking) datapath_.leave(started);
  return ::tlm::TLM_OK_RESPONSE;
}

void rank_reduce_unit::charge_pair(Context& x, sc_core::sc_time& delay, bool blocking, const sc_core::sc_time& spent) {
  const golden::FixedPairTrace& t = x.impl->last_pair();
  const golden::RankReduceParams& p = x.impl->params();
  const hw::RrUnitPairCost c = costs_->pair_cost(p.rank, p.mode == golden::RankReduceMode::kUnbiased, p.n_o, p.n_i,
                                                 hw::rr_pair_outcome(t));
  if (const std::optional<uint64_t> measured = x.impl->measured_cycles()) {
    // The RTL counted its own cycles: they are the time, and the cost table must agree (the
    // co-simulation tests check the same equality on random streams; a difference here is a
    // stale table or an RTL change without a new closed form).
    const uint64_t took = *measured - x.measured_before;
    x.measured_before = *measured;
    if (took != c.cycles)
      throw RunError(std::string(name()) + ": the RTL took " + std::to_string(took) + " cycles for pair " +
                     std::to_string(t.pair_index) + ", the cost table says " + std::to_string(c.cycles) +
                     " (regenerate configs/rank_reduce_unit.yaml: lrtsim unit-costs)");
  }
  const device::EnergyUnits energy = device::computed_energy_units(costs_->compute_energy_pj(c), "rank-reduce unit pair energy");
  x.stats.busy_cycles += c.cycles;
  x.stats.sram_read_words += c.sram_reads;
  x.stats.sram_write_words += c.sram_writes;
  x.stats.energy += energy;
  x.tag->charge(Component::kRankReduce, energy);
  x.tag->charge(Component::kSramRead, device::energy_of(c.sram_reads * 64, specs_.sram_read_energy_per_bit));
  x.tag->charge(Component::kSramWrite, device::energy_of(c.sram_writes * 64, specs_.sram_write_energy_per_bit));
  const sc_core::sc_time cycles = clock_cycles(c.cycles, clock_period_);
  if (!blocking) {
    datapath_.occupy(delay, cycles);
  } else if (!x.impl->advances_time()) {
    sc_core::wait(cycles);
  } else if (spent != cycles) {
    throw RunError(std::string(name()) + ": the clocked RTL spent " + spent.to_string() + " on pair " +
                   std::to_string(t.pair_index) + ", the cost table says " + std::to_string(c.cycles) + " cycles");
  }
}

void rank_reduce_unit::reset_state(Context& x) {
  // The environment clears the region, as for the RTL (docs/rtl.md): no unit time.
  const uint64_t size = x.layout.total_bytes();
  state_access(x, ::tlm::TLM_WRITE_COMMAND, 0, staging(x, size, true), size, "the whole state (reset)");
  x.impl->reset();
  x.state = RankReduceState::zero(x.impl->params());
  x.status = 0;
  ++x.stats.resets;
}

void rank_reduce_unit::load_state(const golden::RankReduceFixedState& s, size_t c) {
  Context& x = *contexts_.at(c);
  x.impl->set_state(s);
  x.state = x.impl->state();
  // The layout of RankReduceStateLayout, in one image.
  const RankReduceStateLayout& l = x.layout;
  std::vector<unsigned char> image(l.total_bytes(), 0);
  for (bool left : {true, false}) {
    const uint64_t n = left ? l.n_o : l.n_i;
    const std::vector<int16_t>& codes = left ? x.state.q_left : x.state.q_right;
    for (uint64_t j = 0; j < l.q; ++j)
      for (uint64_t i = 0; i < n; ++i) put_u16(image.data() + l.column(left, j) + 2 * i, codes[j * n + i]);
  }
  encode_metadata(x, image.data() + l.metadata());
  ::tlm::tlm_generic_payload t;
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  t.set_address(x.state_addr);
  t.set_data_ptr(image.data());
  t.set_data_length(static_cast<unsigned>(image.size()));
  t.set_streaming_width(static_cast<unsigned>(image.size()));
  if (mem->transport_dbg(t) != image.size())
    throw RunError(std::string(name()) + ": could not load the state into memory at address " +
                   std::to_string(x.state_addr));
}

}  // namespace lrt::tlm
