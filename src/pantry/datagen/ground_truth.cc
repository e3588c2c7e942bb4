#include "pantry/datagen/ground_truth.h"

#include <cmath>
#include <limits>
#include <numeric>

#include "pantry/common/csv.h"
#include "pantry/common/time_format.h"

namespace pantry::datagen {

StatusOr<double> Auc(std::span<const double> scores, std::span<const uint8_t> labels) {
  if (scores.size() != labels.size()) {
    return InvalidArgumentError("AUC: " + std::to_string(scores.size()) + " scores but " +
                                std::to_string(labels.size()) + " labels");
  }
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney U with average ranks for ties.
  double positive_rank_sum = 0;
  int64_t positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (size_t t = i; t < j; ++t) {
      if (labels[order[t]]) {
        positive_rank_sum += avg_rank;
        ++positives;
      }
    }
    i = j;
  }
  const int64_t negatives = static_cast<int64_t>(scores.size()) - positives;
  if (positives == 0 || negatives == 0) {
    return InvalidArgumentError("AUC needs both positive and negative labels (have " +
                                std::to_string(positives) + " positive, " +
                                std::to_string(negatives) + " negative)");
  }
  const double p = static_cast<double>(positives);
  return (positive_rank_sum - p * (p + 1) / 2.0) / (p * static_cast<double>(negatives));
}

AucHistogram::AucHistogram(double lo, double hi, int bins)
    : lo_(lo), hi_(hi), pos_(bins, 0), neg_(bins, 0) {}

void AucHistogram::Add(double score, bool positive) {
  const int bins = static_cast<int>(pos_.size());
  double f = (score - lo_) / (hi_ - lo_) * bins;
  int b = std::isnan(f) ? 0 : static_cast<int>(std::clamp(f, 0.0, bins - 1.0));
  if (positive) {
    ++pos_[b];
    ++positives_;
  } else {
    ++neg_[b];
    ++negatives_;
  }
}

void AucHistogram::Merge(const AucHistogram& other) {
  for (size_t i = 0; i < pos_.size(); ++i) {
    pos_[i] += other.pos_[i];
    neg_[i] += other.neg_[i];
  }
  positives_ += other.positives_;
  negatives_ += other.negatives_;
}

double AucHistogram::Auc() const {
  if (positives_ == 0 || negatives_ == 0) return std::numeric_limits<double>::quiet_NaN();
  double wins = 0;
  double negatives_below = 0;
  for (size_t i = 0; i < pos_.size(); ++i) {
    wins += static_cast<double>(pos_[i]) * (negatives_below + 0.5 * static_cast<double>(neg_[i]));
    negatives_below += static_cast<double>(neg_[i]);
  }
  return wins / (static_cast<double>(positives_) * static_cast<double>(negatives_));
}

StatusOr<GroundTruth> LoadGroundTruth(const std::filesystem::path& dataset_dir,
                                      HeldoutScope scope) {
  const std::filesystem::path truth_dir = dataset_dir / "truth";
  const std::filesystem::path summary_path = truth_dir / "summary.json";
  std::error_code ec;
  if (!std::filesystem::exists(summary_path, ec)) {
    return FailedPreconditionError(summary_path.string() +
                                   " does not exist: not a complete dataset written by "
                                   "`pantry generate`");
  }
  GroundTruth truth;
  ASSIGN_OR_RETURN(truth.summary, ReadJsonFile(summary_path));
  ASSIGN_OR_RETURN(std::string from, GetJsonString(truth.summary, "click_heldout_from"));
  ASSIGN_OR_RETURN(truth.click_heldout_from_micros, ParseIso8601Micros(from));

  {
    ASSIGN_OR_RETURN(auto reader, CsvReader::Open(truth_dir / "eval_customers.csv"));
    ASSIGN_OR_RETURN(size_t col, reader->RequireColumn("customer_id"));
    CsvRecord record;
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
      if (!more) break;
      truth.eval_customers.emplace_back(record[col]);
    }
  }
  {
    ASSIGN_OR_RETURN(auto reader, CsvReader::Open(truth_dir / "heldout_orders.csv"));
    ASSIGN_OR_RETURN(size_t customer_col, reader->RequireColumn("customer_id"));
    ASSIGN_OR_RETURN(size_t product_col, reader->RequireColumn("product_id"));
    const std::unordered_set<std::string> sample(truth.eval_customers.begin(),
                                                 truth.eval_customers.end());
    CsvRecord record;
    std::string customer;
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
      if (!more) break;
      customer.assign(record[customer_col]);
      if (scope == HeldoutScope::kEvalSample && !sample.count(customer)) continue;
      truth.heldout[customer].emplace(record[product_col]);
    }
  }
  return truth;
}

}  // namespace pantry::datagen
