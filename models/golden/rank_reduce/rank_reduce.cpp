// Names of the rank-reduce modes and arithmetics, and the factory over both implementations.
#include "golden/rank_reduce/rank_reduce.h"

#include <stdexcept>

#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "golden/rank_reduce/rank_reduce_float.h"

namespace lrt::golden {

RankReduceMode parse_rank_reduce_mode(const std::string& text) {
  if (text == "biased") return RankReduceMode::kBiased;
  if (text == "unbiased") return RankReduceMode::kUnbiased;
  throw std::invalid_argument("rank-reduce mode '" + text + "': expected biased or unbiased");
}

const char* to_string(RankReduceMode mode) {
  switch (mode) {
    case RankReduceMode::kBiased: return "biased";
    case RankReduceMode::kUnbiased: return "unbiased";
  }
  throw std::invalid_argument("unknown RankReduceMode");
}

RankReduceArith parse_rank_reduce_arith(const std::string& text) {
  if (text == "float") return RankReduceArith::kFloat;
  if (text == "fixed") return RankReduceArith::kFixed;
  throw std::invalid_argument("rank-reduce arithmetic '" + text + "': expected float or fixed");
}

const char* to_string(RankReduceArith arith) {
  switch (arith) {
    case RankReduceArith::kFloat: return "float";
    case RankReduceArith::kFixed: return "fixed";
  }
  throw std::invalid_argument("unknown RankReduceArith");
}

std::unique_ptr<RankReducer> make_rank_reducer(const RankReduceParams& params, RankReduceArith arith) {
  switch (arith) {
    case RankReduceArith::kFloat: return std::make_unique<RankReduceFloat>(params);
    case RankReduceArith::kFixed: return std::make_unique<RankReduceFixed>(params);
  }
  throw std::invalid_argument("unknown RankReduceArith");
}

}  // namespace lrt::golden
