#include "cpp/rank_reduce_rtl_cpp.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "Vrr_unit_cpp.h"
// The root holds the clock's edge memory (rising_edge below); Verilator's generated header
// groups its members in anonymous structs, which -Wpedantic reports.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include "Vrr_unit_cpp___024root.h"
#pragma GCC diagnostic pop
#include "verilated.h"
#include "verilated_save.h"
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

namespace lrt::rtl {

namespace {

// Verilator 5.006 takes a rising edge in eval() when clk is 1 and was 0 at the previous
// eval(), which it remembers in the root's __Vtrigrprev__TOP__clk. Clearing that member lets
// one eval() per clock take the edge, where the pair clk = 0 / eval, clk = 1 / eval evaluated
// the input-combinational logic twice (about 10 % of the time). Same bits: the unit has no
// negedge logic, and its outputs depend on no input combinationally (RtlUnitEnv reads them
// before it sets the inputs), so the values the assertions sample are the same. A Verilator
// without that member gets the two evaluations.
template <typename Root, typename = void>
struct HasPrevClock : std::false_type {};
template <typename Root>
struct HasPrevClock<Root, std::void_t<decltype(std::declval<Root&>().__Vtrigrprev__TOP__clk)>>
    : std::true_type {};

template <typename Model>
void rising_edge(Model& d) {
  using Root = std::remove_pointer_t<decltype(d.rootp)>;
  if constexpr (HasPrevClock<Root>::value) {
    d.rootp->__Vtrigrprev__TOP__clk = 0;
  } else {
    d.clk = 0;
    d.eval();
  }
  d.clk = 1;
  d.eval();
}

#if !VM_COVERAGE
// Verilator's serializer into memory instead of a file (VerilatedSave writes a file descriptor):
// the model's state becomes one section of the co-simulation checkpoint, under its CRC.
class MemorySave final : public VerilatedSerialize {
 public:
  explicit MemorySave(std::vector<uint8_t>& out) : out_(out) {
    m_isOpen = true;
    header();
  }
  ~MemorySave() override { close(); }
  void close() override {
    if (!m_isOpen) return;
    trailer();
    flush();
    m_isOpen = false;
  }
  void flush() override {
    out_.insert(out_.end(), m_bufp, m_cp);
    m_cp = m_bufp;
  }

 private:
  std::vector<uint8_t>& out_;
};

class MemoryRestore final : public VerilatedDeserialize {
 public:
  explicit MemoryRestore(const std::vector<uint8_t>& in) : in_(in) {
    m_isOpen = true;
    m_endp = m_bufp;
    header();
  }
  ~MemoryRestore() override { close(); }
  void close() override {
    if (!m_isOpen) return;
    trailer();
    m_isOpen = false;
  }

 protected:
  // As VerilatedRestore::fill: keep the unread bytes, append what is left, zeros past the end.
  void fill() override {
    const size_t kept = static_cast<size_t>(m_endp - m_cp);
    std::memmove(m_bufp, m_cp, kept);
    m_cp = m_bufp;
    m_endp = m_bufp + kept;
    const size_t room = bufferSize() - kept;
    const size_t n = std::min(room, in_.size() - pos_);
    std::memcpy(m_endp, in_.data() + pos_, n);
    pos_ += n;
    m_endp += n;
    std::memset(m_endp, 0, room - n);
    m_endp = m_bufp + bufferSize();
  }

 private:
  const std::vector<uint8_t>& in_;
  size_t pos_ = 0;
};

#endif  // !VM_COVERAGE

}  // namespace

int RankReduceRtlCpp::evals_per_clock() { return HasPrevClock<Vrr_unit_cpp___024root>::value ? 1 : 2; }

RankReduceRtlCpp::RankReduceRtlCpp(const RtlUnitConfig& cfg)
    : RtlUnitEnv(cfg), ctx_(std::make_unique<VerilatedContext>()) {
  dut_ = std::make_unique<Vrr_unit_cpp>(ctx_.get(), "rr_unit");
}

RankReduceRtlCpp::~RankReduceRtlCpp() {
  if (dut_) dut_->final();
#if VM_COVERAGE  // a coverage build (LRTSIM_RTL_COVERAGE, scripts/rtl_coverage.sh)
  if (const char* path = std::getenv("LRTSIM_RTL_COVERAGE_FILE")) ctx_->coveragep()->write(path);
#endif
}

void RankReduceRtlCpp::edge() {
  apply_inputs(pins_, *dut_);
  rising_edge(*dut_);
  read_outputs();
}

void RankReduceRtlCpp::read_outputs() { rtl::read_outputs(*dut_, pins_); }

#if VM_COVERAGE  // Verilator refuses --savable with --coverage (rtl/CMakeLists.txt)
std::vector<uint8_t> RankReduceRtlCpp::save_model() {
  throw std::runtime_error("cosim checkpoints are not available in the RTL coverage build");
}

void RankReduceRtlCpp::restore_model(const std::vector<uint8_t>&) {
  throw std::runtime_error("cosim checkpoints are not available in the RTL coverage build");
}
#else
std::vector<uint8_t> RankReduceRtlCpp::save_model() {
  std::vector<uint8_t> bytes;
  {
    MemorySave os(bytes);
    os << *dut_;
  }
  return bytes;
}

void RankReduceRtlCpp::restore_model(const std::vector<uint8_t>& bytes) {
  {
    MemoryRestore is(bytes);
    is >> *dut_;
  }
  read_outputs();
}
#endif

std::string RankReduceRtlCpp::rtl_fingerprint() { return LRTSIM_RTL_FINGERPRINT; }

}  // namespace lrt::rtl
