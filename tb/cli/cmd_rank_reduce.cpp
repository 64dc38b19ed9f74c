// lrtsim rank-reduce: folds the pairs (row i of DZ.csv, row i of A.csv) into one rank
// reducer and writes its factors L (n_o x r) and R (n_i x r), so that L R^T estimates
// sum_i dz_i a_i^T. Rank: 1..31 (the sign generator's word); a rank >= min(n_o, n_i) is
// allowed and reproduces the sum exactly (up to rounding).
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/validators.h"
#include "core/csv.h"
#include "core/error.h"
#include "golden/rank_reduce/rank_reduce.h"
#include "golden/rank_reduce/rank_reduce_float.h"

namespace lrt::cli {

namespace {

struct RankReduceOptions {
  std::string dz_path, a_path, out_l, out_r;
  int rank = 0;
  std::string mode, arith;
  double kappa_th = 100.0;
  uint64_t seed = 0;
};

int run_rank_reduce(const RankReduceOptions& o) {
  const auto dz = read_csv_rows(o.dz_path);
  const auto a = read_csv_rows(o.a_path);
  if (dz.size() != a.size())
    throw InputError({o.a_path}, "has " + std::to_string(a.size()) + " rows but " + o.dz_path + " has " +
                                     std::to_string(dz.size()) + "; expected one row per pair in both files");
  golden::RankReduceParams params;
  params.n_o = static_cast<int>(dz.front().size());
  params.n_i = static_cast<int>(a.front().size());
  params.rank = o.rank;
  params.mode = golden::parse_rank_reduce_mode(o.mode);
  params.kappa_th = o.kappa_th;
  params.seed = o.seed;
  std::unique_ptr<golden::RankReducer> reducer;
  try {
    reducer = golden::make_rank_reducer(params, golden::parse_rank_reduce_arith(o.arith));
  } catch (const std::invalid_argument& e) {
    // A shape or rank this arithmetic does not support is a problem with the request.
    throw InputError({"", -1, -1, "--rank"}, e.what());
  }
  for (std::size_t i = 0; i < dz.size(); ++i) reducer->step(dz[i].data(), a[i].data());

  Matrix<double> L, R;
  reducer->factors(L, R);
  write_csv_matrix(o.out_l, L);
  write_csv_matrix(o.out_r, R);
  const auto& s = reducer->stats();
  std::cout << "rank-reduce: pairs=" << s.pairs << " skipped_kappa=" << s.skipped_kappa
            << " degenerate=" << s.degenerate << " n_o=" << params.n_o << " n_i=" << params.n_i
            << " rank=" << params.rank << " mode=" << o.mode << " arith=" << o.arith << "\n";
  return kExitOk;
}

}  // namespace

void add_rank_reduce_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("rank-reduce", "Fold (dz, a) pairs into a rank-r estimate L R^T of sum dz a^T");
  auto o = std::make_shared<RankReduceOptions>();
  cmd->add_option("--dz", o->dz_path, "CSV, one dz vector (n_o values) per row")->required()->type_name("DZ.csv");
  cmd->add_option("--a", o->a_path, "CSV, one a vector (n_i values) per row, same row count")
      ->required()
      ->type_name("A.csv");
  cmd->add_option("--rank", o->rank, "rank r of the estimate (the fixed arithmetic may allow fewer)")
      ->required()
      ->check(CLI::Range(1, golden::kMaxFloatRank));
  cmd->add_option("--mode", o->mode, "biased (top r) or unbiased (minimum-variance mixing)")
      ->required()
      ->check(CLI::IsMember({"biased", "unbiased"}));
  cmd->add_option("--arith", o->arith, "float (double reference) or fixed (bit-accurate hardware)")
      ->required()
      ->check(CLI::IsMember({"float", "fixed"}));
  cmd->add_option("--kappa-th", o->kappa_th, "skip a pair when C_11 / C_qq exceeds this; 0 disables")
      ->capture_default_str()
      ->check(finite_non_negative());
  cmd->add_option("--seed", o->seed, "seed of the random signs (unbiased mode; low 32 bits used)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);  // CLI11 would wrap "-3" into a huge unsigned value
  cmd->add_option("--out-l", o->out_l, "output CSV for L (n_o rows x r columns)")->required()->type_name("L.csv");
  cmd->add_option("--out-r", o->out_r, "output CSV for R (n_i rows x r columns)")->required()->type_name("R.csv");
  cmd->callback([&action, o] { action = [o] { return run_rank_reduce(*o); }; });
}

}  // namespace lrt::cli
