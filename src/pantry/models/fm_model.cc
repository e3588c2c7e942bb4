#include "pantry/models/fm_model.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <thread>

#include "pantry/common/checksum.h"
#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/models/model_json.h"

// The file's numbers are little-endian. Whole arrays are copied as they lie
// in memory (a per-element encoder, common/coding.h, would cost a pass over
// hundreds of MB at load), so the host must be little-endian too.
static_assert(std::endian::native == std::endian::little,
              "model files are little-endian; port the array copies to common/coding.h");

namespace pantry::models {
namespace {

constexpr char kMagic[8] = {'P', 'A', 'N', 'T', 'R', 'Y', 'F', 'M'};

template <typename T>
void Put(std::string* out, const T& value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void PutFloats(std::string* out, std::span<const float> values) {
  out->append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  bool Get(T* value) {
    if (bytes_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool GetBytes(size_t n, std::string_view* out) {
    if (bytes_.size() - pos_ < n) return false;
    *out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool GetFloats(std::span<float> out) {
    if ((bytes_.size() - pos_) / sizeof(float) < out.size()) return false;
    // An empty span may have a null data(), which memcpy must not get (UB
    // even for zero bytes; found by fm_model_fuzz under UBSan).
    if (out.empty()) return true;
    std::memcpy(out.data(), bytes_.data() + pos_, out.size_bytes());
    pos_ += out.size_bytes();
    return true;
  }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

FmModel::FmModel(PredictorType type, size_t num_features, int num_factors)
    : predictor_type_(type),
      num_factors_(num_factors),
      linear_(num_features, 0.0f),
      factors_(num_features * static_cast<size_t>(num_factors), 0.0f) {}

double FmModel::PredictRaw(const SparseRow& row) const {
  const size_t k = static_cast<size_t>(num_factors_);
  // Sums in double so that serving, retrieval and tests agree closely.
  std::vector<double> sum(k, 0.0);
  double sum_sq = 0;
  double linear = bias_;
  for (size_t j = 0; j < row.nnz(); ++j) {
    uint32_t i = row.indices[j];
    if (i >= linear_.size()) continue;
    double x = row.values[j];
    linear += linear_[i] * x;
    const float* v = factors_.data() + i * k;
    for (size_t f = 0; f < k; ++f) {
      double vx = v[f] * x;
      sum[f] += vx;
      sum_sq += vx * vx;
    }
  }
  double pair = 0;
  for (size_t f = 0; f < k; ++f) pair += sum[f] * sum[f];
  return linear + 0.5 * (pair - sum_sq);
}

double FmModel::Predict(const SparseRow& row) const {
  double raw = PredictRaw(row);
  if (predictor_type_ == PredictorType::kBinaryClassifier) return 1.0 / (1.0 + std::exp(-raw));
  return raw;
}

std::vector<float> FmModel::PredictBatch(const CsrMatrix& rows, int num_threads) const {
  std::vector<float> out(rows.rows());
  size_t threads =
      num_threads > 0 ? num_threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max<size_t>(1, rows.rows() / 1024));
  auto work = [&](size_t t) {
    for (size_t r = t; r < rows.rows(); r += threads) {
      out[r] = static_cast<float>(Predict(rows.row(r)));
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& thread : pool) thread.join();
  return out;
}

LossAndSlope FmLoss(PredictorType type, double raw, double target) {
  if (type == PredictorType::kRegressor) {
    double diff = raw - target;
    return {0.5 * diff * diff, diff};
  }
  // log(1 + exp(-z)) with z = raw for target 1, -raw for target 0; stable.
  double z = target > 0.5 ? raw : -raw;
  double loss = z > 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z));
  double p = raw >= 0 ? 1.0 / (1.0 + std::exp(-raw)) : std::exp(raw) / (1.0 + std::exp(raw));
  return {loss, p - target};
}

std::string FmModel::Serialize() const {
  std::string header = DumpJson(Json{{"predictor_type", PredictorTypeName(predictor_type_)},
                                     {"num_features", linear_.size()},
                                     {"num_factors", num_factors_},
                                     {"hyperparameters", ModelJson::ToJson(hyperparameters_)}});
  std::string out;
  out.reserve(32 + header.size() + (1 + linear_.size() + factors_.size()) * sizeof(float));
  out.append(kMagic, sizeof(kMagic));
  Put(&out, kFmFormatVersion);
  Put(&out, static_cast<uint32_t>(header.size()));
  out += header;
  Put(&out, bias_);
  PutFloats(&out, linear_);
  PutFloats(&out, factors_);
  Put(&out, Crc32(out));
  return out;
}

StatusOr<FmModel> FmModel::Deserialize(std::string_view bytes, std::string_view what) {
  auto corrupt = [&](const std::string& why) {
    return CorruptionError(std::string(what) +
                           ": not a valid pantry factorization machine: " + why);
  };
  if (bytes.size() < sizeof(kMagic) + 12 ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return corrupt("missing PANTRYFM header");
  }
  Reader reader(bytes.substr(sizeof(kMagic)));
  uint32_t version = 0;
  reader.Get(&version);
  if (version != kFmFormatVersion) {
    return corrupt("file format version " + std::to_string(version) +
                   ", this build reads version " + std::to_string(kFmFormatVersion));
  }
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  if (Crc32(bytes.substr(0, bytes.size() - 4)) != stored_crc) {
    return corrupt("checksum mismatch (truncated or corrupted file)");
  }
  uint32_t header_size = 0;
  std::string_view header_text;
  if (!reader.Get(&header_size) || !reader.GetBytes(header_size, &header_text)) {
    return corrupt("truncated header");
  }
  auto header = ParseJson(header_text, std::string(what) + " header");
  if (!header.ok()) return corrupt(header.status().message());
  auto type = GetJsonString(*header, "predictor_type");
  auto features = GetJsonInt(*header, "num_features");
  auto factors = GetJsonInt(*header, "num_factors");
  if (!type.ok() || !features.ok() || !factors.ok() || *features < 0 || *factors < 1 ||
      (*type != "regressor" && *type != "binary_classifier")) {
    return corrupt("bad header fields");
  }
  // Checked: a header claiming 2^62 features must not wrap the product
  // round to the size of a small file and then allocate for the claim.
  size_t expected_floats = 0;
  if (__builtin_mul_overflow(static_cast<size_t>(*features), 1 + static_cast<size_t>(*factors),
                             &expected_floats) ||
      expected_floats > reader.remaining() / sizeof(float)) {
    return corrupt("header claims " + std::to_string(*features) + " features x " +
                   std::to_string(*factors) + " factors, more than the file holds");
  }
  ++expected_floats;  // the bias
  if (reader.remaining() != expected_floats * sizeof(float) + 4) {
    return corrupt("parameter block has " + std::to_string(reader.remaining()) +
                   " bytes, expected " + std::to_string(expected_floats * sizeof(float) + 4));
  }
  FmModel model(*type == "regressor" ? PredictorType::kRegressor : PredictorType::kBinaryClassifier,
                static_cast<size_t>(*features), static_cast<int>(*factors));
  reader.Get(&model.bias_);
  reader.GetFloats(model.linear_);
  reader.GetFloats(model.factors_);
  if (!std::isfinite(model.bias_)) return corrupt("non-finite bias");
  for (float v : model.linear_) {
    if (!std::isfinite(v)) return corrupt("non-finite linear weight");
  }
  for (float v : model.factors_) {
    if (!std::isfinite(v)) return corrupt("non-finite factor");
  }
  if (header->contains("hyperparameters")) {
    auto h = ModelJson::HyperparametersFromJson((*header)["hyperparameters"]);
    if (!h.ok()) return corrupt(h.status().message());
    model.hyperparameters_ = *h;
  }
  return model;
}

Status FmModel::Save(const std::filesystem::path& path) const {
  return WriteFileAtomic(path, Serialize());
}

StatusOr<FmModel> FmModel::Load(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  return Deserialize(bytes, path.string());
}

}  // namespace pantry::models
