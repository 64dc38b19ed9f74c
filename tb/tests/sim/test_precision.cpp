// sim::precision_assignment as a library, on the tiny run's pre-trained model: one assignment
// per trainable layer; the search returns the smallest B_min whose p_m is below the target
// (the one below it is not); a given B_min is used as given; the refusals name their key.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "sim/precision.h"
#include "sim/pretrain.h"
#include "tiny_run.h"

namespace lrt::sim {
namespace {

CheckpointSource pretrained(const config::Specs& specs) {
  const auto bytes = pretrain(specs, 1500, 1, {}, tiny_data()).model->serialize();
  return [bytes] { return Checkpoint::parse(bytes, "model"); };
}

TEST(PrecisionAssignment, SearchFindsTheSmallestBminBelowTheTarget) {
  const config::Specs specs = tiny_specs(1);
  const CheckpointSource model = pretrained(specs);
  int steps = 0;
  PrecisionHooks hooks;
  hooks.search_step = [&](int b, double) { EXPECT_EQ(b, ++steps); };
  const PrecisionResult r = precision_assignment(specs, model, {100, 0, 0.005}, hooks, tiny_data());
  EXPECT_EQ(r.estimation_samples, 100u);
  EXPECT_EQ(r.assignment.size(), 2u);  // conv, fc
  EXPECT_EQ(r.limits.size(), 2u);
  EXPECT_LT(r.mismatch, 0.005);
  EXPECT_EQ(steps, r.params.b_min);
  EXPECT_GT(r.params.b_min, 1);  // the search went past its first candidate
  if (r.params.b_min > 1) {
    const PrecisionResult below = precision_assignment(specs, model, {100, r.params.b_min - 1, 0.005}, {}, tiny_data());
    EXPECT_EQ(below.params.b_min, r.params.b_min - 1);
    EXPECT_GE(below.mismatch, 0.005);
  }
  const PrecisionResult given = precision_assignment(specs, model, {100, 12, 0.005}, {}, tiny_data());
  EXPECT_EQ(given.params.b_min, 12);
  for (size_t j = 0; j < 2; ++j) EXPECT_GE(given.assignment[j].b_w, r.assignment[j].b_w) << j;
}

TEST(PrecisionAssignment, RefusalsNameTheirKey) {
  const config::Specs specs = tiny_specs(1);
  const CheckpointSource model = pretrained(specs);
  auto key_of = [&](const config::Specs& s, const PrecisionRequest& q) {
    return refusal([&] { precision_assignment(s, model, q, {}, tiny_data()); });
  };
  EXPECT_NE(key_of(specs, {100, 0, 1.5}).find("--mismatch"), std::string::npos);
  EXPECT_NE(key_of(specs, {5000, 0, 0.01}).find("--samples"), std::string::npos);
  EXPECT_NE(key_of(tiny_specs(1, {"train.precision.weight_bits=[6,6]"}), {100, 0, 0.01}).find("train.precision"),
            std::string::npos);
}

}  // namespace
}  // namespace lrt::sim
