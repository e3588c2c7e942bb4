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

// Rows per batch handed to XGBoost or predicted for the metrics: 64k rows
// of ~24 floats is 6 MB, where the whole training split was ~340 MB.
constexpr size_t kBatchRows = 65536;

RankInputs InputsOf(const RankExample& e,
                    const std::unordered_map<std::string, int32_t>& category_columns) {
  RankInputs inputs;
  inputs.sum_activity_weight_last_2m = e.sum_activity_weight_last_2m;
  inputs.avg_product_health_index_last_2m = e.avg_product_health_index_last_2m;
  inputs.product_health_index = e.product_health_index;
  inputs.customer_health_index = e.customer_health_index;
  auto category = category_columns.find(e.product_category);
  inputs.category_column = category == category_columns.end() ? -1 : category->second;
  inputs.customer_category_affinity = e.customer_category_affinity;
  inputs.retrieval_scores = e.retrieval_scores;
  return inputs;
}

// Encodes rows of a table with `columns`, each table category's column
// looked up once.
class TableEncoder {
 public:
  TableEncoder(std::span<const RankColumn> columns,
               const std::unordered_map<std::string, int32_t>& category_columns,
               const RankExampleTable& table)
      : columns_(columns.begin(), columns.end()), table_(table) {
    category_column_.reserve(table.categories.size());
    for (const std::string& category : table.categories.keys()) {
      auto it = category_columns.find(category);
      category_column_.push_back(it == category_columns.end() ? -1 : it->second);
    }
  }

  size_t cols() const { return columns_.size(); }

  // Rows ids[begin, end) to `x` (resized), their labels to `y` (if not null).
  void Encode(std::span<const size_t> ids, size_t begin, size_t end, std::vector<float>& x,
              std::vector<float>* y) const {
    x.resize((end - begin) * cols());
    if (y != nullptr) y->resize(end - begin);
    for (size_t r = begin; r < end; ++r) {
      const size_t i = ids[r];
      RankInputs inputs;
      inputs.sum_activity_weight_last_2m = table_.sum_activity_weight_last_2m[i];
      inputs.avg_product_health_index_last_2m = table_.avg_product_health_index_last_2m[i];
      inputs.product_health_index = table_.product_health_index[i];
      inputs.customer_health_index = table_.customer_health_index[i];
      inputs.category_column = category_column_[table_.category[i]];
      if (i < table_.customer_category_affinity.size()) {
        inputs.customer_category_affinity = table_.customer_category_affinity[i];
      }
      if (i < table_.retrieval_scores.size()) inputs.retrieval_scores = table_.retrieval_scores[i];
      EncodeRankRow(columns_, inputs, x.data() + (r - begin) * cols());
      if (y != nullptr) (*y)[r - begin] = table_.bought[i];
    }
  }

  // Rows `ids` for Ranker::Train, encoded a batch at a time.
  RankerRows Rows(std::span<const size_t> ids) const {
    RankerRows rows;
    rows.rows = ids.size();
    rows.cols = cols();
    rows.batch_rows = kBatchRows;
    rows.batch = [this, ids](size_t begin, size_t end, std::vector<float>& buffer,
                             std::vector<float>& labels) {
      Encode(ids, begin, end, buffer, &labels);
      return static_cast<const float*>(buffer.data());
    };
    return rows;
  }

 private:
  std::vector<RankColumn> columns_;
  const RankExampleTable& table_;
  std::vector<int32_t> category_column_;  // per table category
};

// Validation or test metrics of `ranker` on rows `ids`, predicted a batch at
// a time; none for an empty split or when prediction fails.
std::optional<RankSplitMetrics> Evaluate(const Ranker& ranker, const TableEncoder& encoder,
                                         const RankExampleTable& table,
                                         std::span<const size_t> ids) {
  if (ids.empty()) return std::nullopt;
  std::vector<float> p, y;
  p.reserve(ids.size());
  y.reserve(ids.size());
  DenseMatrix batch{0, encoder.cols(), {}};
  for (size_t begin = 0; begin < ids.size(); begin += kBatchRows) {
    const size_t end = std::min(ids.size(), begin + kBatchRows);
    encoder.Encode(ids, begin, end, batch.values, nullptr);
    batch.rows = end - begin;
    auto scores = ranker.Predict(batch);
    if (!scores.ok()) return std::nullopt;
    p.insert(p.end(), scores->begin(), scores->end());
    for (size_t r = begin; r < end; ++r) y.push_back(table.bought[ids[r]]);
  }
  RankSplitMetrics out;
  out.rows = ids.size();
  if (auto auc = Auc(p, y); auc.ok()) out.auc = *auc;
  if (auto logloss = LogLoss(p, y); logloss.ok()) out.logloss = *logloss;
  return out;
}

}  // namespace

void RankExampleTable::Add(const RankExample& e, bool with_ids) {
  const size_t row = size();
  bought.push_back(e.bought);
  sum_activity_weight_last_2m.push_back(e.sum_activity_weight_last_2m);
  avg_product_health_index_last_2m.push_back(e.avg_product_health_index_last_2m);
  product_health_index.push_back(e.product_health_index);
  customer_health_index.push_back(e.customer_health_index);
  category.push_back(categories.Intern(e.product_category));
  if (with_ids) {
    customer.push_back(customer_ids.Intern(e.customer_id));
    product.push_back(product_ids.Intern(e.product_id));
  }
  // The two-stage columns exist from the first row that has a value.
  if (!customer_category_affinity.empty() || e.customer_category_affinity != 0 ||
      e.retrieval_scores != RankRetrievalScores{}) {
    customer_category_affinity.resize(row, 0.0f);
    retrieval_scores.resize(row, RankRetrievalScores{});
    customer_category_affinity.push_back(e.customer_category_affinity);
    retrieval_scores.push_back(e.retrieval_scores);
  }
}

RankExample RankExampleTable::Get(size_t row) const {
  RankExample e;
  e.bought = bought[row];
  e.sum_activity_weight_last_2m = sum_activity_weight_last_2m[row];
  e.avg_product_health_index_last_2m = avg_product_health_index_last_2m[row];
  e.product_health_index = product_health_index[row];
  e.customer_health_index = customer_health_index[row];
  e.product_category = categories.key(category[row]);
  if (row < customer.size()) e.customer_id = customer_ids.key(customer[row]);
  if (row < product.size()) e.product_id = product_ids.key(product[row]);
  if (row < customer_category_affinity.size()) {
    e.customer_category_affinity = customer_category_affinity[row];
  }
  if (row < retrieval_scores.size()) e.retrieval_scores = retrieval_scores[row];
  return e;
}

void RankExampleTable::DropIds() {
  customer = {};
  product = {};
  customer_ids = {};
  product_ids = {};
}

DenseMatrix RankModel::Encode(std::span<const RankExample> examples) const {
  const size_t cols = columns_.size();
  DenseMatrix x{examples.size(), cols, std::vector<float>(examples.size() * cols, 0.0f)};
  for (size_t r = 0; r < examples.size(); ++r) {
    EncodeRankRow(columns_, InputsOf(examples[r], category_columns_), x.values.data() + r * cols);
  }
  return x;
}

Status RankModel::ResolveColumns() {
  ASSIGN_OR_RETURN(columns_, ResolveRankColumns(ranker_->feature_names()));
  category_columns_ = CategoryColumns(columns_);
  computed_columns_ = ComputedRankColumns(columns_);
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
  RankExampleTable table;
  for (const RankExample& e : examples) table.Add(e);
  return TrainFromTable(table, options, metrics);
}

StatusOr<RankModel> RankModel::TrainConsuming(std::vector<RankExample>&& examples,
                                              const RankTrainOptions& options,
                                              RankTrainingMetrics* metrics) {
  RankExampleTable table;
  for (const RankExample& e : examples) table.Add(e);
  examples = {};
  return TrainFromTable(table, options, metrics);
}

StatusOr<RankModel> RankModel::TrainFromTable(const RankExampleTable& examples,
                                              const RankTrainOptions& options,
                                              RankTrainingMetrics* metrics) {
  if (examples.size() == 0) {
    return InvalidArgumentError("empty training set: the ranking query returned no rows");
  }
  if (options.validation_fraction < 0 || options.test_fraction < 0 ||
      options.validation_fraction + options.test_fraction >= 1) {
    return InvalidArgumentError("validation + test fractions must be in [0, 1)");
  }
  if (options.two_stage && options.affinity == nullptr) {
    return InvalidArgumentError("a two-stage ranker needs the category affinity table");
  }
  RankModel model;
  model.use_click_features_ = options.use_click_features;
  model.affinity_ = options.affinity;
  RETURN_IF_ERROR(model.TrainSplits(examples, options, metrics));
  return model;
}

Status RankModel::TrainSplits(const RankExampleTable& examples, const RankTrainOptions& options,
                              RankTrainingMetrics* metrics) {
  // The encoder depends only on the set of categories (sorted).
  std::set<std::string_view> distinct(examples.categories.keys().begin(),
                                      examples.categories.keys().end());
  std::vector<std::vector<std::string>> categories;
  for (std::string_view category : distinct) categories.push_back({std::string(category)});
  ASSIGN_OR_RETURN(category_encoder_, OneHotEncoder::Fit({"product_category"}, categories));
  std::vector<std::string> names = options.two_stage ? TwoStageRankFeatureNames(use_click_features_)
                                                     : DefaultRankFeatureNames(use_click_features_);
  for (const std::string& category : category_encoder_.categories(0)) {
    names.push_back("product_category_" + category);
  }

  // One shuffled order whose three parts are the train, validation and test
  // splits.
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(options.split_seed);
  std::shuffle(order.begin(), order.end(), rng);
  const size_t n = order.size();
  const size_t validation_size = static_cast<size_t>(options.validation_fraction * n);
  const size_t test_size = static_cast<size_t>(options.test_fraction * n);
  const size_t train_size = n - validation_size - test_size;
  std::span<const size_t> train_ids = std::span<const size_t>(order).first(train_size);
  std::span<const size_t> validation_ids =
      std::span<const size_t>(order).subspan(train_size, validation_size);
  std::span<const size_t> test_ids = std::span<const size_t>(order).last(test_size);
  ASSIGN_OR_RETURN(columns_, ResolveRankColumns(names));
  category_columns_ = CategoryColumns(columns_);
  computed_columns_ = ComputedRankColumns(columns_);
  // No split is ever encoded whole: XGBoost reads the rows a batch at a time
  // and keeps only their histogram bins.
  const TableEncoder encoder(columns_, category_columns_, examples);
  RankerTrainOptions ranker_options = options.ranker;
  // A shopper browsing on one side of the health scale makes products on the
  // same side more likely, never less: the trees may not learn a dip there.
  ranker_options.monotone_constraints.assign(names.size(), 0);
  for (size_t c = 0; c < names.size(); ++c) {
    if (columns_[c].feature == RankFeature::kLiveHealthAlignment) {
      ranker_options.monotone_constraints[c] = 1;
    }
  }
  const RankerRows validation_rows = encoder.Rows(validation_ids);
  ranker_options.validation_x = nullptr;
  ranker_options.validation_rows = validation_ids.empty() ? nullptr : &validation_rows;
  ASSIGN_OR_RETURN(ranker_,
                   Ranker::Train(encoder.Rows(train_ids), names, options.params, ranker_options));
  RETURN_IF_ERROR(ResolveColumns());
  if (metrics != nullptr) {
    RankTrainingMetrics& m = *metrics;
    m.rows = n;
    m.train_rows = train_ids.size();
    m.features = names;
    m.validation = Evaluate(*ranker_, encoder, examples, validation_ids);
    m.test = Evaluate(*ranker_, encoder, examples, test_ids);
    m.params = options.params;
  }
  return Status::Ok();
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
