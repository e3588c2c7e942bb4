// The one file that includes XGBoost. Every C API call goes through Check(),
// which turns a failure into a Status carrying XGBGetLastError().
#include <xgboost/c_api.h>

#include <charconv>
#include <cmath>
#include <mutex>
#include <optional>
#include <set>

#include "pantry/common/file_util.h"
#include "pantry/models/model_json.h"
#include "pantry/models/ranker.h"
#include "pantry/models/tree_ensemble.h"

namespace pantry::models {
namespace {

Status Check(int rc, std::string_view call) {
  if (rc == 0) return Status::Ok();
  const char* error = XGBGetLastError();
  return InternalError("XGBoost " + std::string(call) +
                       " failed: " + (error != nullptr ? error : "(no message)"));
}

class DMatrix {
 public:
  DMatrix() = default;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  ~DMatrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  DMatrixHandle* out() { return &handle_; }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

Status CheckFinite(const DenseMatrix& x, std::span<const std::string> names, const char* what) {
  if (x.values.size() != x.rows * x.cols) {
    return InvalidArgumentError(std::string(what) + ": matrix has " +
                                std::to_string(x.values.size()) +
                                " values, expected rows*cols = " + std::to_string(x.rows * x.cols));
  }
  for (size_t i = 0; i < x.values.size(); ++i) {
    if (!std::isfinite(x.values[i])) {
      size_t col = i % x.cols;
      std::string feature = col < names.size() ? names[col] : "column " + std::to_string(col);
      return InvalidArgumentError(std::string(what) + " row " + std::to_string(i / x.cols) +
                                  ", feature " + feature + ": value is " +
                                  (std::isnan(x.values[i]) ? "NaN" : "infinite"));
    }
  }
  return Status::Ok();
}

Status CheckLabels(std::span<const float> y, const RankerParams& params, const char* what) {
  bool binary = params.objective.starts_with("binary:");
  for (size_t r = 0; r < y.size(); ++r) {
    if (!std::isfinite(y[r]) || (binary && y[r] != 0.0f && y[r] != 1.0f)) {
      return InvalidArgumentError(std::string(what) + " row " + std::to_string(r) + ": label " +
                                  std::to_string(y[r]) + " is not " +
                                  (binary ? "0 or 1" : "finite"));
    }
  }
  return Status::Ok();
}

std::string ArrayInterface(const DenseMatrix& x) {
  return "{\"data\": [" + std::to_string(reinterpret_cast<uintptr_t>(x.values.data())) +
         ", true], \"shape\": [" + std::to_string(x.rows) + ", " + std::to_string(x.cols) +
         "], \"typestr\": \"<f4\", \"version\": 3}";
}

Status MakeDMatrix(const DenseMatrix& x, std::span<const float> y,
                   std::span<const std::string> names, DMatrix* out) {
  RETURN_IF_ERROR(Check(XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, NAN, out->out()),
                        "XGDMatrixCreateFromMat"));
  RETURN_IF_ERROR(Check(XGDMatrixSetFloatInfo(out->get(), "label", y.data(), y.size()),
                        "XGDMatrixSetFloatInfo(label)"));
  std::vector<const char*> c_names;
  for (const std::string& name : names) c_names.push_back(name.c_str());
  return Check(
      XGDMatrixSetStrFeatureInfo(out->get(), "feature_name", c_names.data(), c_names.size()),
      "XGDMatrixSetStrFeatureInfo(feature_name)");
}

// One batch of rows for XGQuantileDMatrixCreateFromCallback: the whole
// matrix, handed over once per pass.
struct SingleBatch {
  DMatrixHandle proxy = nullptr;
  const DenseMatrix* x = nullptr;
  std::span<const float> y;
  std::string array_interface;
  bool done = false;
};

void ResetSingleBatch(DataIterHandle handle) { static_cast<SingleBatch*>(handle)->done = false; }

int NextSingleBatch(DataIterHandle handle) {
  auto* batch = static_cast<SingleBatch*>(handle);
  if (batch->done) return 0;
  batch->done = true;
  if (XGProxyDMatrixSetDataDense(batch->proxy, batch->array_interface.c_str()) != 0) return 0;
  XGDMatrixSetFloatInfo(batch->proxy, "label", batch->y.data(), batch->y.size());
  return 1;
}

// The training rows as hist bins only (XGBoost's QuantileDMatrix): the rows
// themselves are not kept, so at millions of rows the matrix takes about a
// byte per value instead of eight. XGBoost sketches the same cuts as for a
// DMatrix under tree_method hist: the 5M-row ranker and `pantry eval` gave
// identical models either way (docs/benchmarks.md, "training memory").
// Validation stays a DMatrix (binning it with the training cuts would save
// ~150 MB more at 5M rows; not measured yet).
Status MakeQuantileDMatrix(const DenseMatrix& x, std::span<const float> y,
                           std::span<const std::string> names, int nthread, DMatrix* out) {
  DMatrix proxy;
  RETURN_IF_ERROR(Check(XGProxyDMatrixCreate(proxy.out()), "XGProxyDMatrixCreate"));
  SingleBatch batch;
  batch.proxy = proxy.get();
  batch.x = &x;
  batch.y = y;
  batch.array_interface = ArrayInterface(x);
  const std::string config =
      "{\"missing\": NaN, \"nthread\": " + std::to_string(std::max(0, nthread)) + "}";
  RETURN_IF_ERROR(
      Check(XGQuantileDMatrixCreateFromCallback(&batch, proxy.get(), nullptr, ResetSingleBatch,
                                                NextSingleBatch, config.c_str(), out->out()),
            "XGQuantileDMatrixCreateFromCallback"));
  std::vector<const char*> c_names;
  for (const std::string& name : names) c_names.push_back(name.c_str());
  return Check(
      XGDMatrixSetStrFeatureInfo(out->get(), "feature_name", c_names.data(), c_names.size()),
      "XGDMatrixSetStrFeatureInfo(feature_name)");
}

std::string Number(double value) {
  char buffer[64];
  auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, ptr);
}

Status CheckTrainingSet(const DenseMatrix& x, std::span<const float> y,
                        const std::vector<std::string>& feature_names, const RankerParams& params) {
  if (x.rows == 0)
    return InvalidArgumentError("empty training set: no rows to train the ranker on");
  if (x.cols == 0) return InvalidArgumentError("ranker training set has no feature columns");
  if (feature_names.size() != x.cols) {
    return InvalidArgumentError("ranker: " + std::to_string(feature_names.size()) +
                                " feature names for " + std::to_string(x.cols) + " columns");
  }
  std::set<std::string> unique_names(feature_names.begin(), feature_names.end());
  if (unique_names.size() != feature_names.size() || unique_names.count("") > 0) {
    return InvalidArgumentError("ranker: feature names must be unique and non-empty");
  }
  if (y.size() != x.rows) {
    return InvalidArgumentError("ranker training set has " + std::to_string(x.rows) + " rows but " +
                                std::to_string(y.size()) + " labels");
  }
  if (params.num_round < 1) return InvalidArgumentError("ranker parameter num_round must be >= 1");
  RETURN_IF_ERROR(CheckFinite(x, feature_names, "training set"));
  return CheckLabels(y, params, "training set");
}

// The workshop's parameters, plus the evaluation metrics reported per round.
Status SetBoosterParams(BoosterHandle booster, const RankerParams& params) {
  std::vector<std::pair<std::string, std::string>> settings = {
      {"max_depth", std::to_string(params.max_depth)},
      {"eta", Number(params.eta)},
      {"gamma", Number(params.gamma)},
      {"min_child_weight", Number(params.min_child_weight)},
      {"subsample", Number(params.subsample)},
      {"objective", params.objective},
      {"tree_method", params.tree_method},
      {"nthread", std::to_string(params.nthread)},
      {"seed", std::to_string(params.seed)},
      {"verbosity", "1"},
      {"eval_metric", "auc"},
      {"eval_metric", "logloss"},
  };
  for (const auto& [key, value] : settings) {
    RETURN_IF_ERROR(Check(XGBoosterSetParam(booster, key.c_str(), value.c_str()),
                          "XGBoosterSetParam(" + key + "=" + value + ")"));
  }
  return Status::Ok();
}

// The boosting rounds; after each, the validation set (if not null) is
// evaluated and on_round told the result.
Status Boost(BoosterHandle booster, DMatrixHandle train, DMatrixHandle validation,
             const RankerParams& params, const RankerTrainOptions& options) {
  for (int round = 0; round < params.num_round; ++round) {
    RETURN_IF_ERROR(Check(XGBoosterUpdateOneIter(booster, round, train), "XGBoosterUpdateOneIter"));
    std::string evaluation;
    if (validation != nullptr) {
      DMatrixHandle eval_sets[1] = {validation};
      const char* eval_names[1] = {"validation"};
      const char* out = nullptr;
      RETURN_IF_ERROR(Check(XGBoosterEvalOneIter(booster, round, eval_sets, eval_names, 1, &out),
                            "XGBoosterEvalOneIter"));
      evaluation = out;
    }
    if (options.on_round) options.on_round(round, evaluation);
  }
  return Status::Ok();
}

class XgboostRanker final : public Ranker {
 public:
  explicit XgboostRanker(BoosterHandle booster) : booster_(booster) {}
  ~XgboostRanker() override { XGBoosterFree(booster_); }

  // Reads feature names and switches the booster to single-threaded
  // serving; runs one prediction so that lazy configuration happens here,
  // not concurrently inside Predict().
  Status PrepareForServing() {
    bst_ulong num_features = 0;
    RETURN_IF_ERROR(
        Check(XGBoosterGetNumFeature(booster_, &num_features), "XGBoosterGetNumFeature"));
    bst_ulong len = 0;
    const char** names = nullptr;
    RETURN_IF_ERROR(Check(XGBoosterGetStrFeatureInfo(booster_, "feature_name", &len, &names),
                          "XGBoosterGetStrFeatureInfo(feature_name)"));
    feature_names_.clear();
    for (bst_ulong i = 0; i < len; ++i) feature_names_.emplace_back(names[i]);
    if (feature_names_.empty()) {
      for (bst_ulong i = 0; i < num_features; ++i)
        feature_names_.push_back("f" + std::to_string(i));
    }
    if (feature_names_.size() != num_features) {
      return CorruptionError("ranker model has " + std::to_string(num_features) + " features but " +
                             std::to_string(feature_names_.size()) + " feature names");
    }
    RETURN_IF_ERROR(
        Check(XGBoosterSetParam(booster_, "nthread", "1"), "XGBoosterSetParam(nthread)"));
    RETURN_IF_ERROR(Check(XGBoosterBoostedRounds(booster_, &rounds_), "XGBoosterBoostedRounds"));
    DenseMatrix warm_up{1, num_features, std::vector<float>(num_features, 0.0f)};
    RETURN_IF_ERROR(PredictWithLibrary(warm_up).status());
    ASSIGN_OR_RETURN(std::string json, SerializeJson());
    StatusOr<TreeEnsemble> flat = TreeEnsemble::FromXgboostJson(json);
    if (flat.ok() && flat->num_features() == num_features) {
      flat_.emplace(std::move(*flat));
    } else if (!flat.ok() && flat.status().code() != StatusCode::kFailedPrecondition) {
      return flat.status();
    }
    return Status::Ok();
  }

  const std::vector<std::string>& feature_names() const override { return feature_names_; }
  size_t num_features() const override { return feature_names_.size(); }
  int num_rounds() const override { return rounds_; }

  StatusOr<std::vector<float>> Predict(const DenseMatrix& x) const override {
    if (!flat_) return PredictWithLibrary(x);
    RETURN_IF_ERROR(CheckShape(x));
    std::vector<float> out(x.rows);
    flat_->Predict(x.values, out);
    return out;
  }

  StatusOr<std::vector<float>> PredictWithLibrary(const DenseMatrix& x) const override {
    RETURN_IF_ERROR(CheckShape(x));
    if (x.rows == 0) return std::vector<float>{};
    static const char* kConfig =
        "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
        "\"cache_id\": 0, "
        "\"strict_shape\": false, \"missing\": NaN}";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* result = nullptr;
    // Output lives in XGBoost's thread-local buffer: copy before returning.
    RETURN_IF_ERROR(Check(XGBoosterPredictFromDense(booster_, ArrayInterface(x).c_str(), kConfig,
                                                    nullptr, &shape, &dim, &result),
                          "XGBoosterPredictFromDense"));
    return std::vector<float>(result, result + x.rows);
  }

  StatusOr<std::vector<float>> PredictContributions(const DenseMatrix& x) const override {
    RETURN_IF_ERROR(CheckShape(x));
    if (x.rows == 0) return std::vector<float>{};
    DMatrix matrix;
    RETURN_IF_ERROR(
        Check(XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, NAN, matrix.out()),
              "XGDMatrixCreateFromMat"));
    static const char* kConfig =
        "{\"type\": 2, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
        "\"strict_shape\": false}";
    // DMatrix prediction is not documented as thread-safe: serialise.
    std::lock_guard<std::mutex> lock(contributions_mutex_);
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* result = nullptr;
    RETURN_IF_ERROR(
        Check(XGBoosterPredictFromDMatrix(booster_, matrix.get(), kConfig, &shape, &dim, &result),
              "XGBoosterPredictFromDMatrix(pred_contribs)"));
    size_t expected = x.rows * (x.cols + 1);
    size_t total = 1;
    for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
    if (total != expected) {
      return InternalError("XGBoost returned " + std::to_string(total) +
                           " contributions, expected " + std::to_string(expected));
    }
    return std::vector<float>(result, result + expected);
  }

  StatusOr<std::string> SerializeJson() const override {
    bst_ulong len = 0;
    const char* data = nullptr;
    std::lock_guard<std::mutex> lock(contributions_mutex_);
    RETURN_IF_ERROR(
        Check(XGBoosterSaveModelToBuffer(booster_, "{\"format\": \"json\"}", &len, &data),
              "XGBoosterSaveModelToBuffer"));
    return std::string(data, len);
  }

  Status Save(const std::filesystem::path& path) const override {
    ASSIGN_OR_RETURN(std::string json, SerializeJson());
    return WriteFileAtomic(path, json);
  }

 private:
  Status CheckShape(const DenseMatrix& x) const {
    if (x.cols != feature_names_.size()) {
      return InvalidArgumentError("ranker input has " + std::to_string(x.cols) +
                                  " columns, the model expects " +
                                  std::to_string(feature_names_.size()));
    }
    return CheckFinite(x, feature_names_, "ranker input");
  }

  BoosterHandle booster_;
  std::vector<std::string> feature_names_;
  int rounds_ = 0;
  // The trees in flat form, used by Predict(); empty for models it does not
  // cover, which XGBoost predicts.
  std::optional<TreeEnsemble> flat_;
  mutable std::mutex contributions_mutex_;
};

}  // namespace

DenseMatrix DenseMatrix::SelectRows(std::span<const size_t> row_ids) const {
  DenseMatrix out{row_ids.size(), cols, {}};
  out.values.reserve(row_ids.size() * cols);
  for (size_t r : row_ids) {
    auto source = row(r);
    out.values.insert(out.values.end(), source.begin(), source.end());
  }
  return out;
}

Status RankerParams::Set(std::string_view name, std::string_view value) {
  auto parse_double = [&](double* out) -> Status {
    double v = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(v)) {
      return InvalidArgumentError("ranker parameter " + std::string(name) + ": '" +
                                  std::string(value) + "' is not a number");
    }
    *out = v;
    return Status::Ok();
  };
  auto parse_int = [&](auto* out) -> Status {
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), *out);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      return InvalidArgumentError("ranker parameter " + std::string(name) + ": '" +
                                  std::string(value) + "' is not an integer");
    }
    return Status::Ok();
  };
  if (name == "max_depth") return parse_int(&max_depth);
  if (name == "eta") return parse_double(&eta);
  if (name == "gamma") return parse_double(&gamma);
  if (name == "min_child_weight") return parse_double(&min_child_weight);
  if (name == "subsample") return parse_double(&subsample);
  if (name == "num_round") return parse_int(&num_round);
  if (name == "nthread") return parse_int(&nthread);
  if (name == "seed") return parse_int(&seed);
  if (name == "objective") {
    objective = value;
    return Status::Ok();
  }
  if (name == "tree_method") {
    tree_method = value;
    return Status::Ok();
  }
  return InvalidArgumentError("unknown ranker parameter '" + std::string(name) +
                              "' (known: max_depth, eta, gamma, min_child_weight, subsample, "
                              "objective, num_round, tree_method, nthread, seed)");
}

Json ModelJson::ToJson(const RankerParams& p) {
  return Json{{"max_depth", p.max_depth}, {"eta", p.eta},
              {"gamma", p.gamma},         {"min_child_weight", p.min_child_weight},
              {"subsample", p.subsample}, {"objective", p.objective},
              {"num_round", p.num_round}, {"tree_method", p.tree_method},
              {"nthread", p.nthread},     {"seed", std::to_string(p.seed)}};
}

namespace {

// Ranker::Train; `release` (if set) is `x`, cleared once XGBoost holds its
// own copy of the rows, before boosting.
StatusOr<std::unique_ptr<Ranker>> TrainXgboost(const DenseMatrix& x, std::span<const float> y,
                                               std::vector<std::string> feature_names,
                                               const RankerParams& params,
                                               const RankerTrainOptions& options,
                                               DenseMatrix* release) {
  RETURN_IF_ERROR(CheckTrainingSet(x, y, feature_names, params));
  DMatrix train, validation;
  if (params.tree_method == "hist") {
    RETURN_IF_ERROR(MakeQuantileDMatrix(x, y, feature_names, params.nthread, &train));
  } else {
    RETURN_IF_ERROR(MakeDMatrix(x, y, feature_names, &train));
  }
  const size_t cols = x.cols;
  if (release != nullptr) *release = DenseMatrix{};  // x is empty from here on
  const bool has_validation = options.validation_x != nullptr && options.validation_x->rows > 0;
  if (has_validation) {
    const DenseMatrix& vx = *options.validation_x;
    if (vx.cols != cols || options.validation_y.size() != vx.rows) {
      return InvalidArgumentError("ranker validation set does not match the training set's shape");
    }
    RETURN_IF_ERROR(CheckFinite(vx, feature_names, "validation set"));
    RETURN_IF_ERROR(CheckLabels(options.validation_y, params, "validation set"));
    RETURN_IF_ERROR(MakeDMatrix(vx, options.validation_y, feature_names, &validation));
  }
  DMatrixHandle cache[2] = {train.get(), validation.get()};
  BoosterHandle booster = nullptr;
  RETURN_IF_ERROR(
      Check(XGBoosterCreate(cache, has_validation ? 2 : 1, &booster), "XGBoosterCreate"));
  auto ranker = std::make_unique<XgboostRanker>(booster);
  RETURN_IF_ERROR(SetBoosterParams(booster, params));
  if (!options.monotone_constraints.empty()) {
    if (options.monotone_constraints.size() != cols) {
      return InvalidArgumentError("ranker monotone_constraints has " +
                                  std::to_string(options.monotone_constraints.size()) +
                                  " entries for " + std::to_string(cols) + " features");
    }
    std::string constraints = "(";
    for (size_t i = 0; i < options.monotone_constraints.size(); ++i) {
      constraints += (i ? "," : "") + std::to_string(options.monotone_constraints[i]);
    }
    constraints += ")";
    RETURN_IF_ERROR(Check(XGBoosterSetParam(booster, "monotone_constraints", constraints.c_str()),
                          "XGBoosterSetParam(monotone_constraints=" + constraints + ")"));
  }
  RETURN_IF_ERROR(
      Boost(booster, train.get(), has_validation ? validation.get() : nullptr, params, options));
  // The C API does not copy the DMatrix's feature names to the booster;
  // set them so that they are saved with the model.
  std::vector<const char*> c_names;
  for (const std::string& name : feature_names) c_names.push_back(name.c_str());
  RETURN_IF_ERROR(
      Check(XGBoosterSetStrFeatureInfo(booster, "feature_name", c_names.data(), c_names.size()),
            "XGBoosterSetStrFeatureInfo(feature_name)"));
  RETURN_IF_ERROR(ranker->PrepareForServing());
  return std::unique_ptr<Ranker>(std::move(ranker));
}

}  // namespace

StatusOr<std::unique_ptr<Ranker>> Ranker::Train(const DenseMatrix& x, std::span<const float> y,
                                                std::vector<std::string> feature_names,
                                                const RankerParams& params,
                                                const RankerTrainOptions& options) {
  return TrainXgboost(x, y, std::move(feature_names), params, options, nullptr);
}

StatusOr<std::unique_ptr<Ranker>> Ranker::Train(DenseMatrix&& x, std::span<const float> y,
                                                std::vector<std::string> feature_names,
                                                const RankerParams& params,
                                                const RankerTrainOptions& options) {
  return TrainXgboost(x, y, std::move(feature_names), params, options, &x);
}

StatusOr<std::unique_ptr<Ranker>> Ranker::FromJson(std::string_view json, std::string_view what) {
  BoosterHandle booster = nullptr;
  RETURN_IF_ERROR(Check(XGBoosterCreate(nullptr, 0, &booster), "XGBoosterCreate"));
  auto ranker = std::make_unique<XgboostRanker>(booster);
  if (json.empty() || json.front() != '{') {
    return CorruptionError(std::string(what) + ": not an XGBoost JSON model");
  }
  Status loaded = Check(XGBoosterLoadModelFromBuffer(booster, json.data(), json.size()),
                        "XGBoosterLoadModelFromBuffer");
  if (!loaded.ok()) return CorruptionError(std::string(what) + ": " + loaded.message());
  RETURN_IF_ERROR(ranker->PrepareForServing().WithContext(what));
  return std::unique_ptr<Ranker>(std::move(ranker));
}

StatusOr<std::unique_ptr<Ranker>> Ranker::Load(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string json, ReadFileToString(path));
  return FromJson(json, path.string());
}

}  // namespace pantry::models
