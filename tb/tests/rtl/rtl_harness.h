#pragma once
// Clock-by-clock driver for Verilated RTL models (C++ mode, no SystemC) and the operand
// generators shared by the RTL tests. Convention of every rtl/ module: inputs are applied
// between edges, a valid/ready transfer happens at the rising edge where both are high, and
// the outputs read after tick() are the registered state after that edge.
#include <gtest/gtest.h>
#include <verilated.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"

namespace lrt::rtl_test {

/// @brief Owns a Verilated model with its own context; held in synchronous reset for two
/// cycles on construction. cycles() counts rising edges since reset was released.
template <class Model>
class Clocked {
 public:
  Clocked() : context_(std::make_unique<VerilatedContext>()), model_(std::make_unique<Model>(context_.get(), "dut")) {
    model_->clk = 0;
    model_->rst = 1;
    model_->eval();
    tick();
    tick();
    model_->rst = 0;
    model_->eval();
    cycles_ = 0;
  }
  ~Clocked() { model_->final(); }
  Clocked(const Clocked&) = delete;
  Clocked& operator=(const Clocked&) = delete;

  Model& dut() { return *model_; }
  VerilatedContext& context() { return *context_; }
  Model* operator->() { return model_.get(); }

  /// One rising and one falling edge; combinational outputs are settled afterwards.
  void tick() {
    model_->clk = 1;
    model_->eval();
    model_->clk = 0;
    model_->eval();
    ++cycles_;
  }
  /// Re-evaluates combinational logic after inputs changed (no edge).
  void settle() { model_->eval(); }
  uint64_t cycles() const { return cycles_; }

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  uint64_t cycles_ = 0;
};

/// @brief Sign-extends the low `bits` bits of v (Verilator zero-fills above a port's width).
inline int64_t sign_extend(uint64_t v, int bits) {
  const uint64_t m = uint64_t{1} << (bits - 1);
  const uint64_t low = bits == 64 ? v : v & ((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>((low ^ m) - m);  // two's complement wrap: no signed overflow
}

/// @brief A random value of `bits` significant bits at most, with a uniformly drawn bit
/// length in [0, bits] so that small magnitudes are as well covered as large ones.
inline uint64_t random_magnitude(RngCursor& rng, int bits) {
  const int len = static_cast<int>(rng.below(static_cast<uint64_t>(bits) + 1));
  if (len == 0) return 0;
  const uint64_t top = uint64_t{1} << (len - 1);
  return top | (rng.bits64() & (top - 1));  // leading one at position len - 1
}

/// @brief Formats v as 0x-prefixed hex for mismatch messages.
inline std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace lrt::rtl_test

namespace lrt::rtl_test {

/// @brief Runs one operation through a valid/ready module whose out_ready is held high:
/// `load` sets the operand ports, the transfer happens at the next edge (in_ready must be
/// high then: the previous result, if any, is consumed at the same edge), and the clock runs
/// until out_valid. Returns the latency in rising edges, the accepting edge included, or -1
/// if in_ready was low or no result came within max_cycles.
template <class Model, class Load>
int run_one(Clocked<Model>& dut, Load load, int max_cycles) {
  load(dut.dut());
  dut->in_valid = 1;
  dut->out_ready = 1;
  dut.settle();
  if (!dut->in_ready) return -1;
  dut.tick();
  dut->in_valid = 0;
  int latency = 1;
  while (!dut->out_valid) {
    if (latency >= max_cycles) return -1;
    dut.tick();
    ++latency;
  }
  return latency;
}

/// @brief Random valid/ready traffic: in_valid and out_ready each high with probability 1/2
/// per cycle. `apply(model, op)` drives the operands of ops[i]; `check(model, op)` compares
/// the outputs with the oracle for the oldest accepted, undelivered op on every cycle that
/// out_valid is high (so a result must also hold still while out_ready is low). Returns the
/// number of results delivered.
template <class Model, class Op, class Apply, class Check>
std::size_t stress_handshake(Clocked<Model>& dut, const std::vector<Op>& ops, Apply apply, Check check,
                             RngCursor& rng, uint64_t max_cycles) {
  std::size_t next = 0;
  std::size_t delivered = 0;
  std::vector<std::size_t> pending;  // accepted, not yet delivered (FIFO)
  std::size_t head = 0;
  for (uint64_t c = 0; c < max_cycles && delivered < ops.size(); ++c) {
    const uint32_t coin = rng.bits32();
    const bool offer = next < ops.size() && (coin & 1u) != 0;
    dut->in_valid = offer;
    if (offer) apply(dut.dut(), ops[next]);
    dut->out_ready = (coin & 2u) != 0;
    dut.settle();
    if (dut->out_valid) {
      if (head >= pending.size()) {
        ADD_FAILURE() << "out_valid with no accepted operation, cycle " << dut.cycles();
        return delivered;
      }
      check(dut.dut(), ops[pending[head]]);
      if (dut->out_ready) {
        ++head;
        ++delivered;
      }
    }
    if (offer && dut->in_ready) pending.push_back(next++);
    dut.tick();
  }
  return delivered;
}

}  // namespace lrt::rtl_test
