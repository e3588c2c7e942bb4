// `pantry recommend CUSTOMER [--k 5] [--candidates 200] [--explain]`: one
// recommendation in-process, over the home's feature store and current
// models (read-only; works while `pantry serve` runs; workshop/local_recommend.h).
#include <iostream>

#include "pantry/cli/command.h"
#include "pantry/common/json.h"
#include "pantry/server/recommend_result_json.h"
#include "pantry/workshop/local_recommend.h"

namespace pantry::cli {
namespace {

struct RecommendOptions {
  std::string customer;
  int k = 5;
  int candidates = 200;
  bool explain = false;
};

Status RunRecommend(const GlobalOptions& globals, const RecommendOptions& o) {
  ASSIGN_OR_RETURN(std::filesystem::path home, globals.RequireHome());
  ASSIGN_OR_RETURN(
      recommend::RecommendResult result,
      workshop::RecommendFromHome(home, globals.clock(), {o.customer, o.k, o.candidates, o.explain},
                                  &globals.store_backends()));
  std::cout << DumpJson(server::RecommendResultToJson(result), 2) << std::endl;
  return Status::Ok();
}

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* cmd = app.add_subcommand(
      "recommend", "Recommend products for a customer in-process (see docs/recommend.md)");
  auto* o = NewCommandFlags<RecommendOptions>();
  cmd->add_option("customer", o->customer, "Customer id")->required();
  cmd->add_option("--k", o->k, "Items to return (default 5)")
      ->check(CLI::Range(1, recommend::kMaxK));
  cmd->add_option("--candidates", o->candidates, "FM candidates to re-rank (default 200)")
      ->check(CLI::Range(1, recommend::kMaxCandidates));
  cmd->add_flag("--explain", o->explain, "Include each item's largest feature contributions");
  SetAction(cmd, [&globals, o] { return RunRecommend(globals, *o); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(recommend, Setup);

}  // namespace pantry::cli
