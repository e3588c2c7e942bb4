#include "pantry/models/rank_model.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <string_view>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/models/metrics.h"
#include "pantry/models/model_json.h"

namespace pantry::models {

namespace {

// Rows `ids` of `examples` (all rows when `ids` is null), encoded with
// `columns`.
DenseMatrix EncodeRows(std::span<const RankColumn> columns,
                       const std::unordered_map<std::string, int32_t>& category_columns,
                       std::span<const RankExample> examples, const std::vector<size_t>* ids) {
  const size_t cols = columns.size();
  const size_t rows = ids == nullptr ? examples.size() : ids->size();
  DenseMatrix x{rows, cols, std::vector<float>(rows * cols, 0.0f)};
  for (size_t r = 0; r < rows; ++r) {
    const RankExample& e = examples[ids == nullptr ? r : (*ids)[r]];
    RankInputs inputs;
    inputs.sum_activity_weight_last_2m = e.sum_activity_weight_last_2m;
    inputs.avg_product_health_index_last_2m = e.avg_product_health_index_last_2m;
    inputs.product_health_index = e.product_health_index;
    inputs.customer_health_index = e.customer_health_index;
    auto category = category_columns.find(e.product_category);
    inputs.category_column = category == category_columns.end() ? -1 : category->second;
    inputs.customer_category_affinity = e.customer_category_affinity;
    inputs.retrieval_scores = e.retrieval_scores;
    EncodeRankRow(columns, inputs, x.values.data() + r * cols);
  }
  return x;
}

}  // namespace

DenseMatrix RankModel::Encode(std::span<const RankExample> examples) const {
  return EncodeRows(columns_, category_columns_, examples, nullptr);
}

Status RankModel::ResolveColumns() {
  ASSIGN_OR_RETURN(columns_, ResolveRankColumns(ranker_->feature_names()));
  category_columns_ = CategoryColumns(columns_);
  if (UsesCategoryAffinity(columns_) && affinity_ == nullptr) {
    return FailedPreconditionError(
        "the ranking model uses customer_category_affinity but has no category_affinity.tsv");
  }
  if (!UsesCategoryAffinity(columns_)) affinity_.reset();
  return Status::Ok();
}

StatusOr<RankModel> RankModel::Train(std::span<const RankExample> examples,
                                     const RankTrainOptions& options,
                                     RankTrainingMetrics* metrics) {
  return TrainReleasing(examples, options, metrics, nullptr);
}

StatusOr<RankModel> RankModel::TrainConsuming(std::vector<RankExample>&& examples,
                                              const RankTrainOptions& options,
                                              RankTrainingMetrics* metrics) {
  return TrainReleasing(examples, options, metrics, &examples);
}

StatusOr<RankModel> RankModel::TrainReleasing(std::span<const RankExample> examples,
                                              const RankTrainOptions& options,
                                              RankTrainingMetrics* metrics,
                                              std::vector<RankExample>* release) {
  if (examples.empty()) {
    return InvalidArgumentError("empty training set: the ranking query returned no rows");
  }
  if (options.validation_fraction < 0 || options.test_fraction < 0 ||
      options.validation_fraction + options.test_fraction >= 1) {
    return InvalidArgumentError("validation + test fractions must be in [0, 1)");
  }
  RankModel model;
  model.use_click_features_ = options.use_click_features;
  // The encoder depends only on the set of categories: one row per distinct
  // category, not one per example (millions of rows at the sizes).
  std::set<std::string_view> distinct;
  for (const RankExample& e : examples) distinct.insert(e.product_category);
  std::vector<std::vector<std::string>> categories;
  for (std::string_view category : distinct) categories.push_back({std::string(category)});
  ASSIGN_OR_RETURN(model.category_encoder_, OneHotEncoder::Fit({"product_category"}, categories));
  std::vector<std::string> names = options.two_stage
                                       ? TwoStageRankFeatureNames(model.use_click_features_)
                                       : DefaultRankFeatureNames(model.use_click_features_);
  if (options.two_stage && options.affinity == nullptr) {
    return InvalidArgumentError("a two-stage ranker needs the category affinity table");
  }
  model.affinity_ = options.affinity;
  for (const std::string& category : model.category_encoder_.categories(0)) {
    names.push_back("product_category_" + category);
  }

  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(options.split_seed);
  std::shuffle(order.begin(), order.end(), rng);
  const size_t n = order.size();
  const size_t validation_size = static_cast<size_t>(options.validation_fraction * n);
  const size_t test_size = static_cast<size_t>(options.test_fraction * n);
  std::vector<size_t> train_ids(order.begin(), order.end() - validation_size - test_size);
  std::vector<size_t> validation_ids(order.end() - validation_size - test_size,
                                     order.end() - test_size);
  std::vector<size_t> test_ids(order.end() - test_size, order.end());
  ASSIGN_OR_RETURN(model.columns_, ResolveRankColumns(names));
  model.category_columns_ = CategoryColumns(model.columns_);
  auto labels = [&](const std::vector<size_t>& ids) {
    std::vector<float> y;
    y.reserve(ids.size());
    for (size_t i : ids) y.push_back(examples[i].bought);
    return y;
  };
  // Each split is encoded straight from the examples; the whole matrix is
  // never held next to its three parts.
  auto encode = [&](const std::vector<size_t>& ids) {
    return EncodeRows(model.columns_, model.category_columns_, examples, &ids);
  };
  DenseMatrix train_x = encode(train_ids), validation_x = encode(validation_ids),
              test_x = encode(test_ids);
  std::vector<float> train_y = labels(train_ids), validation_y = labels(validation_ids),
                     test_y = labels(test_ids);
  if (release != nullptr) *release = {};  // `examples` is empty from here on
  RankerTrainOptions ranker_options = options.ranker;
  // A shopper browsing on one side of the health scale makes products on the
  // same side more likely, never less: the trees may not learn a dip there.
  ranker_options.monotone_constraints.assign(names.size(), 0);
  for (size_t c = 0; c < names.size(); ++c) {
    if (model.columns_[c].feature == RankFeature::kLiveHealthAlignment) {
      ranker_options.monotone_constraints[c] = 1;
    }
  }
  if (!validation_ids.empty()) {
    ranker_options.validation_x = &validation_x;
    ranker_options.validation_y = validation_y;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Ranker> ranker, Ranker::Train(std::move(train_x), train_y, names,
                                                                 options.params, ranker_options));
  model.ranker_ = std::move(ranker);
  RETURN_IF_ERROR(model.ResolveColumns());
  if (metrics != nullptr) {
    auto evaluate = [&](const DenseMatrix& x,
                        const std::vector<float>& y) -> std::optional<RankSplitMetrics> {
      if (x.rows == 0) return std::nullopt;
      auto p = model.ranker_->Predict(x);
      if (!p.ok()) return std::nullopt;
      RankSplitMetrics out;
      out.rows = x.rows;
      if (auto auc = Auc(*p, y); auc.ok()) out.auc = *auc;
      if (auto logloss = LogLoss(*p, y); logloss.ok()) out.logloss = *logloss;
      return out;
    };
    RankTrainingMetrics& m = *metrics;
    m.rows = n;
    m.train_rows = train_ids.size();
    m.features = names;
    m.validation = evaluate(validation_x, validation_y);
    m.test = evaluate(test_x, test_y);
    m.params = options.params;
  }
  return model;
}

StatusOr<std::vector<float>> RankModel::Predict(std::span<const RankExample> examples) const {
  return ranker_->Predict(Encode(examples));
}

Status RankModel::Save(const std::filesystem::path& dir) const {
  RETURN_IF_ERROR(ranker_->Save(dir / "ranker.json"));
  if (affinity_ != nullptr) RETURN_IF_ERROR(affinity_->Save(dir / "category_affinity.tsv"));
  Json encoders{{"format_version", 1},
                {"use_click_features", use_click_features_},
                {"product_category", ModelJson::ToJson(category_encoder_)}};
  return WriteFileAtomic(dir / "encoders.json", DumpJson(encoders, 1));
}

StatusOr<RankModel> RankModel::Load(const std::filesystem::path& dir) {
  RankModel model;
  ASSIGN_OR_RETURN(std::unique_ptr<Ranker> ranker, Ranker::Load(dir / "ranker.json"));
  model.ranker_ = std::move(ranker);
  ASSIGN_OR_RETURN(Json encoders, ReadJsonFile(dir / "encoders.json"));
  std::string context = (dir / "encoders.json").string();
  ASSIGN_OR_RETURN(model.use_click_features_, GetJsonBool(encoders, "use_click_features"));
  if (!encoders.contains("product_category")) return CorruptionError(context + ": no encoder");
  auto category = ModelJson::OneHotEncoderFromJson(encoders["product_category"]);
  if (!category.ok()) return category.status().WithContext(context);
  model.category_encoder_ = std::move(*category);
  if (std::filesystem::exists(dir / "category_affinity.tsv")) {
    ASSIGN_OR_RETURN(CategoryAffinity affinity,
                     CategoryAffinity::Load(dir / "category_affinity.tsv"));
    model.affinity_ = std::make_shared<const CategoryAffinity>(std::move(affinity));
  }
  // The columns come from the feature names saved inside the ranker, so a
  // model trained with an older or newer view loads as long as every name
  // is still defined (FailedPrecondition otherwise).
  Status resolved = model.ResolveColumns();
  if (!resolved.ok()) return resolved.WithContext((dir / "ranker.json").string());
  return model;
}

}  // namespace pantry::models
