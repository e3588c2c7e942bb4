#include "pantry/models/retrieval.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "pantry/models/als.h"
#include "pantry/models/blend.h"
#include "pantry/models/item_knn.h"
#include "pantry/models/popularity.h"

namespace pantry::models {

std::vector<Candidate> TopCandidates(std::span<const float> scores, size_t k) {
  std::vector<uint32_t> index;
  index.reserve(scores.size());
  for (uint32_t i = 0; i < scores.size(); ++i) {
    if (scores[i] > -std::numeric_limits<float>::infinity()) index.push_back(i);  // not NaN/-inf
  }
  auto better = [&](uint32_t a, uint32_t b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
  };
  if (index.size() > k) {
    std::nth_element(index.begin(), index.begin() + static_cast<ptrdiff_t>(k), index.end(), better);
    index.resize(k);
  }
  std::sort(index.begin(), index.end(), better);
  std::vector<Candidate> out(index.size());
  for (size_t i = 0; i < index.size(); ++i) out[i] = {index[i], scores[index[i]]};
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
