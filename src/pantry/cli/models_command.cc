// `pantry train cf`, `pantry train rank` and `pantry eval`: run the
// workshop's training queries through the feature store's read-only SQL API
// and hand the rows to pantry/models (which knows nothing of storage).
// Layout of saved models: docs/models.md.
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "pantry/cli/command.h"
#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/common/progress.h"
#include "pantry/common/time_format.h"
#include "pantry/datagen/ground_truth.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/ingest.h"
#include "pantry/models/cf_model.h"
#include "pantry/models/metrics.h"
#include "pantry/models/model_store.h"
#include "pantry/models/rank_model.h"

namespace pantry::cli {
namespace {

using featurestore::FeatureValue;

struct CfFlags {
  int factors = 64;
  int epochs = 20;
  int batch = 1000;
  std::string optimizer = "adam";
  int threads = 0;
  uint64_t seed = 42;
  std::vector<std::string> hyperparameters;  // name=value
  std::string before;                        // only rows with event_time < this
  std::string target = "rating";
  int negatives = 4;
};

struct RankFlags {
  int threads = 0;
  uint64_t seed = 42;
  std::vector<std::string> params;  // name=value
  bool no_click_features = false;
  std::string before;
};

struct EvalFlags {
  std::string data;
  CfFlags cf;
  RankFlags rank;
  std::string report;
};

// The workshop's CF query: purchased (bought = 1) click rows with rating,
// joined with the customer's is_married/state and the product's name.
// With target "bought" (pantry's option) every click row is used and the
// FM is a binary classifier of bought.
std::string CfQuery(const std::string& before, const std::string& target) {
  std::string sql =
      "SELECT cs.customer_id, c.is_married, c.state, cs.product_id, p.product_name, " +
      std::string(target == "bought" ? "cs.bought" : "cs.rating") +
      " FROM click_stream_historical cs "
      "JOIN customers c ON c.customer_id = cs.customer_id "
      "JOIN products p ON p.product_id = cs.product_id WHERE " +
      std::string(target == "bought" ? "1 = 1" : "cs.bought = 1");
  if (!before.empty()) sql += " AND cs.event_time < '" + before + "'";
  return sql;
}

// The workshop's ranking query; `where` selects a time range.
std::string RankQuery(const std::string& where) {
  std::string sql =
      "SELECT cs.bought, cs.healthy_activity_last_2m, p.product_health_index, "
      "c.customer_health_index, p.product_category "
      "FROM click_stream_historical cs "
      "JOIN customers c ON c.customer_id = cs.customer_id "
      "JOIN products p ON p.product_id = cs.product_id";
  if (!where.empty()) sql += " WHERE " + where;
  return sql;
}

Status CheckTimestamp(const std::string& value, const char* flag) {
  if (value.empty()) return Status::Ok();
  auto parsed = ParseIso8601Micros(value);
  if (!parsed.ok()) {
    return InvalidArgumentError(std::string(flag) + ": '" + value + "' is not an ISO-8601 time");
  }
  return Status::Ok();
}

StatusOr<double> AsNumber(const FeatureValue& value, const char* column, size_t row) {
  auto number = value.AsDouble();
  if (!number.has_value() || !std::isfinite(*number)) {
    return InvalidArgumentError("query row " + std::to_string(row) + ", column " + column +
                                ": expected a finite number, got '" + value.ToString() + "'");
  }
  return *number;
}

StatusOr<std::vector<models::CfExample>> LoadCfExamples(const featurestore::FeatureStore& store,
                                                        const std::string& before,
                                                        const std::string& target) {
  std::vector<models::CfExample> examples;
  Status status =
      store.QueryEach(CfQuery(before, target), nullptr, [&](std::span<const FeatureValue> row) {
        models::CfExample e;
        e.customer_id = row[0].ToString();
        e.is_married = row[1].ToString();
        e.state = row[2].ToString();
        e.product_id = row[3].ToString();
        e.product_name = row[4].ToString();
        ASSIGN_OR_RETURN(double rating, AsNumber(row[5], "target", examples.size()));
        e.rating = static_cast<float>(rating);
        examples.push_back(std::move(e));
        return Status::Ok();
      });
  if (!status.ok()) return status.WithContext("CF training query");
  return examples;
}

StatusOr<std::vector<models::RankExample>> LoadRankExamples(const featurestore::FeatureStore& store,
                                                            const std::string& where) {
  std::vector<models::RankExample> examples;
  Status status =
      store.QueryEach(RankQuery(where), nullptr, [&](std::span<const FeatureValue> row) {
        models::RankExample e;
        const char* names[] = {"bought", "healthy_activity_last_2m", "product_health_index",
                               "customer_health_index"};
        double values[4];
        for (int c = 0; c < 4; ++c) {
          ASSIGN_OR_RETURN(values[c], AsNumber(row[c], names[c], examples.size()));
        }
        e.bought = static_cast<float>(values[0]);
        e.healthy_activity_last_2m = static_cast<float>(values[1]);
        e.product_health_index = static_cast<float>(values[2]);
        e.customer_health_index = static_cast<float>(values[3]);
        e.product_category = row[4].ToString();
        examples.push_back(std::move(e));
        return Status::Ok();
      });
  if (!status.ok()) return status.WithContext("ranking training query");
  return examples;
}

StatusOr<models::FmHyperparameters> CfHyperparameters(const CfFlags& flags) {
  models::FmHyperparameters h;
  // pantry's CLI defaults (docs/models.md): Adam with learning rates that
  // converge in 20 epochs; SageMaker's defaults remain the library's.
  h.bias_lr = 0.01;
  h.linear_lr = 0.01;
  h.factors_lr = 0.01;
  h.bias_wd = 0;
  h.linear_wd = 1e-4;
  h.factors_wd = 1e-4;
  h.factors_init_sigma = 0.01;
  h.num_factors = flags.factors;
  h.epochs = flags.epochs;
  h.mini_batch_size = flags.batch;
  h.num_threads = flags.threads;
  h.seed = flags.seed;
  if (flags.target == "bought" || flags.target == "implicit") {
    h.predictor_type = models::PredictorType::kBinaryClassifier;
  } else if (flags.target != "rating") {
    return InvalidArgumentError("--target: '" + flags.target +
                                "' is not rating, bought or implicit");
  }
  if (flags.negatives < 1) return InvalidArgumentError("--negatives must be at least 1");
  RETURN_IF_ERROR(h.Set("optimizer", flags.optimizer));
  for (const std::string& item : flags.hyperparameters) {
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError("--hp '" + item + "': expected name=value");
    }
    RETURN_IF_ERROR(h.Set(item.substr(0, eq), item.substr(eq + 1)).WithContext("--hp"));
  }
  RETURN_IF_ERROR(h.Validate());
  return h;
}

StatusOr<models::RankerParams> RankParams(const RankFlags& flags) {
  models::RankerParams params;
  params.nthread = flags.threads;
  params.seed = flags.seed;
  for (const std::string& item : flags.params) {
    auto eq = item.find('=');
    if (eq == std::string::npos)
      return InvalidArgumentError("--param '" + item + "': expected name=value");
    RETURN_IF_ERROR(params.Set(item.substr(0, eq), item.substr(eq + 1)).WithContext("--param"));
  }
  return params;
}

StatusOr<std::unique_ptr<featurestore::FeatureStore>> OpenStore(const GlobalOptions& globals,
                                                                bool read_only) {
  ASSIGN_OR_RETURN(std::filesystem::path home, globals.RequireHome());
  featurestore::FeatureStoreOptions options;
  options.home = home;
  options.read_only = read_only;
  options.clock = globals.clock();
  return featurestore::FeatureStore::Open(options);
}

StatusOr<models::CfModel> TrainCf(const featurestore::FeatureStore& store, const CfFlags& flags,
                                  bool quiet, Json* metrics) {
  RETURN_IF_ERROR(CheckTimestamp(flags.before, "--before"));
  ASSIGN_OR_RETURN(models::FmHyperparameters h, CfHyperparameters(flags));
  ASSIGN_OR_RETURN(std::vector<models::CfExample> examples,
                   LoadCfExamples(store, flags.before, flags.target));
  if (!quiet) std::cout << "cf: " << examples.size() << " rows (target " << flags.target << ")\n";
  models::CfTrainOptions options;
  options.hyperparameters = h;
  options.split_seed = flags.seed;
  std::vector<std::string> catalog_ids, catalog_names;
  if (flags.target == "implicit") {
    ASSIGN_OR_RETURN(featurestore::QueryResult products,
                     store.Query("SELECT product_id, product_name FROM products"));
    for (const auto& row : products.rows) {
      catalog_ids.push_back(row[0].ToString());
      catalog_names.push_back(row[1].ToString());
    }
    options.negatives_per_positive = flags.negatives;
    options.catalog_ids = catalog_ids;
    options.catalog_names = catalog_names;
  }
  const size_t total_rows =
      examples.size() * (flags.target == "implicit" ? 1 + static_cast<size_t>(flags.negatives) : 1);
  const size_t train_rows = total_rows - static_cast<size_t>(0.2 * total_rows);
  ProgressBar progress("cf training", static_cast<int64_t>(train_rows) * h.epochs);
  std::mutex progress_mutex;
  if (!quiet) {
    options.fm.on_rows = [&](size_t rows) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress.Add(static_cast<int64_t>(rows));
    };
    options.fm.on_epoch = [](const models::FmEpochReport& e) {
      std::cout << "epoch " << e.epoch << ": train " << std::fixed << std::setprecision(4)
                << e.train_metric << ", test " << e.validation_metric << " ("
                << std::setprecision(1) << e.seconds << " s)\n"
                << std::defaultfloat;
    };
  }
  return models::CfModel::Train(examples, options, metrics);
}

StatusOr<models::RankModel> TrainRank(const featurestore::FeatureStore& store,
                                      const RankFlags& flags, bool quiet, Json* metrics) {
  RETURN_IF_ERROR(CheckTimestamp(flags.before, "--before"));
  ASSIGN_OR_RETURN(models::RankerParams params, RankParams(flags));
  std::string where = flags.before.empty() ? "" : "cs.event_time < '" + flags.before + "'";
  ASSIGN_OR_RETURN(std::vector<models::RankExample> examples, LoadRankExamples(store, where));
  if (!quiet) std::cout << "rank: " << examples.size() << " click rows\n";
  models::RankTrainOptions options;
  options.params = params;
  options.split_seed = flags.seed;
  options.use_click_features = !flags.no_click_features;
  return models::RankModel::Train(examples, options, metrics);
}

Status RunTrainCf(const GlobalOptions& globals, const CfFlags& flags) {
  ASSIGN_OR_RETURN(auto store, OpenStore(globals, /*read_only=*/true));
  Json metrics;
  ASSIGN_OR_RETURN(models::CfModel model, TrainCf(*store, flags, globals.quiet(), &metrics));
  ASSIGN_OR_RETURN(auto dir, models::PublishModelVersion(
                                 globals.home(), "cf", *globals.clock(),
                                 [&](const std::filesystem::path& d) -> Status {
                                   RETURN_IF_ERROR(model.Save(d));
                                   return WriteFileAtomic(d / "metrics.json", DumpJson(metrics, 2));
                                 }));
  std::cout << "cf model: train " << metrics["train_metric"] << ", test " << metrics["test_metric"]
            << " (" << metrics["metric"].get<std::string>() << ")"
            << "\nsaved " << dir.string() << "\n";
  return Status::Ok();
}

Status RunTrainRank(const GlobalOptions& globals, const RankFlags& flags) {
  ASSIGN_OR_RETURN(auto store, OpenStore(globals, /*read_only=*/true));
  Json metrics;
  ASSIGN_OR_RETURN(models::RankModel model, TrainRank(*store, flags, globals.quiet(), &metrics));
  ASSIGN_OR_RETURN(auto dir, models::PublishModelVersion(
                                 globals.home(), "rank", *globals.clock(),
                                 [&](const std::filesystem::path& d) -> Status {
                                   RETURN_IF_ERROR(model.Save(d));
                                   return WriteFileAtomic(d / "metrics.json", DumpJson(metrics, 2));
                                 }));
  std::cout << "rank model: validation " << metrics["validation"].dump() << ", test "
            << metrics["test"].dump() << "\nsaved " << dir.string() << "\n";
  return Status::Ok();
}

// ---- eval ----------------------------------------------------------------

using featurestore::FeatureDefinition;
using featurestore::FeatureType;

struct GroupSpec {
  const char* name;
  const char* file;
  const char* id;
  std::vector<FeatureDefinition> features;
  bool has_event_time;
};

// Creates and fills the three workshop groups from a generated dataset
// unless the home already has them.
Status EnsureGroups(featurestore::FeatureStore& store, const std::filesystem::path& data,
                    bool quiet) {
  const FeatureType S = FeatureType::kString, I = FeatureType::kIntegral,
                    F = FeatureType::kFractional;
  std::vector<GroupSpec> specs = {
      {"customers",
       "customers.csv",
       "customer_id",
       {{"customer_id", S},
        {"name", S},
        {"state", S},
        {"age", I},
        {"is_married", I},
        {"customer_health_index", F},
        {"event_time", S}},
       false},
      {"products",
       "products.csv",
       "product_id",
       {{"product_name", S},
        {"product_category", S},
        {"product_id", S},
        {"product_health_index", F},
        {"event_time", S}},
       false},
      {"click_stream_historical",
       "click_stream_historical.csv",
       "customer_id",
       {{"customer_id", S},
        {"product_id", S},
        {"bought", I},
        {"rating", I},
        {"healthy_activity_last_2m", F},
        {"event_time", S}},
       true},
  };
  for (GroupSpec& spec : specs) {
    if (store.DescribeFeatureGroup(spec.name).ok()) continue;
    featurestore::FeatureGroupDefinition definition;
    definition.name = spec.name;
    definition.record_identifier_name = spec.id;
    definition.event_time_name = "event_time";
    definition.features = spec.features;
    // Only the offline store is needed for training; skipping the online
    // store keeps a 1M-row click load fast.
    definition.online_enabled = std::string(spec.name) != "click_stream_historical";
    RETURN_IF_ERROR(store.CreateFeatureGroup(definition));
    auto start = std::chrono::steady_clock::now();
    featurestore::IngestOptions options;
    options.event_time_now = !spec.has_event_time;
    options.batch_size = 50000;
    ASSIGN_OR_RETURN(auto report,
                     featurestore::IngestCsv(store, spec.name, data / spec.file, options));
    const int64_t rows = report.rows_committed;
    if (!quiet) {
      std::cout << "loaded " << rows << " rows into " << spec.name << " ("
                << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
                << " s)\n";
    }
  }
  return Status::Ok();
}

Status RunEval(const GlobalOptions& globals, const EvalFlags& flags) {
  const std::filesystem::path data = flags.data;
  ASSIGN_OR_RETURN(datagen::GroundTruth truth, datagen::LoadGroundTruth(data));
  ASSIGN_OR_RETURN(std::string heldout_from, GetJsonString(truth.summary, "click_heldout_from"));
  {
    ASSIGN_OR_RETURN(auto store, OpenStore(globals, /*read_only=*/false));
    RETURN_IF_ERROR(EnsureGroups(*store, data, globals.quiet()));
  }
  ASSIGN_OR_RETURN(auto store, OpenStore(globals, /*read_only=*/true));
  const bool quiet = globals.quiet();

  // CF: train on clicks before the held-out period, then full-catalog
  // retrieval for every evaluation customer.
  CfFlags cf_flags = flags.cf;
  cf_flags.before = heldout_from;
  auto cf_start = std::chrono::steady_clock::now();
  Json cf_metrics;
  ASSIGN_OR_RETURN(models::CfModel cf, TrainCf(*store, cf_flags, quiet, &cf_metrics));
  double cf_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - cf_start).count();
  ASSIGN_OR_RETURN(featurestore::QueryResult products,
                   store->Query("SELECT product_id, product_name FROM products"));
  std::vector<std::string> product_ids, product_names;
  for (const auto& row : products.rows) {
    product_ids.push_back(row[0].ToString());
    product_names.push_back(row[1].ToString());
  }
  ASSIGN_OR_RETURN(models::FmCatalogIndex index, cf.BuildCatalogIndex(product_ids, product_names));
  ASSIGN_OR_RETURN(featurestore::QueryResult customers,
                   store->Query("SELECT customer_id, is_married, state FROM customers"));
  std::unordered_map<std::string, std::pair<std::string, std::string>> customer_features;
  for (const auto& row : customers.rows) {
    customer_features[row[0].ToString()] = {row[1].ToString(), row[2].ToString()};
  }
  std::vector<uint32_t> indices;
  std::vector<float> values;
  auto retrieval_start = std::chrono::steady_clock::now();
  size_t retrievals = 0;
  auto rank_customer = [&](const std::string& customer) {
    indices.clear();
    values.clear();
    auto it = customer_features.find(customer);
    if (it != customer_features.end()) {
      cf.EncodeCustomer(customer, it->second.first, it->second.second, &indices, &values);
    }
    auto top = index.TopK(models::FmCatalogIndex::EncodeCustomer(cf.fm(), {indices, values}), 100);
    ++retrievals;
    std::vector<std::string> ranked;
    for (const auto& item : top) ranked.push_back(product_ids[item.product]);
    return ranked;
  };
  double recall10 = datagen::MeanRecallAtK(truth, 10, rank_customer);
  double recall100 = datagen::MeanRecallAtK(truth, 100, rank_customer);
  double retrieval_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - retrieval_start)
          .count() /
      std::max<size_t>(1, retrievals);

  // Ranker: trained on clicks before the held-out period (its own 70/20/10
  // split), scored on the held-out clicks; once more without the click
  // feature.
  ASSIGN_OR_RETURN(std::vector<models::RankExample> heldout,
                   LoadRankExamples(*store, "cs.event_time >= '" + heldout_from + "'"));
  std::vector<float> heldout_labels;
  for (const auto& e : heldout) heldout_labels.push_back(e.bought);
  auto rank_auc = [&](bool click_features, Json* metrics) -> StatusOr<double> {
    RankFlags rank_flags = flags.rank;
    rank_flags.before = heldout_from;
    rank_flags.no_click_features = !click_features;
    ASSIGN_OR_RETURN(models::RankModel model, TrainRank(*store, rank_flags, quiet, metrics));
    ASSIGN_OR_RETURN(std::vector<float> p, model.Predict(heldout));
    return models::Auc(p, heldout_labels);
  };
  auto rank_start = std::chrono::steady_clock::now();
  Json rank_metrics, rank_no_click_metrics;
  ASSIGN_OR_RETURN(double auc, rank_auc(true, &rank_metrics));
  ASSIGN_OR_RETURN(double auc_no_click, rank_auc(false, &rank_no_click_metrics));
  double rank_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - rank_start).count();

  const Json& s = truth.summary;
  auto number = [&](const char* key) { return s.contains(key) ? s[key] : Json(); };
  OrderedJson report;
  report["dataset"] = data.string();
  report["customers"] = number("customers");
  report["products"] = number("products");
  report["click_rows"] = number("click_rows");
  report["eval_customers"] = truth.eval_customers.size();
  report["cf"] = {{"recall_at_10", recall10},
                  {"recall_at_100", recall100},
                  {"oracle_recall_at_10", number("oracle_recall_at_10")},
                  {"oracle_recall_at_100", number("oracle_recall_at_100")},
                  {"popularity_recall_at_10", number("popularity_recall_at_10")},
                  {"popularity_recall_at_100", number("popularity_recall_at_100")},
                  {"train_seconds", cf_seconds},
                  {"retrieval_ms_per_customer", retrieval_ms},
                  {"training", cf_metrics}};
  report["rank"] = {{"heldout_rows", heldout.size()},
                    {"auc", auc},
                    {"auc_without_click_features", auc_no_click},
                    {"oracle_auc", number("oracle_auc")},
                    {"oracle_auc_without_activity", number("oracle_auc_without_activity")},
                    {"train_seconds_both", rank_seconds},
                    {"training", rank_metrics},
                    {"training_without_click_features", rank_no_click_metrics}};

  auto fmt = [](const Json& v) {
    if (!v.is_number()) return std::string("-");
    std::ostringstream out;
    out << std::fixed << std::setprecision(4) << v.get<double>();
    return out.str();
  };
  std::cout << "\n"
            << std::left << std::setw(34) << "metric" << std::setw(10) << "pantry" << std::setw(10)
            << "oracle"
            << "baseline\n";
  std::cout << std::setw(34) << "CF recall@10" << std::setw(10) << fmt(recall10) << std::setw(10)
            << fmt(number("oracle_recall_at_10")) << fmt(number("popularity_recall_at_10"))
            << " (popularity)\n";
  std::cout << std::setw(34) << "CF recall@100" << std::setw(10) << fmt(recall100) << std::setw(10)
            << fmt(number("oracle_recall_at_100")) << fmt(number("popularity_recall_at_100"))
            << " (popularity)\n";
  std::cout << std::setw(34) << "ranker AUC (held-out clicks)" << std::setw(10) << fmt(auc)
            << std::setw(10) << fmt(number("oracle_auc")) << fmt(auc_no_click)
            << " (pantry without click features; oracle without: "
            << fmt(number("oracle_auc_without_activity")) << ")\n";
  if (!flags.report.empty()) {
    RETURN_IF_ERROR(WriteFileAtomic(flags.report, DumpJson(report, 2) + "\n"));
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
      "cf", "Train the factorization machine on the offline store's purchases");
  static CfFlags cf_flags;
  AddCfFlags(cf, &cf_flags);
  cf->add_option("--before", cf_flags.before, "Use only click rows with event_time before this");
  SetAction(cf, [&globals] { return RunTrainCf(globals, cf_flags); });

  CLI::App* rank = train->add_subcommand("rank", "Train the XGBoost ranker on the click history");
  static RankFlags rank_flags;
  AddRankFlags(rank, &rank_flags);
  rank->add_flag("--no-click-features", rank_flags.no_click_features,
                 "Leave out healthy_activity_last_2m (baseline)");
  rank->add_option("--before", rank_flags.before,
                   "Use only click rows with event_time before this");
  SetAction(rank, [&globals] { return RunTrainRank(globals, rank_flags); });

  CLI::App* eval = app.add_subcommand(
      "eval", "Train on a generated dataset and score against its truth/ (recall, AUC)");
  static EvalFlags eval_flags;
  eval->add_option("--data", eval_flags.data, "Dataset folder written by `pantry generate`")
      ->required();
  eval->add_option("--report", eval_flags.report, "Write the JSON report here");
  AddCfFlags(eval, &eval_flags.cf);
  eval->add_option("--rank-param", eval_flags.rank.params, "XGBoost parameter name=value");
  SetAction(eval, [&globals] {
    eval_flags.rank.threads = eval_flags.cf.threads;
    eval_flags.rank.seed = eval_flags.cf.seed;
    return RunEval(globals, eval_flags);
  });
}

}  // namespace
PANTRY_REGISTER_COMMANDS(models, Setup);
}  // namespace pantry::cli
