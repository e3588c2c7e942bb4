#include "pantry/datagen/hidden_model.h"

#include <algorithm>
#include <cmath>

namespace pantry::datagen {
namespace {

double Dot(const std::array<double, kLatentDim>& a, const std::array<double, kLatentDim>& b) {
  double s = 0;
  for (int i = 0; i < kLatentDim; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

HiddenModel::HiddenModel(uint64_t seed, int64_t num_products, ModelConstants constants)
    : seed_(seed), constants_(constants) {
  const auto categories = Categories();
  Rng model_rng(seed, RngStream::kModel, 0);
  for (auto& w : clusters_) {
    for (double& x : w) x = model_rng.Normal(0, constants_.latent_sd);
  }
  state_shift_.resize(States().size());
  for (auto& row : state_shift_) {
    for (double& x : row) x = model_rng.Normal(0, constants_.state_shift_sd);
  }
  for (double& x : age_slope_) x = model_rng.Normal(0, constants_.age_slope_sd);

  std::vector<double> shares;
  for (const CategoryInfo& c : categories) shares.push_back(c.share);
  const AliasTable category_alias(shares);
  products_.resize(num_products);
  for (int64_t j = 0; j < num_products; ++j) {
    Rng rng(seed, RngStream::kProduct, static_cast<uint64_t>(j));
    ProductParams& p = products_[j];
    // The first 20 products cover every category once.
    p.category =
        j < kNumCategories ? static_cast<int>(j) : static_cast<int>(category_alias.Sample(rng));
    p.cluster = static_cast<int>(rng.UniformInt(kTasteClusters));
    p.log_popularity = rng.Normal(0, constants_.popularity_sd);
    p.popularity = std::exp(p.log_popularity);
    p.price = categories[p.category].base_price * std::exp(rng.Normal(0, 0.3));
    p.health = categories[p.category].health_index;
    p.name = MakeProductName(rng, p.category);
  }

  compact_.reserve(products_.size());
  for (const ProductParams& p : products_) {
    compact_.push_back({p.log_popularity, p.health, p.price, p.category, p.cluster});
  }
  cell_products_.resize(kNumCategories * kTasteClusters);
  for (int64_t j = 0; j < num_products; ++j) {
    const ProductParams& p = products_[j];
    cell_products_[p.category * kTasteClusters + p.cluster].push_back(j);
    cluster_pop_[p.category][p.cluster] += p.popularity;
  }
  cell_alias_.resize(cell_products_.size());
  for (size_t cell = 0; cell < cell_products_.size(); ++cell) {
    if (cell_products_[cell].empty()) continue;
    std::vector<double> weights;
    for (int64_t j : cell_products_[cell]) weights.push_back(products_[j].popularity);
    cell_alias_[cell] = AliasTable(weights);
  }
  for (int mood = 0; mood < 2; ++mood) {
    std::vector<double> weights;
    for (const CategoryInfo& c : categories) {
      weights.push_back(c.share * std::exp((mood ? 3.0 : -3.0) * (c.health_index - 0.5)));
    }
    mood_category_alias_[mood] = AliasTable(weights);
  }
}

CustomerParams HiddenModel::Customer(int64_t index) const {
  const auto categories = Categories();
  Rng rng(seed_, RngStream::kCustomer, static_cast<uint64_t>(index));
  CustomerParams c;
  c.index = index;
  c.name = MakePersonName(rng);
  c.state = static_cast<int>(rng.UniformInt(States().size()));
  c.age = static_cast<int>(rng.UniformRange(18, 91));
  c.married = rng.Bernoulli(c.age < 25 ? 0.15 : (c.age < 35 ? 0.45 : 0.6));
  c.health = rng.Uniform();
  for (double& x : c.latent) x = rng.Normal(0, constants_.latent_sd);
  std::array<double, kNumCategories> logits;
  double max_logit = -1e300;
  for (int k = 0; k < kNumCategories; ++k) {
    double a = std::log(categories[k].share);
    a += constants_.health_affinity * (c.health - 0.5) * (categories[k].health_index - 0.5);
    a += state_shift_[c.state][k];
    a += age_slope_[k] * (c.age - 50) / 25.0;
    if (categories[k].name == "baby_food_formula" && c.age >= 22 && c.age <= 40) {
      a += constants_.baby_food_boost;
    }
    a += rng.Normal(0, constants_.affinity_noise_sd);
    logits[k] = a;
    max_logit = std::max(max_logit, a);
  }
  double sum = 0;
  for (double a : logits) sum += std::exp(a - max_logit);
  const double log_sum = max_logit + std::log(sum);
  for (int k = 0; k < kNumCategories; ++k) {
    c.log_category_prob[k] = logits[k] - log_sum;
    c.category_prob[k] = std::exp(c.log_category_prob[k]);
  }
  for (int g = 0; g < kTasteClusters; ++g) {
    c.cluster_dot[g] = Dot(c.latent, clusters_[g]);
    c.cluster_exp[g] = std::exp(c.cluster_dot[g]);
  }
  for (int k = 0; k < kNumCategories; ++k) {
    double z = 0;
    for (int g = 0; g < kTasteClusters; ++g) z += cluster_pop_[k][g] * c.cluster_exp[g];
    c.log_norm[k] = std::log(z);
  }
  return c;
}

int64_t HiddenModel::SampleProduct(const CustomerParams& c, Rng& rng) const {
  const int k = static_cast<int>(SampleLinear(rng, c.category_prob, 1.0));
  std::array<double, kTasteClusters> weights;
  double total = 0;
  for (int g = 0; g < kTasteClusters; ++g)
    total += weights[g] = cluster_pop_[k][g] * c.cluster_exp[g];
  const int g = static_cast<int>(SampleLinear(rng, weights, total));
  const size_t cell = k * kTasteClusters + g;
  return cell_products_[cell][cell_alias_[cell].Sample(rng)];
}

int64_t HiddenModel::SampleBrowsedProduct(bool healthy_mood, Rng& rng) const {
  const int k = static_cast<int>(mood_category_alias_[healthy_mood ? 1 : 0].Sample(rng));
  const int g = static_cast<int>(SampleLinear(rng, cluster_pop_[k], [&] {
    double t = 0;
    for (double w : cluster_pop_[k]) t += w;
    return t;
  }()));
  const size_t cell = k * kTasteClusters + g;
  return cell_products_[cell][cell_alias_[cell].Sample(rng)];
}

double HiddenModel::LogPurchaseProb(const CustomerParams& c, int64_t product) const {
  const CompactProduct& p = compact_[product];
  return c.log_category_prob[p.category] + c.cluster_dot[p.cluster] + p.log_popularity -
         c.log_norm[p.category];
}

void HiddenModel::LogPurchaseProbAll(const CustomerParams& c, std::vector<double>* out) const {
  out->resize(products_.size());
  for (size_t j = 0; j < products_.size(); ++j) (*out)[j] = LogPurchaseProb(c, j);
}

double HiddenModel::StaticAffinity(const CustomerParams& c, int64_t product) const {
  const CompactProduct& p = compact_[product];
  return std::log(kNumCategories) + c.log_category_prob[p.category] + c.cluster_dot[p.cluster] +
         0.5 * p.log_popularity;
}

double HiddenModel::LiveTerm(int64_t product, const LiveActivity& live) const {
  if (live.weight_sum == 0) return 0;
  const double centre = constants_.click_health_centre;
  return constants_.click_gamma * live.weight_sum * (live.mean_health - centre) *
         (compact_[product].health - centre);
}

double HiddenModel::ClickLogit(const CustomerParams& c, int64_t product, const LiveActivity& live,
                               bool use_activity) const {
  double logit = constants_.click_b0 + constants_.click_b1 * StaticAffinity(c, product);
  if (use_activity) logit += LiveTerm(product, live);
  return logit;
}

}  // namespace pantry::datagen
