// lrtsim cosim: drives identical stimulus into the Verilated RTL rank-reduce unit
// (rtl/rr_unit.sv through rtl/sc/rank_reduce_rtl.h) and the golden fixed-point model
// (golden::RankReduceFixed) and compares every state word and result field after every pair
// (tb/cosim/cosim_checker.h). Exit 0 and "matched N pairs" with the cycles per pair, or exit 1
// with every mismatching field of the first differing pair (pair index, cycle, DUT and
// expected in hex). Stimulus: tb/cosim/stimulus.h. With --checkpoint the whole state of both
// sides is saved every --checkpoint-every pairs, at the end and on SIGINT / SIGTERM; --resume
// continues from it exactly (tb/cosim/cosim_checkpoint.h).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/validators.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "cosim/cosim_checker.h"
#include "cosim/cosim_checkpoint.h"
#include "cosim/stimulus.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "cpp/rank_reduce_rtl_cpp.h"
#include "sc/rank_reduce_rtl.h"
#include "hw/rr_unit_timing.h"

namespace lrt::cli {

namespace {

struct CosimOptions {
  uint64_t seed = 1;
  int samples = 1000;
  int rank = 4;
  int n_o = 16;
  int n_i = 16;
  std::string mode = "biased";
  double kappa_th = 100.0;
  bool directed = true;
  std::string vcd;
  std::string perturb_field;  // testing the checker: perturb the expected words
  int perturb_pair = -1;
  int reset_every = 64;
  int report_every = 0;
  bool print_cycles = false;
  double stall = 0.0;
  uint64_t first_pair = 0;
  bool systemc = false;
  bool break_handshake = false;  // testing the RTL's protocol assertions
  bool spurious_response = false;
  std::string checkpoint;  // saved every checkpoint_every pairs, at the end and on a stop
  std::string resume;      // continue the run saved here (and keep saving there)
  int checkpoint_every = 1000;
};

// The options that decide the pairs and the state: a checkpoint resumes only under the same
// text (--samples may grow; how often to report or save changes nothing).
std::string run_text(const CosimOptions& o) {
  char kappa[32];
  std::snprintf(kappa, sizeof kappa, "%.17g", o.kappa_th);
  return "seed=" + std::to_string(o.seed) + " rank=" + std::to_string(o.rank) + " n_o=" + std::to_string(o.n_o) +
         " n_i=" + std::to_string(o.n_i) + " mode=" + o.mode + " kappa_th=" + kappa +
         " directed=" + std::to_string(o.directed) + " reset_every=" + std::to_string(o.reset_every) +
         " stall=" + std::to_string(o.stall) + " first_pair=" + std::to_string(o.first_pair);
}

// Checkpoints need the C++ build (Verilator --savable) and a run the checker's self-tests leave alone.
void check_checkpoint_options(const CosimOptions& o) {
  const bool saving = !o.checkpoint.empty() || !o.resume.empty();
  if (!saving) return;
  const std::string key = o.resume.empty() ? "--checkpoint" : "--resume";
  if (o.systemc || !o.vcd.empty())
    throw InputError(InputLocation({}, -1, -1, key), "needs the C++ model of the unit: drop --systemc and --vcd");
  if (!o.perturb_field.empty() || o.break_handshake || o.spurious_response)
    throw InputError(InputLocation({}, -1, -1, key),
                     "is for real runs: drop the checker self-tests (--perturb, --break-handshake, --spurious-response)");
}

// reset() of the golden model and the unit's environment clearing the SRAM image, as
// rank_reduce_unit::reset_state does (the pair counter survives in both).
void reset_both(golden::RankReduceFixed& model, rtl::RtlUnitEnv& dut) {
  model.reset();
  rtl::RtlSram& s = dut.sram();
  for (int side = 0; side < 2; ++side) {
    std::fill(s.q[side].begin(), s.q[side].end(), int16_t{0});
    std::fill(std::begin(s.exps[side]), std::end(s.exps[side]), int16_t{0});
  }
  std::fill(std::begin(s.cx), std::end(s.cx), 0u);
  s.cx_exp = 0;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

int run_cosim(const CosimOptions& o) {
  check_checkpoint_options(o);
  golden::RankReduceParams params;
  params.n_o = o.n_o;
  params.n_i = o.n_i;
  params.rank = o.rank;
  params.mode = golden::parse_rank_reduce_mode(o.mode);
  params.kappa_th = o.kappa_th;
  params.seed = o.seed;
  std::unique_ptr<golden::RankReduceFixed> model;
  try {
    model = std::make_unique<golden::RankReduceFixed>(params);
  } catch (const std::invalid_argument& e) {
    throw InputError({"", -1, -1, "--kappa-th"}, e.what());
  }
  if (!o.perturb_field.empty()) {
    const auto& f = cosim::checked_fields();
    if (std::find(f.begin(), f.end(), o.perturb_field) == f.end())
      throw InputError({"", -1, -1, "--perturb"}, "unknown field '" + o.perturb_field + "'");
  }
  rtl::RtlUnitConfig cfg;
  cfg.rank = o.rank;
  cfg.n_o = o.n_o;
  cfg.n_i = o.n_i;
  cfg.unbiased = params.mode == golden::RankReduceMode::kUnbiased;
  cfg.kappa_code = model->kappa_code();
  cfg.seed = static_cast<uint32_t>(o.seed);
  // The plain C++ build of the unit unless a VCD or the SystemC build is asked for.
  std::unique_ptr<rtl::RankReduceRtl> sc_dut;
  std::unique_ptr<rtl::RankReduceRtlCpp> cpp_dut;
  const bool use_systemc = o.systemc || !o.vcd.empty();
  if (use_systemc) {
    sc_dut = std::make_unique<rtl::RankReduceRtl>("rank_reduce_rtl", cfg);
    if (!o.vcd.empty()) sc_dut->open_vcd(o.vcd);
  } else {
    cpp_dut = std::make_unique<rtl::RankReduceRtlCpp>(cfg);
  }
  rtl::RtlUnitEnv& dut = use_systemc ? static_cast<rtl::RtlUnitEnv&>(*sc_dut) : *cpp_dut;
  dut.set_stalls(o.stall, o.seed ^ 0x5DEECE66Dull);
  if (o.break_handshake) dut.break_code_handshake();
  if (o.spurious_response) dut.send_spurious_response();
  if (o.first_pair != 0) {  // both pair counters (the sign generator's index) start there
    golden::RankReduceFixedState st = model->state();
    st.stats.pairs = o.first_pair;
    model->set_state(st);
    dut.set_pair_counter(static_cast<uint32_t>(o.first_pair));
  }

  // The directed set, then the random stream (generated pair by pair: constant memory).
  std::vector<cosim::CosimPair> directed;
  if (o.directed) directed = cosim::directed_pairs(o.n_o, o.n_i, o.seed);
  const size_t n_directed = directed.size();
  const size_t n_pairs = n_directed + static_cast<size_t>(o.samples);
  cosim::RandomPairStream stream(o.n_o, o.n_i, o.seed);
  cosim::CosimPair random_pair;

  if (o.perturb_pair >= 0 && static_cast<size_t>(o.perturb_pair) >= n_pairs)
    throw InputError(InputLocation({}, -1, -1, "--perturb-pair"),
                     std::to_string(o.perturb_pair) + ": this run has only " + std::to_string(n_pairs) +
                         " pairs (0.." + std::to_string(n_pairs - 1) + ")");
  // The counters of the whole run. A resumed run starts from the checkpoint's, with both sides
  // and the stream where it left them; its segments, wall and CPU seconds stay those of the
  // earlier segments (save() adds this one's).
  cosim::CosimProgress tally;
  const std::string ckpt_path = o.checkpoint.empty() ? o.resume : o.checkpoint;
  const std::string run = run_text(o);
  size_t k0 = 0;
  if (!o.resume.empty()) {
    const cosim::CosimCheckpoint c = cosim::read_cosim_checkpoint(
        o.resume, run, rtl::RankReduceRtlCpp::rtl_fingerprint(), model->state(), cpp_dut->env_state());
    tally = c.progress;
    if (tally.next_pair > n_pairs)
      throw InputError(InputLocation({}, -1, -1, "--samples"),
                       std::to_string(o.samples) + " random pairs, but " + o.resume + " has already matched " +
                           std::to_string(tally.next_pair - n_directed) + "; expected at least that many");
    model->set_state(c.golden);
    cpp_dut->set_env_state(c.env);
    cpp_dut->restore_model(c.model);
    k0 = tally.next_pair;
    for (size_t k = n_directed; k < k0; ++k) stream.next();  // the stream's state: its pairs so far
    std::cout << "resumed " << o.resume << " at pair " << k0 << " of " << n_pairs << " (segment "
              << tally.segments + 1 << "; " << tally.wall_s << " s, CPU " << tally.cpu_s << " s so far)"
              << std::endl;
  }
  if (!ckpt_path.empty()) install_stop_handlers();
  const uint64_t segment_cycles0 = dut.total_cycles();
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&t0]() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  auto cpu_seconds = [] { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; };
  auto save = [&](size_t next_pair) {
    cosim::CosimCheckpoint c;
    c.run = run;
    c.rtl = rtl::RankReduceRtlCpp::rtl_fingerprint();
    c.progress = tally;
    c.progress.next_pair = next_pair;
    c.progress.segments = tally.segments + 1;
    c.progress.wall_s = tally.wall_s + seconds();
    c.progress.cpu_s = tally.cpu_s + cpu_seconds();
    c.golden = model->state();
    c.env = cpp_dut->env_state();
    c.model = cpp_dut->save_model();
    cosim::write_cosim_checkpoint(ckpt_path, c);
  };
  // A progress line on a terminal only, and not beside --print-cycles' own line per pair.
  const bool show = !o.print_cycles && ::isatty(::fileno(stderr));
  ProgressLine progress(n_pairs, "pairs");
  for (size_t k = k0; k < n_pairs; ++k) {
    if (stop_requested()) {  // between pairs: both sides idle, the state complete
      if (show) progress.finish(k);
      save(k);
      std::cout << "cosim: stopped after " << k << " of " << n_pairs << " pairs, all matched; saved " << ckpt_path
                << " (continue with lrtsim cosim --resume " << ckpt_path << " and the same options)" << std::endl;
      return stop_signal() ? 128 + stop_signal() : kExitRunFailed;
    }
    if (show) progress.update(k);
    if (k >= n_directed) random_pair = stream.next();
    const cosim::CosimPair& p = k < n_directed ? directed[k] : random_pair;
    // The random stream starts from the reset state, and is reset every reset_every pairs
    // (the LRT accumulator resets the reducer after every applied update).
    if ((k == n_directed && k > 0) ||
        (o.reset_every > 0 && k > n_directed && (k - n_directed) % static_cast<size_t>(o.reset_every) == 0))
      reset_both(*model, dut);
    const uint64_t sat_before = model->saturations();
    model->step_codes(p.dz.data(), p.dz_exp, p.a.data(), p.a_exp);
    const rtl::RtlPairResult res = dut.run_pair(p.dz.data(), p.dz_exp, p.a.data(), p.a_exp);
    cosim::ExpectedState e = cosim::expected_from(*model, sat_before);
    if (static_cast<int>(k) == o.perturb_pair) cosim::perturb(e, o.perturb_field);
    const auto mism = cosim::compare(e, dut.sram(), res, o.rank, o.n_o, o.n_i);
    if (!mism.empty()) {
      if (show) progress.finish(k);
      std::cout << "cosim: pair " << k << " (" << p.label << ") differs at cycle " << dut.total_cycles()
                << ": " << mism.size() << " field(s)\n";
      const size_t shown = std::min<size_t>(mism.size(), 64);
      for (size_t m = 0; m < shown; ++m)
        std::cout << "  pair " << k << " cycle " << dut.total_cycles() << " " << mism[m].field
                  << ": dut=" << hex(mism[m].dut) << " expected=" << hex(mism[m].expected) << "\n";
      if (shown < mism.size()) std::cout << "  ... and " << mism.size() - shown << " more\n";
      return kExitRunFailed;
    }
    // Without stalls every pair costs exactly the closed form of its outcome
    // (models/hw/rr_unit_timing.h), SRAM reads and writes included.
    if (o.stall == 0.0) {
      const hw::RrUnitPairCost want = hw::rr_unit_pair_cost(o.rank, cfg.unbiased, o.n_o, o.n_i,
                                                              hw::rr_pair_outcome(model->last_pair()));
      if (want.cycles != res.cycles || want.sram_reads != res.mem_reads || want.sram_writes != res.mem_writes) {
        std::cout << "cosim: pair " << k << " (" << p.label << ") cycles " << res.cycles << " reads "
                  << res.mem_reads << " writes " << res.mem_writes << " differ from the closed form "
                  << want.cycles << " / " << want.sram_reads << " / " << want.sram_writes << "\n";
        return kExitRunFailed;
      }
      ++tally.closed_form_checked;
    }
    if (o.print_cycles)
      std::cout << "pair " << k << " cycles " << res.cycles << " (" << p.label
                << (res.zero_input ? ", zero input" : "") << (res.skipped_kappa ? ", kappa skip" : "")
                << ")\n";
    tally.cycles_min = std::min(tally.cycles_min, res.cycles);
    tally.cycles_max = std::max(tally.cycles_max, res.cycles);
    if (!res.zero_input && !res.skipped_kappa) {
      tally.cycles_full += res.cycles;
      ++tally.n_full;
    }
    if (!ckpt_path.empty() && (k + 1) % static_cast<size_t>(o.checkpoint_every) == 0) save(k + 1);
    if (o.report_every > 0 && (k + 1) % static_cast<size_t>(o.report_every) == 0) {
      // A soak's record (scripts/soak_cosim.sh): everything so far matched; flushed at once,
      // so an interrupted run keeps every line it printed. The process's CPU time beside the
      // wall clock: on a shared machine the rate per CPU second is what extrapolates. Times
      // and rates cover every segment of a resumed run.
      const double t = tally.wall_s + seconds();
      const auto& s = model->stats();
      std::cout << "progress: " << k + 1 << " / " << n_pairs << " pairs matched (" << s.skipped_kappa
                << " kappa-skipped, " << s.degenerate << " degenerate, " << tally.n_full << " full steps), "
                << tally.closed_form_checked << " equal the closed form; " << t << " s, "
                << static_cast<double>(k + 1) / t << " pairs/s, "
                << static_cast<double>(dut.total_cycles()) / t << " RTL cycles/s; CPU "
                << tally.cpu_s + cpu_seconds() << " s" << std::endl;
    }
  }
  if (show) progress.finish(n_pairs);
  const double secs = seconds();
  if (!ckpt_path.empty()) save(n_pairs);  // a finished run can still be extended (larger --samples)
  const uint64_t total = dut.total_cycles();
  std::cout << "matched " << n_pairs << " pairs (" << n_directed << " directed, " << n_pairs - n_directed
            << " random; rank " << o.rank << ", n_o " << o.n_o << ", n_i " << o.n_i << ", " << o.mode
            << ", kappa_th " << o.kappa_th << ")\n";
  const auto& s = model->stats();
  std::cout << "outcomes: " << s.skipped_kappa << " kappa-skipped, " << s.degenerate << " degenerate, "
            << tally.n_full << " full steps\n";
  std::cout << "cycles per pair: mean "
            << (n_pairs == 0 ? 0.0 : static_cast<double>(total) / static_cast<double>(n_pairs))
            << ", full steps mean "
            << (tally.n_full ? static_cast<double>(tally.cycles_full) / static_cast<double>(tally.n_full) : 0.0)
            << ", min " << (n_pairs == 0 ? 0 : tally.cycles_min) << ", max " << tally.cycles_max << "; bound "
            << hw::rr_unit_pair_cycles_max(o.rank, cfg.unbiased, o.n_o, o.n_i) << " (docs/rtl.md)\n";
  std::cout << "closed form: " << tally.closed_form_checked << " pairs equal rr_unit_pair_cost (cycles, SRAM reads, writes)\n";
  const double segment_pairs = static_cast<double>(n_pairs - k0);  // this process's pairs
  std::cout << "speed: " << secs << " s, " << (secs > 0 ? segment_pairs / secs : 0.0)
            << " pairs/s, " << (secs > 0 ? static_cast<double>(total - segment_cycles0) / secs : 0.0) << " RTL cycles/s ("
            << (use_systemc ? std::string("SystemC model")
                            : "C++ model, " + std::to_string(rtl::RankReduceRtlCpp::evals_per_clock()) +
                                  " eval() per clock")
            << ")\n";
  return kExitOk;
}

}  // namespace

void add_cosim_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("cosim",
                                 "Co-simulate the RTL rank-reduce unit against the golden fixed-point model");
  auto o = std::make_shared<CosimOptions>();
  cmd->add_option("--seed", o->seed, "seed of the stimulus and of the sign generator (low 32 bits)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--samples", o->samples, "random pairs after the directed set")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000000));
  cmd->add_option("--rank", o->rank, "rank r (1..8)")->capture_default_str()->check(CLI::Range(1, 8));
  cmd->add_option("--n-o", o->n_o, "length of dz (1..16384)")
      ->capture_default_str()
      ->check(CLI::Range(1, 16384));
  cmd->add_option("--n-i", o->n_i, "length of a (1..16384)")
      ->capture_default_str()
      ->check(CLI::Range(1, 16384));
  cmd->add_option("--mode", o->mode, "biased or unbiased")
      ->capture_default_str()
      ->check(CLI::IsMember({"biased", "unbiased"}));
  cmd->add_option("--kappa-th", o->kappa_th, "kappa threshold: 0 or in [2^-8, 2^27]")
      ->capture_default_str()
      ->check(finite_non_negative());
  cmd->add_option("--reset-every", o->reset_every, "reset the state every N random pairs (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option(
         "--stall", o->stall,
         "back-pressure: the SRAM's ready, the code stream and the result's ready withheld with this "
         "probability per cycle, read responses 0-3 cycles late (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.9));
  cmd->add_option("--first-pair", o->first_pair,
                  "start both pair counters (the sign generator's index, mod 2^32) at this value")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option(
         "--report-every", o->report_every,
         "print a progress line (pairs matched, outcomes, pairs/s, RTL cycles/s) every N pairs (0: none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--checkpoint", o->checkpoint,
                  "save the whole state of both sides here every --checkpoint-every pairs, at the end and "
                  "on SIGINT / SIGTERM (C++ model only)")
      ->type_name("FILE");
  cmd->add_option("--checkpoint-every", o->checkpoint_every, "pairs between checkpoints")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  cmd->add_option("--resume", o->resume,
                  "continue the run saved in FILE (the same options; --samples may grow), saving there "
                  "unless --checkpoint names another file")
      ->type_name("FILE");
  cmd->add_flag("--print-cycles", o->print_cycles, "print the RTL cycles of every pair");
  cmd->add_flag("--break-handshake", o->break_handshake,
                "testing: drop the code stream's valid before it is taken (the RTL's assertion must fire)");
  cmd->add_flag("--spurious-response", o->spurious_response,
                "testing: one SRAM read response with no read outstanding (the RTL's assertion must fire)");
  cmd->add_flag("--systemc", o->systemc,
                "clock the SystemC build of the unit (as the TLM model does) instead of the C++ build");
  cmd->add_flag("!--no-directed", o->directed, "skip the directed corner cases");
  cmd->add_option("--vcd", o->vcd, "write a VCD trace of every RTL signal (slow; small runs)")
      ->type_name("FILE");
  auto* perturb = cmd->add_option(
      "--perturb", o->perturb_field,
      "checker self-test: add one LSB to this expected field (q_left, q_right, exp_left, exp_right, "
      "cx, cx_exp, trace.*, saturations) at --perturb-pair");
  auto* perturb_pair = cmd->add_option("--perturb-pair", o->perturb_pair, "pair index of --perturb")
                           ->check(CLI::NonNegativeNumber);
  // One without the other would silently test nothing.
  perturb->needs(perturb_pair);
  perturb_pair->needs(perturb);
  cmd->callback([&action, o] { action = [o] { return run_cosim(*o); }; });
}

}  // namespace lrt::cli
