#include "pantry/models/rank_features.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "pantry/models/blend.h"

namespace pantry::models {
namespace {

constexpr std::string_view kCategoryPrefix = "product_category_";

constexpr std::array<std::pair<std::string_view, RankFeature>, 10> kNamed = {{
    {"sum_activity_weight_last_2m", RankFeature::kSumActivity},
    {"avg_product_health_index_last_2m", RankFeature::kAvgProductHealth},
    {"healthy_activity_last_2m", RankFeature::kHealthyActivity},
    {"live_health_alignment", RankFeature::kLiveHealthAlignment},
    {"product_health_index", RankFeature::kProductHealth},
    {"customer_health_index", RankFeature::kCustomerHealth},
    {"customer_category_affinity", RankFeature::kCategoryAffinity},
    {"retrieval_score_als", RankFeature::kRetrievalAls},
    {"retrieval_score_item_knn", RankFeature::kRetrievalItemKnn},
    {"retrieval_score_popularity", RankFeature::kRetrievalPopularity},
}};

// The middle of the health scale [0, 1]: browsing above it is "healthy".
constexpr float kHealthMiddle = 0.5f;

}  // namespace

std::vector<std::string> DefaultRankFeatureNames(bool use_click_features) {
  std::vector<std::string> names;
  if (use_click_features) {
    names = {"healthy_activity_last_2m", "live_health_alignment"};
  }
  names.push_back("product_health_index");
  names.push_back("customer_health_index");
  return names;
}

std::vector<std::string> TwoStageRankFeatureNames(bool use_click_features) {
  std::vector<std::string> names = DefaultRankFeatureNames(use_click_features);
  if (use_click_features) {
    names.insert(names.begin(),
                 {"sum_activity_weight_last_2m", "avg_product_health_index_last_2m"});
  }
  for (const char* name : {"customer_category_affinity", "retrieval_score_als",
                           "retrieval_score_item_knn", "retrieval_score_popularity"}) {
    names.push_back(name);
  }
  return names;
}

bool UsesRetrievalScores(std::span<const RankColumn> columns) {
  for (const RankColumn& c : columns) {
    if (c.feature == RankFeature::kRetrievalAls || c.feature == RankFeature::kRetrievalItemKnn ||
        c.feature == RankFeature::kRetrievalPopularity) {
      return true;
    }
  }
  return false;
}

bool UsesCategoryAffinity(std::span<const RankColumn> columns) {
  for (const RankColumn& c : columns) {
    if (c.feature == RankFeature::kCategoryAffinity) return true;
  }
  return false;
}

StatusOr<std::vector<RankColumn>> ResolveRankColumns(std::span<const std::string> names) {
  std::vector<RankColumn> columns;
  columns.reserve(names.size());
  for (const std::string& name : names) {
    RankColumn column;
    bool known = false;
    for (const auto& [named, feature] : kNamed) {
      if (name == named) {
        column.feature = feature;
        known = true;
        break;
      }
    }
    if (!known && name.starts_with(kCategoryPrefix) && name.size() > kCategoryPrefix.size()) {
      column.feature = RankFeature::kCategory;
      column.category = name.substr(kCategoryPrefix.size());
      known = true;
    }
    if (!known) {
      return FailedPreconditionError("the ranking model uses feature '" + name +
                                     "', which pantry's ranking features do not define");
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

std::string RankColumnName(const RankColumn& column) {
  if (column.feature == RankFeature::kCategory) {
    return std::string(kCategoryPrefix) + column.category;
  }
  for (const auto& [named, feature] : kNamed) {
    if (feature == column.feature) return std::string(named);
  }
  return "";
}

std::unordered_map<std::string, int32_t> CategoryColumns(std::span<const RankColumn> columns) {
  std::unordered_map<std::string, int32_t> out;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].feature == RankFeature::kCategory) {
      out.emplace(columns[c].category, static_cast<int32_t>(c));
    }
  }
  return out;
}

void ScoreForRanking(const BlendedRetriever& blend, const RetrievalQuery& query,
                     std::span<const uint32_t> products, std::span<RankRetrievalScores> out) {
  std::vector<float> column(products.size());
  for (size_t s = 0; s < kRankRetrievalSources.size(); ++s) {
    const CandidateSource* source = blend.Find(kRankRetrievalSources[s]);
    if (source != nullptr) {
      source->ScoreProducts(query, products, column);
    } else {
      std::fill(column.begin(), column.end(), 0.0f);
    }
    for (size_t i = 0; i < products.size(); ++i) {
      out[i][s] = std::isfinite(column[i]) ? column[i] : 0.0f;
    }
  }
}

namespace {

// The value of a column other than a category one-hot.
float ComputedValue(RankFeature feature, const RankInputs& in) {
  const float sum = in.sum_activity_weight_last_2m;
  const float avg = in.avg_product_health_index_last_2m;
  switch (feature) {
    case RankFeature::kCategory:
      break;
    case RankFeature::kSumActivity:
      return sum;
    case RankFeature::kAvgProductHealth:
      return avg;
    case RankFeature::kHealthyActivity:
      return sum * avg;
    case RankFeature::kLiveHealthAlignment:
      return sum * (avg - kHealthMiddle) * (in.product_health_index - kHealthMiddle);
    case RankFeature::kProductHealth:
      return in.product_health_index;
    case RankFeature::kCustomerHealth:
      return in.customer_health_index;
    case RankFeature::kCategoryAffinity:
      return in.customer_category_affinity;
    case RankFeature::kRetrievalAls:
      return in.retrieval_scores[0];
    case RankFeature::kRetrievalItemKnn:
      return in.retrieval_scores[1];
    case RankFeature::kRetrievalPopularity:
      return in.retrieval_scores[2];
  }
  return 0;
}

// The category one-hot columns are most of a row and all but one are 0:
// zero the row and set the candidate's category; the caller computes the
// other columns.
void StartRow(std::span<const RankColumn> columns, const RankInputs& in, float* row) {
  const size_t n = columns.size();
  std::fill_n(row, n, 0.0f);
  const size_t own = static_cast<size_t>(in.category_column);  // -1: out of range
  if (own < n && columns[own].feature == RankFeature::kCategory) row[own] = 1.0f;
}

}  // namespace

void EncodeRankRow(std::span<const RankColumn> columns, const RankInputs& in, float* row) {
  StartRow(columns, in, row);
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].feature != RankFeature::kCategory)
      row[c] = ComputedValue(columns[c].feature, in);
  }
}

std::vector<uint32_t> ComputedRankColumns(std::span<const RankColumn> columns) {
  std::vector<uint32_t> computed;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].feature != RankFeature::kCategory) computed.push_back(static_cast<uint32_t>(c));
  }
  return computed;
}

void EncodeRankRow(std::span<const RankColumn> columns, std::span<const uint32_t> computed,
                   const RankInputs& in, float* row) {
  StartRow(columns, in, row);
  for (uint32_t c : computed) row[c] = ComputedValue(columns[c].feature, in);
}

}  // namespace pantry::models
