#include "hw/rr_unit_costs.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "core/error.h"

namespace lrt::hw {

namespace {

constexpr const char* kFeatureNames[kFeatures] = {"1",     "n_o",    "n_i", "w_o", "w_i",    "h_o",    "h_i",   "mixed",
                                                  "mixed2", "vl",    "vr",  "vl_n_o", "vr_n_i", "vl_w_o", "vr_w_i",
                                                  "vl_h_o", "vr_h_i", "gs",     "rot",    "bmax",
                                                  "dry_mixed", "dry_mixed2"};
constexpr const char* kQuantityNames[kQuantities] = {"cycles",    "sram_reads", "sram_writes", "mul_stream",
                                                     "mul_core",  "div_ops",    "isqrt_ops",   "cordic_ops",
                                                     "sign_ops",  "rf_reads",   "rf_write_bits"};
constexpr const char* kClassNames[kPairClasses] = {"zero_input", "skipped_kappa", "updated"};
constexpr const char* kModeNames[2] = {"biased", "unbiased"};

// ---- prices: every figure and its derivation (docs/rtl.md, "Cost table") ----------------------
// One full adder: Horowitz, ISSCC 2014 (45 nm): an 8-bit multiply, 0.2 pJ, is 64 full adders
// (the calibration of the MAC array, docs/tlm.md).
constexpr double kFullAdderPj = 0.2 / 64.0;
// Horowitz 2014: 10 pJ per 64-bit access of an 8 KB SRAM; the unit's register files are far
// smaller, so this per-bit figure is an upper bound for their entries.
constexpr double kRegisterFileBitPj = 10.0 / 64.0;
struct Price {
  double pj;
  const char* why;
};
Price price_of(int q) {
  switch (q) {
    case kMulStream:
    case kMulCore:
      return {(37.0 * 34.0 + 64.0) * kFullAdderPj,
              "(37 x 34 + 64) full adders: the shared multiplier and its 64-bit accumulation"};
    case kDivOps:
      return {128.0 * 64.0 * kFullAdderPj, "128 steps x a 64-bit subtraction (66 + frac <= 128 steps)"};
    case kIsqrtOps:
      return {32.0 * 34.0 * kFullAdderPj, "32 digit steps x a 34-bit subtraction"};
    case kCordicOps:
      return {32.0 * (40.0 + 40.0 + 35.0) * kFullAdderPj, "32 iterations x (40 + 40 + 35)-bit additions"};
    case kSignOps:
      return {3.0 * (32.0 * 33.0 / 2.0) * kFullAdderPj,
              "three 32 x 32 products modulo 2^32 on the shared multiplier (528 full adders each)"};
    case kRfReads:
      return {32.0 * kRegisterFileBitPj, "32 bits x 10/64 pJ (8 KB SRAM, 64-bit access: an upper bound)"};
    case kRfWriteBits:
      return {kRegisterFileBitPj, "10/64 pJ per bit (8 KB SRAM, 64-bit access: an upper bound)"};
    default:
      return {0.0, "priced by the SRAM that serves the word (accel.sram / technology)"};
  }
}

std::array<int64_t, kFeatures> features(int n_o, int n_i, const RrPairOutcome& o, int rank, bool unbiased) {
  std::array<int64_t, kFeatures> x{};
  const PairClass c = pair_class_of(o);
  x[kOne] = 1;
  x[kNo] = n_o;
  x[kNi] = n_i;
  x[kWo] = (n_o + 3) / 4;
  x[kWi] = (n_i + 3) / 4;
  x[kHo] = (n_o + 1) / 2;
  x[kHi] = (n_i + 1) / 2;
  if (c != kZeroInput) {
    x[kVl] = o.vanished_left;
    x[kVr] = o.vanished_right;
    x[kVlNo] = x[kVl] * n_o;
    x[kVrNi] = x[kVr] * n_i;
    x[kVlWo] = x[kVl] * x[kWo];
    x[kVrWi] = x[kVr] * x[kWi];
    x[kVlHo] = x[kVl] * x[kHo];
    x[kVrHi] = x[kVr] * x[kHi];
  }
  if (c == kUpdated && unbiased) {
    x[kMixed] = rank - o.kept;
    x[kMixed2] = x[kMixed] * x[kMixed];
    x[kDryMixed] = o.mix_dry ? x[kMixed] : 0;
    x[kDryMixed2] = o.mix_dry ? x[kMixed2] : 0;
  }
  if (c != kZeroInput) x[kGs] = o.gs_coefficients;
  if (c == kUpdated) {
    x[kRot] = o.jacobi_rotations;
    x[kBmax] = o.max_updates;
  }
  return x;
}

// The outcomes of one class that the fit and the check enumerate.
std::vector<RrPairOutcome> outcomes_of(int cls, int rank, bool unbiased) {
  std::vector<RrPairOutcome> out;
  if (cls == kZeroInput) {
    RrPairOutcome o;
    o.zero_input = true;
    return {o};
  }
  // The register-file counts in four combinations that vary each independently of the others
  // (gs, rot, bmax, dry); rot at its largest in one of them.
  const int visits = 4 * (rank + 1) * rank;  // 8 sweeps x q(q-1)/2
  struct Counts {
    int gs, rot, bmax_extra;
    bool dry;
  };
  const Counts counts[] = {{0, 0, 0, false}, {3, 0, 7, true}, {1, visits, 0, false}, {2, 1, 1, true}};
  for (int vl = 0; vl < 2; ++vl)
    for (int vr = 0; vr < 2; ++vr) {
      const int kept_lo = (cls == kUpdated && unbiased) ? 0 : rank;
      for (int kept = kept_lo; kept <= rank; ++kept)
        for (const Counts& k : counts) {
          RrPairOutcome o;
          o.skipped_kappa = cls == kSkippedKappa;
          o.vanished_left = vl != 0;
          o.vanished_right = vr != 0;
          o.kept = kept;
          o.gs_coefficients = k.gs;
          if (cls == kUpdated) {
            o.jacobi_rotations = k.rot;
            o.max_updates = 2 * rank + k.bmax_extra;
            o.mix_dry = unbiased && k.dry;
          }
          out.push_back(o);
        }
    }
  return out;
}

// Least squares by modified Gram-Schmidt in long double over the columns that vary (a column
// that depends on earlier ones over the points, e.g. mixed^2 = mixed at rank 1, is dropped);
// the coefficients are rounded to integers and the caller checks them exactly.
LinearForm fit(const std::vector<std::array<int64_t, kFeatures>>& xs, const std::vector<int64_t>& ys) {
  const size_t m = xs.size();
  std::vector<int> cols;                        // kept features
  std::vector<std::vector<long double>> q;      // their orthonormalized columns
  std::vector<std::vector<long double>> r;      // r[j][p]: coefficient of q_p in column j (p <= j)
  for (int f = 0; f < kFeatures; ++f) {
    std::vector<long double> a(m);
    long double scale = 0;
    for (size_t i = 0; i < m; ++i) {
      a[i] = static_cast<long double>(xs[i][static_cast<size_t>(f)]);
      scale += a[i] * a[i];
    }
    if (scale == 0) continue;
    std::vector<long double> rj(q.size() + 1, 0.0L);
    for (size_t p = 0; p < q.size(); ++p) {
      long double d = 0;
      for (size_t i = 0; i < m; ++i) d += q[p][i] * a[i];
      rj[p] = d;
      for (size_t i = 0; i < m; ++i) a[i] -= d * q[p][i];
    }
    long double norm = 0;
    for (size_t i = 0; i < m; ++i) norm += a[i] * a[i];
    if (norm <= 1e-18L * scale) continue;  // collinear with the kept ones
    norm = std::sqrt(norm);
    for (size_t i = 0; i < m; ++i) a[i] /= norm;
    rj[q.size()] = norm;
    cols.push_back(f);
    q.push_back(std::move(a));
    r.push_back(std::move(rj));
  }
  const size_t k = cols.size();
  std::vector<long double> qb(k, 0.0L), c(k, 0.0L);
  for (size_t j = 0; j < k; ++j)
    for (size_t i = 0; i < m; ++i) qb[j] += q[j][i] * static_cast<long double>(ys[i]);
  for (size_t j = k; j-- > 0;) {
    long double s = qb[j];
    for (size_t p = j + 1; p < k; ++p) s -= r[p][j] * c[p];
    c[j] = s / r[j][j];
  }
  LinearForm form;
  for (size_t j = 0; j < k; ++j) form.coef[static_cast<size_t>(cols[j])] = std::llround(c[j]);
  return form;
}

// Shapes: the fit uses small ones of every residue mod 4; the check adds the real layer shapes
// and the limits.
const std::vector<int>& fit_lengths() {
  static const std::vector<int> v{1, 2, 3, 4, 5, 6, 7, 9, 12, 17, 31, 64, 100, 257};
  return v;
}
const std::vector<int>& check_lengths() {
  static const std::vector<int> v{1, 2, 3, 4, 5, 8, 10, 11, 13, 16, 29, 128, 144, 800, 1152, 4095, 4096, 16383, 16384};
  return v;
}

[[noreturn]] void bad(const std::string& path, const YAML::Node& node, const std::string& key, const std::string& what) {
  const int64_t line = node.Mark().line >= 0 ? node.Mark().line + 1 : -1;
  throw InputError(InputLocation(path, line, -1, key), what);
}

int64_t read_int(const std::string& path, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) bad(path, n, key, "expected an integer");
  try {
    size_t used = 0;
    const std::string s = n.Scalar();
    const long long v = std::stoll(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    bad(path, n, key, "expected an integer, got '" + n.Scalar() + "'");
  }
}

double read_real(const std::string& path, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) bad(path, n, key, "expected a number");
  try {
    size_t used = 0;
    const std::string s = n.Scalar();
    const double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v) || v < 0) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    bad(path, n, key, "expected a finite number >= 0, got '" + n.Scalar() + "'");
  }
}

RrUnitArea read_area(const std::string& path, const YAML::Node& n, const std::string& key) {
  if (!n.IsMap()) bad(path, n, key, "expected {logic_area_um2, cells, flip_flops}");
  for (const auto& kv : n) {
    const std::string k = kv.first.Scalar();
    if (k != "logic_area_um2" && k != "cells" && k != "flip_flops" && k != "regfile_bits" && k != "regfile_area_um2")
      bad(path, kv.first, key + "." + k,
          "unknown key; expected logic_area_um2, cells, flip_flops (and optionally regfile_bits, regfile_area_um2)");
  }
  for (const char* k : {"logic_area_um2", "cells", "flip_flops"})
    if (!n[k]) bad(path, n, key + "." + k, "missing");
  RrUnitArea a;
  a.logic_area_um2 = read_real(path, n["logic_area_um2"], key + ".logic_area_um2");
  const int64_t cells = read_int(path, n["cells"], key + ".cells");
  const int64_t ffs = read_int(path, n["flip_flops"], key + ".flip_flops");
  if (cells < 0) bad(path, n["cells"], key + ".cells", "expected >= 0");
  if (ffs < 0) bad(path, n["flip_flops"], key + ".flip_flops", "expected >= 0");
  a.cells = static_cast<uint64_t>(cells);
  a.flip_flops = static_cast<uint64_t>(ffs);
  if (n["regfile_bits"]) {
    const int64_t bits = read_int(path, n["regfile_bits"], key + ".regfile_bits");
    if (bits < 0) bad(path, n["regfile_bits"], key + ".regfile_bits", "expected >= 0");
    a.regfile_bits = static_cast<uint64_t>(bits);
  }
  if (n["regfile_area_um2"]) {
    a.regfile_area_um2 = read_real(path, n["regfile_area_um2"], key + ".regfile_area_um2");
    if (a.regfile_area_um2 < 0 || a.regfile_area_um2 > a.logic_area_um2)
      bad(path, n["regfile_area_um2"], key + ".regfile_area_um2", "expected 0..logic_area_um2 (it is included there)");
  }
  return a;
}

int read_rank(const std::string& path, const YAML::Node& key_node, const std::string& key) {
  const int64_t r = read_int(path, key_node, key);
  if (r < 1 || r > 8) bad(path, key_node, key, "expected a rank 1..8");
  return static_cast<int>(r);
}

YAML::Node load(const std::string& text, const std::string& path) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(InputLocation(path, e.mark.line + 1), "YAML syntax: " + e.msg);
  }
}

}  // namespace

const char* feature_name(int f) { return kFeatureNames[f]; }
const char* quantity_name(int q) { return kQuantityNames[q]; }
const char* pair_class_name(int c) { return kClassNames[c]; }

uint64_t& quantity_of(RrUnitPairCost& c, int q) {
  switch (q) {
    case kCycles: return c.cycles;
    case kSramReads: return c.sram_reads;
    case kSramWrites: return c.sram_writes;
    case kMulStream: return c.mul_stream;
    case kMulCore: return c.mul_core;
    case kDivOps: return c.div_ops;
    case kIsqrtOps: return c.isqrt_ops;
    case kCordicOps: return c.cordic_ops;
    case kSignOps: return c.sign_ops;
    case kRfReads: return c.rf_reads;
    case kRfWriteBits: return c.rf_write_bits;
    default: throw std::out_of_range("quantity_of");
  }
}

uint64_t quantity_of(const RrUnitPairCost& c, int q) { return quantity_of(const_cast<RrUnitPairCost&>(c), q); }

PairClass pair_class_of(const RrPairOutcome& o) {
  if (o.zero_input) return kZeroInput;
  return o.skipped_kappa ? kSkippedKappa : kUpdated;
}

int64_t LinearForm::evaluate(const std::array<int64_t, kFeatures>& x) const {
  int64_t s = 0;
  for (int f = 0; f < kFeatures; ++f) s += coef[static_cast<size_t>(f)] * x[static_cast<size_t>(f)];
  return s;
}

RrUnitPairCost RrUnitCostTable::pair_cost(int rank, bool unbiased, int n_o, int n_i, const RrPairOutcome& o) const {
  const auto it = ranks.find(rank);
  if (it == ranks.end()) throw std::invalid_argument("rank-reduce cost table: no rank " + std::to_string(rank));
  if (n_o < 1 || n_o > 16384 || n_i < 1 || n_i > 16384)
    throw std::invalid_argument("rank-reduce cost table: n_o, n_i must be 1..16384");
  const PairClass c = pair_class_of(o);
  if (c == kUpdated && unbiased && (o.kept < 0 || o.kept > rank))
    throw std::invalid_argument("rank-reduce cost table: kept must be 0..rank");
  const auto x = features(n_o, n_i, o, rank, unbiased);
  RrUnitPairCost cost;
  for (int q = 0; q < kQuantities; ++q) {
    const int64_t v = it->second.forms[unbiased ? 1 : 0][static_cast<size_t>(c)][static_cast<size_t>(q)].evaluate(x);
    if (v < 0) throw std::logic_error(std::string("rank-reduce cost table: negative ") + kQuantityNames[q]);
    quantity_of(cost, q) = static_cast<uint64_t>(v);
  }
  return cost;
}

double RrUnitCostTable::energy_pj(const RrUnitPairCost& c, int q) const {
  if (q == kCycles || q == kSramReads || q == kSramWrites) return 0.0;
  return static_cast<double>(quantity_of(c, q)) * price_pj[static_cast<size_t>(q)];
}

double RrUnitCostTable::compute_energy_pj(const RrUnitPairCost& c) const {
  double e = 0;
  for (int q = 0; q < kQuantities; ++q) e += energy_pj(c, q);
  return e;
}

const RrUnitArea& RrUnitCostTable::area(int rank) const {
  const auto it = ranks.find(rank);
  if (it != ranks.end() && it->second.area) return *it->second.area;
  std::string have;
  for (const auto& [r, c] : ranks)
    if (c.area) have += (have.empty() ? "" : ", ") + std::to_string(r);
  throw std::invalid_argument("the rank-reduce cost table has no synthesized area for rank " + std::to_string(rank) +
                              " (ranks with one: " + (have.empty() ? "none" : have) +
                              "; scripts/synth_rank_reduce.sh --ranks " + std::to_string(rank) + ")");
}

RrUnitCostTable generate_rr_unit_costs(const std::map<int, RrUnitArea>& areas) {
  RrUnitCostTable t;
  for (int q = 0; q < kQuantities; ++q) t.price_pj[static_cast<size_t>(q)] = price_of(q).pj;
  for (int rank = 1; rank <= 8; ++rank) {
    RrUnitRankCosts& rc = t.ranks[rank];
    if (const auto a = areas.find(rank); a != areas.end()) rc.area = a->second;
    for (int mode = 0; mode < 2; ++mode)
      for (int cls = 0; cls < kPairClasses; ++cls) {
        const std::vector<RrPairOutcome> outs = outcomes_of(cls, rank, mode == 1);
        std::vector<std::array<int64_t, kFeatures>> xs;
        std::vector<RrUnitPairCost> ys;
        for (int n_o : fit_lengths())
          for (int n_i : fit_lengths())
            for (const RrPairOutcome& o : outs) {
              xs.push_back(features(n_o, n_i, o, rank, mode == 1));
              ys.push_back(rr_unit_pair_cost(rank, mode == 1, n_o, n_i, o));
            }
        for (int q = 0; q < kQuantities; ++q) {
          std::vector<int64_t> y;
          for (RrUnitPairCost& c : ys) y.push_back(static_cast<int64_t>(quantity_of(c, q)));
          rc.forms[static_cast<size_t>(mode)][static_cast<size_t>(cls)][static_cast<size_t>(q)] = fit(xs, y);
        }
        // The exact check, on shapes the fit did not see.
        for (int n_o : check_lengths())
          for (int n_i : check_lengths())
            for (const RrPairOutcome& o : outs) {
              RrUnitPairCost want = rr_unit_pair_cost(rank, mode == 1, n_o, n_i, o);
              RrUnitPairCost got = t.pair_cost(rank, mode == 1, n_o, n_i, o);
              for (int q = 0; q < kQuantities; ++q)
                if (quantity_of(want, q) != quantity_of(got, q))
                  throw std::logic_error("unit-costs: no linear form reproduces " + std::string(kQuantityNames[q]) +
                                         " at rank " + std::to_string(rank) + ", " + kModeNames[mode] + ", " +
                                         kClassNames[cls] + " (n_o " + std::to_string(n_o) + ", n_i " +
                                         std::to_string(n_i) + ": closed form " +
                                         std::to_string(quantity_of(want, q)) + ", form " +
                                         std::to_string(quantity_of(got, q)) + ")");
            }
      }
  }
  return t;
}

std::string to_yaml(const RrUnitCostTable& t) {
  std::ostringstream o;
  o << "# Rank-reduce unit cost table. Generated by `lrtsim unit-costs` (do not edit); regenerate with\n"
       "#   lrtsim unit-costs --area configs/rank_reduce_area.yaml --out configs/rank_reduce_unit.yaml\n"
       "# from the closed form of rtl/rr_unit.sv's cycles and operations per pair\n"
       "# (models/hw/rr_unit_timing.cpp; the co-simulation tests check it against the RTL's measured\n"
       "# cycles), the synthesized area (configs/rank_reduce_area.yaml) and the prices below.\n"
       "# Read by the TLM rank_reduce_unit and by lrtsim explore (docs/rtl.md, \"Cost table\").\n"
       "#\n"
       "# A pair's quantity = sum over the listed features of coefficient x feature, where\n"
       "#   n_o, n_i: the lengths of dz and a; w_x = ceil(n_x / 4); h_x = ceil(n_x / 2);\n"
       "#   vl, vr: 1 if the left / right residual vanished; vl_n_o = vl n_o, ...;\n"
       "#   mixed = r - kept, mixed2 = mixed^2 (unbiased, updated pairs);\n"
       "#   the data-dependent register-file writes (rf_write_bits only; golden::FixedPairTrace):\n"
       "#   gs = Gram-Schmidt coefficients formed, rot = Jacobi visits that rotated, bmax = running-\n"
       "#   maximum updates of the basis update, dry = 1 if s1 = 0 (unbiased), dry_mixed = dry mixed, ...\n"
       "# Memory: a 64-bit SRAM port that accepts a request every cycle and answers a read in the\n"
       "# next (the co-simulation's); SRAM words are priced by the SRAM model that serves them.\n"
       "prices_pj:   # energy of one operation; full adder = 0.2 pJ / 64 (Horowitz, ISSCC 2014, 45 nm, "
       "8-bit multiply)\n";
  o << std::setprecision(10);
  for (int q = 0; q < kQuantities; ++q) {
    if (q == kCycles) continue;
    const Price p = price_of(q);
    o << "  " << kQuantityNames[q] << ": " << t.price_pj[static_cast<size_t>(q)] << "   # " << p.why << "\n";
  }
  o << "ranks:\n";
  for (const auto& [rank, rc] : t.ranks) {
    o << "  " << rank << ":\n";
    if (rc.area)
      o << "    area: {logic_area_um2: " << rc.area->logic_area_um2 << ", cells: " << rc.area->cells
        << ", flip_flops: " << rc.area->flip_flops << ", regfile_bits: " << rc.area->regfile_bits
        << ", regfile_area_um2: " << rc.area->regfile_area_um2 << "}\n";
    else
      o << "    area: null   # not synthesized: scripts/synth_rank_reduce.sh --ranks " << rank << "\n";
    for (int mode = 0; mode < 2; ++mode) {
      o << "    " << kModeNames[mode] << ":\n";
      for (int cls = 0; cls < kPairClasses; ++cls) {
        o << "      " << kClassNames[cls] << ":\n";
        for (int q = 0; q < kQuantities; ++q) {
          o << "        " << kQuantityNames[q] << ": {";
          bool first = true;
          const LinearForm& f = rc.forms[static_cast<size_t>(mode)][static_cast<size_t>(cls)][static_cast<size_t>(q)];
          for (int x = 0; x < kFeatures; ++x)
            if (f.coef[static_cast<size_t>(x)] != 0) {
              o << (first ? "" : ", ") << kFeatureNames[x] << ": " << f.coef[static_cast<size_t>(x)];
              first = false;
            }
          o << "}\n";
        }
      }
    }
  }
  return o.str();
}

RrUnitCostTable parse_rr_unit_costs(const std::string& text, const std::string& path) {
  const YAML::Node root = load(text, path);
  if (!root.IsMap()) throw InputError(InputLocation(path, 1), "expected a map with prices_pj and ranks");
  for (const auto& kv : root) {
    const std::string k = kv.first.Scalar();
    if (k != "prices_pj" && k != "ranks") bad(path, kv.first, k, "unknown key; expected prices_pj, ranks");
  }
  if (!root["prices_pj"] || !root["prices_pj"].IsMap()) bad(path, root, "prices_pj", "missing, or not a map");
  if (!root["ranks"] || !root["ranks"].IsMap()) bad(path, root, "ranks", "missing, or not a map rank -> costs");
  RrUnitCostTable t;
  const YAML::Node prices = root["prices_pj"];
  for (const auto& kv : prices) {
    const std::string k = kv.first.Scalar();
    int q = 1;
    while (q < kQuantities && k != kQuantityNames[q]) ++q;
    if (q == kQuantities) bad(path, kv.first, "prices_pj." + k, "unknown operation");
    t.price_pj[static_cast<size_t>(q)] = read_real(path, kv.second, "prices_pj." + k);
  }
  for (int q = 1; q < kQuantities; ++q)
    if (!prices[kQuantityNames[q]]) bad(path, prices, std::string("prices_pj.") + kQuantityNames[q], "missing");
  for (const auto& kv : root["ranks"]) {
    const std::string rkey = "ranks." + kv.first.Scalar();
    const int rank = read_rank(path, kv.first, rkey);
    const YAML::Node& n = kv.second;
    if (!n.IsMap()) bad(path, n, rkey, "expected {area, biased, unbiased}");
    for (const auto& e : n) {
      const std::string k = e.first.Scalar();
      if (k != "area" && k != "biased" && k != "unbiased")
        bad(path, e.first, rkey + "." + k, "unknown key; expected area, biased, unbiased");
    }
    RrUnitRankCosts& rc = t.ranks[rank];
    if (n["area"] && !n["area"].IsNull()) rc.area = read_area(path, n["area"], rkey + ".area");
    for (int mode = 0; mode < 2; ++mode) {
      const std::string mkey = rkey + "." + kModeNames[mode];
      const YAML::Node m = n[kModeNames[mode]];
      if (!m || !m.IsMap()) bad(path, n, mkey, "missing, or not a map of pair classes");
      for (int cls = 0; cls < kPairClasses; ++cls) {
        const std::string ckey = mkey + "." + kClassNames[cls];
        const YAML::Node c = m[kClassNames[cls]];
        if (!c || !c.IsMap()) bad(path, m, ckey, "missing, or not a map of quantities");
        for (int q = 0; q < kQuantities; ++q) {
          const std::string qkey = ckey + "." + kQuantityNames[q];
          const YAML::Node f = c[kQuantityNames[q]];
          if (!f || !f.IsMap()) bad(path, c, qkey, "missing, or not a map feature -> coefficient");
          LinearForm& form = rc.forms[static_cast<size_t>(mode)][static_cast<size_t>(cls)][static_cast<size_t>(q)];
          for (const auto& term : f) {
            const std::string fname = term.first.Scalar();
            int x = 0;
            while (x < kFeatures && fname != kFeatureNames[x]) ++x;
            if (x == kFeatures) bad(path, term.first, qkey + "." + fname, "unknown feature");
            form.coef[static_cast<size_t>(x)] = read_int(path, term.second, qkey + "." + fname);
          }
        }
      }
    }
  }
  return t;
}

std::map<int, RrUnitArea> parse_rr_unit_areas(const std::string& text, const std::string& path) {
  const YAML::Node root = load(text, path);
  if (!root.IsMap() || !root["ranks"] || !root["ranks"].IsMap())
    throw InputError(InputLocation(path, 1, -1, "ranks"),
                     "expected a map rank -> {logic_area_um2, cells, flip_flops[, regfile_bits, regfile_area_um2]}");
  std::map<int, RrUnitArea> areas;
  for (const auto& kv : root["ranks"]) {
    const std::string key = "ranks." + kv.first.Scalar();
    areas[read_rank(path, kv.first, key)] = read_area(path, kv.second, key);
  }
  return areas;
}

}  // namespace lrt::hw
