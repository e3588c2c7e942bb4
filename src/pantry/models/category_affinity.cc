#include "pantry/models/category_affinity.h"

#include <charconv>
#include <cmath>
#include <string>

#include "pantry/common/file_util.h"

namespace pantry::models {
namespace {

constexpr std::string_view kMagic = "pantry-category-affinity";
constexpr int kFormatVersion = 1;

// Splits `line` at tabs.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

}  // namespace

StatusOr<CategoryAffinity> CategoryAffinity::Build(std::vector<std::string> customers,
                                                   std::vector<std::string> categories,
                                                   std::vector<uint32_t> counts,
                                                   double prior_strength) {
  if (categories.empty()) return InvalidArgumentError("category affinity: no categories");
  if (counts.size() != customers.size() * categories.size()) {
    return InvalidArgumentError("category affinity: counts must be customers × categories");
  }
  if (!(prior_strength > 0) || !std::isfinite(prior_strength)) {
    return InvalidArgumentError("category affinity: prior strength must be positive");
  }
  CategoryAffinity t;
  t.prior_strength_ = prior_strength;
  for (size_t k = 0; k < categories.size(); ++k) {
    if (!t.category_columns_.emplace(categories[k], static_cast<int32_t>(k)).second) {
      return InvalidArgumentError("category affinity: duplicate category '" + categories[k] + "'");
    }
  }
  for (size_t c = 0; c < customers.size(); ++c) {
    if (!t.customer_rows_.emplace(customers[c], static_cast<int64_t>(c)).second) {
      return InvalidArgumentError("category affinity: duplicate customer '" + customers[c] + "'");
    }
  }
  const size_t num_categories = categories.size();
  std::vector<double> category_totals(num_categories, 0);
  double total = 0;
  t.customer_totals_.assign(customers.size(), 0);
  for (size_t c = 0; c < customers.size(); ++c) {
    for (size_t k = 0; k < num_categories; ++k) {
      const uint32_t n = counts[c * num_categories + k];
      t.customer_totals_[c] += n;
      category_totals[k] += n;
      total += n;
    }
  }
  for (size_t k = 0; k < num_categories; ++k) {
    const double share = (category_totals[k] + 1) / (total + static_cast<double>(num_categories));
    t.share_.push_back(share);
    t.log_share_.push_back(std::log(share));
  }
  t.customers_ = std::move(customers);
  t.categories_ = std::move(categories);
  t.counts_ = std::move(counts);
  return t;
}

int64_t CategoryAffinity::FindCustomer(std::string_view customer_id) const {
  auto it = customer_rows_.find(std::string(customer_id));
  return it == customer_rows_.end() ? -1 : it->second;
}

int32_t CategoryAffinity::FindCategory(std::string_view category) const {
  auto it = category_columns_.find(std::string(category));
  return it == category_columns_.end() ? -1 : it->second;
}

float CategoryAffinity::Value(int64_t customer_row, int32_t category) const {
  if (customer_row < 0 || category < 0) return 0.0f;
  const size_t k = static_cast<size_t>(category);
  const double n_ck = counts_[static_cast<size_t>(customer_row) * categories_.size() + k];
  const double n_c = customer_totals_[static_cast<size_t>(customer_row)];
  const double smoothed = (n_ck + prior_strength_ * share_[k]) / (n_c + prior_strength_);
  return static_cast<float>(std::log(smoothed) - log_share_[k]);
}

Status CategoryAffinity::Save(const std::filesystem::path& path) const {
  std::string out;
  out.reserve(customers_.size() * (8 + 3 * categories_.size()) + 256);
  out += std::string(kMagic) + '\t' + std::to_string(kFormatVersion) + '\t' +
         std::to_string(prior_strength_) + '\n';
  out += "customer_id";
  for (const std::string& k : categories_) out += '\t' + k;
  out += '\n';
  for (size_t c = 0; c < customers_.size(); ++c) {
    out += customers_[c];
    for (size_t k = 0; k < categories_.size(); ++k) {
      out += '\t';
      out += std::to_string(counts_[c * categories_.size() + k]);
    }
    out += '\n';
  }
  return WriteFileAtomic(path, out);
}

StatusOr<CategoryAffinity> CategoryAffinity::Load(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  std::string_view rest = text;
  size_t line_number = 0;
  auto corrupt = [&](const std::string& what) {
    return CorruptionError(path.string() + ":" + std::to_string(line_number) + ": " + what);
  };
  auto next_line = [&](std::string_view* line) {
    if (rest.empty()) return false;
    size_t end = rest.find('\n');
    *line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line_number;
    return true;
  };
  std::string_view line;
  if (!next_line(&line)) return corrupt("empty file");
  std::vector<std::string_view> head = Fields(line);
  if (head.size() != 3 || head[0] != kMagic || head[1] != std::to_string(kFormatVersion)) {
    return corrupt("not a version " + std::to_string(kFormatVersion) + " category affinity table");
  }
  double prior = 0;
  auto [p, ec] = std::from_chars(head[2].data(), head[2].data() + head[2].size(), prior);
  if (ec != std::errc() || p != head[2].data() + head[2].size()) return corrupt("bad prior");
  if (!next_line(&line)) return corrupt("no header");
  std::vector<std::string_view> header = Fields(line);
  if (header.size() < 2 || header[0] != "customer_id") return corrupt("bad header");
  std::vector<std::string> categories(header.begin() + 1, header.end());
  std::vector<std::string> customers;
  std::vector<uint32_t> counts;
  while (next_line(&line)) {
    if (line.empty()) continue;
    std::vector<std::string_view> fields = Fields(line);
    if (fields.size() != header.size()) return corrupt("wrong number of fields");
    customers.emplace_back(fields[0]);
    for (size_t k = 1; k < fields.size(); ++k) {
      uint32_t n = 0;
      auto [q, err] = std::from_chars(fields[k].data(), fields[k].data() + fields[k].size(), n);
      if (err != std::errc() || q != fields[k].data() + fields[k].size()) {
        return corrupt("bad count");
      }
      counts.push_back(n);
    }
  }
  auto built = Build(std::move(customers), std::move(categories), std::move(counts), prior);
  if (!built.ok()) return CorruptionError(path.string() + ": " + built.status().message());
  return built;
}

}  // namespace pantry::models
