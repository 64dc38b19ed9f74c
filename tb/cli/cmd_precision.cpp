// lrtsim precision CONFIG --out precision.yaml: the per-tensor fixed-point precision assignment
// of Sakr & Shanbhag 2019 (docs/precision.md, "Per-tensor precision"). Measures the noise gains
// and gradient statistics on the float model of run.model over an estimation set (the first
// --samples validation samples), applies Claim 1 (golden/precision/precision_assignment.h), clamps to the
// widths the datapath honours (golden/precision/precision_clamp.h; a comment per clamped entry) and writes the train.precision.*
// keys for C_o and its perturbations C+1 / C-1 (every width +1 / -1) beside it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "cli/commands.h"
#include "config/config.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/progress.h"
#include "data/stream.h"
#include "golden/training/engine.h"
#include "golden/training/model_io.h"
#include "golden/precision/noise_gains.h"
#include "golden/precision/precision_assignment.h"
#include "golden/precision/precision_clamp.h"
#include "golden/precision/precision_costs.h"
#include "core/atomic_file.h"
#include "sim/precision.h"
#include "sim/session.h"  // sim::model_file

namespace lrt::cli {
namespace {

struct PrecisionArgs {
  std::string file;
  std::string out;
  std::vector<std::string> sets;
  uint64_t samples = 500;
  int b_min = 0;  // 0: sweep for the smallest with p_m < --mismatch
  double mismatch = 0.01;
  bool force = false;
};

[[noreturn]] void bad_key(const std::string& key, const std::string& problem) {
  throw InputError(InputLocation({}, -1, -1, key), problem);
}

std::string fmt(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

std::string list(const std::vector<golden::ClampedWidth>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i].value);
  return s + "]";
}

std::string list(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt(v[i]);
  return s + "]";
}

void notes(std::ostream& o, const char* key, const std::vector<golden::ClampedWidth>& v) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!v[i].note.empty()) o << "    # clamped: " << key << " item " << i + 1 << ": " << v[i].note << "\n";
}

std::string yaml(const std::string& header, const golden::ClampedPrecision& e,
                 const std::vector<golden::DatapathLimits>& lim) {
  std::ostringstream o;
  o << header << "train:\n  precision:\n";
  notes(o, "weight_bits", e.wb);
  o << "    weight_bits: " << list(e.wb) << "\n";
  std::vector<double> wr;
  for (const golden::DatapathLimits& l : lim) wr.push_back(l.weight_range);
  o << "    weight_range: " << list(wr) << "\n";
  notes(o, "activation_bits", e.ab);
  o << "    activation_bits: " << list(e.ab) << "\n";
  notes(o, "gradient_bits", e.gb);
  o << "    gradient_bits: " << list(e.gb) << "\n";
  for (size_t i = 0; i < e.grange_note.size(); ++i)
    if (!e.grange_note[i].empty()) o << "    # clamped: gradient_range item " << i + 1 << ": " << e.grange_note[i] << "\n";
  o << "    gradient_range: " << list(e.grange) << "\n";
  notes(o, "weight_gradient_bits", e.gwb);
  o << "    weight_gradient_bits: " << list(e.gwb) << "\n";
  notes(o, "accumulator_bits", e.accb);
  o << "    accumulator_bits: " << list(e.accb) << "\n";
  o << "# use: lrtsim pretrain/run CONFIG";
  const char* keys[] = {"weight_bits", "weight_range", "activation_bits", "gradient_bits", "gradient_range",
                        "weight_gradient_bits", "accumulator_bits"};
  const std::string vals[] = {list(e.wb), list(wr), list(e.ab), list(e.gb), list(e.grange), list(e.gwb), list(e.accb)};
  for (int k = 0; k < 7; ++k) o << " --set 'train.precision." << keys[k] << "=" << vals[k] << "'";
  o << "\n";
  return o.str();
}

void write_file(const std::string& path, const std::string& text) {
  create_parent_directories(path);
  write_file_atomically(path, text);
}

// precision.yaml -> precision.plus1.yaml / precision.minus1.yaml
std::string sibling(const std::string& out, const std::string& tag) {
  const std::filesystem::path p(out);
  return (p.parent_path() / (p.stem().string() + "." + tag + p.extension().string())).string();
}

int run_precision(const PrecisionArgs& args) {
  const config::Specs specs = config::load_specs(args.file, args.sets);
  if (args.out.empty()) bad_key("--out", "empty path; expected the YAML file to write");
  const std::string plus = sibling(args.out, "plus1"), minus = sibling(args.out, "minus1");
  if (!args.force)
    for (const std::string& p : {args.out, plus, minus})
      if (path_exists(p)) throw InputError(InputLocation(p), "already exists; choose another --out or pass --force");

  // On a terminal only (or with run.progress): a log or a pipe gets the results alone.
  const bool show = specs.run.progress || ::isatty(::fileno(stderr));
  ProgressLine progress(args.samples, "estimation samples");
  ProgressLine search(16, "B_min candidates");
  sim::PrecisionHooks hooks;
  if (show) {
    hooks.estimation = [&](uint64_t done) {
      progress.update(done);
      if (done == args.samples) progress.finish(done);
    };
    hooks.search_step = [&](int b, double pm) { search.update(static_cast<uint64_t>(b), "p_m " + fmt(pm)); };
  }
  const sim::PrecisionResult r = sim::precision_assignment(
      specs, sim::model_file(specs, args.file), {args.samples, args.b_min, args.mismatch}, hooks);
  if (show && args.b_min == 0) search.finish(static_cast<uint64_t>(r.params.b_min), "p_m " + fmt(r.mismatch));
  const std::vector<golden::LayerNoiseStats>& stats = r.stats;
  const std::vector<golden::LayerAssignment>& assignment = r.assignment;
  const std::vector<golden::DatapathLimits>& lim = r.limits;
  const golden::AssignmentParams& params = r.params;
  const double pm = r.mismatch;

  std::ostringstream h;
  h << "# lrtsim precision: per-tensor fixed-point precision assignment (Sakr & Shanbhag 2019, Claim 1,\n"
    << "# eqs. 1-4; docs/precision.md). config: " << args.file << ", model: " << specs.run.model << "\n"
    << "# estimation set: the first " << r.estimation_samples << " validation samples (float model accuracy "
    << fmt(static_cast<double>(r.estimation_correct) / static_cast<double>(std::max<uint64_t>(r.estimation_samples, 1)))
    << "), B_min = " << params.b_min << " (p_m = " << fmt(pm) << (args.b_min ? ", given" : ", smallest with p_m < ")
    << (args.b_min ? "" : fmt(args.mismatch)) << "), gamma_min = " << fmt(params.gamma_min) << "\n";
  for (size_t j = 0; j < stats.size(); ++j) {
    const golden::LayerNoiseStats& s = stats[j];
    const golden::LayerAssignment& a = assignment[j];
    h << "# layer " << j + 1 << ": E_W " << fmt(s.e_w) << ", E_A " << fmt(s.e_a) << ", sigma_GW max/min "
      << fmt(s.sigma_gw_max) << "/" << fmt(s.sigma_gw_min) << ", sigma_GA max " << fmt(s.sigma_ga_max)
      << ", lambda max " << fmt(s.lambda_max) << "\n#   Claim 1: B_W " << a.b_w << ", B_A " << a.b_a << ", B_G(W) "
      << a.b_gw << " (r " << fmt(a.r_gw) << ", LSB " << fmt(a.delta_gw) << "), B_G(A) " << a.b_ga << " (r "
      << fmt(a.r_ga) << ", LSB " << fmt(a.delta_ga) << "), B_acc " << a.b_acc << " (r " << fmt(a.r_acc) << ", LSB "
      << fmt(a.delta_acc) << ")\n";
  }
  const char* names[] = {"C_o", "C+1 (every width +1)", "C-1 (every width -1)"};
  const std::string paths[] = {args.out, plus, minus};
  const int deltas[] = {0, 1, -1};
  for (int c = 0; c < 3; ++c) {
    const golden::ClampedPrecision e = golden::clamp_to_datapath(assignment, lim, deltas[c]);
    write_file(paths[c], h.str() + "# configuration: " + names[c] + "\n" + yaml("", e, lim));
  }
  std::printf("estimation samples: %llu\nB_min: %d\np_m: %.4f\nout: %s\nplus1: %s\nminus1: %s\n",
              static_cast<unsigned long long>(r.estimation_samples), params.b_min, pm, args.out.c_str(), plus.c_str(),
              minus.c_str());
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

void add_precision_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "precision", "Per-tensor fixed-point precision assignment (Sakr & Shanbhag, Claim 1) and its C+1/C-1 perturbations");
  auto args = std::make_shared<PrecisionArgs>();
  cmd->add_option("CONFIG", args->file, "YAML configuration file (run.model: the pre-trained model)")->required();
  cmd->add_option("--out", args->out, "YAML file of train.precision.* to write (also <stem>.plus1/.minus1<ext>)")
      ->required();
  cmd->add_option("--samples", args->samples, "estimation set: the first N validation samples (default 500)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--b-min", args->b_min, "B_min of eq. 1 (default: the smallest with p_m < --mismatch)")
      ->check(CLI::Range(1, 16));
  cmd->add_option("--mismatch", args->mismatch, "target mismatch probability p_m of the B_min sweep (default 0.01)");
  cmd->add_option("--set", args->sets, "override one key: key.path=value (repeatable; later wins)")
      ->allow_extra_args(false);
  cmd->add_flag("--force", args->force, "overwrite existing output files");
  cmd->callback([&action, args] { action = [args] { return run_precision(*args); }; });
}

}  // namespace lrt::cli
