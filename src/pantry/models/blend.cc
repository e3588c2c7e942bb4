#include "pantry/models/blend.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/models/score_accumulator.h"

namespace pantry::models {
namespace {

constexpr int kFormatVersion = 1;

const char* MethodName(BlendMethod m) {
  return m == BlendMethod::kReciprocalRank ? "reciprocal_rank" : "normalized_score";
}

Status ValidateOptions(const BlendOptions& o) {
  if (!(o.rank_constant >= 0) || !std::isfinite(o.rank_constant) || !(o.depth_factor >= 1) ||
      !std::isfinite(o.depth_factor)) {
    return InvalidArgumentError("blend: rank_constant must be >= 0 and depth_factor >= 1");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<BlendedRetriever>> BlendedRetriever::Create(
    std::vector<WeightedSource> sources, const BlendOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  if (sources.empty()) return InvalidArgumentError("blend: no sources");
  std::set<std::string, std::less<>> kinds;
  uint32_t num_products = 0;
  for (const WeightedSource& s : sources) {
    if (s.source == nullptr) return InvalidArgumentError("blend: null source");
    if (!(s.weight >= 0) || !std::isfinite(s.weight)) {
      return InvalidArgumentError("blend: weights must be finite and >= 0");
    }
    if (!kinds.emplace(s.source->kind()).second) {
      return InvalidArgumentError("blend: two sources of kind " + std::string(s.source->kind()));
    }
    if (num_products != 0 && s.source->num_products() != num_products) {
      return InvalidArgumentError("blend: sources cover different catalogs (" +
                                  std::to_string(num_products) + " vs " +
                                  std::to_string(s.source->num_products()) + " products)");
    }
    num_products = s.source->num_products();
  }
  return std::unique_ptr<BlendedRetriever>(
      new BlendedRetriever(std::move(sources), options, num_products));
}

ScoreAccumulator& BlendedRetriever::Fuse(const RetrievalQuery& query, size_t k) const {
  const size_t depth =
      std::max(options_.min_depth,
               static_cast<size_t>(std::ceil(options_.depth_factor * static_cast<double>(k))));
  ScoreAccumulator& fused =
      ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kBlend, num_products_);
  for (const WeightedSource& s : sources_) {
    if (s.weight == 0) continue;
    const std::vector<Candidate> list = s.source->Retrieve(query, depth);
    if (list.empty()) continue;
    if (options_.method == BlendMethod::kReciprocalRank) {
      for (size_t r = 0; r < list.size(); ++r) {
        if (list[r].product >= num_products_) continue;
        fused.Add(list[r].product, static_cast<float>(s.weight / (options_.rank_constant +
                                                                  static_cast<double>(r + 1))));
      }
    } else {
      const float hi = list.front().score, lo = list.back().score;
      for (const Candidate& c : list) {
        const float x = hi > lo ? (c.score - lo) / (hi - lo) : 1.0f;
        if (c.product < num_products_) fused.Add(c.product, static_cast<float>(s.weight) * x);
      }
    }
  }
  return fused;
}

std::vector<Candidate> BlendedRetriever::Retrieve(const RetrievalQuery& query, size_t k) const {
  return Fuse(query, k).TakeBest(k);
}

std::vector<Candidate> BlendedRetriever::RetrieveWithSourceScores(
    const RetrievalQuery& query, size_t k, std::vector<float>* source_scores) const {
  std::vector<Candidate> out = Retrieve(query, k);
  std::vector<uint32_t> products(out.size());
  for (size_t i = 0; i < out.size(); ++i) products[i] = out[i].product;
  std::vector<float> column(out.size());
  source_scores->assign(out.size() * sources_.size(), 0.0f);
  for (size_t s = 0; s < sources_.size(); ++s) {
    sources_[s].source->ScoreProducts(query, products, column);
    for (size_t i = 0; i < out.size(); ++i) (*source_scores)[i * sources_.size() + s] = column[i];
  }
  return out;
}

void BlendedRetriever::ScoreProducts(const RetrievalQuery& query,
                                     std::span<const uint32_t> products,
                                     std::span<float> out) const {
  ScoreAccumulator& fused = Fuse(query, products.size());
  for (size_t j = 0; j < products.size(); ++j) {
    out[j] = products[j] >= num_products_ ? -std::numeric_limits<float>::infinity()
                                          : fused.Sum(products[j]);
  }
  fused.Clear();
}

const CandidateSource* BlendedRetriever::Find(std::string_view kind) const {
  for (const WeightedSource& s : sources_) {
    if (s.source->kind() == kind) return s.source.get();
  }
  return nullptr;
}

Status BlendedRetriever::Save(const std::filesystem::path& dir) const {
  RETURN_IF_ERROR(EnsureWritableDirectory(dir));
  Json sources = Json::array();
  for (const WeightedSource& s : sources_) {
    const std::string kind(s.source->kind());
    RETURN_IF_ERROR(s.source->Save(dir / kind));
    sources.push_back({{"kind", kind}, {"weight", s.weight}});
  }
  Json manifest{{"format_version", kFormatVersion},
                {"method", MethodName(options_.method)},
                {"rank_constant", options_.rank_constant},
                {"min_depth", options_.min_depth},
                {"depth_factor", options_.depth_factor},
                {"num_products", num_products_},
                {"sources", sources}};
  // Written last: a directory with blend.json has all its sources.
  return WriteFileAtomic(dir / "blend.json", DumpJson(manifest, 1) + "\n");
}

StatusOr<std::unique_ptr<BlendedRetriever>> BlendedRetriever::Load(
    const std::filesystem::path& dir) {
  const std::string path = (dir / "blend.json").string();
  ASSIGN_OR_RETURN(Json manifest, ReadJsonFile(dir / "blend.json"));
  auto corrupt = [&](const std::string& why) {
    return CorruptionError(path + ": not a valid blend manifest: " + why);
  };
  auto version = GetJsonInt(manifest, "format_version");
  if (!version.ok()) return corrupt("no format_version");
  if (*version != kFormatVersion) {
    return corrupt("format version " + std::to_string(*version) + ", this build reads version " +
                   std::to_string(kFormatVersion));
  }
  BlendOptions options;
  auto method = GetJsonString(manifest, "method");
  if (!method.ok() || (*method != "reciprocal_rank" && *method != "normalized_score")) {
    return corrupt("bad method");
  }
  options.method =
      *method == "reciprocal_rank" ? BlendMethod::kReciprocalRank : BlendMethod::kNormalizedScore;
  if (!manifest.contains("rank_constant") || !manifest["rank_constant"].is_number() ||
      !manifest.contains("depth_factor") || !manifest["depth_factor"].is_number() ||
      !manifest.contains("min_depth") || !manifest["min_depth"].is_number_unsigned() ||
      !manifest.contains("sources") || !manifest["sources"].is_array()) {
    return corrupt("missing fields");
  }
  options.rank_constant = manifest["rank_constant"].get<double>();
  options.depth_factor = manifest["depth_factor"].get<double>();
  options.min_depth = manifest["min_depth"].get<size_t>();
  std::vector<WeightedSource> sources;
  for (const Json& s : manifest["sources"]) {
    auto kind = GetJsonString(s, "kind");
    if (!kind.ok() || !s.contains("weight") || !s["weight"].is_number() ||
        kind->find('/') != std::string::npos || *kind == "blend" || kind->empty()) {
      return corrupt("bad source entry");
    }
    ASSIGN_OR_RETURN(auto source, LoadCandidateSource(dir / *kind));
    if (source->kind() != *kind)
      return corrupt("source directory " + *kind + " holds another kind");
    sources.push_back({std::move(source), s["weight"].get<double>()});
  }
  auto blended = Create(std::move(sources), options);
  if (!blended.ok()) return corrupt(blended.status().message());
  return blended;
}

StatusOr<std::unique_ptr<BlendedRetriever>> TrainBlendedRetriever(
    const InteractionMatrix& matrix, std::span<const uint32_t> product_category,
    std::span<const uint32_t> customer_segment, const RetrievalTrainOptions& options) {
  std::vector<WeightedSource> sources;
  if (options.als_weight > 0) {
    ASSIGN_OR_RETURN(std::unique_ptr<AlsModel> als, AlsModel::Train(matrix, options.als));
    sources.push_back({std::move(als), options.als_weight});
  }
  if (options.item_knn_weight > 0) {
    ASSIGN_OR_RETURN(std::unique_ptr<ItemKnnModel> knn,
                     ItemKnnModel::Train(matrix, options.item_knn));
    sources.push_back({std::move(knn), options.item_knn_weight});
  }
  if (options.popularity_weight > 0) {
    ASSIGN_OR_RETURN(
        std::unique_ptr<PopularityModel> popularity,
        PopularityModel::Train(matrix, product_category, customer_segment, options.popularity));
    sources.push_back({std::move(popularity), options.popularity_weight});
  }
  return BlendedRetriever::Create(std::move(sources), options.blend);
}

}  // namespace pantry::models
