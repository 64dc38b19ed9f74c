// lrtsim pretrain end to end on a generated data set: the checkpoint it writes, the
// validation accuracy it reports, determinism, and exit code 2 for each class of bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "config/config.h"
#include "core/checkpoint.h"
#include "data/stream.h"
#include "golden/training/engine.h"
#include "golden/training/model_io.h"
#include "run_fixture.h"

namespace lrt::cli {
namespace {

using namespace run_testing;

double reported_validation_accuracy(const std::string& out) {
  const std::size_t at = out.find("validation_accuracy: ");
  if (at == std::string::npos) return -1.0;
  return std::strtod(out.c_str() + at + 21, nullptr);
}

TEST(CmdPretrain, WritesAModelThatClassifiesTheValidationStream) {
  const TinySetup s = tiny_setup("pretrain_ok");
  const CliResult r = run({"pretrain", s.config, "--out", s.model, "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  // 200 validation samples, 4 classes. Hoeffding: a model at chance (true accuracy 0.25)
  // reports >= 0.5 with probability <= exp(-2 * 200 * 0.25^2) = e^-25; one with true
  // accuracy >= 0.9 (reference run: 1.0) reports < 0.5 with probability <= e^-64.
  const double acc = reported_validation_accuracy(r.out);
  EXPECT_GE(acc, 0.5) << r.out;
  EXPECT_LE(acc, 1.0) << r.out;
  EXPECT_TRUE(contains(r.out, "pretrained 400 samples")) << r.out;

  // The checkpoint holds the configured network and reproduces the reported accuracy.
  const config::Specs specs = config::load_specs(s.config);
  golden::Engine engine(config::network_spec(specs), config::train_specs(specs));
  const Checkpoint ck = Checkpoint::read(s.model);
  EXPECT_EQ(ck.config_hash(), config::config_hash(specs));
  EXPECT_EQ(golden::trained_samples(ck), 400u);
  // The effective configuration is stored beside the weights and loads back to the same hash.
  const auto& stored = ck.bytes("config.yaml");
  const config::Specs again = config::parse_specs(std::string(stored.begin(), stored.end()), "stored");
  EXPECT_EQ(config::config_hash(again), config::config_hash(specs));
  golden::load_model(ck, engine);
  const data::Dataset ds = config::load_dataset(specs);
  const data::SampleStream val = ds.stream(data::Split::kValidation);
  int correct = 0;
  for (uint64_t i = 0; i < val.size(); ++i) {
    const data::Sample x = val.at(i);
    correct += engine.predict(x.pixels.data()) == x.label ? 1 : 0;
  }
  char expected[32];
  std::snprintf(expected, sizeof expected, "%.4f", correct / 200.0);
  EXPECT_TRUE(contains(r.out, std::string("validation_accuracy: ") + expected)) << r.out;
}

TEST(CmdPretrain, IsDeterministic) {
  const TinySetup s = tiny_setup("pretrain_det");
  ASSERT_EQ(run({"pretrain", s.config, "--out", s.dir + "/a.ckpt", "--force", "--samples", "50"}).code, 0);
  ASSERT_EQ(run({"pretrain", s.config, "--out", s.dir + "/b.ckpt", "--force", "--samples", "50"}).code, 0);
  ASSERT_EQ(run({"pretrain", s.config, "--out", s.dir + "/c.ckpt", "--force", "--samples", "50", "--set",
                 "run.seed=4"})
                .code,
            0);
  const std::string a = read_file(s.dir + "/a.ckpt");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, read_file(s.dir + "/b.ckpt"));
  EXPECT_NE(a, read_file(s.dir + "/c.ckpt"));  // another seed: other initial weights and samples
}

// --samples 0: the untrained model that runs "from scratch" deploy (scripts/reproduce.sh, Tables
// 2 and 3): exactly the initial weights of run.seed, no validation pass, and `lrtsim run` takes it.
TEST(CmdPretrain, ZeroSamplesWritesTheInitialModelOfTheSeed) {
  const TinySetup s = tiny_setup("pretrain_zero");
  const std::string a = s.dir + "/scratch_a.ckpt", b = s.dir + "/scratch_b.ckpt", other = s.dir + "/scratch4.ckpt";
  const CliResult r = run({"pretrain", s.config, "--out", a, "--force", "--samples", "0"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "pretrained 0 samples (untrained: the initial weights of run.seed 3)")) << r.out;
  EXPECT_FALSE(contains(r.out, "validation_accuracy")) << r.out;
  ASSERT_EQ(run({"pretrain", s.config, "--out", b, "--force", "--samples", "0"}).code, 0);
  ASSERT_EQ(run({"pretrain", s.config, "--out", other, "--force", "--samples", "0", "--set", "run.seed=4"}).code, 0);
  EXPECT_EQ(read_file(a), read_file(b));

  // Its weights and biases are those a freshly built engine of the same seed starts from.
  const config::Specs specs = config::load_specs(s.config);
  const golden::Engine fresh(config::network_spec(specs), config::pretrain_specs(specs));
  golden::Engine loaded(config::network_spec(specs), config::pretrain_specs(specs));
  const Checkpoint ck = Checkpoint::read(a);
  EXPECT_EQ(golden::trained_samples(ck), 0u);
  const config::Specs seed4 = config::load_specs(s.config, {"run.seed=4"});
  golden::Engine loaded4(config::network_spec(seed4), config::pretrain_specs(seed4));
  golden::load_model(ck, loaded);
  golden::load_model(Checkpoint::read(other), loaded4);
  bool any_differs_from_seed4 = false;
  ASSERT_FALSE(fresh.trainable_layers().empty());
  for (const int i : fresh.trainable_layers()) {
    const auto& w0 = fresh.affine(i).weight_codes();
    const auto& w1 = loaded.affine(i).weight_codes();
    const auto& w4 = loaded4.affine(i).weight_codes();
    ASSERT_EQ(w0.rows() * w0.cols(), w1.rows() * w1.cols());
    EXPECT_TRUE(std::equal(w0.data(), w0.data() + w0.rows() * w0.cols(), w1.data())) << "layer " << i;
    any_differs_from_seed4 |= !std::equal(w0.data(), w0.data() + w0.rows() * w0.cols(), w4.data());
    EXPECT_EQ(fresh.affine(i).bias_codes(), loaded.affine(i).bias_codes()) << "layer " << i;
  }
  EXPECT_TRUE(any_differs_from_seed4);  // another seed: other initial weights

  // An online run deploys it like any pre-trained model.
  const CliResult online = run({"run", s.config, "--out", s.dir + "/from_scratch", "--force", "--samples", "50",
                                "--set", "run.model=" + a});
  EXPECT_EQ(online.code, 0) << online.err;
  EXPECT_TRUE(std::filesystem::exists(s.dir + "/from_scratch/summary.json"));

  const CliResult negative = run({"pretrain", s.config, "--out", s.dir + "/x.ckpt", "--samples", "-1"});
  EXPECT_EQ(negative.code, 2);
  EXPECT_TRUE(contains(negative.err, "--samples")) << negative.err;
  EXPECT_FALSE(std::filesystem::exists(s.dir + "/x.ckpt"));
}

TEST(CmdPretrain, BadInputsExitWith2) {
  const TinySetup s = tiny_setup("pretrain_bad");
  ASSERT_EQ(run({"pretrain", s.config, "--out", s.model, "--force", "--samples", "5"}).code, 0);

  const CliResult exists = run({"pretrain", s.config, "--out", s.model, "--samples", "5"});
  EXPECT_EQ(exists.code, 2);
  EXPECT_TRUE(contains(exists.err, "already exists")) << exists.err;

  const CliResult bad_set = run({"pretrain", s.config, "--out", s.dir + "/x.ckpt", "--set", "pretrain.scheme=inference"});
  EXPECT_EQ(bad_set.code, 2);
  EXPECT_TRUE(contains(bad_set.err, "pretrain.scheme")) << bad_set.err;

  const CliResult shape = run({"pretrain", s.config, "--out", s.dir + "/x.ckpt", "--set", "network.input.h=14"});
  EXPECT_EQ(shape.code, 2);
  EXPECT_TRUE(contains(shape.err, "network.input")) << shape.err;
  EXPECT_TRUE(contains(shape.err, "12x12x1")) << shape.err;

  const CliResult classes = run({"pretrain", s.config, "--out", s.dir + "/x.ckpt", "--set",
                                 "network.layers=[conv3x3 4, maxpool2, fc 3]"});
  EXPECT_EQ(classes.code, 2);
  EXPECT_TRUE(contains(classes.err, "network.layers")) << classes.err;
  EXPECT_TRUE(contains(classes.err, "data.num_classes is 4")) << classes.err;

  const CliResult no_offline = run({"pretrain", s.config, "--out", s.dir + "/x.ckpt", "--set",
                                    "data.split.offline_train_samples=0"});
  EXPECT_EQ(no_offline.code, 2);
  EXPECT_TRUE(contains(no_offline.err, "data.split.offline_train_samples")) << no_offline.err;

  const CliResult missing_out = run({"pretrain", s.config});
  EXPECT_EQ(missing_out.code, 2);
  EXPECT_FALSE(std::filesystem::exists(s.dir + "/x.ckpt"));  // no failed call wrote anything
}

}  // namespace
}  // namespace lrt::cli
