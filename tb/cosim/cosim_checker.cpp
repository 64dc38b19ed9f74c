#include "cosim/cosim_checker.h"

#include <stdexcept>

namespace lrt::cosim {

using golden::RankReduceSide;

const std::vector<std::string>& checked_fields() {
  static const std::vector<std::string> f = {"q_left",
                                             "q_right",
                                             "exp_left",
                                             "exp_right",
                                             "cx",
                                             "cx_exp",
                                             "trace.zero_input",
                                             "trace.vanished_left",
                                             "trace.vanished_right",
                                             "trace.skipped_kappa",
                                             "trace.kept",
                                             "trace.sign_word",
                                             "trace.c_exponent",
                                             "saturations"};
  return f;
}

ExpectedState expected_from(const golden::RankReduceFixed& model, uint64_t saturations_before) {
  ExpectedState e;
  const auto& p = model.params();
  const int q = p.rank + 1;
  for (int s = 0; s < 2; ++s) {
    const auto side = s == 0 ? RankReduceSide::kLeft : RankReduceSide::kRight;
    const int n = s == 0 ? p.n_o : p.n_i;
    const int16_t* c = model.q_codes(side);
    e.q[s].assign(c, c + static_cast<size_t>(n) * q);
    for (int j = 0; j < q; ++j) e.exps[s][j] = static_cast<int16_t>(model.q_exponent(side, j));
  }
  for (int j = 0; j < q; ++j) e.cx[j] = model.cx_codes()[static_cast<size_t>(j)];
  e.cx_exp = static_cast<int16_t>(model.cx_exponent());
  e.trace = model.last_pair();
  e.saturations = model.saturations() - saturations_before;
  return e;
}

void perturb(ExpectedState& e, const std::string& field) {
  if (field == "q_left")
    e.q[0][0] = static_cast<int16_t>(e.q[0][0] ^ 1);
  else if (field == "q_right")
    e.q[1][0] = static_cast<int16_t>(e.q[1][0] ^ 1);
  else if (field == "exp_left")
    e.exps[0][0] = static_cast<int16_t>(e.exps[0][0] + 1);
  else if (field == "exp_right")
    e.exps[1][0] = static_cast<int16_t>(e.exps[1][0] + 1);
  else if (field == "cx")
    e.cx[0] += 1;
  else if (field == "cx_exp")
    e.cx_exp = static_cast<int16_t>(e.cx_exp + 1);
  else if (field == "trace.zero_input")
    e.trace.zero_input = !e.trace.zero_input;
  else if (field == "trace.vanished_left")
    e.trace.vanished_left = !e.trace.vanished_left;
  else if (field == "trace.vanished_right")
    e.trace.vanished_right = !e.trace.vanished_right;
  else if (field == "trace.skipped_kappa")
    e.trace.skipped_kappa = !e.trace.skipped_kappa;
  else if (field == "trace.kept")
    e.trace.kept += 1;
  else if (field == "trace.sign_word")
    e.trace.sign_word ^= 1u;
  else if (field == "trace.c_exponent")
    e.trace.c_exponent += 1;
  else if (field == "saturations")
    e.saturations += 1;
  else
    throw std::invalid_argument("unknown field '" + field + "'");
}

std::vector<Mismatch> compare(const ExpectedState& e, const rtl::RtlSram& sram, const rtl::RtlPairResult& res,
                              int rank, int n_o, int n_i) {
  std::vector<Mismatch> out;
  const int q = rank + 1;
  auto check = [&](const std::string& name, uint64_t dut, uint64_t exp) {
    if (dut != exp) out.push_back({name, dut, exp});
  };
  const char* side_name[2] = {"q_left", "q_right"};
  const char* exp_name[2] = {"exp_left", "exp_right"};
  for (int s = 0; s < 2; ++s) {
    const int n = s == 0 ? n_o : n_i;
    for (int j = 0; j < q; ++j) {
      for (int i = 0; i < n; ++i) {
        const size_t k = static_cast<size_t>(j) * static_cast<size_t>(n) + static_cast<size_t>(i);
        check(std::string(side_name[s]) + "[" + std::to_string(i) + "][" + std::to_string(j) + "]",
              static_cast<uint16_t>(sram.q[s][k]), static_cast<uint16_t>(e.q[s][k]));
      }
      check(std::string(exp_name[s]) + "[" + std::to_string(j) + "]", static_cast<uint16_t>(sram.exps[s][j]),
            static_cast<uint16_t>(e.exps[s][j]));
    }
  }
  for (int j = 0; j < q; ++j) check("cx[" + std::to_string(j) + "]", sram.cx[j], e.cx[j]);
  check("cx_exp", static_cast<uint16_t>(sram.cx_exp), static_cast<uint16_t>(e.cx_exp));
  check("trace.zero_input", res.zero_input, e.trace.zero_input);
  check("trace.vanished_left", res.vanished_left, e.trace.vanished_left);
  check("trace.vanished_right", res.vanished_right, e.trace.vanished_right);
  check("trace.skipped_kappa", res.skipped_kappa, e.trace.skipped_kappa);
  check("trace.kept", static_cast<uint64_t>(res.kept), static_cast<uint64_t>(e.trace.kept));
  check("trace.sign_word", res.sign_word, e.trace.sign_word);
  check("trace.c_exponent", static_cast<uint32_t>(res.c_exponent), static_cast<uint32_t>(e.trace.c_exponent));
  check("saturations", res.saturations, e.saturations);
  return out;
}

}  // namespace lrt::cosim
