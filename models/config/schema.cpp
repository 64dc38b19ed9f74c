#include "config/schema.h"

#include <set>
#include <stdexcept>

#include "config/key_builder.h"

namespace lrt::config {

namespace {

// Citations used by several keys ("LRT paper" is spelled out in docs/configuration.md).
constexpr const char* kLrt = "LRT paper";
constexpr const char* kHorowitz = "Horowitz, ISSCC 2014 (45 nm)";

std::string cite(const char* who, const std::string& where) { return std::string(who) + ", " + where; }

Schema build_schema() {
  using M = RankReduceMode;
  using A = Arithmetic;
  return {
      // ---- run ----------------------------------------------------------------------
      LRT_CONFIG_KEY(run.seed)
          .unit("1")
          .defaults_to("1")
          .source("assumption: any fixed seed makes runs reproducible; 1 is arbitrary")
          .doc("seed of every counter-based random stream"),
      LRT_CONFIG_KEY(run.samples)
          .unit("samples")
          .defaults_to("10000")
          .at_least(1)
          .not_hashed()
          .source(cite(kLrt, "§7.2, Tables 2-3: accuracy after 10k samples trained from scratch"))
          .doc("online training samples to run (not hashed: a checkpoint may resume to train longer)"),
      LRT_CONFIG_KEY(run.progress)
          .defaults_to("false")
          .not_hashed()
          .source("assumption: quiet by default so that logs of scripted sweeps stay small")
          .doc("print progress to stderr while running"),

      // ---- data ---------------------------------------------------------------------
      LRT_CONFIG_KEY(data.dir)
          .is_path()
          .defaults_to("/usr/share/datasets/fashion-mnist")
          .not_hashed()
          .source("assumption: where this machine installs Fashion-MNIST, which has MNIST's IDX format and "
                  "28x28 shape (the LRT paper uses MNIST, App. F)")
          .doc("directory of the IDX files (not hashed: the same files may live anywhere)"),
      LRT_CONFIG_KEY(data.train_images)
          .is_path()
          .defaults_to("train-images-idx3-ubyte.gz")
          .source("file name of the (Fashion-)MNIST distribution")
          .doc("training images, IDX3 raw or gzip; relative to data.dir unless absolute"),
      LRT_CONFIG_KEY(data.train_labels)
          .is_path()
          .defaults_to("train-labels-idx1-ubyte.gz")
          .source("file name of the (Fashion-)MNIST distribution")
          .doc("training labels, IDX1 raw or gzip; relative to data.dir unless absolute"),
      LRT_CONFIG_KEY(data.test_images)
          .is_path()
          .defaults_to("t10k-images-idx3-ubyte.gz")
          .source("file name of the (Fashion-)MNIST distribution")
          .doc("test images, IDX3 raw or gzip; relative to data.dir unless absolute"),
      LRT_CONFIG_KEY(data.test_labels)
          .is_path()
          .defaults_to("t10k-labels-idx1-ubyte.gz")
          .source("file name of the (Fashion-)MNIST distribution")
          .doc("test labels, IDX1 raw or gzip; relative to data.dir unless absolute"),

      // ---- train --------------------------------------------------------------------
      LRT_CONFIG_KEY(train.learning_rate)
          .unit("1")
          .defaults_to("0.01")
          .above(0.0)
          .source(cite(kLrt, "App. G, Fig. 11: best accuracy near 0.01 for SGD and LRT"))
          .doc("base learning rate; LRT multiplies it by (effective batch)^train.lrt.batch_scale_power"),
      LRT_CONFIG_KEY(train.max_norm.enabled)
          .defaults_to("true")
          .source(cite(kLrt, "§6 and Table 1 (all runs with max-norm)"))
          .doc("divide each gradient tensor by the max of its max-abs and a moving average of it"),
      LRT_CONFIG_KEY(train.max_norm.beta)
          .unit("1")
          .defaults_to("0.999")
          .at_least(0.0)
          .below(1.0)
          .source(cite(kLrt, "App. D"))
          .doc("decay of the moving average of the gradient maximum (1 would divide by 1 - beta^k = 0)"),
      LRT_CONFIG_KEY(train.max_norm.eps)
          .unit("1")
          .defaults_to("1e-4")
          .above(0.0)
          .source(cite(kLrt, "App. D"))
          .doc("gradient floor added to the maximum; also the initial moving average"),
      LRT_CONFIG_KEY(train.streaming_bn.enabled)
          .defaults_to("true")
          .source(cite(kLrt, "App. E; Table 3: removing it costs accuracy"))
          .doc("streaming batch norm: EMA statistics with eta = 1 - 1/B"),
      LRT_CONFIG_KEY(train.lrt.batch_conv)
          .unit("pairs")
          .defaults_to("10")
          .at_least(1)
          .source(cite(kLrt, "App. G: batch 10 for convolution layers"))
          .doc("B of convolution layers: (dz, a) pairs (one per output pixel) accumulated per weight update"),
      LRT_CONFIG_KEY(train.lrt.batch_fc)
          .unit("pairs")
          .defaults_to("100")
          .at_least(1)
          .source(cite(kLrt, "App. G: batch 100 for fully-connected layers"))
          .doc("B of fully-connected layers: (dz, a) pairs (one per sample) accumulated per weight update"),
      LRT_CONFIG_KEY(train.lrt.rho_min)
          .unit("1")
          .defaults_to("0.01")
          .at_least(0.0)
          .at_most(1.0)
          .source(cite(kLrt, "App. C: rho_min = 0.01"))
          .doc("apply a weight update only if this fraction of its entries is non-zero; else keep "
               "accumulating"),
      LRT_CONFIG_KEY(train.lrt.batch_scale_power)
          .unit("1")
          .defaults_to("0.5")
          .at_least(0.0)
          .at_most(1.0)
          .source(cite(kLrt, "App. C and G: square-root learning-rate scaling worked better than linear"))
          .doc("learning rate scales with (effective batch)^power: 0.5 square root, 1 linear, 0 none"),
      LRT_CONFIG_KEY(train.quant.weight.bits)
          .unit("bits")
          .defaults_to("8")
          .at_least(1)
          .at_most(32)
          .source(cite(kLrt, "§6: weights 8 b in [-1, 1]"))
          .doc("width of Qw; weight updates share the weight LSB; 1-2 bits use mid-rise levels"),
      LRT_CONFIG_KEY(train.quant.weight.range)
          .unit("1")
          .defaults_to("1.0")
          .power_of_two()
          .source(cite(kLrt, "§6: weights 8 b in [-1, 1]"))
          .doc("clipping bound R of Qw: signed, values in [-R, R) (power of two: Sakr & Shanbhag §2.1)"),
      LRT_CONFIG_KEY(train.quant.bias.bits)
          .unit("bits")
          .defaults_to("16")
          .at_least(1)
          .at_most(32)
          .source(cite(kLrt, "§6: biases 16 b in [-8, 8]"))
          .doc("width of Qb (biases and intermediate accumulators)"),
      LRT_CONFIG_KEY(train.quant.bias.range)
          .unit("1")
          .defaults_to("8.0")
          .power_of_two()
          .source(cite(kLrt, "§6: biases 16 b in [-8, 8]"))
          .doc("clipping bound R of Qb: signed, values in [-R, R)"),
      LRT_CONFIG_KEY(train.quant.activation.bits)
          .unit("bits")
          .defaults_to("8")
          .at_least(1)
          .at_most(32)
          .source(cite(kLrt, "§6: activations 8 b in [0, 2]"))
          .doc("width of Qa; activations are unsigned (they follow a ReLU)"),
      LRT_CONFIG_KEY(train.quant.activation.range)
          .unit("1")
          .defaults_to("2.0")
          .power_of_two()
          .source(cite(kLrt, "§6: activations 8 b in [0, 2]"))
          .doc("clipping bound R of Qa: unsigned, values in [0, R)"),
      LRT_CONFIG_KEY(train.quant.gradient.bits)
          .unit("bits")
          .defaults_to("8")
          .at_least(1)
          .at_most(32)
          .source(cite(kLrt, "§6: gradients 8 b in [-1, 1]"))
          .doc("width of Qg"),
      LRT_CONFIG_KEY(train.quant.gradient.range)
          .unit("1")
          .defaults_to("1.0")
          .power_of_two()
          .source(cite(kLrt, "§6: gradients 8 b in [-1, 1]"))
          .doc("clipping bound R of Qg: signed, values in [-R, R)"),

      // ---- accel --------------------------------------------------------------------
      LRT_CONFIG_KEY(accel.clock_mhz)
          .unit("MHz")
          .defaults_to("100")
          .above(0.0)
          .source("assumption: the papers give no clock; 100 MHz is a modest clock for a 40 nm edge "
                  "accelerator and only converts cycles to seconds")
          .doc("clock frequency of the accelerator"),
      LRT_CONFIG_KEY(accel.rank_reduce.rank)
          .unit("1")
          .defaults_to("4")
          .at_least(1)
          .at_most(8)
          .source(cite(kLrt, "App. G: rank-4 LRT; Table 1 and Fig. 7 sweep ranks 1 to 8"))
          .doc("rank r of the LRT estimate; the unit keeps q = r + 1 columns"),
      LRT_CONFIG_KEY(accel.rank_reduce.mode)
          .one_of({{"biased", M::kBiased}, {"unbiased", M::kUnbiased}})
          .defaults_to("biased")
          .source("assumption: " + cite(kLrt,
                                        "Table 2 finds little difference with max-norm; biased (top-r, "
                                        "§4.2.5) needs no random signs"))
          .doc("biased keeps the top r singular values; unbiased mixes the smallest ones (OK algorithm)"),
      LRT_CONFIG_KEY(accel.rank_reduce.kappa_th)
          .unit("1")
          .defaults_to("100")
          .at_least(0.0)
          .source(cite(kLrt, "§7.2, Table 3: default kappa_th = 100"))
          .doc(
              "skip a (dz, a) pair when C11/Cqq exceeds this condition-number estimate; 0 disables the test"),
      LRT_CONFIG_KEY(accel.rank_reduce.arith)
          .one_of({{"float", A::kFloat}, {"fixed", A::kFixed}})
          .defaults_to("fixed")
          .source(cite(kLrt, "App. C: a real device performs its operations in fixed point"))
          .doc("fixed: bit-accurate integer arithmetic of the hardware; float: double-precision reference"),
      LRT_CONFIG_KEY(accel.rank_reduce.lr_bits)
          .unit("bits")
          .defaults_to("16")
          .at_least(2)
          .at_most(32)
          .source(cite(kLrt, "App. C: L and R are quantized to 16 bits with a dynamic max-abs scale"))
          .doc("width of the stored L/R factors (a sign bit and at least one magnitude bit)"),

      LRT_CONFIG_KEY(accel.rram.cell_area_um2)
          .unit("um^2")
          .defaults_to("0.085")
          .above(0.0)
          .source("Chou et al., ISSCC 2018 (40 nm 1T1R RRAM), quoted in " + cite(kLrt, "§3"))
          .doc("area of one RRAM cell"),
      LRT_CONFIG_KEY(accel.rram.read_energy_pj_per_bit)
          .unit("pJ/bit")
          .defaults_to("1.76")
          .at_least(0.0)
          .source("Wu et al., ISSCC 2019, quoted in " + cite(kLrt, "§1"))
          .doc("energy to read one stored bit"),
      LRT_CONFIG_KEY(accel.rram.write_energy_pj_per_bit)
          .unit("pJ/bit")
          .defaults_to("10.9")
          .at_least(0.0)
          .source("Wu et al., ISSCC 2019, quoted in " + cite(kLrt, "§1"))
          .doc("energy to write (program and verify) one bit"),
      LRT_CONFIG_KEY(accel.rram.endurance_writes)
          .unit("writes")
          .defaults_to("1e6")
          .at_least(1)
          .source("Grossi et al., IEEE TED 2019 ('on the order of 1e6'), quoted in " + cite(kLrt, "§1"))
          .doc("writes a cell survives before it fails"),
      LRT_CONFIG_KEY(accel.rram.bits_per_cell)
          .unit("bits")
          .defaults_to("1")
          .at_least(1)
          .at_most(8)
          .source("assumption: single-level cells, as in the digital-drift model where a weight is b cells "
                  "(" +
                  cite(kLrt, "§7.1, App. F") + "); at most 8, the default weight width")
          .doc("bits stored per RRAM cell"),

      LRT_CONFIG_KEY(accel.sram.cell_area_um2)
          .unit("um^2")
          .defaults_to("0.242")
          .above(0.0)
          .source("TSMC 40 nm 6T cell, quoted in " + cite(kLrt, "§3"))
          .doc("area of one SRAM cell"),
      LRT_CONFIG_KEY(accel.sram.read_energy_pj_per_bit)
          .unit("pJ/bit")
          .defaults_to("0.3125")
          .at_least(0.0)
          .source(cite(kHorowitz, "20 pJ per 64-bit access of a 32 KB SRAM, / 64 bits") +
                  "; assumption: the buffer is built of 32 KB banks")
          .doc("energy to read one bit"),
      LRT_CONFIG_KEY(accel.sram.write_energy_pj_per_bit)
          .unit("pJ/bit")
          .defaults_to("0.3125")
          .at_least(0.0)
          .source(cite(kHorowitz, "20 pJ per 64-bit access of a 32 KB SRAM, / 64 bits") +
                  "; assumption: a write costs what a read costs (one figure per access is given)")
          .doc("energy to write one bit"),
      LRT_CONFIG_KEY(accel.sram.capacity_bits)
          .unit("bits")
          .defaults_to("2097152")
          .at_least(1)
          .source("assumption: 256 KiB holds the paper network's LRT state (q = 5 columns of 16 b per layer, "
                  "~565 kbit), its 16 b biases (~17 kbit) and its two largest 8 b activation maps "
                  "(26x26x128 and 24x24x128, ~1.28 Mbit)")
          .doc("SRAM buffer size"),

      LRT_CONFIG_KEY(accel.mac.lanes)
          .unit("MACs/cycle")
          .defaults_to("16")
          .at_least(1)
          .at_most(4096)
          .source("assumption: the papers give no datapath width; 16 lanes is a small edge datapath")
          .doc("multiply-accumulates started per clock cycle"),
      LRT_CONFIG_KEY(accel.mac.add8_pj)
          .unit("pJ/op")
          .defaults_to("0.03")
          .at_least(0.0)
          .source(cite(kHorowitz, "8 b integer add"))
          .doc("energy of an 8-bit addition"),
      LRT_CONFIG_KEY(accel.mac.mult8_pj)
          .unit("pJ/op")
          .defaults_to("0.2")
          .at_least(0.0)
          .source(cite(kHorowitz, "8 b integer multiply"))
          .doc("energy of an 8-bit multiplication"),
      LRT_CONFIG_KEY(accel.mac.add32_pj)
          .unit("pJ/op")
          .defaults_to("0.1")
          .at_least(0.0)
          .source(cite(kHorowitz, "32 b integer add"))
          .doc("energy of a 32-bit addition"),
      LRT_CONFIG_KEY(accel.mac.mult32_pj)
          .unit("pJ/op")
          .defaults_to("3.1")
          .at_least(0.0)
          .source(cite(kHorowitz, "32 b integer multiply"))
          .doc("energy of a 32-bit multiplication"),
  };
}

}  // namespace

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

void validate_schema(const Schema& keys) {
  std::set<std::string> paths, sections;
  for (const KeySpec& k : keys) {
    const auto fail = [&](const std::string& why) {
      throw std::logic_error("config key table: " + k.path + ": " + why);
    };
    for (const std::string& part : split_path(k.path)) {
      if (part.empty()) fail("empty path component");
    }
    if (!paths.insert(k.path).second) fail("listed twice");
    for (std::size_t dot = k.path.find('.'); dot != std::string::npos; dot = k.path.find('.', dot + 1)) {
      sections.insert(k.path.substr(0, dot));
    }
    const bool number = k.type == "int" || k.type == "uint64" || k.type == "double";
    if (number && (k.unit.empty() || k.unit == "-")) fail("a number needs a unit (\"1\" if dimensionless)");
    if (k.source.empty()) fail("no source for the default");
    if (k.description.empty()) fail("no description");
    if (k.type == "enum" && k.allowed.empty()) fail("an enum needs its values");
    if (!k.assign || !k.format || !k.same || !k.member) fail("not bound to a Specs member");
  }
  for (const std::string& s : sections) {
    if (paths.count(s)) throw std::logic_error("config key table: " + s + " is both a key and a section");
  }
}

const Schema& schema() {
  static const Schema keys = [] {
    Schema k = build_schema();
    validate_schema(k);
    return k;
  }();
  return keys;
}

}  // namespace lrt::config
