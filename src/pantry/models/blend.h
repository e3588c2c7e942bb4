// Merging several candidate sources into one list, and training the
// default set (ALS + item kNN + category-aware popularity) in one call.
//
// Reciprocal-rank fusion (default): score(p) = Σ_s w_s / (r0 + rank_s(p)),
// rank 1-based in source s's list, a source that did not propose p adds 0.
// Ranks need no calibration between sources whose scores live on different
// scales (dot products, similarity sums, probabilities).
// Normalised score: score(p) = Σ_s w_s (x_s(p) − min_s) / (max_s − min_s)
// over each source's proposed list.
// A source that knows nothing about a query (ALS or item kNN for a customer
// without history) proposes nothing, so a cold-start query falls back to
// the sources that can answer it (popularity by profile segment).
#ifndef PANTRY_MODELS_BLEND_H_
#define PANTRY_MODELS_BLEND_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/als.h"
#include "pantry/models/interactions.h"
#include "pantry/models/item_knn.h"
#include "pantry/models/popularity.h"
#include "pantry/models/retrieval.h"
#include "pantry/models/score_accumulator.h"

namespace pantry::models {

enum class BlendMethod { kReciprocalRank, kNormalizedScore };

struct BlendOptions {
  BlendMethod method = BlendMethod::kReciprocalRank;
  double rank_constant = 60;  // r0 (60 as in Cormack et al.'s RRF)
  // Each source proposes max(min_depth, depth_factor × k) candidates.
  size_t min_depth = 200;
  double depth_factor = 2;
};

struct WeightedSource {
  std::unique_ptr<CandidateSource> source;
  double weight = 1;
};

// Owns its sources. Immutable; thread-safe.
class BlendedRetriever final : public CandidateSource {
 public:
  // InvalidArgument: no sources, a null source, a negative or non-finite
  // weight, sources over different catalogs (num_products), two sources
  // of the same kind, or bad options.
  static StatusOr<std::unique_ptr<BlendedRetriever>> Create(std::vector<WeightedSource> sources,
                                                            const BlendOptions& options);
  // Reads <dir>/blend.json and each source from <dir>/<kind>/.
  static StatusOr<std::unique_ptr<BlendedRetriever>> Load(const std::filesystem::path& dir);

  std::string_view kind() const override { return "blend"; }
  uint32_t num_products() const override { return num_products_; }

  std::vector<Candidate> Retrieve(const RetrievalQuery& query, size_t k) const override;

  // Retrieve() plus, per returned candidate, every source's own score
  // (ScoreProducts, -infinity where a source cannot score it), row-major
  // candidates × num_sources(): the retrieval scores a ranker can use.
  std::vector<Candidate> RetrieveWithSourceScores(const RetrievalQuery& query, size_t k,
                                                  std::vector<float>* source_scores) const;

  // The blended score of arbitrary products (0 for products no source
  // proposes within its depth for k = products.size()).
  void ScoreProducts(const RetrievalQuery& query, std::span<const uint32_t> products,
                     std::span<float> out) const override;

  // <dir>/blend.json (format version, method, weights, source kinds) and
  // <dir>/<kind>/ per source.
  Status Save(const std::filesystem::path& dir) const override;

  size_t num_sources() const { return sources_.size(); }
  const CandidateSource& source(size_t i) const { return *sources_[i].source; }
  double weight(size_t i) const { return sources_[i].weight; }
  // The source of a kind, or nullptr.
  const CandidateSource* Find(std::string_view kind) const;
  const BlendOptions& options() const { return options_; }

 private:
  BlendedRetriever(std::vector<WeightedSource> sources, const BlendOptions& options,
                   uint32_t num_products)
      : sources_(std::move(sources)), options_(options), num_products_(num_products) {}

  // The fused score of every candidate, in the calling thread's accumulator
  // (the caller takes or clears it).
  ScoreAccumulator& Fuse(const RetrievalQuery& query, size_t k) const;

  std::vector<WeightedSource> sources_;
  BlendOptions options_;
  uint32_t num_products_;
};

// The default retrieval: ALS, item kNN and category-aware popularity,
// blended. A weight of 0 leaves that source out.
struct RetrievalTrainOptions {
  AlsOptions als;
  ItemKnnOptions item_knn;
  PopularityOptions popularity;
  BlendOptions blend;
  // Measured on three generated datasets (docs/quality.md): ALS carries most
  // of the recall; the others add a little and cover customers ALS cannot.
  double als_weight = 1.0;
  double item_knn_weight = 0.3;
  double popularity_weight = 0.2;
};

// Trains the sources on `matrix` (product_category and customer_segment as
// for PopularityModel::Train) and blends them.
StatusOr<std::unique_ptr<BlendedRetriever>> TrainBlendedRetriever(
    const InteractionMatrix& matrix, std::span<const uint32_t> product_category,
    std::span<const uint32_t> customer_segment, const RetrievalTrainOptions& options);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_BLEND_H_
