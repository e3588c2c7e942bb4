#include "pantry/models/cf_model.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/models/metrics.h"
#include "pantry/models/model_json.h"

namespace pantry::models {
namespace {

// Implicit feedback: every example becomes a positive (rating 1) followed by
// `negatives_per_positive` products drawn uniformly from the catalog for the
// same customer (rating 0). Seeded from split_seed, so reproducible.
StatusOr<std::vector<CfExample>> WithSampledNegatives(std::span<const CfExample> examples,
                                                      const CfTrainOptions& options) {
  if (options.catalog_ids.empty() || options.catalog_ids.size() != options.catalog_names.size()) {
    return InvalidArgumentError("negative sampling needs a catalog of product ids and names");
  }
  std::mt19937_64 rng(options.split_seed ^ 0x9e3779b97f4a7c15ULL);
  std::uniform_int_distribution<size_t> pick(0, options.catalog_ids.size() - 1);
  std::vector<CfExample> out;
  out.reserve(examples.size() * (1 + options.negatives_per_positive));
  for (const CfExample& e : examples) {
    out.push_back(e);
    out.back().rating = 1;
    for (int n = 0; n < options.negatives_per_positive; ++n) {
      size_t p = pick(rng);
      out.push_back({e.customer_id, e.is_married, e.state, options.catalog_ids[p],
                     options.catalog_names[p], 0});
    }
  }
  return out;
}

// A seeded shuffle of 0..size-1: the first test_fraction of it is the test
// set, the rest the training set.
void SplitTrainTest(size_t size, double test_fraction, uint64_t seed,
                    std::vector<size_t>* train_ids, std::vector<size_t>* test_ids) {
  std::vector<size_t> order(size);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  size_t test_size = static_cast<size_t>(test_fraction * static_cast<double>(order.size()));
  test_ids->assign(order.begin(), order.begin() + test_size);
  train_ids->assign(order.begin() + test_size, order.end());
}

}  // namespace

StatusOr<CfTarget> ParseCfTarget(std::string_view name) {
  for (CfTarget target : {CfTarget::kRating, CfTarget::kBought, CfTarget::kImplicit}) {
    if (name == CfTargetName(target)) return target;
  }
  return InvalidArgumentError("CF target '" + std::string(name) +
                              "' is not rating, bought or implicit");
}

std::string_view CfTargetName(CfTarget target) {
  switch (target) {
    case CfTarget::kRating:
      return "rating";
    case CfTarget::kBought:
      return "bought";
    case CfTarget::kImplicit:
      return "implicit";
  }
  return "rating";
}

PredictorType CfTargetPredictor(CfTarget target) {
  return target == CfTarget::kRating ? PredictorType::kRegressor : PredictorType::kBinaryClassifier;
}

FmHyperparameters DefaultCfHyperparameters() {
  FmHyperparameters h;
  h.predictor_type = CfTargetPredictor(kDefaultCfTarget);
  h.num_factors = 64;
  h.epochs = 20;
  h.mini_batch_size = 1000;
  h.optimizer = FmOptimizer::kAdam;
  h.bias_lr = 0.01;
  h.linear_lr = 0.01;
  h.factors_lr = 0.01;
  h.bias_wd = 0;
  h.linear_wd = 1e-4;
  h.factors_wd = 1e-4;
  h.factors_init_sigma = 0.01;
  h.seed = kDefaultCfSeed;
  return h;
}

std::string_view CfTrainingMetrics::metric_name() const {
  return predictor_type == PredictorType::kRegressor ? "rmse" : "logloss";
}

void CfModel::EncodeCustomer(const std::string& customer_id, const std::string& is_married,
                             const std::string& state, std::vector<uint32_t>* indices,
                             std::vector<float>* values) const {
  const std::string row[3] = {customer_id, is_married, state};
  customer_encoder_.EncodeRow(row, indices).IgnoreError();  // width is always 3
  values->resize(indices->size(), 1.0f);
}

void CfModel::EncodeProduct(const std::string& product_id, const std::string& product_name,
                            std::vector<uint32_t>* indices, std::vector<float>* values) const {
  if (auto feature = product_encoder_.FeatureIndex(0, product_id)) {
    indices->push_back(product_offset() + *feature);
    values->push_back(1.0f);
  }
  size_t start = indices->size();
  tfidf_.EncodeText(product_name, indices, values);
  for (size_t i = start; i < indices->size(); ++i) (*indices)[i] += tfidf_offset();
}

CsrMatrix CfModel::Encode(std::span<const CfExample> examples) const {
  CsrMatrix x;
  x.cols = tfidf_offset() + tfidf_.vocabulary_size();
  x.indptr.reserve(examples.size() + 1);
  for (const CfExample& e : examples) {
    EncodeCustomer(e.customer_id, e.is_married, e.state, &x.indices, &x.values);
    EncodeProduct(e.product_id, e.product_name, &x.indices, &x.values);
    x.indptr.push_back(x.indices.size());
  }
  return x;
}

StatusOr<CfModel> CfModel::Train(std::span<const CfExample> examples, const CfTrainOptions& options,
                                 CfTrainingMetrics* metrics) {
  if (examples.empty()) {
    return InvalidArgumentError("empty training set: the CF query returned no rows");
  }
  if (!(options.test_fraction >= 0 && options.test_fraction < 1)) {
    return InvalidArgumentError("test fraction must be in [0, 1)");
  }
  std::vector<CfExample> with_negatives;
  if (options.negatives_per_positive > 0) {
    ASSIGN_OR_RETURN(with_negatives, WithSampledNegatives(examples, options));
    examples = with_negatives;
  }
  CfModel model;
  std::vector<std::vector<std::string>> customer_rows, product_rows;
  std::vector<std::string> names;
  customer_rows.reserve(examples.size());
  for (const CfExample& e : examples) {
    customer_rows.push_back({e.customer_id, e.is_married, e.state});
    product_rows.push_back({e.product_id});
    names.push_back(e.product_name);
  }
  ASSIGN_OR_RETURN(model.customer_encoder_,
                   OneHotEncoder::Fit({"customer_id", "is_married", "state"}, customer_rows));
  ASSIGN_OR_RETURN(model.product_encoder_, OneHotEncoder::Fit({"product_id"}, product_rows));
  ASSIGN_OR_RETURN(model.tfidf_, TfidfVectorizer::Fit(names, 2));

  std::vector<size_t> train_ids, test_ids;
  SplitTrainTest(examples.size(), options.test_fraction, options.split_seed, &train_ids, &test_ids);
  CsrMatrix all = model.Encode(examples);
  CsrMatrix train_x = all.SelectRows(train_ids), test_x = all.SelectRows(test_ids);
  std::vector<float> train_y, test_y;
  for (size_t i : train_ids) train_y.push_back(examples[i].rating);
  for (size_t i : test_ids) test_y.push_back(examples[i].rating);

  FmTrainOptions fm_options = options.fm;
  if (!test_ids.empty()) {
    fm_options.validation_x = &test_x;
    fm_options.validation_y = test_y;
  }
  FmHyperparameters h = options.hyperparameters;
  ASSIGN_OR_RETURN(FmTrainResult result, TrainFm(train_x, train_y, h, fm_options));
  model.fm_ = std::move(result.model);
  if (metrics != nullptr) {
    CfTrainingMetrics& m = *metrics;
    m.rows = examples.size();
    m.train_rows = train_ids.size();
    m.test_rows = test_ids.size();
    m.features = all.cols;
    m.customer_features = model.product_offset();
    m.vocabulary = model.tfidf_.vocabulary_size();
    m.predictor_type = h.predictor_type;
    m.train_metric = FmMetric(model.fm_, train_x, train_y);
    m.test_metric.reset();
    if (!test_ids.empty()) m.test_metric = FmMetric(model.fm_, test_x, test_y);
    m.best_epoch = result.best_epoch;
    m.stopped_early = result.stopped_early;
    m.epochs = std::move(result.epochs);
    m.hyperparameters = h;
  }
  return model;
}

StatusOr<FmCatalogIndex> CfModel::BuildCatalogIndex(
    std::span<const std::string> product_ids, std::span<const std::string> product_names) const {
  if (product_ids.size() != product_names.size()) {
    return InvalidArgumentError("catalog: product ids and names differ in count");
  }
  CsrMatrix catalog;
  catalog.cols = fm_.num_features();
  for (size_t p = 0; p < product_ids.size(); ++p) {
    EncodeProduct(product_ids[p], product_names[p], &catalog.indices, &catalog.values);
    catalog.indptr.push_back(catalog.indices.size());
  }
  return FmCatalogIndex::Build(fm_, catalog);
}

Status CfModel::Save(const std::filesystem::path& dir) const {
  RETURN_IF_ERROR(fm_.Save(dir / "cf.fm"));
  Json encoders{{"format_version", 1},
                {"layout", {"customer", "product_id", "tfidf"}},
                {"customer", ModelJson::ToJson(customer_encoder_)},
                {"product", ModelJson::ToJson(product_encoder_)},
                {"product_name_tfidf", ModelJson::ToJson(tfidf_)}};
  return WriteFileAtomic(dir / "encoders.json", DumpJson(encoders, 1));
}

StatusOr<CfModel> CfModel::Load(const std::filesystem::path& dir) {
  CfModel model;
  ASSIGN_OR_RETURN(model.fm_, FmModel::Load(dir / "cf.fm"));
  ASSIGN_OR_RETURN(Json encoders, ReadJsonFile(dir / "encoders.json"));
  auto context = (dir / "encoders.json").string();
  if (!encoders.is_object() || !encoders.contains("customer") || !encoders.contains("product") ||
      !encoders.contains("product_name_tfidf")) {
    return CorruptionError(context + ": missing encoders");
  }
  auto customer = ModelJson::OneHotEncoderFromJson(encoders["customer"]);
  if (!customer.ok()) return customer.status().WithContext(context);
  auto product = ModelJson::OneHotEncoderFromJson(encoders["product"]);
  if (!product.ok()) return product.status().WithContext(context);
  auto tfidf = ModelJson::TfidfVectorizerFromJson(encoders["product_name_tfidf"]);
  if (!tfidf.ok()) return tfidf.status().WithContext(context);
  model.customer_encoder_ = std::move(*customer);
  model.product_encoder_ = std::move(*product);
  model.tfidf_ = std::move(*tfidf);
  size_t expected = model.tfidf_offset() + model.tfidf_.vocabulary_size();
  if (expected != model.fm_.num_features()) {
    return CorruptionError(context + ": encoders produce " + std::to_string(expected) +
                           " features but the model has " +
                           std::to_string(model.fm_.num_features()));
  }
  return model;
}

}  // namespace pantry::models
