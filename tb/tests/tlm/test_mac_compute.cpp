// The MAC array computes its jobs (tlm/mac_array.h, tlm/tlm_mac_kernels.h): every kernel on
// operands in its memory equals the golden kernel, through DMI and through bursts; it counts
// the MACs and (zero skipping) the zero gradient operands from the job and its data; bad jobs
// are refused without computing; and an engine whose layers hand their jobs to the array
// trains bit for bit as its golden twin, while a result corrupted on its way out of the array
// changes the training (so the values the datapath continues with are the module's).
// The target never waits: the tests call its forward interface from the test's thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "target_access.h"
#include "golden/training/engine.h"
#include "golden/training/mac_kernels.h"
#include "tlm/mac_array.h"
#include "tlm/tlm_mac_kernels.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

const sc_time kClock(2, SC_NS);

// Passes transactions through but refuses DMI (so TlmMacKernels moves operands in bursts);
// with flip_read set it flips bit 22 of the first word of every read burst it passes back.
class BurstOnly final : public Fw {
 public:
  explicit BurstOnly(Fw& next) : next_(next) {}
  bool flip_read = false;
  void b_transport(::tlm::tlm_generic_payload& t, sc_time& d) override {
    next_.b_transport(t, d);
    if (flip_read && t.is_read() && t.is_response_ok() && t.get_data_length() >= 4) t.get_data_ptr()[2] ^= 0x40;
  }
  ::tlm::tlm_sync_enum nb_transport_fw(::tlm::tlm_generic_payload&, ::tlm::tlm_phase&, sc_time&) override {
    return ::tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(::tlm::tlm_generic_payload&, ::tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(::tlm::tlm_generic_payload& t) override { return next_.transport_dbg(t); }

 private:
  Fw& next_;
};

std::vector<int16_t> random_codes(size_t n, std::mt19937_64& gen, int zero_percent) {
  std::vector<int16_t> v(n);
  for (int16_t& x : v)
    x = static_cast<int16_t>(static_cast<int>(gen() % 100) < zero_percent ? 0 : static_cast<int>(gen() % 255) - 127);
  return v;
}

uint64_t zeros(const std::vector<int16_t>& v) { return static_cast<uint64_t>(std::count(v.begin(), v.end(), 0)); }

// One of each kernel at awkward sizes, on kernels `k`, against LocalMacKernels.
void expect_kernels_equal_golden(golden::MacKernels& k, std::mt19937_64& gen) {
  golden::LocalMacKernels local;
  const golden::MacOperandBits bits{8, 8};
  {  // forward: m x n x k
    const int m = 7, n = 5, kk = 37;
    const auto a = random_codes(size_t{m} * kk, gen, 30), b = random_codes(size_t{n} * kk, gen, 10);
    std::vector<int32_t> want(size_t{m} * n), got(want.size(), -1);
    local.forward(bits, m, n, kk, a.data(), b.data(), want.data());
    k.forward(bits, m, n, kk, a.data(), b.data(), got.data());
    EXPECT_EQ(got, want) << "forward";
  }
  {  // fc forward on the weights in the cells' order (n_i x n_o)
    const int n_i = 23, n_o = 19;
    const auto x = random_codes(n_i, gen, 40), w = random_codes(size_t{n_i} * n_o, gen, 5);
    std::vector<int32_t> want(n_o), got(n_o, -1);
    local.fc_forward(bits, n_i, n_o, x.data(), w.data(), want.data());
    k.fc_forward(bits, n_i, n_o, x.data(), w.data(), got.data());
    EXPECT_EQ(got, want) << "fc forward";
  }
  {  // fc input gradient
    const int n_i = 29, n_o = 6;
    const auto dz = random_codes(n_o, gen, 50), wt = random_codes(size_t{n_i} * n_o, gen, 0);
    std::vector<int32_t> want(n_i), got(n_i, -1);
    local.fc_backward_data(bits, n_i, n_o, dz.data(), wt.data(), want.data());
    k.fc_backward_data(bits, n_i, n_o, dz.data(), wt.data(), got.data());
    EXPECT_EQ(got, want) << "fc backward data";
  }
  {  // conv input gradient: 6 x 5 x 3 input, 4 output channels
    const golden::TensorShape in{6, 5, 3};
    const int c_out = 4, pixels = 4 * 3;
    const auto dz = random_codes(size_t{pixels} * c_out, gen, 60), wt = random_codes(size_t{27} * c_out, gen, 0);
    std::vector<int32_t> want(static_cast<size_t>(in.size())), got(want.size(), -1);
    local.conv_backward_data(bits, in, c_out, dz.data(), wt.data(), want.data());
    k.conv_backward_data(bits, in, c_out, dz.data(), wt.data(), got.data());
    EXPECT_EQ(got, want) << "conv backward data";
  }
  {  // weight gradient
    const int pairs = 9, n_o = 4, kk = 23;
    const auto dz = random_codes(size_t{pairs} * n_o, gen, 50), a = random_codes(size_t{pairs} * kk, gen, 20);
    std::vector<int32_t> want(size_t{n_o} * kk), got(want.size(), -1);
    local.weight_gradient(bits, pairs, n_o, kk, dz.data(), a.data(), want.data());
    k.weight_gradient(bits, pairs, n_o, kk, dz.data(), a.data(), got.data());
    EXPECT_EQ(got, want) << "weight gradient";
  }
  {  // bias gradient: column sums of 11 rows of 6
    const auto dz = random_codes(size_t{11} * 6, gen, 50);
    std::vector<int32_t> want(6), got(6, -1);
    local.bias_gradient({1, 8}, 11, 6, dz.data(), want.data());
    k.bias_gradient({1, 8}, 11, 6, dz.data(), got.data());
    EXPECT_EQ(got, want) << "bias gradient";
  }
  {  // LRT factor product: 7 x 10 over rank 4, in 64-bit sums
    const int n_o = 7, n_i = 10, rank = 4;
    const auto l = random_codes(size_t{n_o} * rank, gen, 10), r = random_codes(size_t{n_i} * rank, gen, 10);
    std::vector<int64_t> want(size_t{n_o} * n_i), got(want.size(), -1);
    local.factor_product({16, 16}, n_o, n_i, rank, l.data(), r.data(), want.data());
    k.factor_product({16, 16}, n_o, n_i, rank, l.data(), r.data(), got.data());
    EXPECT_EQ(got, want) << "factor product";
  }
  {  // batch norm on a 3 x 4 x 5 map: forward, then backward with and without dx
    const golden::TensorShape shape{3, 4, 5};
    const auto x = random_codes(static_cast<size_t>(shape.size()), gen, 10);
    std::vector<golden::BnNormalizeChannel> fc(5);
    std::vector<golden::BnBackwardChannel> bc(5);
    for (int ch = 0; ch < 5; ++ch) {
      fc[static_cast<size_t>(ch)] = {static_cast<int64_t>(gen() % 4096) << 12, 40000 + static_cast<int64_t>(gen() % 40000),
                                     static_cast<int64_t>(gen() % 300) - 150, static_cast<int64_t>(gen() % 200) << 16};
      bc[static_cast<size_t>(ch)] = {fc[static_cast<size_t>(ch)].gamma, fc[static_cast<size_t>(ch)].inv_sigma,
                                     static_cast<uint8_t>(ch == 3)};
    }
    const golden::ShiftQuantizer yq{16, -128, 127};  // clips some outputs
    const auto n = static_cast<size_t>(shape.size());
    std::vector<int32_t> xhat_w(n), xhat_g(n, -1);
    std::vector<int16_t> y_w(n), y_g(n, -1);
    std::vector<uint8_t> clip_w(n), clip_g(n, 7);
    local.bn_forward(shape, x.data(), 20, fc.data(), yq, xhat_w.data(), y_w.data(), clip_w.data());
    k.bn_forward(shape, x.data(), 20, fc.data(), yq, xhat_g.data(), y_g.data(), clip_g.data());
    EXPECT_EQ(xhat_g, xhat_w) << "bn forward xhat";
    EXPECT_EQ(y_g, y_w) << "bn forward y";
    EXPECT_EQ(clip_g, clip_w) << "bn forward clip flags";
    EXPECT_GT(std::count(clip_w.begin(), clip_w.end(), 1), 0);
    const auto dy = random_codes(n, gen, 20);
    for (const bool with_dx : {true, false}) {
      const golden::BnBackwardSpec spec{with_dx, 7, 8, -32768, 32767};
      std::vector<int16_t> dx_w(n), dx_g(n, -1);
      std::vector<int64_t> dg_w(5), dg_g(5, -1), db_w(5), db_g(5, -1);
      local.bn_backward(shape, dy.data(), clip_w.data(), xhat_w.data(), bc.data(), spec,
                        with_dx ? dx_w.data() : nullptr, dg_w.data(), db_w.data());
      k.bn_backward(shape, dy.data(), clip_w.data(), xhat_w.data(), bc.data(), spec, with_dx ? dx_g.data() : nullptr,
                    dg_g.data(), db_g.data());
      if (with_dx) {
        EXPECT_EQ(dx_g, dx_w) << "bn backward dx";
      }
      EXPECT_EQ(dg_g, dg_w) << "bn backward dgamma";
      EXPECT_EQ(db_g, db_w) << "bn backward dbeta";
    }
  }
}

// The golden column sum and wide product against sums written out: the wide product keeps
// sums of full-range codes that leave int32 (8 x (-2^15)^2 = 2^33).
TEST(MacKernelsGolden, ColumnSumAndWideProductAreExactSums) {
  const std::vector<int16_t> rows{1, -2, 3, 4, 5, -6};  // 2 rows of 3
  std::vector<int32_t> sums(3, 99);
  golden::kern::column_sum(2, 3, rows.data(), sums.data());
  EXPECT_EQ(sums, (std::vector<int32_t>{5, 3, -3}));
  const std::vector<int16_t> low(8, -32768), high(8, 32767);
  std::vector<int64_t> c(4);
  const std::vector<int16_t> a = [&] { auto v = low; v.insert(v.end(), high.begin(), high.end()); return v; }();
  golden::kern::gemm_nt_wide(2, 2, 8, a.data(), a.data(), c.data());
  EXPECT_EQ(c[0], int64_t{8} << 30);
  EXPECT_EQ(c[1], int64_t{8} * -32768 * 32767);
  EXPECT_EQ(c[2], c[1]);
  EXPECT_EQ(c[3], int64_t{8} * 32767 * 32767);
}

TEST(MacArrayCompute, KernelsOnItsMemoryEqualTheGoldenKernelsThroughDmiAndBursts) {
  mac_array mac(unique_name("mac").c_str(), MacArraySpecs{}, kClock, 1 << 16);
  sc_time delay = sc_core::SC_ZERO_TIME;
  TlmMacKernels dmi(forward_path(mac), 0, mac.memory_bytes(), false, delay);
  std::mt19937_64 gen(11);
  expect_kernels_equal_golden(dmi, gen);
  BurstOnly bursts(forward_path(mac));
  TlmMacKernels burst(bursts, 0, mac.memory_bytes(), false, delay);
  expect_kernels_equal_golden(burst, gen);
  // The array counted the MACs from the jobs' dimensions.
  // Batch norm: one MAC per element forward, two backward (run twice).
  const uint64_t per_round =
      7 * 5 * 37 + 23 * 19 + 29 * 6 + 12 * 27 * 4 + 9 * 4 * 23 + 11 * 6 + 7 * 10 * 4 + 60 + 2 * 2 * 60;
  EXPECT_EQ(mac.stats().jobs, 20u);
  EXPECT_EQ(mac.stats().macs, 2 * per_round);
  EXPECT_EQ(mac.stats().gated_macs, 0u);  // no zero skipping
  EXPECT_EQ(delay, clock_cycles(mac.stats().busy_cycles, kClock));
}

// Zero skipping: the array detects the gradient operand's zero entries itself; each removes
// the MACs it would feed (n for an fc input gradient, 9 c for a conv one, k for the weight
// gradient); a forward job skips nothing.
TEST(MacArrayCompute, ZeroSkippingCountsTheGradientOperandsZerosFromTheData) {
  MacArraySpecs s;
  s.zero_skip = true;
  mac_array mac(unique_name("mac").c_str(), s, kClock, 1 << 16);
  sc_time delay = sc_core::SC_ZERO_TIME;
  TlmMacKernels k(forward_path(mac), 0, mac.memory_bytes(), false, delay);
  std::mt19937_64 gen(5);
  const golden::MacOperandBits bits{8, 8};
  std::vector<int32_t> out(4096);
  const auto a = random_codes(5 * 11, gen, 50), b = random_codes(3 * 11, gen, 50);
  k.forward(bits, 5, 3, 11, a.data(), b.data(), out.data());
  EXPECT_EQ(mac.stats().gated_macs, 0u);
  const auto dz = random_codes(6, gen, 50), wt = random_codes(13 * 6, gen, 0);
  k.fc_backward_data(bits, 13, 6, dz.data(), wt.data(), out.data());
  uint64_t gated = zeros(dz) * 13;
  EXPECT_EQ(mac.stats().gated_macs, gated);
  const auto cdz = random_codes(12 * 4, gen, 60), cwt = random_codes(27 * 4, gen, 0);
  k.conv_backward_data(bits, {6, 5, 3}, 4, cdz.data(), cwt.data(), out.data());
  gated += zeros(cdz) * 27;
  EXPECT_EQ(mac.stats().gated_macs, gated);
  const auto gdz = random_codes(9 * 4, gen, 50), ga = random_codes(9 * 23, gen, 20);
  k.weight_gradient(bits, 9, 4, 23, gdz.data(), ga.data(), out.data());
  gated += zeros(gdz) * 23;
  EXPECT_EQ(mac.stats().gated_macs, gated);
  const auto bdz = random_codes(7 * 5, gen, 50);
  k.bias_gradient({1, 8}, 7, 5, bdz.data(), out.data());
  gated += zeros(bdz);  // one add each
  EXPECT_EQ(mac.stats().gated_macs, gated);
  const auto l = random_codes(6 * 2, gen, 50), r = random_codes(5 * 2, gen, 50);
  std::vector<int64_t> wide(30);
  k.factor_product({16, 16}, 6, 5, 2, l.data(), r.data(), wide.data());
  EXPECT_EQ(mac.stats().gated_macs, gated);  // not a gradient job: nothing skipped
  EXPECT_GT(gated, 0u);
}

::tlm::tlm_response_status send(Fw& fw, ::tlm::tlm_command cmd, uint64_t addr, void* data, unsigned length) {
  ::tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(static_cast<unsigned char*>(data));
  t.set_data_length(length);
  t.set_streaming_width(length);
  t.set_byte_enable_ptr(nullptr);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time d = sc_core::SC_ZERO_TIME;
  fw.b_transport(t, d);
  return t.get_response_status();
}

// A vector-matrix job whose A is a gradient (gradient_a = 1) under zero skipping: each zero of
// A's k entries removes its n MACs (a row of B), as a GEMM row's; counted by k it would exceed
// the job's n k MACs once more than n entries are zero, and the job would be refused.
TEST(MacArrayCompute, AVectorMatrixGradientCountsNMacsForEachZero) {
  MacArraySpecs specs;
  specs.zero_skip = true;
  mac_array mac(unique_name("mac").c_str(), specs, kClock, 1024);
  Fw& fw = forward_path(mac);
  std::vector<int16_t> a(16, 0);
  a[3] = 5;  // 15 of 16 entries zero
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, kMacMemoryOffset, a.data(), 32), ::tlm::TLM_OK_RESPONSE);
  MacJob j;
  j.kernel = static_cast<uint32_t>(MacKernel::kVectorMatrix);
  j.m = 1;
  j.n = 4;
  j.k = 16;
  j.gradient_a = 1;
  j.a = 0;
  j.b = 32;
  j.c = 32 + 2 * 16 * 4;
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(mac.stats().macs, 64u);
  EXPECT_EQ(mac.stats().gated_macs, 15u * 4);
}

TEST(MacArrayCompute, BadComputeJobsAreRefusedWithoutComputingAndTheMemoryIsAPlainMemory) {
  mac_array mac(unique_name("mac").c_str(), MacArraySpecs{}, kClock, 256);
  Fw& fw = forward_path(mac);
  EXPECT_EQ(mac.address_bytes(), kMacMemoryOffset + 256);
  // Memory: what is written is read back; beyond it, an address error.
  std::vector<unsigned char> w(64), r(64, 0);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<unsigned char>(3 * i + 1);
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, kMacMemoryOffset + 192, w.data(), 64), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(send(fw, ::tlm::TLM_READ_COMMAND, kMacMemoryOffset + 192, r.data(), 64), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(r, w);
  EXPECT_EQ(send(fw, ::tlm::TLM_READ_COMMAND, kMacMemoryOffset + 193, r.data(), 64),
            ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // A GEMM whose result would end past the memory: refused, the memory unchanged, nothing counted.
  MacJob j;
  j.kernel = static_cast<uint32_t>(MacKernel::kGemmNt);
  j.m = 4;
  j.n = 4;
  j.k = 8;
  j.a = 0;
  j.b = 64;
  j.c = 192;  // 64 bytes from 192 fit; 16 int32 = 64 bytes: fits exactly
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(mac.stats().macs, 4u * 4 * 8);
  j.c = 196;
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  j.c = 194;  // not int32-aligned
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  j.c = 192;
  j.macs = 1;  // a compute job counts its own MACs
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  j.macs = 0;
  j.kernel = 9;
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  j.kernel = static_cast<uint32_t>(MacKernel::kGemmNtWide);  // 16 int64 = 128 bytes from 192: past the end
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  j.c = 124;  // fits, but not int64-aligned
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  j.kernel = static_cast<uint32_t>(MacKernel::kColumnSum);  // a column sum has no k
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  j.kernel = static_cast<uint32_t>(MacKernel::kVectorMatrix);  // one row only (m = 4 here)
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &j, sizeof j), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  MacJob bn;  // batch norm: a map, no m x n x k, a non-empty code range
  bn.kernel = static_cast<uint32_t>(MacKernel::kBnNormalize);
  bn.in_h = bn.in_w = 2;
  bn.in_c = 1;
  bn.lo = 1;
  bn.hi = 0;
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &bn, sizeof bn), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  bn.hi = 1;
  bn.m = 1;
  EXPECT_EQ(send(fw, ::tlm::TLM_WRITE_COMMAND, 0, &bn, sizeof bn), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(mac.stats().jobs, 1u);
  // DMI: granted read/write over exactly the memory; refused on the job register, naming it.
  ::tlm::tlm_generic_payload t;
  ::tlm::tlm_dmi dmi;
  t.set_address(kMacMemoryOffset + 10);
  EXPECT_TRUE(fw.get_direct_mem_ptr(t, dmi));
  EXPECT_TRUE(dmi.is_read_write_allowed());
  EXPECT_EQ(dmi.get_start_address(), kMacMemoryOffset);
  EXPECT_EQ(dmi.get_end_address(), kMacMemoryOffset + 255);
  ::tlm::tlm_dmi none;
  t.set_address(0);
  EXPECT_FALSE(fw.get_direct_mem_ptr(t, none));
  EXPECT_EQ(none.get_start_address(), 0u);
  EXPECT_EQ(none.get_end_address(), kMacMemoryOffset - 1);
}

// ---- An engine on the array ------------------------------------------------------------------

golden::NetworkSpec conv_fc_network() {
  golden::NetworkSpec n;
  n.in_h = 8;
  n.in_w = 8;
  n.in_c = 1;
  n.layers = {{golden::LayerKind::kConv3x3, 4}, {golden::LayerKind::kMaxPool2, 0}, {golden::LayerKind::kRelu, 0},
              {golden::LayerKind::kConv3x3, 3}, {golden::LayerKind::kFc, 5}};
  return n;
}

// Online SGD on every layer: forward GEMMs, input gradients and weight gradients all run.
golden::TrainSpecs sgd_specs() {
  golden::TrainSpecs t;
  t.conv.scheme = golden::Scheme::kOnlineSgd;
  t.fc.scheme = golden::Scheme::kOnlineSgd;
  t.learning_rate = 0.5;
  return t;
}

std::vector<uint8_t> image(uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<uint8_t> px(64);
  for (uint8_t& p : px) p = static_cast<uint8_t>(gen() % 256);
  return px;
}

// Trains `samples` samples on `e` with every trainable layer's jobs on `kernels` (null: golden).
void train(golden::Engine& e, TlmMacKernels* kernels, int samples) {
  for (int l : e.trainable_layers()) e.install_mac_kernels(l, kernels);
  for (int s = 0; s < samples; ++s) e.train_step(image(static_cast<uint64_t>(s)).data(), s % 5);
}

// Trains a golden twin and an engine whose trainable layers and `bn_layers` hand their jobs to
// an array (operands in bursts) for 4 samples each: the same weights digest; the array ran
// every MAC the golden engine counted (AffineWork) plus `extra_macs` of the twin, and nothing
// else; with one bit of every result flipped on its way back, the digest differs (so the datapath
// continues with the module's values). Returns the twin's work.
golden::AffineWork expect_trains_on_the_array(const golden::NetworkSpec& net, const golden::TrainSpecs& specs,
                                              const std::vector<int>& bn_layers,
                                              const std::function<uint64_t(const golden::Engine&)>& extra_macs,
                                              const std::string& what) {
  golden::Engine twin(net, specs), on_array(net, specs), corrupted(net, specs);
  train(twin, nullptr, 4);
  mac_array mac(unique_name("mac").c_str(), MacArraySpecs{}, kClock, mac_memory_bytes(on_array));
  sc_time delay = sc_core::SC_ZERO_TIME;
  BurstOnly path(forward_path(mac));
  TlmMacKernels kernels(path, 0, mac.memory_bytes(), false, delay);
  for (int l : bn_layers) {
    on_array.install_mac_kernels(l, &kernels);
    corrupted.install_mac_kernels(l, &kernels);
  }
  train(on_array, &kernels, 4);
  EXPECT_EQ(on_array.weights_digest(), twin.weights_digest()) << what;
  golden::AffineWork work;
  for (int l : twin.trainable_layers()) work += twin.affine(l).work();
  EXPECT_EQ(mac.stats().macs, work.forward_macs + work.backward_data_macs + work.backward_data_skipped +
                                  work.weight_grad_macs + work.weight_grad_skipped + work.bias_adds +
                                  work.bias_skipped + extra_macs(twin))
      << what;
  path.flip_read = true;  // the results now arrive with one bit changed
  train(corrupted, &kernels, 4);
  EXPECT_NE(corrupted.weights_digest(), twin.weights_digest()) << what;
  return work;
}

uint64_t none(const golden::Engine&) { return 0; }

TEST(MacArrayCompute, AnEngineOnTheArrayTrainsAsItsTwinAndUsesTheArraysResults) {
  const golden::AffineWork work = expect_trains_on_the_array(conv_fc_network(), sgd_specs(), {}, none, "SGD");
  EXPECT_GT(work.weight_grad_macs, 0u);
  EXPECT_GT(work.bias_adds, 0u);
}

// Per-pixel SGD's products and LRT's L R^T (fixed-point reducer, rank 2, B = 2) are array jobs
// too; with LRT the array also ran rank x n_o x n_i MACs per update attempt.
TEST(MacArrayCompute, PixelSgdProductsAndTheLrtUpdateRunOnTheArray) {
  golden::TrainSpecs pixel = sgd_specs();
  pixel.conv.scheme = golden::Scheme::kPixelSgd;
  EXPECT_GT(expect_trains_on_the_array(conv_fc_network(), pixel, {}, none, "pixel SGD").weight_grad_macs, 0u);

  golden::TrainSpecs lrt = sgd_specs();
  lrt.learning_rate = 0.05;
  for (golden::KindTrainSpec* kind : {&lrt.conv, &lrt.fc}) {
    kind->scheme = golden::Scheme::kLrt;
    kind->rank = 2;
    kind->batch = 2;
  }
  lrt.rank_reduce_arith = golden::RankReduceArith::kFixed;
  uint64_t factor_macs = 0;
  const auto attempts_macs = [&factor_macs](const golden::Engine& twin) {
    for (int l : twin.trainable_layers()) {
      const golden::AffineLayer& layer = twin.affine(l);
      factor_macs += layer.updater().stats().attempts * 2 * static_cast<uint64_t>(layer.n_out()) *
                     static_cast<uint64_t>(layer.fan_in());
    }
    return factor_macs;
  };
  EXPECT_EQ(expect_trains_on_the_array(conv_fc_network(), lrt, {}, attempts_macs, "LRT").weight_grad_macs, 0u);
  EXPECT_GT(factor_macs, 0u);
}

// Batch norm's element-wise work runs on the array: conv, ReLU, batch norm, fc (online SGD,
// the BN layer learning); the array also ran one MAC per BN element forward and two backward.
TEST(MacArrayCompute, BatchNormRunsOnTheArray) {
  golden::NetworkSpec net;
  net.in_h = 8;
  net.in_w = 8;
  net.in_c = 1;
  net.layers = {{golden::LayerKind::kConv3x3, 4}, {golden::LayerKind::kRelu, 0}, {golden::LayerKind::kBatchNorm, 0},
                {golden::LayerKind::kFc, 5}};
  const uint64_t bn_elements = 6 * 6 * 4;
  expect_trains_on_the_array(net, sgd_specs(), {2}, [&](const golden::Engine&) { return 4 * 3 * bn_elements; },
                             "batch norm");
}

}  // namespace
}  // namespace lrt::tlm

// ---- Word formats of the bus (tlm_util.h) ------------------------------------------------------

namespace lrt::tlm {
namespace {

// The block forms equal the per-word ones for every width, over the whole range of each width.
TEST(BusWords, BlockStoreAndLoadEqualTheWordByWordForms) {
  std::mt19937_64 gen(8);
  for (unsigned bytes = 1; bytes <= 4; ++bytes) {
    const int64_t lo = -(int64_t{1} << (8 * bytes - 1)), hi = (int64_t{1} << (8 * bytes - 1)) - 1;
    std::vector<int32_t> codes(1000);
    for (size_t i = 0; i < codes.size(); ++i)
      codes[i] = static_cast<int32_t>(i < 2 ? (i == 0 ? lo : hi)
                                            : lo + static_cast<int64_t>(gen() % static_cast<uint64_t>(hi - lo + 1)));
    std::vector<unsigned char> block(codes.size() * bytes), single(codes.size() * bytes);
    store_codes_le(codes.data(), codes.size(), block.data(), bytes);
    for (size_t i = 0; i < codes.size(); ++i) store_code_le(codes[i], single.data() + i * bytes, bytes);
    EXPECT_EQ(block, single) << bytes << " bytes";
    std::vector<int32_t> back(codes.size());
    load_codes_le(block.data(), back.size(), back.data(), bytes);
    EXPECT_EQ(back, codes) << bytes << " bytes";
  }
}

}  // namespace
}  // namespace lrt::tlm
