#include "pantry/models/retrieval.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "pantry/models/als.h"
#include "pantry/models/blend.h"
#include "pantry/models/fm_retrieval.h"
#include "pantry/models/item_knn.h"
#include "pantry/models/popularity.h"

namespace pantry::models {
namespace {

// clean[i] = scores[i], with NaN read as -infinity. Branch-free, so it
// vectorises.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void CleanScores(
    const float* scores, size_t n, float* clean) {
  constexpr float kMinusInf = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < n; ++i) clean[i] = scores[i] > kMinusInf ? scores[i] : kMinusInf;
}

}  // namespace

std::vector<Candidate> TopCandidates(std::span<const float> scores, size_t k) {
  // NaN and -inf read as -inf, which ranks below every valid score: the
  // exact threshold selection (SelectTopK) then returns the valid entries
  // first, in the required order, and the -inf tail is dropped.
  thread_local std::vector<float> clean;
  clean.resize(scores.size());
  CleanScores(scores.data(), scores.size(), clean.data());
  return TopCandidatesWithoutNaN(clean, k);
}

std::vector<Candidate> TopCandidatesWithoutNaN(std::span<const float> scores, size_t k) {
  constexpr float kMinusInf = -std::numeric_limits<float>::infinity();
  thread_local std::vector<ScoredProduct> top;
  SelectTopK(scores, k, &top);
  std::vector<Candidate> out;
  out.reserve(top.size());
  for (const ScoredProduct& p : top) {
    if (!(p.score > kMinusInf)) break;
    out.push_back({p.product, p.score});
  }
  return out;
}

StatusOr<std::unique_ptr<CandidateSource>> LoadCandidateSource(const std::filesystem::path& dir) {
  std::error_code ec;
  auto has = [&](const char* file) { return std::filesystem::exists(dir / file, ec); };
  if (has("blend.json")) {
    ASSIGN_OR_RETURN(auto m, BlendedRetriever::Load(dir));
    return std::unique_ptr<CandidateSource>(std::move(m));
  }
  if (has("als.model")) {
    ASSIGN_OR_RETURN(auto m, AlsModel::Load(dir));
    return std::unique_ptr<CandidateSource>(std::move(m));
  }
  if (has("item_knn.model")) {
    ASSIGN_OR_RETURN(auto m, ItemKnnModel::Load(dir));
    return std::unique_ptr<CandidateSource>(std::move(m));
  }
  if (has("popularity.model")) {
    ASSIGN_OR_RETURN(auto m, PopularityModel::Load(dir));
    return std::unique_ptr<CandidateSource>(std::move(m));
  }
  return NotFoundError(dir.string() +
                       " holds no retrieval model (blend.json, als.model, item_knn.model or "
                       "popularity.model)");
}

}  // namespace pantry::models
