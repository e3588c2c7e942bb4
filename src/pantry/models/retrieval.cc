#include "pantry/models/retrieval.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "pantry/models/als.h"
#include "pantry/models/blend.h"
#include "pantry/models/item_knn.h"
#include "pantry/models/popularity.h"

namespace pantry::models {

std::vector<Candidate> TopCandidates(std::span<const float> scores, size_t k) {
  // The k-th best score by nth_element over a contiguous copy of the valid
  // scores (cache-friendly, no indirection), then one pass that keeps what
  // beats it and, of the scores equal to it, the lowest indices. Measured
  // faster on the 17k-product serving path than an index array with an
  // indirect nth_element and than a bounded heap (whose replacements cost
  // log k each at the retrieval depths the blend asks for).
  auto better = [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.product < b.product;
  };
  thread_local std::vector<float> valid;
  valid.clear();
  for (float s : scores) {
    if (s > -std::numeric_limits<float>::infinity()) valid.push_back(s);  // not NaN/-inf
  }
  std::vector<Candidate> out;
  if (k == 0 || valid.empty()) return out;
  const bool all = valid.size() <= k;
  float kth = -std::numeric_limits<float>::infinity();
  if (!all) {
    std::nth_element(valid.begin(), valid.begin() + static_cast<ptrdiff_t>(k - 1), valid.end(),
                     std::greater<float>());
    kth = valid[k - 1];
  }
  out.reserve(std::min(k, valid.size()));
  size_t above = 0;  // scores strictly better than kth; the rest of k ties with it
  if (!all) {
    for (size_t i = 0; i < k; ++i) above += valid[i] > kth;
  }
  size_t ties_left = all ? valid.size() : k - above;
  const uint32_t n = static_cast<uint32_t>(scores.size());
  for (uint32_t i = 0; i < n; ++i) {
    const float s = scores[i];
    if (!(s > -std::numeric_limits<float>::infinity())) continue;
    if (all || s > kth) {
      out.push_back({i, s});
    } else if (s == kth && ties_left > 0) {
      out.push_back({i, s});
      --ties_left;
    }
  }
  std::sort(out.begin(), out.end(), better);
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
