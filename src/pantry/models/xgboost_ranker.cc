// The one file that includes XGBoost. Every C API call goes through Check(),
// which turns a failure into a Status carrying XGBGetLastError().
#include <xgboost/c_api.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
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

// Rows [first_row, first_row + rows) of a set, `x` holding their values.
Status CheckFiniteRows(const float* x, size_t rows, size_t cols, size_t first_row,
                       std::span<const std::string> names, const char* what) {
  // A branch-free pass first (it vectorises): the rows are nearly always
  // fine, and only then is the offending value looked for.
  bool finite = true;
  for (size_t i = 0; i < rows * cols; ++i) {
    finite &= std::fabs(x[i]) <= std::numeric_limits<float>::max();
  }
  if (finite) return Status::Ok();
  for (size_t i = 0; i < rows * cols; ++i) {
    if (!std::isfinite(x[i])) {
      size_t col = i % cols;
      std::string feature = col < names.size() ? names[col] : "column " + std::to_string(col);
      return InvalidArgumentError(std::string(what) + " row " +
                                  std::to_string(first_row + i / cols) + ", feature " + feature +
                                  ": value is " + (std::isnan(x[i]) ? "NaN" : "infinite"));
    }
  }
  return Status::Ok();
}

Status CheckFinite(const DenseMatrix& x, std::span<const std::string> names, const char* what) {
  if (x.values.size() != x.rows * x.cols) {
    return InvalidArgumentError(std::string(what) + ": matrix has " +
                                std::to_string(x.values.size()) +
                                " values, expected rows*cols = " + std::to_string(x.rows * x.cols));
  }
  return CheckFiniteRows(x.values.data(), x.rows, x.cols, 0, names, what);
}

Status CheckLabels(std::span<const float> y, const RankerParams& params, const char* what,
                   size_t first_row = 0) {
  bool binary = params.objective.starts_with("binary:");
  for (size_t r = 0; r < y.size(); ++r) {
    if (!std::isfinite(y[r]) || (binary && y[r] != 0.0f && y[r] != 1.0f)) {
      return InvalidArgumentError(std::string(what) + " row " + std::to_string(first_row + r) +
                                  ": label " + std::to_string(y[r]) + " is not " +
                                  (binary ? "0 or 1" : "finite"));
    }
  }
  return Status::Ok();
}

std::string ArrayInterface(const float* data, size_t rows, size_t cols) {
  return "{\"data\": [" + std::to_string(reinterpret_cast<uintptr_t>(data)) +
         ", true], \"shape\": [" + std::to_string(rows) + ", " + std::to_string(cols) +
         "], \"typestr\": \"<f4\", \"version\": 3}";
}

std::string ArrayInterface(const DenseMatrix& x) {
  return ArrayInterface(x.values.data(), x.rows, x.cols);
}

Status SetFeatureNames(DMatrixHandle matrix, std::span<const std::string> names) {
  std::vector<const char*> c_names;
  for (const std::string& name : names) c_names.push_back(name.c_str());
  return Check(XGDMatrixSetStrFeatureInfo(matrix, "feature_name", c_names.data(), c_names.size()),
               "XGDMatrixSetStrFeatureInfo(feature_name)");
}

Status MakeDMatrix(const DenseMatrix& x, std::span<const float> y,
                   std::span<const std::string> names, DMatrix* out) {
  RETURN_IF_ERROR(Check(XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, NAN, out->out()),
                        "XGDMatrixCreateFromMat"));
  RETURN_IF_ERROR(Check(XGDMatrixSetFloatInfo(out->get(), "label", y.data(), y.size()),
                        "XGDMatrixSetFloatInfo(label)"));
  return SetFeatureNames(out->get(), names);
}

// A whole matrix as RankerRows: one batch, the matrix's own rows (no copy).
RankerRows RowsOf(const DenseMatrix& x, std::span<const float> y) {
  RankerRows rows;
  rows.rows = x.rows;
  rows.cols = x.cols;
  rows.batch = [&x, y](size_t begin, size_t end, std::vector<float>&, std::vector<float>& labels) {
    labels.assign(y.begin() + begin, y.begin() + end);
    return x.values.data() + begin * x.cols;
  };
  return rows;
}

size_t BatchRows(const RankerRows& rows) {
  return rows.batch_rows == 0 ? rows.rows : rows.batch_rows;
}

// Every row of `rows` in one matrix (for the tree methods that need a
// DMatrix); checked like a training set.
Status Gather(const RankerRows& rows, std::span<const std::string> names,
              const RankerParams& params, const char* what, DenseMatrix* x, std::vector<float>* y) {
  *x = DenseMatrix{rows.rows, rows.cols, {}};
  x->values.reserve(rows.rows * rows.cols);
  y->clear();
  y->reserve(rows.rows);
  std::vector<float> buffer, labels;
  for (size_t begin = 0; begin < rows.rows; begin += BatchRows(rows)) {
    const size_t end = std::min(rows.rows, begin + BatchRows(rows));
    const float* values = rows.batch(begin, end, buffer, labels);
    RETURN_IF_ERROR(CheckFiniteRows(values, end - begin, rows.cols, begin, names, what));
    RETURN_IF_ERROR(CheckLabels(labels, params, what, begin));
    x->values.insert(x->values.end(), values, values + (end - begin) * rows.cols);
    y->insert(y->end(), labels.begin(), labels.end());
  }
  return Status::Ok();
}

// XGBoost's data iterator over RankerRows: each call hands the proxy the
// next batch, checked first (a bad batch ends the pass; `status` says why).
struct RowIterator {
  DMatrixHandle proxy = nullptr;
  const RankerRows* rows = nullptr;
  std::span<const std::string> names;
  const RankerParams* params = nullptr;
  const char* what = "";
  size_t next = 0;
  std::vector<float> buffer, labels;
  std::string array_interface;
  Status status;
};

void ResetRows(DataIterHandle handle) { static_cast<RowIterator*>(handle)->next = 0; }

int NextRows(DataIterHandle handle) {
  auto* it = static_cast<RowIterator*>(handle);
  const RankerRows& rows = *it->rows;
  if (!it->status.ok() || it->next >= rows.rows) return 0;
  const size_t begin = it->next;
  const size_t end = std::min(rows.rows, begin + BatchRows(rows));
  it->next = end;
  const float* values = rows.batch(begin, end, it->buffer, it->labels);
  Status status = CheckFiniteRows(values, end - begin, rows.cols, begin, it->names, it->what);
  if (status.ok()) status = CheckLabels(it->labels, *it->params, it->what, begin);
  if (status.ok() && it->labels.size() != end - begin) {
    status =
        InternalError(std::string(it->what) + ": a batch has " + std::to_string(it->labels.size()) +
                      " labels for " + std::to_string(end - begin) + " rows");
  }
  if (status.ok()) {
    it->array_interface = ArrayInterface(values, end - begin, rows.cols);
    status = Check(XGProxyDMatrixSetDataDense(it->proxy, it->array_interface.c_str()),
                   "XGProxyDMatrixSetDataDense");
  }
  if (status.ok()) {
    status = Check(XGDMatrixSetFloatInfo(it->proxy, "label", it->labels.data(), it->labels.size()),
                   "XGDMatrixSetFloatInfo(label)");
  }
  if (!status.ok()) {
    it->status = status;
    return 0;
  }
  return 1;
}

// The rows as hist bins only (XGBoost's QuantileDMatrix), read a batch at a
// time: the rows themselves are not kept, so at millions of rows the
// matrix takes about a byte per value instead of eight. `ref` (a training
// QuantileDMatrix, or null) supplies the cuts; without it XGBoost sketches
// them from the rows: from one batch, the same cuts as a DMatrix under
// tree_method hist (docs/benchmarks.md, "training memory").
Status MakeQuantileDMatrix(const RankerRows& rows, std::span<const std::string> names,
                           const RankerParams& params, const char* what, DMatrixHandle ref,
                           DMatrix* out) {
  DMatrix proxy;
  RETURN_IF_ERROR(Check(XGProxyDMatrixCreate(proxy.out()), "XGProxyDMatrixCreate"));
  RowIterator it;
  it.proxy = proxy.get();
  it.rows = &rows;
  it.names = names;
  it.params = &params;
  it.what = what;
  const std::string config =
      "{\"missing\": NaN, \"nthread\": " + std::to_string(std::max(0, params.nthread)) + "}";
  Status created = Check(XGQuantileDMatrixCreateFromCallback(&it, proxy.get(), ref, ResetRows,
                                                             NextRows, config.c_str(), out->out()),
                         "XGQuantileDMatrixCreateFromCallback");
  RETURN_IF_ERROR(it.status);  // the cause when a batch was refused
  RETURN_IF_ERROR(created);
  return SetFeatureNames(out->get(), names);
}

// The training or validation matrix: hist bins under tree_method hist (for
// validation, binned with the training matrix `ref`'s cuts), else a DMatrix.
Status MakeMatrix(const RankerRows& rows, std::span<const std::string> names,
                  const RankerParams& params, const char* what, DMatrixHandle ref, DMatrix* out) {
  if (params.tree_method == "hist") {
    return MakeQuantileDMatrix(rows, names, params, what, ref, out);
  }
  DenseMatrix x;
  std::vector<float> y;
  RETURN_IF_ERROR(Gather(rows, names, params, what, &x, &y));
  return MakeDMatrix(x, y, names, out);
}

std::string Number(double value) {
  char buffer[64];
  auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, ptr);
}

// The shape and parameters; the values are checked batch by batch.
Status CheckTrainingSet(const RankerRows& x, const std::vector<std::string>& feature_names,
                        const RankerParams& params) {
  if (x.rows == 0)
    return InvalidArgumentError("empty training set: no rows to train the ranker on");
  if (x.cols == 0) return InvalidArgumentError("ranker training set has no feature columns");
  if (!x.batch) return InvalidArgumentError("ranker training rows have no batch function");
  if (feature_names.size() != x.cols) {
    return InvalidArgumentError("ranker: " + std::to_string(feature_names.size()) +
                                " feature names for " + std::to_string(x.cols) + " columns");
  }
  std::set<std::string> unique_names(feature_names.begin(), feature_names.end());
  if (unique_names.size() != feature_names.size() || unique_names.count("") > 0) {
    return InvalidArgumentError("ranker: feature names must be unique and non-empty");
  }
  if (params.num_round < 1) return InvalidArgumentError("ranker parameter num_round must be >= 1");
  return Status::Ok();
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

  Status PredictInto(const DenseMatrix& x, std::span<float> out) const override {
    if (!flat_) return Ranker::PredictInto(x, out);
    RETURN_IF_ERROR(CheckShape(x));
    if (out.size() < x.rows) return InvalidArgumentError("PredictInto: output too small");
    flat_->Predict(x.values, out.first(x.rows));
    return Status::Ok();
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

// Ranker::Train; `release` (if set) is called once XGBoost holds its own
// copy of the rows, before boosting.
StatusOr<std::unique_ptr<Ranker>> TrainXgboost(const RankerRows& x,
                                               std::vector<std::string> feature_names,
                                               const RankerParams& params,
                                               const RankerTrainOptions& options,
                                               const std::function<void()>& release) {
  RETURN_IF_ERROR(CheckTrainingSet(x, feature_names, params));
  DMatrix train, validation;
  RETURN_IF_ERROR(MakeMatrix(x, feature_names, params, "training set", nullptr, &train));
  const size_t cols = x.cols;
  if (release) release();  // x is empty from here on
  std::optional<RankerRows> validation_matrix;
  const RankerRows* validation_rows = options.validation_rows;
  if (options.validation_x != nullptr) {
    const DenseMatrix& vx = *options.validation_x;
    if (options.validation_y.size() != vx.rows || vx.values.size() != vx.rows * vx.cols) {
      return InvalidArgumentError("ranker validation set does not match the training set's shape");
    }
    validation_matrix = RowsOf(vx, options.validation_y);
    validation_rows = &*validation_matrix;
  }
  const bool has_validation = validation_rows != nullptr && validation_rows->rows > 0;
  if (has_validation) {
    if (validation_rows->cols != cols || !validation_rows->batch) {
      return InvalidArgumentError("ranker validation set does not match the training set's shape");
    }
    RETURN_IF_ERROR(MakeMatrix(*validation_rows, feature_names, params, "validation set",
                               train.get(), &validation));
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

// The shape checks a DenseMatrix needs before it is read as RankerRows.
Status CheckMatrix(const DenseMatrix& x, std::span<const float> y) {
  if (x.values.size() != x.rows * x.cols) {
    return InvalidArgumentError("training set: matrix has " + std::to_string(x.values.size()) +
                                " values, expected rows*cols = " + std::to_string(x.rows * x.cols));
  }
  if (y.size() != x.rows) {
    return InvalidArgumentError("ranker training set has " + std::to_string(x.rows) + " rows but " +
                                std::to_string(y.size()) + " labels");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Ranker>> Ranker::Train(const DenseMatrix& x, std::span<const float> y,
                                                std::vector<std::string> feature_names,
                                                const RankerParams& params,
                                                const RankerTrainOptions& options) {
  RETURN_IF_ERROR(CheckMatrix(x, y));
  return TrainXgboost(RowsOf(x, y), std::move(feature_names), params, options, nullptr);
}

StatusOr<std::unique_ptr<Ranker>> Ranker::Train(DenseMatrix&& x, std::span<const float> y,
                                                std::vector<std::string> feature_names,
                                                const RankerParams& params,
                                                const RankerTrainOptions& options) {
  RETURN_IF_ERROR(CheckMatrix(x, y));
  return TrainXgboost(RowsOf(x, y), std::move(feature_names), params, options,
                      [&x] { x = DenseMatrix{}; });
}

StatusOr<std::unique_ptr<Ranker>> Ranker::Train(const RankerRows& x,
                                                std::vector<std::string> feature_names,
                                                const RankerParams& params,
                                                const RankerTrainOptions& options) {
  return TrainXgboost(x, std::move(feature_names), params, options, nullptr);
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
