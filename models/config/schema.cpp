#include "config/schema.h"

#include <initializer_list>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "config/key_builder.h"
#include "config/network_key.h"

namespace lrt::config {

namespace {

// Citations used by several keys ("LRT paper" is spelled out in docs/configuration.md).
constexpr const char* kLrt = "LRT paper";
constexpr const char* kLrtCode = "LRT authors' code (github agural/low-rank-training)";
constexpr const char* kHorowitz = "Horowitz, ISSCC 2014 (45 nm)";
constexpr const char* kSky130Reram =
    "SkyWater sky130 ReRAM documentation (google/skywater-pdk-libs-sky130_fd_pr_reram, "
    "docs/technology_specifications.rst, table 1T1R #5)";
constexpr const char* kOpenRam = "OpenRAM FreePDK45 macros (Guthaus et al., ICCAD 2016; VLSIDA/OpenRAM)";

constexpr const char* kSimard = "Simard, Steinkraus & Platt, ICDAR 2003, §2";

std::string cite(const char* who, const std::string& where) { return std::string(who) + ", " + where; }

// Limits the device models accept (device/energy.h, device/rram_specs.cpp), the accelerator's
// (hw/accel_specs.cpp) and the data streams' counter layout (data/specs.h): bounding the keys
// here gives file:line errors.
constexpr double kMaxEventPj = 1e6;
constexpr uint32_t kMaxCycles = 1'000'000;
constexpr double kMinClockMhz = 1e-3, kMaxClockMhz = 1e6;  // a period in [1 ps, 1 ms]
constexpr double kMaxMult8Pj = 64 * 100.0;                 // 64 full adders of at most 100 pJ
constexpr uint64_t kMaxStreamSamples = data::kMaxSamples;

// Choice names come from the modules that own the enums (their to_string, found by argument-
// dependent lookup), so the two cannot disagree.
template <class E>
std::vector<std::pair<std::string, E>> named_choices(std::initializer_list<E> values) {
  std::vector<std::pair<std::string, E>> out;
  for (const E v : values) out.emplace_back(to_string(v), v);
  return out;
}

std::vector<std::pair<std::string, device::EnduranceDistribution>> endurance_choices() {
  using D = device::EnduranceDistribution;
  return named_choices({D::kFixed, D::kNormal, D::kLognormal});
}

std::vector<std::pair<std::string, data::Augmentation>> augmentation_choices() {
  std::vector<std::pair<std::string, data::Augmentation>> out;
  for (const char* name : {"class_clustering", "spatial", "background", "noise"})
    out.emplace_back(name, data::parse_augmentation(name));
  return out;
}

std::vector<std::pair<std::string, data::ElasticMode>> elastic_mode_choices() {
  return named_choices({data::ElasticMode::kMixture, data::ElasticMode::kFixed});
}

std::vector<std::pair<std::string, data::ShiftScheduleRule>> shift_schedule_choices() {
  return named_choices({data::ShiftScheduleRule::kAuthors, data::ShiftScheduleRule::kRandomCombinations});
}

std::vector<std::pair<std::string, device::FlipModel>> flip_model_choices() {
  return named_choices({device::FlipModel::kBinomial2, device::FlipModel::kBernoulli});
}

std::vector<std::pair<std::string, device::ProgramModel>> program_model_choices() {
  return named_choices({device::ProgramModel::kStochastic, device::ProgramModel::kDeterministic});
}

std::vector<std::pair<std::string, device::SramCostModel>> sram_cost_model_choices() {
  return named_choices({device::SramCostModel::kCapacity, device::SramCostModel::kFixed});
}

std::vector<std::pair<std::string, golden::Scheme>> scheme_choices() {
  using S = golden::Scheme;
  std::vector<std::pair<std::string, S>> out;
  for (const S s : {S::kInferenceOnly, S::kBiasOnly, S::kOnlineSgd, S::kNaiveBatch, S::kLrt, S::kUoro, S::kPixelSgd})
    out.emplace_back(golden::to_string(s), s);
  return out;
}

// Pre-training has to change weights: the two schemes that freeze them are left out.
std::vector<std::pair<std::string, golden::Scheme>> pretrain_scheme_choices() {
  auto out = scheme_choices();
  out.erase(out.begin(), out.begin() + 2);
  return out;
}

void append(Schema& to, Schema more) {
  for (KeySpec& k : more) to.push_back(std::move(k));
}

// A key train.<kind>.<name> bound to that member of golden::TrainSpecs::conv or ::fc.
template <class T>
KeyBuilder<T> kind_key(const std::string& kind, golden::KindTrainSpec golden::TrainSpecs::*layers, const char* name,
                       T golden::KindTrainSpec::*member) {
  const std::string path = "train." + kind + "." + name;
  return KeyBuilder<T>(path, path, [layers, member](Specs& s) -> T& { return (s.train.*layers).*member; });
}

// train.conv.* and train.fc.*: one definition for both layer kinds, which differ only in the
// default batch (App. G: 10 for convolution, 100 for fully-connected layers).
Schema kind_keys(const std::string& kind, golden::KindTrainSpec golden::TrainSpecs::*layers, const std::string& what,
                 int batch) {
  using K = golden::KindTrainSpec;
  using M = RankReduceMode;
  return {
      kind_key(kind, layers, "scheme", &K::scheme)
          .one_of(scheme_choices())
          .defaults_to("lrt")
          .source(cite(kLrt, "§4, Algorithm 1: LRT trains every layer"))
          .doc("how " + what + " learn: inference, bias_only, sgd, naive_batch, lrt or uoro (docs/golden_engine.md, "
               "Schemes)"),
      kind_key(kind, layers, "max_norm", &K::max_norm)
          .defaults_to("true")
          .source(cite(kLrt, "§6 and Table 1 (all runs with max-norm)"))
          .doc("max-norm the dz tensor of " + what + " every sample (App. D)"),
      kind_key(kind, layers, "batch", &K::batch)
          .unit("samples")
          .defaults_to(std::to_string(batch))
          .at_least(1)
          .at_most(1000000)
          .source(cite(kLrt, "App. G: batch " + std::to_string(batch) + " for " + what))
          .doc("B of " + what + ": samples accumulated per weight update (naive_batch, lrt, uoro)"),
      kind_key(kind, layers, "rank", &K::rank)
          .unit("1")
          .defaults_to("4")
          .at_least(1)
          .at_most(8)
          .source(cite(kLrt, "App. G: rank-4 LRT; Table 1 and Fig. 7 sweep ranks 1 to 8"))
          .doc("LRT rank r of " + what + "; the rank-reduce unit keeps q = r + 1 columns"),
      kind_key(kind, layers, "mode", &K::mode)
          .one_of({{"biased", M::kBiased}, {"unbiased", M::kUnbiased}})
          .defaults_to("unbiased")
          .source(cite(kLrtCode, "lr/experiments.py: zerovar False in conf_base and every Figure 6 config"))
          .doc("LRT of " + what + ": biased keeps the top r singular values; unbiased mixes the smallest ones (OK "
               "algorithm)"),
      kind_key(kind, layers, "kappa_th", &K::kappa_th)
          .unit("1")
          .defaults_to("100")
          .at_least(0.0)
          .source(cite(kLrt, "§7.2, Table 3: default kappa_th = 100"))
          .doc("LRT of " + what + ": skip a (dz, a) pair when C11/Cqq exceeds this condition-number estimate; 0 "
               "disables the test"),
      kind_key(kind, layers, "max_batch_multiple", &K::max_batch_multiple)
          .unit("1")
          .defaults_to("0")
          .at_least(0)
          .at_most(1000000)
          .source(cite(kLrtCode, "lr/experiments.py: discount 1.0 (keep accumulating); 10 was our former rule"))
          .doc("LRT of " + what + ": an update still below rho_min at B_eff = this * batch discards the "
               "estimate and restarts accumulation; 0 lets B_eff grow until the update is dense enough"),
  };
}

Schema build_schema() {
  using A = Arithmetic;
  Schema keys = {
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

      LRT_CONFIG_KEY(run.model)
          .is_path()
          .defaults_to("runs/pretrained/default.ckpt")
          .not_hashed()
          .source("assumption: where scripts/run.sh lets lrtsim pretrain write the default model")
          .doc("pretrained model checkpoint that lrtsim run deploys (written by lrtsim pretrain); relative "
               "to the working directory"),
      LRT_CONFIG_KEY(run.stream)
          .one_of({{"online", RunStream::kOnline}, {"shift", RunStream::kShift}})
          .defaults_to("online")
          .source(cite(kLrt, "§7.1, App. F: the control environment streams the online split"))
          .doc("online: the online split; shift: the same with distribution shifts (data.shift)"),
      LRT_CONFIG_KEY(run.trace_every)
          .unit("samples")
          .defaults_to("100")
          .at_least(1)
          .at_most(uint64_t{1} << 40)
          .not_hashed()
          .source("assumption: 100 rows per 10k samples resolve Fig. 6-like curves")
          .doc("samples between rows of trace.csv"),

      // ---- data ---------------------------------------------------------------------
      LRT_CONFIG_KEY(data.dir)
          .is_path()
          .defaults_to("/usr/share/datasets/fashion-mnist")
          .not_hashed()
          .source("assumption: where this machine installs Fashion-MNIST, which has MNIST's IDX format and "
                  "28x28 shape (the LRT paper uses MNIST, App. F)")
          .doc("directory of the IDX files (not hashed: the same files may live anywhere)"),
      LRT_CONFIG_KEY_AT("data.train_images", data.source.train_images)
          .is_path()
          .defaults_to("train-images-idx3-ubyte.gz")
          .source("file name of the (Fashion-)MNIST distribution")
          .doc("training images, IDX3 raw or gzip; relative to data.dir unless absolute"),
      LRT_CONFIG_KEY_AT("data.train_labels", data.source.train_labels)
          .is_path()
          .defaults_to("train-labels-idx1-ubyte.gz")
          .source("file name of the (Fashion-)MNIST distribution")
          .doc("training labels, IDX1 raw or gzip; relative to data.dir unless absolute"),
      LRT_CONFIG_KEY_AT("data.test_images", data.source.test_images)
          .is_path()
          .defaults_to("t10k-images-idx3-ubyte.gz")
          .source("file name of the (Fashion-)MNIST distribution")
          .doc("test images, IDX3 raw or gzip; relative to data.dir unless absolute"),
      LRT_CONFIG_KEY_AT("data.test_labels", data.source.test_labels)
          .is_path()
          .defaults_to("t10k-labels-idx1-ubyte.gz")
          .source("file name of the (Fashion-)MNIST distribution")
          .doc("test labels, IDX1 raw or gzip; relative to data.dir unless absolute"),
      LRT_CONFIG_KEY_AT("data.num_classes", data.source.num_classes)
          .unit("classes")
          .defaults_to("10")
          .at_least(1)
          .at_most(256)
          .source("the ten classes of MNIST (" + cite(kLrt, "App. F") + ") and of Fashion-MNIST")
          .doc("every label must be below it (labels are uint8, so at most 256)"),
      LRT_CONFIG_KEY(data.split.offline_train_sources)
          .unit("images")
          .defaults_to("9000")
          .source(cite(kLrt, "App. F: the 60k training images are split 9k / 1k / 50k"))
          .doc("training images reserved for offline training; the three partitions must fit in the "
               "training file"),
      LRT_CONFIG_KEY(data.split.validation_sources)
          .unit("images")
          .defaults_to("1000")
          .source(cite(kLrt, "App. F: the 60k training images are split 9k / 1k / 50k"))
          .doc("training images reserved for offline validation"),
      LRT_CONFIG_KEY(data.split.online_sources)
          .unit("images")
          .defaults_to("50000")
          .source(cite(kLrt, "App. F: the 60k training images are split 9k / 1k / 50k"))
          .doc("training images the online stream draws from (with replacement)"),
      LRT_CONFIG_KEY(data.split.offline_train_samples)
          .unit("samples")
          .defaults_to("50000")
          .at_least(0)
          .at_most(kMaxStreamSamples)
          .source(cite(kLrt, "App. F: elastic transforms augment the partitions to 50k / 10k / 100k samples"))
          .doc("length of the offline training stream; > 0 needs offline_train_sources > 0"),
      LRT_CONFIG_KEY(data.split.validation_samples)
          .unit("samples")
          .defaults_to("10000")
          .at_least(0)
          .at_most(kMaxStreamSamples)
          .source(cite(kLrt, "App. F: elastic transforms augment the partitions to 50k / 10k / 100k samples"))
          .doc("length of the validation stream; > 0 needs validation_sources > 0"),
      LRT_CONFIG_KEY(data.split.online_samples)
          .unit("samples")
          .defaults_to("100000")
          .at_least(0)
          .at_most(kMaxStreamSamples)
          .source(cite(kLrt, "App. F: elastic transforms augment the partitions to 50k / 10k / 100k samples"))
          .doc("length of the online and distribution-shift streams; > 0 needs online_sources > 0"),
      LRT_CONFIG_KEY(data.elastic.mode)
          .one_of(elastic_mode_choices())
          .defaults_to("mixture")
          .source(cite(kLrtCode,
                       "data/MNIST Dataset Generator.ipynb, elastic_augment: every offline, validation, test and "
                       "online sample draws one of the 11 (sigma, alpha) of list sigma_alpha; fixed was our former "
                       "rule"))
          .doc("mixture: each sample draws one of the authors' 11 (sigma, alpha) settings, one of them none, "
               "distorted as their elastic_transform does (docs/data.md); fixed: alpha and sigma below for every "
               "sample (former rule)"),
      LRT_CONFIG_KEY(data.elastic.alpha)
          .unit("px")
          .defaults_to("34")
          .at_least(0.0)
          .at_most(1000.0)
          .source(std::string(kSimard) +
                  ", the MNIST setting alpha = 34, sigma = 4; used through Ernestus (2016) as in " +
                  cite(kLrt, "App. F"))
          .doc("mode fixed: scale of the smoothed random displacement field; 0 turns elastic distortion off"),
      LRT_CONFIG_KEY(data.elastic.sigma)
          .unit("px")
          .defaults_to("4")
          .above(0.0)
          .at_most(32.0)
          .source(std::string(kSimard) + ", the MNIST setting alpha = 34, sigma = 4")
          .doc("mode fixed: standard deviation of the Gaussian that smooths the displacement noise"),
      LRT_CONFIG_KEY(data.elastic.truncate)
          .unit("sigmas")
          .defaults_to("4")
          .above(0.0)
          .at_most(8.0)
          .source("assumption: the default of scipy's gaussian_filter, which the Ernestus (2016) code calls")
          .doc("Gaussian kernel radius ceil(truncate * sigma)"),
      LRT_CONFIG_KEY(data.shift.period)
          .unit("samples")
          .defaults_to("10000")
          .at_least(1)
          .at_most(kMaxStreamSamples)
          .source(cite(kLrt, "App. F: unique additional augmentations for every contiguous 10k samples"))
          .doc("samples per segment of the distribution-shift stream; each segment has its own combination"),
      LRT_CONFIG_KEY(data.shift.schedule)
          .one_of(shift_schedule_choices())
          .defaults_to("authors")
          .source(cite(kLrtCode,
                       "data/MNIST Dataset Generator.ipynb, 'Generate the Distribution Shift Dataset (Small)', "
                       "dict schedule: CD, ST, BG, WN, ST+WN, ST+BG, BG+WN, ST+BG+WN, all four, none (the 'shift' "
                       "split of data/data_loader.py); random_combinations was our former rule"))
          .doc("authors: the authors' ten segments in that order, repeated, each without the augmentations "
               "data.shift.augmentations leaves out; random_combinations: every non-empty subset of "
               "data.shift.augmentations in a seeded order (former rule)"),
      LRT_CONFIG_KEY_AT("data.shift.augmentations", data.shift_augmentations)
          .one_of(augmentation_choices())
          .non_empty()
          .distinct()
          .defaults_to_items({"class_clustering", "spatial", "background", "noise"})
          .source(cite(kLrt, "App. F: four augmentation types are explored"))
          .doc("augmentations the segments may apply (data.shift.schedule decides which segment gets which)"),
      LRT_CONFIG_KEY(data.shift.cluster.block)
          .unit("samples")
          .defaults_to("1000")
          .at_least(1)
          .source(cite(kLrt, "App. F: 'the first thousand images may be primarily 0s and 3s'"))
          .doc("class_clustering: samples per block of favoured classes; must divide data.shift.period"),
      LRT_CONFIG_KEY(data.shift.cluster.classes_per_block)
          .unit("classes")
          .defaults_to("2")
          .at_least(1)
          .at_most(256)
          .source(cite(kLrt, "App. F: 'primarily 0s and 3s'"))
          .doc("class_clustering: favoured classes per block; at most data.num_classes"),
      LRT_CONFIG_KEY(data.shift.cluster.favour_probability)
          .unit("1")
          .defaults_to("0.8")
          .at_least(0.0)
          .at_most(1.0)
          .source("assumption: 'primarily' (" + cite(kLrt, "App. F") +
                  "); with 2 of 10 classes each favoured class makes ~42% of its block")
          .doc("class_clustering: probability that a sample shows a favoured class"),
      LRT_CONFIG_KEY(data.shift.spatial.max_rotation_deg)
          .unit("deg")
          .defaults_to("20")
          .at_least(0.0)
          .at_most(180.0)
          .source("assumption: the paper only says 'rotate, scale, and shift images by random amounts' (" +
                  cite(kLrt, "App. F") + "); amounts that keep a 28x28 object in frame")
          .doc("spatial: rotation drawn uniformly in [-max, max]"),
      LRT_CONFIG_KEY(data.shift.spatial.min_scale)
          .unit("1")
          .defaults_to("0.8")
          .above(0.0)
          .at_most(10.0)
          .source("assumption: random amounts (" + cite(kLrt, "App. F") + "), +-20% in size")
          .doc("spatial: smallest scale factor; at most max_scale"),
      LRT_CONFIG_KEY(data.shift.spatial.max_scale)
          .unit("1")
          .defaults_to("1.2")
          .above(0.0)
          .at_most(10.0)
          .source("assumption: random amounts (" + cite(kLrt, "App. F") + "), +-20% in size")
          .doc("spatial: largest scale factor"),
      LRT_CONFIG_KEY(data.shift.spatial.max_shift_px)
          .unit("px")
          .defaults_to("3")
          .at_least(0.0)
          .at_most(1000.0)
          .source("assumption: random amounts (" + cite(kLrt, "App. F") + "), about a tenth of 28 px")
          .doc("spatial: shift per axis drawn uniformly in [-max, max]"),
      LRT_CONFIG_KEY(data.shift.background.min_contrast)
          .unit("1")
          .defaults_to("0.3")
          .at_least(0.0)
          .at_most(1.0)
          .source("assumption: 'scale the contrast' (" + cite(kLrt, "App. F") +
                  "); at 0.3 the object still stands out of the gradient")
          .doc("background: smallest weight of the image against the black-white gradient; at most "
               "max_contrast"),
      LRT_CONFIG_KEY(data.shift.background.max_contrast)
          .unit("1")
          .defaults_to("0.7")
          .at_least(0.0)
          .at_most(1.0)
          .source("assumption: 'scale the contrast' (" + cite(kLrt, "App. F") +
                  "); at most 0.7 so the gradient is always visible")
          .doc("background: largest weight of the image against the gradient"),
      LRT_CONFIG_KEY(data.shift.noise.sigma)
          .unit("1")
          .defaults_to("0.1")
          .at_least(0.0)
          .at_most(10.0)
          .source("assumption: 'random Gaussian noise added to each pixel' (" + cite(kLrt, "App. F") +
                  "); 0.1 of full scale keeps a 0.3-contrast object 3 sigma above the noise (docs/data.md)")
          .doc("noise: standard deviation on intensities in [0, 1]"),

      // ---- network ------------------------------------------------------------------
      LRT_CONFIG_KEY_AT("network.input.h", network.in_h)
          .unit("px")
          .defaults_to("28")
          .at_least(1)
          .at_most(4096)
          .source(cite(kLrt, "§7.1, App. F: 28x28 (MNIST) images"))
          .doc("input image height; must equal the data set's image rows"),
      LRT_CONFIG_KEY_AT("network.input.w", network.in_w)
          .unit("px")
          .defaults_to("28")
          .at_least(1)
          .at_most(4096)
          .source(cite(kLrt, "§7.1, App. F: 28x28 (MNIST) images"))
          .doc("input image width; must equal the data set's image columns"),
      LRT_CONFIG_KEY_AT("network.input.c", network.in_c)
          .unit("channels")
          .defaults_to("1")
          .at_least(1)
          .at_most(4096)
          .source(cite(kLrt, "App. F: grayscale MNIST images"))
          .doc("input channels; the IDX data sets are grayscale, so runs on them need 1"),
      network_layers_key(),

      // ---- train --------------------------------------------------------------------
      LRT_CONFIG_KEY(train.learning_rate)
          .unit("1")
          .defaults_to("0.01")
          .above(0.0)
          .at_most(2.0)
          .source(cite(kLrt, "App. G, Fig. 11: best accuracy near 0.01 for SGD and LRT"))
          .doc("base learning rate eta; batched schemes multiply it by (effective batch)^train.batch_scale_power"),
  };
  append(keys, kind_keys("conv", &golden::TrainSpecs::conv, "convolution layers", 10));
  append(keys, kind_keys("fc", &golden::TrainSpecs::fc, "fully-connected layers", 100));
  append(
      keys,
      {
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
              .at_least(1e-6)
              .at_most(1.0)
              .source(cite(kLrt, "App. D"))
              .doc("gradient floor added to the maximum; also the initial moving average (>= 1e-6 bounds the "
                   "integer reciprocal)"),
          LRT_CONFIG_KEY_AT("train.max_norm.placement", train.max_norm_placement)
              .one_of({{"update", golden::MaxNormPlacement::kUpdate},
                       {"gradient", golden::MaxNormPlacement::kGradient}})
              .defaults_to("update")
              .source(cite(kLrtCode,
                           "lr/layers.py: norm_uv 'post' (MN_U, MN_V on the factors), MN_fA/MN_dZ, MN_db, "
                           "MN_dg"))
              .doc("where train.conv/fc.max_norm acts: update = on the weight update (LRT factors, SGD's a "
                   "and dz) and "
                   "each bias / BN gradient; gradient = on each sample's dz, which then also feeds backprop "
                   "(former rule)"),
          LRT_CONFIG_KEY(train.dither.enabled)
              .defaults_to("false")
              .source(
                  "Wiedemann et al. 2020, dithered backprop: non-subtractive dither on the pre-activation "
                  "gradients; off keeps the LRT paper's nearest rounding")
              .doc("dithered backprop: quantize every trainable layer's dz with non-subtractive uniform "
                   "dither "
                   "(unbiased; small gradients become zeros) instead of rounding to nearest "
                   "(docs/precision.md)"),
          LRT_CONFIG_KEY_AT("train.dither.step", train.dither.rule)
              .one_of({{"std", golden::DitherStepRule::kStd}, {"max_abs", golden::DitherStepRule::kMaxAbs}})
              .defaults_to("std")
              .source("Wiedemann et al. 2020: the step is set per tensor from the gradient's spread; "
                      "docs/precision.md")
              .doc("statistic of each sample's dz tensor the dither step is proportional to: std (standard "
                   "deviation) or max_abs (largest magnitude)"),
          LRT_CONFIG_KEY(train.dither.scale)
              .unit("1")
              .defaults_to("1")
              .above(0.0)
              .at_most(1e6)
              .source("assumption: Delta = 1 standard deviation, measured on the default network in "
                      "docs/precision.md")
              .doc("Delta = scale x statistic, rounded to the nearest power of two of Qg LSBs in [1, "
                   "2^(bits-1)]"),
          LRT_CONFIG_KEY(train.pfq.enabled)
              .defaults_to("false")
              .source("Fu et al. 2020, FracTrain: progressive fractional quantization; off trains at the "
                      "formats' "
                      "full precision")
              .doc("FracTrain PFQ: train through stages FW(b)/BW(g) of increasing MAC operand precision "
                   "(docs/precision.md)"),
          LRT_CONFIG_KEY(train.pfq.forward_bits)
              .unit("bits")
              .non_empty()
              .at_least(2)
              .at_most(8)
              .defaults_to_items({"4", "6", "8"})
              .source("Fu et al. 2020, FracTrain: FW precisions rising to the static 8-bit baseline; 4, 6, 8 "
                      "is an assumption")
              .doc("b_1..b_M: weight and activation operand width of the forward products in each stage (at "
                   "most the formats' bits)"),
          LRT_CONFIG_KEY(train.pfq.backward_bits)
              .unit("bits")
              .non_empty()
              .at_least(2)
              .at_most(8)
              .defaults_to_items({"6", "8", "8"})
              .source("Fu et al. 2020, FracTrain: BW precisions kept above FW (gradients are more "
                      "sensitive); assumption")
              .doc("g_1..g_M: dz operand width in each stage (as many as forward_bits; at most "
                   "train.quant.gradient.bits)"),
          LRT_CONFIG_KEY(train.pfq.mode)
              .one_of({{"manual", golden::PfqSwitch::kManual}, {"auto", golden::PfqSwitch::kAuto}})
              .defaults_to("manual")
              .source("Fu et al. 2020, FracTrain: manual PFQ switches at fixed points, auto-PFQ on a loss "
                      "indicator")
              .doc("manual: stage s + 1 starts after switch_samples[s] samples; auto: when a loss window "
                   "fails to improve (docs/precision.md)"),
          LRT_CONFIG_KEY(train.pfq.switch_samples)
              .unit("samples")
              .at_least(1)
              .defaults_to_items({"2000", "5000"})
              .source("assumption: 20 % and 50 % of the default 10k-sample run")
              .doc("manual PFQ: the sample counts at which stages 2..M begin (stages - 1 strictly increasing "
                   "values)"),
          LRT_CONFIG_KEY(train.pfq.window)
              .unit("samples")
              .defaults_to("500")
              .at_least(1)
              .at_most(kMaxStreamSamples)
              .source("assumption: 5 % of the default run, long enough to average the per-sample loss")
              .doc("auto PFQ: samples per loss window"),
          LRT_CONFIG_KEY(train.pfq.min_improvement)
              .unit("1")
              .defaults_to("0.01")
              .at_least(0.0)
              .below(1.0)
              .source("assumption: a 1 % relative improvement of the window loss counts as still improving")
              .doc("auto PFQ: a window whose mean loss is not below (1 - this) x the stage's best window "
                   "ends the stage"),
          LRT_CONFIG_KEY(train.precision.weight_bits)
              .unit("bits")
              .at_least(1)
              .at_most(8)
              .source("Sakr & Shanbhag 2019, §2.1: a precision B_W per layer; empty keeps "
                      "train.quant.weight.bits")
              .doc("B_W per conv3x3/fc layer, in network order (empty: train.quant.weight.bits for all)"),
          LRT_CONFIG_KEY(train.precision.weight_range)
              .unit("1")
              .above(0.0)
              .power_of_two()
              .source("Sakr & Shanbhag 2019, §2.1: a power-of-two dynamic range r_W per layer")
              .doc("r_W per conv3x3/fc layer (empty: train.quant.weight.range)"),
          LRT_CONFIG_KEY(train.precision.activation_bits)
              .unit("bits")
              .at_least(3)
              .at_most(8)
              .source("Sakr & Shanbhag 2019, §2.1: B_A per layer")
              .doc("B_A per conv3x3/fc layer: the width of the ReLU/BN/Qas output that feeds it (ranges stay "
                   "train.quant.activation*.range; the first layer reads the 8-bit image: 8 only)"),
          LRT_CONFIG_KEY(train.precision.gradient_bits)
              .unit("bits")
              .at_least(3)
              .at_most(8)
              .source("Sakr & Shanbhag 2019, §2.1: B_G(A) per layer")
              .doc("B_G(A) per conv3x3/fc layer: the Qg width of its dz (empty: train.quant.gradient.bits)"),
          LRT_CONFIG_KEY(train.precision.gradient_range)
              .unit("1")
              .above(0.0)
              .power_of_two()
              .source("Sakr & Shanbhag 2019, §2.1: a power-of-two dynamic range per gradient tensor")
              .doc("range of each conv3x3/fc layer's Qg (empty: train.quant.gradient.range)"),
          LRT_CONFIG_KEY(train.precision.weight_gradient_bits)
              .unit("bits")
              .at_least(0)
              .at_most(64)
              .source(
                  "Sakr & Shanbhag 2019, §2.2: B_G(W); this datapath forms weight gradients in int32 words")
              .doc("B_G(W) per conv3x3/fc layer: only the datapath's value is accepted (32 when the scheme "
                   "trains "
                   "weights, else 0); anything else is refused, not approximated"),
          LRT_CONFIG_KEY(train.precision.accumulator_bits)
              .unit("bits")
              .at_least(0)
              .at_most(64)
              .source("Sakr & Shanbhag 2019, §2.2: B_acc; this datapath keeps no weight accumulator except "
                      "naive_batch's int64")
              .doc("B_acc per conv3x3/fc layer: only the datapath's value is accepted (64 for naive_batch, "
                   "else 0)"),
          LRT_CONFIG_KEY(train.bn.streaming)
              .defaults_to("true")
              .source(cite(kLrt, "App. E; Table 3: removing it costs accuracy"))
              .doc(
                  "streaming batch norm: absorb every training sample into the EMA statistics; false freezes "
                  "them (a pretrained model keeps its statistics)"),
          LRT_CONFIG_KEY(train.bn.batch)
              .unit("samples")
              .defaults_to("10")
              .at_least(1)
              .at_most(1000000)
              .source(cite(kLrtCode, "lr/net.py: StreamBatchNorm(update_every_ba=10), momentum 0.9"))
              .doc("B of the statistics' EMA, eta = 1 - 1/B"),
          LRT_CONFIG_KEY(train.bn.eps)
              .unit("1")
              .defaults_to("1e-6")
              .at_least(1e-6)
              .at_most(1.0)
              .source(cite(kLrtCode, "lr/layers.py StreamBatchNorm: eps 1e-8") +
                      "; 1e-6 is the smallest the integer 1/sigma takes (docs/fidelity.md)")
              .doc("added to the variance; >= 1e-6 bounds the integer 1/sigma"),
          LRT_CONFIG_KEY(train.bn.bias_correction)
              .defaults_to("true")
              .source(cite(kLrtCode, "lr/layers.py StreamBatchNorm.forward: mean_ba / (1 - mom^step)"))
              .doc("divide the statistics' EMAs by 1 - eta^k after k absorbed samples; false: plain EMA "
                   "(former rule)"),
          LRT_CONFIG_KEY(train.bn.backward_scale_only)
              .defaults_to("true")
              .source(cite(kLrtCode, "lr/layers.py StreamBatchNorm.backward: dX = dY gamma / std"))
              .doc(
                  "backprop through BN as dy * gamma / sigma, the statistics held constant; false: the exact "
                  "derivative through this sample's share of the statistics (former rule)"),
          LRT_CONFIG_KEY_AT("train.biases", train.train_biases)
              .defaults_to("true")
              .source(
                  cite(kLrt, "§7.2: biases train every sample; Table 3 ablates it (\"no bias training\")"))
              .doc("train the biases of conv and fc layers every sample (every scheme but inference); false "
                   "freezes "
                   "them. Batch-norm gamma/beta still train, as in the authors' code"),
          LRT_CONFIG_KEY(train.rho_min)
              .unit("1")
              .defaults_to("0.01")
              .at_least(0.0)
              .at_most(1.0)
              .source(cite(kLrt, "App. C: rho_min = 0.01"))
              .doc("batched schemes apply a weight update only if this fraction of its entries is non-zero; "
                   "else they keep accumulating"),
          LRT_CONFIG_KEY(train.batch_scale_power)
              .unit("1")
              .defaults_to("0.5")
              .at_least(0.0)
              .at_most(1.0)
              .source(cite(kLrt, "App. C and G: square-root learning-rate scaling worked better than linear"))
              .doc("batched updates use eta * B_eff^power * (sum, or sum / B_eff: train.batched_update): 0.5 "
                   "square root, "
                   "1 linear, 0 none"),
          LRT_CONFIG_KEY(train.batched_update)
              .one_of({{"sum", golden::BatchedUpdate::kSum}, {"mean", golden::BatchedUpdate::kMean}})
              .defaults_to("sum")
              .source(cite(kLrtCode,
                           "lr/layers.py update_W_SKS_B: wup = get_lr_SKS() * U V^T, the summed estimate"))
              .doc("what a batched scheme (lrt, naive_batch, uoro) writes: sum = eta B_eff^p times the "
                   "summed gradient; "
                   "mean = that divided by B_eff (former rule)"),
          LRT_CONFIG_KEY(train.alpha_rule)
              .one_of(
                  {{"authors", golden::AlphaRule::kAuthors}, {"nearest_he", golden::AlphaRule::kNearestHe}})
              .defaults_to("authors")
              .source(
                  cite(kLrtCode, "lr/layers.py WeightModule: wmult = 2^floor(log2 sqrt(3 nlvar / fan_in))") +
                  "; " + cite(kLrt, "App. C: 'closest power-of-2 to He initialization'"))
              .doc("layer scale alpha of z = alpha W a + b: authors = 2^floor(log2 sqrt(3 nlvar / fan_in)), "
                   "nlvar 2 "
                   "before a ReLU else 1; nearest_he = the power of two nearest sqrt(2 / fan_in) (former "
                   "rule)"),
          LRT_CONFIG_KEY(train.weight_gradient_alpha)
              .defaults_to("true")
              .source(cite(kLrtCode, "lr/layers.py Conv2D/FC.my_update: d = wmult * dZ"))
              .doc("form the weight gradient from alpha dz (the gradient of z = alpha W a + b); false leaves "
                   "alpha out "
                   "(former rule)"),
          LRT_CONFIG_KEY(train.quant.weight.bits)
              .unit("bits")
              .defaults_to("8")
              .at_least(1)
              .at_most(8)
              .source(cite(kLrt, "§6: weights 8 b in [-1, 1]; Fig. 7 sweeps 1-8 b, mid-rise at 1-2 b"))
              .doc("width of Qw; weight updates share the weight LSB; MAC operands are at most 8-bit; 1-2 "
                   "bit weights "
                   "are mid-rise (code c stands for (c + 1/2) LSB, no zero level)"),
          LRT_CONFIG_KEY(train.quant.weight.range)
              .unit("1")
              .defaults_to("1.0")
              .power_of_two()
              .source(cite(kLrt, "§6: weights 8 b in [-1, 1]"))
              .doc("clipping bound R of Qw: signed, values in [-R, R) (power of two: Sakr & Shanbhag §2.1)"),
          LRT_CONFIG_KEY(train.quant.bias.bits)
              .unit("bits")
              .defaults_to("16")
              .at_least(3)
              .at_most(16)
              .source(cite(kLrt, "§6: biases 16 b in [-8, 8]"))
              .doc("width of Qb (biases, BN parameters, layer outputs, backward signals; held in 16 bits)"),
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
              .at_most(8)
              .source(cite(kLrt, "§6: activations 8 b in [0, 2]"))
              .doc("width of Qa; activations are unsigned (they follow a ReLU); MAC operands are at most "
                   "8-bit"),
          LRT_CONFIG_KEY(train.quant.activation.range)
              .unit("1")
              .defaults_to("2.0")
              .power_of_two()
              .source(cite(kLrt, "§6: activations 8 b in [0, 2]"))
              .doc("clipping bound R of Qa: unsigned, values in [0, R)"),
          LRT_CONFIG_KEY(train.quant.gradient.bits)
              .unit("bits")
              .defaults_to("8")
              .at_least(3)
              .at_most(8)
              .source(cite(kLrt, "§6: gradients 8 b in [-1, 1]"))
              .doc("width of Qg (the dz every trainable layer learns from; an 8-bit MAC operand)"),
          LRT_CONFIG_KEY(train.quant.gradient.range)
              .unit("1")
              .defaults_to("1.0")
              .power_of_two()
              .source(cite(kLrt, "§6: gradients 8 b in [-1, 1]"))
              .doc("clipping bound R of Qg: signed, values in [-R, R)"),
          LRT_CONFIG_KEY(train.quant.activation_signed.bits)
              .unit("bits")
              .defaults_to("8")
              .at_least(3)
              .at_most(8)
              .source(
                  "assumption: 8 bits like Qa, so every MAC operand stays 8 bits (docs/golden_engine.md, Why "
                  "Qas)")
              .doc("width of the signed activations (BN outputs, a conv/fc output feeding a conv/fc layer)"),
          LRT_CONFIG_KEY(train.quant.activation_signed.range)
              .unit("1")
              .defaults_to("2.0")
              .power_of_two()
              .source("assumption: the range of Qa (" + cite(kLrt, "§6: [0, 2]") + "), now signed")
              .doc("clipping bound R of the signed activations: values in [-R, R)"),
          LRT_CONFIG_KEY(train.quant.input.range)
              .unit("1")
              .defaults_to("1.0")
              .power_of_two()
              .source("assumption: pixel values in [0, 1), gray level / 256")
              .doc("scale of the input pixels: the 8-bit code is the gray level, its value gray level * R / "
                   "256 "
                   "(unsigned, [0, R))"),

          // ---- pretrain -----------------------------------------------------------------
          LRT_CONFIG_KEY(pretrain.samples)
              .unit("samples")
              .defaults_to("150000")
              .at_least(1)
              .at_most(uint64_t{1} << 40)
              .source("measured: three epochs of the 50k offline split; six gain nothing (docs/run.md, "
                      "Pre-training)")
              .doc("offline training samples of lrtsim pretrain; the offline_train stream repeats when "
                   "shorter"),
          LRT_CONFIG_KEY(pretrain.scheme)
              .one_of(pretrain_scheme_choices())
              .defaults_to("naive_batch")
              .source(
                  "measured: the best validation accuracy of the schemes tried (docs/run.md, Pre-training)")
              .doc("scheme of both layer kinds during pre-training: sgd, naive_batch, lrt or uoro"),
          LRT_CONFIG_KEY(pretrain.learning_rate)
              .unit("1")
              .defaults_to("0.01")
              .above(0.0)
              .at_most(2.0)
              .source("measured: the best validation accuracy of the rates tried (docs/run.md, Pre-training)")
              .doc("base learning rate of pre-training"),
          LRT_CONFIG_KEY(pretrain.batch)
              .unit("samples")
              .defaults_to("10")
              .at_least(1)
              .at_most(1000000)
              .source(cite(kLrt, "App. G: batch 10 (convolution layers)"))
              .doc("B of both layer kinds when pretrain.scheme is batched (naive_batch, lrt, uoro)"),

          // ---- accel --------------------------------------------------------------------
          LRT_CONFIG_KEY(accel.clock_mhz)
              .unit("MHz")
              .defaults_to("100")
              .at_least(kMinClockMhz)
              .at_most(kMaxClockMhz)
              .source("assumption: the papers give no clock; 100 MHz is a modest clock for a 40 nm edge "
                      "accelerator and only converts cycles to seconds")
              .doc("clock frequency of the accelerator"),
          LRT_CONFIG_KEY_AT("accel.quantum_cycles", accel.controller.quantum_cycles)
              .unit("cycles")
              .defaults_to("1000")
              .at_least(1)
              .at_most(1000000000)
              .source("simulation parameter (IEEE 1666-2011 §16.2, tlm_quantumkeeper): how far a TLM process "
                      "runs ahead of the kernel; the controller also synchronizes at every learning process "
                      "it starts and at the end of each sample (docs/tlm.md, Time and concurrency)")
              .doc("global quantum of the TLM engine's processes"),
          LRT_CONFIG_KEY(accel.bus.width_bits)
              .unit("bits")
              .defaults_to("0")
              .at_least(0)
              .at_most(4096)
              .source("assumption: the papers describe no interconnect; 0 models point-to-point ports "
                      "(no shared-bus bandwidth limit); set a width to study contention")
              .doc("data width of the bus: a transaction holds it ceil(bytes x 8 / width) cycles and "
                   "overlapping initiators wait for it; 0: unlimited"),
          LRT_CONFIG_KEY(accel.bus.latency_cycles)
              .unit("cycles")
              .defaults_to("0")
              .at_least(0)
              .at_most(1000)
              .source("assumption: as accel.bus.width_bits (no interconnect described; 0 = direct ports)")
              .doc("fixed latency the bus adds to every transaction"),
          LRT_CONFIG_KEY(accel.rank_reduce.arith)
              .one_of({{"float", A::kFloat}, {"fixed", A::kFixed}})
              .defaults_to("fixed")
              .source(cite(kLrt, "App. C: a real device performs its operations in fixed point"))
              .doc("fixed: bit-accurate integer arithmetic of the hardware; float: double-precision "
                   "reference"),
          LRT_CONFIG_KEY_AT("accel.rank_reduce.impl", accel.rank_reduce_impl)
              .one_of({{"golden", hw::RankReduceImplKind::kGolden}, {"rtl", hw::RankReduceImplKind::kRtl}})
              .defaults_to("golden")
              .source("design choice: both are bit-exact (lrtsim cosim, docs/rtl.md); rtl is slower")
              .doc("what computes the TLM rank_reduce_unit's steps: golden (C++ fixed-point model) or rtl "
                   "(the Verilated rtl/rr_unit.sv; --engine tlm, --jobs 1)"),
          LRT_CONFIG_KEY_AT("accel.rank_reduce.units", accel.controller.rank_reduce_units)
              .one_of(
                  {{"shared", hw::RankReduceUnits::kShared}, {"per_layer", hw::RankReduceUnits::kPerLayer}})
              .defaults_to("shared")
              .source("design choice: one unit's logic for the whole network (docs/rtl.md, Cost table); the "
                      "units hold no state of their own (it lives in SRAM)")
              .doc("shared: one rank-reduce unit with a context per LRT layer, their pairs take turns on "
                   "its datapath; per_layer: one unit each, the layers' pairs fold in parallel"),
          LRT_CONFIG_KEY_AT("accel.rank_reduce.lr_bits", accel.controller.lr_bits)
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
              .at_most(1e6)
              .source("Chou et al., ISSCC 2018 (40 nm 1T1R RRAM), quoted in " + cite(kLrt, "§3"))
              .doc("area of one RRAM cell"),
          LRT_CONFIG_KEY(accel.rram.bits_per_cell)
              .unit("bits")
              .defaults_to("1")
              .at_least(1)
              .at_most(8)
              .source(
                  "assumption: single-level cells, as in the digital-drift model where a weight is b cells "
                  "(" +
                  cite(kLrt, "§7.1, App. F") + "); at most 8, the default weight width")
              .doc(
                  "bits stored per RRAM cell; a weight of train.quant.weight.bits occupies ceil(bits / this) "
                  "cells"),
          LRT_CONFIG_KEY(accel.rram.read_energy_pj_per_bit)
              .unit("pJ/bit")
              .defaults_to("1.76")
              .at_least(0.0)
              .at_most(kMaxEventPj)
              .source("Wu et al., ISSCC 2019, quoted in " + cite(kLrt, "§1"))
              .doc("energy to read one stored bit (user reads and the compare read before a write)"),
          LRT_CONFIG_KEY(accel.rram.write_energy_pj_per_bit)
              .unit("pJ/bit")
              .defaults_to("10.9")
              .at_least(0.0)
              .at_most(kMaxEventPj)
              .source("Wu et al., ISSCC 2019 (10.9 pJ per bit written, a 2.3-bit/cell macro), quoted in " +
                      cite(kLrt, "§1"))
              .doc("energy per bit written: stochastic programming prices pulses so that a fresh cell's "
                   "expected write costs bits_per_cell x this (docs/device.md); deterministic charges it "
                   "per pulse (the former rule)"),
          LRT_CONFIG_KEY(accel.rram.read_latency_cycles)
              .unit("cycles")
              .defaults_to("2")
              .at_least(0)
              .at_most(kMaxCycles)
              .source("assumption: a 20 ns word read at the 100 MHz clock")
              .doc("latency of one word read (user read or compare read)"),
          LRT_CONFIG_KEY(accel.rram.pulse_cycles)
              .unit("cycles")
              .defaults_to("10")
              .at_least(0)
              .at_most(kMaxCycles)
              .source("assumption: a 100 ns program pulse at the 100 MHz clock")
              .doc("latency of one program pulse (a SET pulse under program.model stochastic)"),
          LRT_CONFIG_KEY(accel.rram.verify_cycles)
              .unit("cycles")
              .defaults_to("2")
              .at_least(0)
              .at_most(kMaxCycles)
              .source("assumption: a verify is a read (accel.rram.read_latency_cycles)")
              .doc("latency of the verify read after each pulse"),
          LRT_CONFIG_KEY(accel.rram.levels_per_pulse)
              .unit("levels")
              .defaults_to("1")
              .at_least(1)
              .at_most(255)
              .source("assumption: incremental write-verify moves a cell one level per pulse")
              .doc("cell levels one program pulse moves; a change of D levels takes ceil(D / this) pulses"),
          LRT_CONFIG_KEY(accel.rram.max_pulses)
              .unit("pulses")
              .defaults_to("16")
              .at_least(1)
              .at_most(4096)
              .source("assumption: enough for a full swing of a 4-bit cell at one level per pulse")
              .doc("pulses before write-verify gives up on a stuck cell; at least ceil((2^bits_per_cell - 1) "
                   "/ "
                   "levels_per_pulse)"),
          LRT_CONFIG_KEY(accel.rram.read_before_write)
              .defaults_to("true")
              .source(
                  "assumption: the array reads a word first so that it programs only the cells that change")
              .doc("charge a compare read (energy and latency) before every word write"),
          LRT_CONFIG_KEY_AT("accel.rram.endurance_writes", accel.rram.endurance.writes)
              .unit("writes")
              .defaults_to("1e6")
              .at_least(1)
              .at_most(4294967295)
              .source("Grossi et al., IEEE TED 2019 ('on the order of 1e6'), quoted in " + cite(kLrt, "§1"))
              .doc("median (lognormal) or mean (normal, fixed) number of level changes a cell survives"),
          LRT_CONFIG_KEY_AT("accel.rram.endurance_distribution", accel.rram.endurance.distribution)
              .one_of(endurance_choices())
              .defaults_to("lognormal")
              .source(
                  "assumption: a lifetime is a product of many small damage factors, and lognormal keeps it "
                  "positive; the papers give only the order of magnitude")
              .doc(
                  "distribution of per-cell lifetimes around endurance_writes; a worn-out cell sticks at its "
                  "last level"),
          LRT_CONFIG_KEY_AT("accel.rram.endurance_spread", accel.rram.endurance.spread)
              .unit("1")
              .defaults_to("0.3")
              .at_least(0.0)
              .at_most(10.0)
              .source("assumption: lifetimes vary by tens of percent from cell to cell")
              .doc("lognormal: sd of ln(lifetime); normal: sd / mean; unused for fixed"),
          LRT_CONFIG_KEY(accel.rram.stuck_at_fault_rate)
              .unit("1")
              .defaults_to("0")
              .at_least(0.0)
              .at_most(1.0)
              .source("assumption: off; the papers model no time-zero faults")
              .doc("probability that a cell is stuck from time zero"),
          LRT_CONFIG_KEY(accel.rram.stuck_at_high_fraction)
              .unit("1")
              .defaults_to("0.5")
              .at_least(0.0)
              .at_most(1.0)
              .source("assumption: both stuck states equally likely")
              .doc("probability that a stuck cell sits at its top level (else at level 0)"),
          LRT_CONFIG_KEY_AT("accel.rram.read_noise_sigma_levels", accel.rram.read_effects.noise_sigma_levels)
              .unit("levels")
              .defaults_to("0")
              .at_least(0.0)
              .at_most(1000.0)
              .source("assumption: off; the papers model no read noise")
              .doc(
                  "sd of Gaussian noise added to every cell read, frozen per (sample, cell); 0 turns it off"),
          LRT_CONFIG_KEY_AT("accel.rram.power_law_nu", accel.rram.read_effects.power_law_nu)
              .unit("1")
              .defaults_to("0")
              .at_least(0.0)
              .at_most(10.0)
              .source(
                  "assumption: off; the papers model drift as in accel.rram.drift, not as conductance decay")
              .doc("exponent of power-law conductance decay level * ((t + t0) / t0)^-nu seen by reads; 0 "
                   "turns it "
                   "off"),
          LRT_CONFIG_KEY_AT("accel.rram.power_law_t0_samples", accel.rram.read_effects.power_law_t0_samples)
              .unit("samples")
              .defaults_to("1")
              .at_least(1e-3)
              .at_most(1e12)
              .source("assumption: decay starts one sample after programming")
              .doc("t0 of the power-law decay"),
          LRT_CONFIG_KEY_AT("accel.rram.drift.model", accel.rram.drift_model)
              .one_of({{"none", DriftModel::kNone},
                       {"analog", DriftModel::kAnalog},
                       {"digital", DriftModel::kDigital},
                       {"both", DriftModel::kBoth}})
              .defaults_to("none")
              .source(cite(kLrt,
                           "§7.1: the control environment has no weight drift; analog drift and digital "
                           "bit flips (App. F) are two further environments"))
              .doc("none (control), analog (Gaussian noise on every weight), digital (random bit flips) or "
                   "both, "
                   "one event every interval_samples"),
          LRT_CONFIG_KEY(accel.rram.drift.interval_samples)
              .unit("samples")
              .defaults_to("10")
              .at_least(1)
              .at_most(4294967295)
              .source(cite(kLrt, "App. F: d = 10"))
              .doc("d: samples between drift events; at most horizon_samples"),
          LRT_CONFIG_KEY(accel.rram.drift.horizon_samples)
              .unit("samples")
              .defaults_to("1e6")
              .at_least(1)
              .at_most(uint64_t{1'000'000'000'000'000})
              .source(cite(kLrt, "App. F: sigma0 and p0 accumulate over 1M steps"))
              .doc("H: samples over which analog_sigma0 and flip_p0 accumulate"),
          LRT_CONFIG_KEY(accel.rram.drift.analog_sigma0)
              .unit("weight units")
              .defaults_to("10")
              .above(0.0)
              .at_most(1e6)
              .source(cite(kLrt, "App. F: sigma0 = 10"))
              .doc(
                  "analog, both: every event adds N(0, sigma^2), sigma = sigma0 / sqrt(H / d), then re-clips "
                  "and re-quantizes"),
          LRT_CONFIG_KEY(accel.rram.drift.flip_p0)
              .unit("flips/bit")
              .defaults_to("10")
              .above(0.0)
              .source(cite(kLrt, "App. F: p0 = 10"))
              .doc("digital, both: every event flips each stored bit with p = p0 / (H / d), at most 1, as "
                   "accel.rram.drift.flip_model says"),
          LRT_CONFIG_KEY(accel.rram.drift.flip_model)
              .one_of(flip_model_choices())
              .defaults_to("binomial2")
              .source(cite(kLrtCode,
                           "lr/layers.py, WeightModule.drift 'digital': np.random.binomial(2, pflip) per "
                           "bit; bernoulli "
                           "was our former rule"))
              .doc("digital, both: binomial2 = each bit gets a flip count c ~ Binomial(2, p), sum c_b 2^b is "
                   "XORed into "
                   "the offset-binary code, clipped at the largest code (docs/device.md); bernoulli = each "
                   "bit flips "
                   "with probability p (former rule)"),

          LRT_CONFIG_KEY(accel.rram.program.model)
              .one_of(program_model_choices())
              .defaults_to("stochastic")
              .source(
                  "Grossi et al., IEEE TED 2019: writes fail temporarily from cycle-to-cycle variation and "
                  "program-verify retries them; deterministic is lrtsim's former rule")
              .doc("stochastic: each nominal step takes a geometric number of pulses (retries), growing with "
                   "wear, SET and RESET priced apart; deterministic: ceil(levels / levels_per_pulse) pulses "
                   "at write_energy_pj_per_bit each"),
          LRT_CONFIG_KEY(accel.rram.program.set_pass_probability)
              .unit("1")
              .defaults_to("0.9745")
              .above(0.0)
              .at_most(1.0)
              .source(
                  cite(kSky130Reram, "single-pulse SET yield 97.45 % (WL 1.7 V, BL 2.4 V, 1000 ns)") +
                  ", read as the per-pulse verify-pass probability; mechanism: Grossi et al., IEEE TED 2019")
              .doc("p0 of a SET pulse (a level up) on a fresh cell; pulses of m steps ~ m + "
                   "NegativeBinomial(m, p), "
                   "mean m / p"),
          LRT_CONFIG_KEY(accel.rram.program.reset_pass_probability)
              .unit("1")
              .defaults_to("0.9083")
              .above(0.0)
              .at_most(1.0)
              .source(cite(kSky130Reram, "single-pulse RESET yield 90.83 % (WL 2.5 V, SL 2.6 V, 1000 ns)") +
                      ", read as the per-pulse verify-pass probability")
              .doc("p0 of a RESET pulse (a level down) on a fresh cell"),
          LRT_CONFIG_KEY(accel.rram.program.wear_growth)
              .unit("1")
              .defaults_to("1")
              .at_least(0.0)
              .at_most(1e6)
              .source("assumption: a labelled model, the pass probability halves at the median lifetime")
              .doc("g: after w programs p = p0 / (1 + g w / endurance_writes), so the mean pulses grow "
                   "linearly with wear; 0 turns wear growth off"),
          LRT_CONFIG_KEY(accel.rram.program.reset_energy_ratio)
              .unit("1")
              .defaults_to("1")
              .above(0.0)
              .at_most(1000.0)
              .source("assumption: 1, as no source at hand quotes a per-pulse ratio; the SET/RESET asymmetry "
                      "of a "
                      "write's energy and latency comes from the cited pass probabilities")
              .doc("energy of a RESET pulse (a level down) over a SET pulse (a level up)"),
          LRT_CONFIG_KEY(accel.rram.program.reset_pulse_cycles)
              .unit("cycles")
              .defaults_to("10")
              .at_least(0)
              .at_most(kMaxCycles)
              .source(cite(kSky130Reram, "SET and RESET pulses of equal width (1000 ns)") +
                      ": as long as a SET pulse (pulse_cycles, whose width is an assumption)")
              .doc("latency of one RESET pulse under program.model stochastic (SET: pulse_cycles)"),

          LRT_CONFIG_KEY(accel.sram.cell_area_um2)
              .unit("um^2")
              .defaults_to("0.242")
              .above(0.0)
              .at_most(1e6)
              .source("TSMC 40 nm 6T cell, quoted in " + cite(kLrt, "§3"))
              .doc("area of one SRAM cell (one bit): summary aux_area_um2 (the paper's cell-only convention) "
                   "and "
                   "area_model fixed"),
          LRT_CONFIG_KEY(accel.sram.capacity_bits)
              .unit("bits")
              .defaults_to("2097152")
              .at_least(1)
              .at_most(uint64_t{1} << 40)
              .source(
                  "assumption: 256 KiB holds the paper network's LRT state (q = 5 columns of 16 b per layer, "
                  "~565 kbit), its 16 b biases (~17 kbit) and its two largest 8 b activation maps "
                  "(26x26x128 and 24x24x128, ~1.28 Mbit)")
              .doc("SRAM buffer size"),
          LRT_CONFIG_KEY(accel.sram.word_bits)
              .unit("bits")
              .defaults_to("64")
              .multiple_of(8)
              .at_least(8)
              .at_most(4096)
              .source("assumption: the 64-bit access of " + cite(kHorowitz, "SRAM access energy"))
              .doc("access width; latency is counted per word touched"),
          LRT_CONFIG_KEY(accel.sram.energy_model)
              .one_of(sram_cost_model_choices())
              .defaults_to("capacity")
              .source(cite(kHorowitz, "64-bit access of an 8 KB, 32 KB, 1 MB SRAM: 10, 20, 100 pJ") +
                      "; power-law interpolation between the points (docs/device.md)")
              .doc("capacity: read and write energy per bit from capacity_bits (periphery included); fixed: "
                   "read_energy_pj_per_bit and write_energy_pj_per_bit (the former rule)"),
          LRT_CONFIG_KEY(accel.sram.area_model)
              .one_of(sram_cost_model_choices())
              .defaults_to("capacity")
              .source(
                  cite(kOpenRam,
                       "area of 2, 8, 32, 128 Kbit macros of 64-bit words (ICCAD 2016 area figure data)") +
                  ", scaled to 40 nm by (40/45)^2; 128 Kbit banks above (docs/device.md)")
              .doc("capacity: macro area per bit from capacity_bits, periphery included; fixed: "
                   "capacity_bits x "
                   "cell_area_um2 / array_efficiency (the former rule)"),
          LRT_CONFIG_KEY(accel.sram.array_efficiency)
              .unit("1")
              .defaults_to("0.7")
              .above(0.0)
              .at_most(1.0)
              .source(
                  "assumption: the cells take 70 % of a macro, decoders, sense amplifiers and I/O the rest "
                  "(area_model fixed only)")
              .doc("area_model fixed: area = capacity_bits x cell_area_um2 / this"),
          LRT_CONFIG_KEY(accel.sram.leakage_model)
              .one_of(sram_cost_model_choices())
              .defaults_to("capacity")
              .source(cite(kOpenRam,
                           "characterized .lib leakage_power of 2, 32, 64, 128 Kbit macros, TT 1.0 V 25 C") +
                      "; 128 Kbit banks above (docs/device.md)")
              .doc("capacity: leakage per bit from capacity_bits, periphery included; fixed: "
                   "leakage_pw_per_bit"),
          LRT_CONFIG_KEY(accel.sram.leakage_pw_per_bit)
              .unit("pW/bit")
              .defaults_to("10")
              .at_least(0.0)
              .at_most(1e6)
              .source(
                  "assumption: about 10 pA per 6T cell at about 1 V in a low-power 40 nm process, periphery "
                  "included (leakage_model fixed only)")
              .doc(
                  "leakage_model fixed: static power per stored bit; leakage energy = capacity_bits x this x "
                  "simulated seconds"),
          LRT_CONFIG_KEY(accel.sram.read_energy_pj_per_bit)
              .unit("pJ/bit")
              .defaults_to("0.3125")
              .at_least(0.0)
              .at_most(kMaxEventPj)
              .source(cite(kHorowitz, "20 pJ per 64-bit access of a 32 KB SRAM, / 64 bits") +
                      "; assumption: the buffer is built of 32 KB banks")
              .doc("energy to read one bit (energy_model fixed)"),
          LRT_CONFIG_KEY(accel.sram.write_energy_pj_per_bit)
              .unit("pJ/bit")
              .defaults_to("0.3125")
              .at_least(0.0)
              .at_most(kMaxEventPj)
              .source(cite(kHorowitz, "20 pJ per 64-bit access of a 32 KB SRAM, / 64 bits") +
                      "; assumption: a write costs what a read costs (one figure per access is given)")
              .doc("energy to write one bit (energy_model fixed)"),
          LRT_CONFIG_KEY(accel.sram.read_latency_cycles)
              .unit("cycles/word")
              .defaults_to("1")
              .at_least(0)
              .at_most(kMaxCycles)
              .source("assumption: a single-cycle SRAM bank")
              .doc("latency per word read"),
          LRT_CONFIG_KEY(accel.sram.write_latency_cycles)
              .unit("cycles/word")
              .defaults_to("1")
              .at_least(0)
              .at_most(kMaxCycles)
              .source("assumption: a single-cycle SRAM bank")
              .doc("latency per word written"),

          LRT_CONFIG_KEY(accel.mac.lanes)
              .unit("MACs/cycle")
              .defaults_to("16")
              .at_least(1)
              .at_most(4096)
              .source("assumption: the papers give no datapath width; 16 lanes is a small edge datapath")
              .doc("multiply-accumulates started per clock cycle"),
          LRT_CONFIG_KEY(accel.mac.zero_skip)
              .defaults_to("false")
              .source("Wiedemann et al. 2020: sparse dz makes the backward products sparse; off keeps the "
                      "dense schedule (zero operands hold their lane)")
              .doc("the MAC array skips MACs whose gradient (dz) operand is zero: fewer "
                   "cycles and no energy for them (docs/precision.md, Zero skipping)"),
          LRT_CONFIG_KEY_AT("accel.mac.add8_pj", accel.mac_energy.add8_pj)
              .unit("pJ/op")
              .defaults_to("0.03")
              .at_least(0.0)
              .source(cite(kHorowitz, "8 b integer add"))
              .doc("energy of an 8-bit addition"),
          LRT_CONFIG_KEY_AT("accel.mac.mult8_pj", accel.mac_energy.mult8_pj)
              .unit("pJ/op")
              .defaults_to("0.2")
              .at_least(0.0)
              .at_most(kMaxMult8Pj)
              .source(cite(kHorowitz, "8 b integer multiply"))
              .doc("energy of an 8-bit multiplication"),
          LRT_CONFIG_KEY_AT("accel.mac.add32_pj", accel.mac_energy.add32_pj)
              .unit("pJ/op")
              .defaults_to("0.1")
              .at_least(0.0)
              .source(cite(kHorowitz, "32 b integer add"))
              .doc("energy of a 32-bit addition"),
          LRT_CONFIG_KEY_AT("accel.mac.mult32_pj", accel.mac_energy.mult32_pj)
              .unit("pJ/op")
              .defaults_to("3.1")
              .at_least(0.0)
              .source(cite(kHorowitz, "32 b integer multiply"))
              .doc("energy of a 32-bit multiplication"),
      });
  return keys;
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
    if (k.member_path.empty()) fail("no member path");
    if (!paths.insert(k.path).second) fail("listed twice");
    for (std::size_t dot = k.path.find('.'); dot != std::string::npos; dot = k.path.find('.', dot + 1)) {
      sections.insert(k.path.substr(0, dot));
    }
    if (k.list != (k.type.rfind("list of ", 0) == 0)) fail("list flag and type disagree");
    const std::string item_type = k.list ? k.type.substr(std::string("list of ").size()) : k.type;
    const bool number =
        item_type == "int" || item_type == "uint32" || item_type == "uint64" || item_type == "double";
    if (number && (k.unit.empty() || k.unit == "-")) fail("a number needs a unit (\"1\" if dimensionless)");
    if (k.source.empty()) fail("no source for the default");
    if (k.description.empty()) fail("no description");
    if (item_type == "enum" && k.allowed.empty()) fail("an enum needs its values");
    if (!k.assign || !k.format || !k.same || !k.member || (k.list && !k.assign_list))
      fail("not bound to a Specs member");
  }
  for (const std::string& s : sections) {
    if (paths.count(s)) throw std::logic_error("config key table: " + s + " is both a key and a section");
  }
}

const KeySpec* key_of_member(const std::string& member_path) {
  const KeySpec* named = nullptr;
  for (const KeySpec& k : schema()) {
    if (k.member_path == member_path) return &k;
    if (k.path == member_path) named = &k;
  }
  return named;
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
