// `pantry train cf`, `pantry train rank` and `pantry eval`: flags to
// workshop requests (workshop/training.h, workshop/evaluation.h), and the
// results printed. Defaults are pantry's model defaults (models/cf_model.h).
// Layout of saved models: docs/models.md.
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "pantry/cli/command.h"
#include "pantry/common/json.h"
#include "pantry/workshop/evaluation.h"
#include "pantry/workshop/postgres_model_registry.h"
#include "pantry/workshop/retrieval_training.h"
#include "pantry/workshop/training.h"

namespace pantry::cli {
namespace {

struct CfFlags {
  int factors = models::DefaultCfHyperparameters().num_factors;
  int epochs = models::DefaultCfHyperparameters().epochs;
  int batch = models::DefaultCfHyperparameters().mini_batch_size;
  std::string optimizer{models::FmOptimizerName(models::DefaultCfHyperparameters().optimizer)};
  int threads = 0;
  uint64_t seed = models::kDefaultCfSeed;
  std::vector<std::string> hyperparameters;  // name=value
  std::string before;                        // only rows with event_time < this
  std::string target{models::CfTargetName(models::kDefaultCfTarget)};
  int negatives = models::kDefaultCfNegatives;
  // blend (models/retrieval) or fm (models/cf); the recommender serves
  // whichever was published last.
  std::string method = "blend";
};

struct RankFlags {
  int threads = 0;
  uint64_t seed = models::kDefaultRankSeed;
  std::vector<std::string> params;  // name=value
  bool no_click_features = false;
  std::string before;
  bool two_stage = false;
  std::string split;
};

struct EvalFlags {
  std::string data;
  CfFlags cf;
  RankFlags rank;
  std::string report;
  double rank_context_fraction = workshop::EvalRequest{}.rank_context_fraction;
};

// Splits "name=value" items of a repeatable flag and hands them to `set`.
template <typename SetFn>
Status SetEach(const std::vector<std::string>& items, const char* flag, SetFn set) {
  for (const std::string& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError(std::string(flag) + " '" + item + "': expected name=value");
    }
    RETURN_IF_ERROR(set(item.substr(0, eq), item.substr(eq + 1)).WithContext(flag));
  }
  return Status::Ok();
}

StatusOr<workshop::CfTrainingRequest> CfRequest(const CfFlags& flags, bool quiet) {
  auto target = models::ParseCfTarget(flags.target);
  if (!target.ok()) return target.status().WithContext("--target");
  if (flags.negatives < 1) return InvalidArgumentError("--negatives must be at least 1");
  workshop::CfTrainingRequest request = workshop::CfTrainingRequest::For(*target);
  models::FmHyperparameters& h = request.hyperparameters;
  h.num_factors = flags.factors;
  h.epochs = flags.epochs;
  h.mini_batch_size = flags.batch;
  h.num_threads = flags.threads;
  h.seed = flags.seed;
  RETURN_IF_ERROR(h.Set("optimizer", flags.optimizer));
  RETURN_IF_ERROR(SetEach(flags.hyperparameters, "--hp",
                          [&h](const auto& n, const auto& v) { return h.Set(n, v); }));
  RETURN_IF_ERROR(h.Validate());
  request.negatives = flags.negatives;
  request.split_seed = flags.seed;
  request.clicks = workshop::ClickRange::Before(flags.before);
  if (!quiet) {
    request.on_rows_loaded = [target = flags.target](size_t rows) {
      std::cout << "cf: " << rows << " rows (target " << target << ")\n";
    };
    request.on_epoch = [](const models::FmEpochReport& e) {
      std::cout << "epoch " << e.epoch << ": train " << std::fixed << std::setprecision(4)
                << e.train_metric << ", test " << e.validation_metric << " ("
                << std::setprecision(1) << e.seconds << " s)\n"
                << std::defaultfloat;
    };
  }
  return request;
}

StatusOr<workshop::RankTrainingRequest> RankRequest(const RankFlags& flags, bool quiet) {
  workshop::RankTrainingRequest request;
  request.params.nthread = flags.threads;
  RETURN_IF_ERROR(SetEach(flags.params, "--param", [&request](const auto& n, const auto& v) {
    return request.params.Set(n, v);
  }));
  request.seed = flags.seed;
  request.use_click_features = !flags.no_click_features;
  request.clicks = workshop::ClickRange::Before(flags.before);
  if (!quiet) {
    request.on_rows_loaded = [](size_t rows) { std::cout << "rank: " << rows << " click rows\n"; };
  }
  return request;
}

Status RunTrainBlend(const std::filesystem::path& home, const GlobalOptions& globals,
                     const CfFlags& flags) {
  workshop::RetrievalTrainingRequest request;
  request.clicks.before = flags.before;
  request.backends = &globals.store_backends();
  request.options.als.threads = flags.threads;
  request.options.item_knn.threads = flags.threads;
  workshop::RetrievalTrainingMetrics metrics;
  ASSIGN_OR_RETURN(std::filesystem::path dir,
                   workshop::TrainAndPublishRetrieval(home, globals.clock(), request, &metrics));
  RETURN_IF_ERROR(workshop::PushModelsToSharedRegistry(home, globals.store_backends()));
  std::cout << "retrieval (blend: als + item_knn + category popularity): " << metrics.evidence_pairs
            << " customer-product pairs from " << metrics.order_rows << " order rows and "
            << metrics.bought_click_rows << " bought clicks, " << std::fixed << std::setprecision(1)
            << metrics.train_seconds << " s\nsaved " << dir.string() << "\n";
  return Status::Ok();
}

Status RunTrainCf(const GlobalOptions& globals, const CfFlags& flags) {
  ASSIGN_OR_RETURN(std::filesystem::path home, globals.RequireHome());
  // Parsed for both methods so that a bad FM flag is refused either way.
  ASSIGN_OR_RETURN(workshop::CfTrainingRequest request, CfRequest(flags, globals.quiet()));
  if (flags.method == "blend") return RunTrainBlend(home, globals, flags);
  if (flags.method != "fm") {
    return InvalidArgumentError("unknown --method '" + flags.method + "' (blend or fm)");
  }
  request.backends = &globals.store_backends();
  models::CfTrainingMetrics metrics;
  ASSIGN_OR_RETURN(std::filesystem::path dir,
                   workshop::TrainAndPublishCf(home, globals.clock(), request, &metrics));
  const Json json = workshop::CfMetricsJson(metrics);
  std::cout << "cf model: train " << json["train_metric"] << ", test " << json["test_metric"]
            << " (" << metrics.metric_name() << ")\nsaved " << dir.string() << "\n";
  return Status::Ok();
}

Status RunTrainRank(const GlobalOptions& globals, const RankFlags& flags) {
  ASSIGN_OR_RETURN(std::filesystem::path home, globals.RequireHome());
  ASSIGN_OR_RETURN(workshop::RankTrainingRequest request, RankRequest(flags, globals.quiet()));
  request.backends = &globals.store_backends();
  models::RankTrainingMetrics metrics;
  std::filesystem::path dir;
  if (flags.two_stage) {
    models::RetrievalTrainOptions retrieval;
    retrieval.als.threads = flags.threads;
    retrieval.item_knn.threads = flags.threads;
    ASSIGN_OR_RETURN(dir, workshop::TrainAndPublishTwoStageRank(home, globals.clock(), request,
                                                                flags.split, retrieval, &metrics));
    RETURN_IF_ERROR(workshop::PushModelsToSharedRegistry(home, globals.store_backends()));
  } else {
    if (!flags.split.empty()) return InvalidArgumentError("--split needs --two-stage");
    ASSIGN_OR_RETURN(dir, workshop::TrainAndPublishRank(home, globals.clock(), request, &metrics));
  }
  const Json json = workshop::RankMetricsJson(metrics);
  std::cout << "rank model: validation " << json["validation"].dump() << ", test "
            << json["test"].dump() << "\nsaved " << dir.string() << "\n";
  return Status::Ok();
}

std::string Fixed4(std::optional<double> value) {
  if (!value.has_value()) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(4) << *value;
  return out.str();
}

void PrintRecallRow(const std::string& name, std::optional<double> at_10,
                    std::optional<double> at_100) {
  std::cout << std::setw(40) << name << std::setw(12) << Fixed4(at_10) << Fixed4(at_100) << "\n";
}

void PrintEvalTable(const workshop::EvalReport& r) {
  const workshop::DatasetSummary& t = r.truth;
  const workshop::BlendEvaluation& b = r.retrieval;
  std::cout << "\n"
            << std::left << std::setw(40)
            << ("retrieval (" + std::to_string(r.eval_customers) + " eval customers)")
            << std::setw(12) << "recall@10"
            << "recall@100\n";
  PrintRecallRow("blend (pantry)", b.blend.at_10, b.blend.at_100);
  PrintRecallRow("ALS alone", b.als.at_10, b.als.at_100);
  PrintRecallRow("item-kNN (baseline)", b.item_knn.at_10, b.item_knn.at_100);
  PrintRecallRow("popularity (truth)", t.popularity_recall_at_10, t.popularity_recall_at_100);
  PrintRecallRow("oracle (truth)", t.oracle_recall_at_10, t.oracle_recall_at_100);
  PrintRecallRow("FM (workshop)", r.cf.recall_at_10, r.cf.recall_at_100);
  const size_t warm = r.eval_customers - b.cold_customers;
  // A subset without customers has no mean: "-".
  auto subset = [](size_t n, double value) {
    return n == 0 ? std::nullopt : std::optional<double>(value);
  };
  PrintRecallRow("blend, cold start (" + std::to_string(b.cold_customers) + ")",
                 subset(b.cold_customers, b.blend_cold.at_10),
                 subset(b.cold_customers, b.blend_cold.at_100));
  PrintRecallRow("blend, with history (" + std::to_string(warm) + ")",
                 subset(warm, b.blend_warm.at_10), subset(warm, b.blend_warm.at_100));
  PrintRecallRow("blend, cold start by profile (" + std::to_string(r.eval_customers) + ")",
                 subset(r.eval_customers, b.blend_profile_only.at_10),
                 subset(r.eval_customers, b.blend_profile_only.at_100));
  std::cout << "\n"
            << std::setw(34) << "metric" << std::setw(10) << "pantry" << std::setw(10) << "oracle"
            << "baseline\n";
  std::cout << std::setw(34) << "ranker AUC (held-out clicks)" << std::setw(10)
            << Fixed4(r.rank.auc) << std::setw(10) << Fixed4(t.oracle_auc)
            << Fixed4(r.rank.auc_without_click_features)
            << " (pantry without click features; oracle without: "
            << Fixed4(t.oracle_auc_without_activity) << ")\n";
  if (r.rank.two_stage) {
    std::cout << std::setw(34) << "ranker AUC, single-stage view" << std::setw(10)
              << Fixed4(r.rank.auc_single_stage) << std::setw(10) << Fixed4(t.oracle_auc)
              << "(two-stage ranker trained on clicks from " << r.rank.train_from << ")\n";
  }
}

Status RunEval(const GlobalOptions& globals, const EvalFlags& flags) {
  ASSIGN_OR_RETURN(std::filesystem::path home, globals.RequireHome());
  workshop::EvalRequest request;
  request.data = flags.data;
  ASSIGN_OR_RETURN(request.cf, CfRequest(flags.cf, globals.quiet()));
  RankFlags rank = flags.rank;
  rank.threads = flags.cf.threads;
  rank.seed = flags.cf.seed;
  ASSIGN_OR_RETURN(request.rank, RankRequest(rank, globals.quiet()));
  request.rank_context_fraction = flags.rank_context_fraction;
  request.backends = &globals.store_backends();
  request.retrieval.als.threads = flags.cf.threads;
  request.retrieval.item_knn.threads = flags.cf.threads;
  if (!globals.quiet()) {
    request.on_group_loaded = [](const workshop::GroupLoad& load) {
      if (load.file_missing) return;
      std::cout << "loaded " << load.rows << " rows into " << load.group << " (" << load.seconds
                << " s)\n";
    };
  }
  ASSIGN_OR_RETURN(workshop::EvalReport report, workshop::RunEval(home, globals.clock(), request));
  PrintEvalTable(report);
  if (!flags.report.empty()) {
    RETURN_IF_ERROR(workshop::WriteEvalReport(flags.report, report));
    std::cout << "report: " << flags.report << "\n";
  }
  return Status::Ok();
}

void AddCfFlags(CLI::App* cmd, CfFlags* flags) {
  cmd->add_option("--factors", flags->factors, "num_factors")->capture_default_str();
  cmd->add_option("--epochs", flags->epochs, "Training epochs")->capture_default_str();
  cmd->add_option("--batch", flags->batch, "mini_batch_size")->capture_default_str();
  cmd->add_option("--optimizer", flags->optimizer, "sgd, adagrad or adam")->capture_default_str();
  cmd->add_option("--threads", flags->threads, "Training threads (0 = all cores)")
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "Seed for the split and the initialisation")
      ->capture_default_str();
  cmd->add_option("--target", flags->target,
                  "rating: regressor on the rating of purchased rows (the workshop); bought: "
                  "binary classifier of bought over all click rows; implicit: purchased rows "
                  "against --negatives products sampled from the catalog")
      ->capture_default_str();
  cmd->add_option("--negatives", flags->negatives,
                  "Sampled negatives per purchase for --target implicit")
      ->capture_default_str();
  cmd->add_option("--hp", flags->hyperparameters,
                  "Any FM hyperparameter as name=value (e.g. --hp factors_lr=0.005); repeatable");
}

void AddRankFlags(CLI::App* cmd, RankFlags* flags) {
  cmd->add_option("--threads", flags->threads, "XGBoost training threads (0 = all cores)")
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "Seed for the split and subsampling")
      ->capture_default_str();
  cmd->add_option("--param", flags->params,
                  "XGBoost parameter as name=value (max_depth, eta, gamma, min_child_weight, "
                  "subsample, objective, num_round, tree_method); repeatable");
}

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* train = app.add_subcommand("train", "Train the CF (FM) or ranking (XGBoost) model");
  train->require_subcommand(1);
  CLI::App* cf = train->add_subcommand(
      "cf",
      "Train candidate retrieval on the offline store's purchases (blend, or the workshop's FM)");
  static CfFlags cf_flags;
  AddCfFlags(cf, &cf_flags);
  cf->add_option("--method", cf_flags.method,
                 "blend: ALS + item kNN + category popularity, published as models/retrieval; "
                 "fm: the workshop's factorization machine, published as models/cf. The "
                 "recommender serves the one published last")
      ->check(CLI::IsMember({"blend", "fm"}))
      ->capture_default_str();
  cf->add_option("--before", cf_flags.before, "Use only click rows with event_time before this");
  SetAction(cf, [&globals] { return RunTrainCf(globals, cf_flags); });

  CLI::App* rank = train->add_subcommand("rank", "Train the XGBoost ranker on the click history");
  static RankFlags rank_flags;
  AddRankFlags(rank, &rank_flags);
  rank->add_flag("--no-click-features", rank_flags.no_click_features,
                 "Leave out healthy_activity_last_2m (baseline)");
  rank->add_option("--before", rank_flags.before,
                   "Use only click rows with event_time before this");
  rank->add_flag("--two-stage", rank_flags.two_stage,
                 "Add the customer's category affinity and the blended retrieval's scores as "
                 "features (docs/models.md); publishes the blend they came from as well");
  rank->add_option("--split", rank_flags.split,
                   "--two-stage: the features come from purchases before this time, the ranker "
                   "trains on the clicks from it on (ISO-8601)");
  SetAction(rank, [&globals] { return RunTrainRank(globals, rank_flags); });

  CLI::App* eval = app.add_subcommand(
      "eval", "Train on a generated dataset and score against its truth/ (recall, AUC)");
  static EvalFlags eval_flags;
  eval->add_option("--data", eval_flags.data, "Dataset folder written by `pantry generate`")
      ->required();
  eval->add_option("--report", eval_flags.report, "Write the JSON report here");
  AddCfFlags(eval, &eval_flags.cf);
  eval->add_option("--rank-param", eval_flags.rank.params, "XGBoost parameter name=value");
  eval->add_option("--rank-context-fraction", eval_flags.rank_context_fraction,
                   "Two-stage ranker: the share of the time before the held-out clicks whose "
                   "purchases train its context (blend, category affinity); it trains on the "
                   "clicks after. 0: the single-stage ranker only")
      ->check(CLI::Range(0.0, 0.95))
      ->capture_default_str();
  SetAction(eval, [&globals] { return RunEval(globals, eval_flags); });
}

}  // namespace
PANTRY_REGISTER_COMMANDS(models, Setup);
}  // namespace pantry::cli
