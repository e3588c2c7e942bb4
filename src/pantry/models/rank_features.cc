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

void EncodeRankRow(std::span<const RankColumn> columns, const RankInputs& in, float* row) {
  // The category one-hot columns are most of a row and all but one are 0:
  // zero the row, set the candidate's category, compute only the others.
  const size_t n = columns.size();
  std::fill_n(row, n, 0.0f);
  const size_t own = static_cast<size_t>(in.category_column);  // -1: out of range
  if (own < n && columns[own].feature == RankFeature::kCategory) row[own] = 1.0f;
  const float sum = in.sum_activity_weight_last_2m;
  const float avg = in.avg_product_health_index_last_2m;
  for (size_t c = 0; c < n; ++c) {
    switch (columns[c].feature) {
      case RankFeature::kCategory:
        break;
      case RankFeature::kSumActivity:
        row[c] = sum;
        break;
      case RankFeature::kAvgProductHealth:
        row[c] = avg;
        break;
      case RankFeature::kHealthyActivity:
        row[c] = sum * avg;
        break;
      case RankFeature::kLiveHealthAlignment:
        row[c] = sum * (avg - kHealthMiddle) * (in.product_health_index - kHealthMiddle);
        break;
      case RankFeature::kProductHealth:
        row[c] = in.product_health_index;
        break;
      case RankFeature::kCustomerHealth:
        row[c] = in.customer_health_index;
        break;
      case RankFeature::kCategoryAffinity:
        row[c] = in.customer_category_affinity;
        break;
      case RankFeature::kRetrievalAls:
        row[c] = in.retrieval_scores[0];
        break;
      case RankFeature::kRetrievalItemKnn:
        row[c] = in.retrieval_scores[1];
        break;
      case RankFeature::kRetrievalPopularity:
        row[c] = in.retrieval_scores[2];
        break;
    }
  }
}

}  // namespace pantry::models
