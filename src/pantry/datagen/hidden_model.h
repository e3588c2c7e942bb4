// The hidden preference model behind a generated dataset (equations in
// docs/datagen.md). Everything here is a pure function of the seed and the
// catalog size: a customer's parameters are recomputed from
// (seed, customer index) whenever they are needed, so memory does not grow
// with the number of customers; products are built once and kept.
#ifndef PANTRY_DATAGEN_HIDDEN_MODEL_H_
#define PANTRY_DATAGEN_HIDDEN_MODEL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "pantry/datagen/catalog.h"
#include "pantry/datagen/rng.h"

namespace pantry::datagen {

inline constexpr int kLatentDim = 8;
inline constexpr int kTasteClusters = 32;

// The model's fixed coefficients (written to truth/summary.json).
struct ModelConstants {
  double latent_sd = 0.7;          // sd of each coordinate of u_c and w_g
  double health_affinity = 8.0;    // κ: customer health × category health
  double state_shift_sd = 0.25;    // sd of the per-(state, category) shift
  double age_slope_sd = 0.3;       // sd of the per-category age slope
  double baby_food_boost = 1.0;    // extra affinity for ages 22-40
  double affinity_noise_sd = 0.5;  // per-customer, per-category noise
  double popularity_sd = 1.0;      // log popularity ~ N(0, sd)
  // Click model: logit P(bought) = b0 + b1 s_cp + γ W (ā - h̄)(H_p - h̄),
  // W and ā the sum of activity weights and the mean product health of the
  // session's activities in the last two minutes (LiveActivity).
  double click_b0 = -3.0;
  double click_b1 = 0.8;
  double click_gamma = 5.0;
  double click_health_centre = 0.5;  // h̄: the middle of the health scale
};

// What a shopper did in the two minutes before a click row: the live
// features of the click model.
struct LiveActivity {
  int weight_sum = 0;      // W: sum of activity weights, 0 if none
  double mean_health = 0;  // ā: mean product health index of those activities
};

struct ProductParams {
  std::string name;
  int category = 0;
  int cluster = 0;          // taste cluster g; the product's latent vector is w_g
  double popularity = 1.0;  // π_p > 0
  double price = 0;         // typical purchase amount
  double health = 0;        // the category's health index
  double log_popularity = 0;
};

struct CustomerParams {
  int64_t index = 0;  // 0-based; the id is "C" + (index + 1)
  std::string name;
  int state = 0;
  int age = 0;
  bool married = false;
  double health = 0;  // h_c
  std::array<double, kLatentDim> latent{};
  std::array<double, kNumCategories> log_category_prob{};  // log P(k | c)
  // Derived, for sampling and scoring:
  std::array<double, kNumCategories> category_prob{};  // P(k | c)
  std::array<double, kTasteClusters> cluster_dot{};    // u_c · w_g
  std::array<double, kTasteClusters> cluster_exp{};    // exp(u_c · w_g)
  std::array<double, kNumCategories> log_norm{};       // log Z_{c,k}
};

class HiddenModel {
 public:
  HiddenModel(uint64_t seed, int64_t num_products, ModelConstants constants = {});

  const ModelConstants& constants() const { return constants_; }
  int64_t num_products() const { return static_cast<int64_t>(products_.size()); }
  const ProductParams& product(int64_t index) const { return products_[index]; }
  double product_health(int64_t index) const { return compact_[index].health; }
  double product_price(int64_t index) const { return compact_[index].price; }
  const std::array<double, kLatentDim>& cluster_vector(int g) const { return clusters_[g]; }

  // The customer with 0-based `index`; deterministic for (seed, index).
  CustomerParams Customer(int64_t index) const;

  // Draws one purchase: category k ~ P(k|c), then product p in k with
  // probability ∝ π_p exp(u_c · w_{g(p)}).
  int64_t SampleProduct(const CustomerParams& c, Rng& rng) const;
  // Draws a product shown while browsing in a healthy (or unhealthy) mood:
  // category weight ∝ share_k exp(±3 (H_k - 0.5)), product ∝ π_p.
  int64_t SampleBrowsedProduct(bool healthy_mood, Rng& rng) const;

  // log P(p | c) under the purchase model: what the oracle ranks by.
  double LogPurchaseProb(const CustomerParams& c, int64_t product) const;
  // log P(p | c) for every product, into `out` (size num_products()).
  void LogPurchaseProbAll(const CustomerParams& c, std::vector<double>* out) const;

  // The static customer-product affinity s_cp of the click model.
  double StaticAffinity(const CustomerParams& c, int64_t product) const;
  // logit P(bought) given the live activity; with `use_activity` false the
  // live term is dropped (the best a model without live click features can
  // do in this model's form). The live term is centred on h̄ on both sides,
  // so browsing unhealthy products raises unhealthy products and lowers
  // healthy ones, and the reverse for healthy browsing.
  double ClickLogit(const CustomerParams& c, int64_t product, const LiveActivity& live,
                    bool use_activity = true) const;
  // The live term alone: γ W (ā - h̄)(H_p - h̄), 0 without activity.
  double LiveTerm(int64_t product, const LiveActivity& live) const;

 private:
  const uint64_t seed_;
  const ModelConstants constants_;
  std::vector<ProductParams> products_;
  // The fields the per-row hot paths read, packed so that random product
  // lookups touch one cache line instead of a ProductParams with its name.
  struct CompactProduct {
    double log_popularity;
    double health;
    double price;
    int32_t category;
    int32_t cluster;
  };
  std::vector<CompactProduct> compact_;
  std::array<std::array<double, kLatentDim>, kTasteClusters> clusters_{};
  // Per-(state, category) shift and per-category age slope.
  std::vector<std::array<double, kNumCategories>> state_shift_;
  std::array<double, kNumCategories> age_slope_{};
  // Per (category, cluster): total popularity and a popularity alias table.
  std::array<std::array<double, kTasteClusters>, kNumCategories> cluster_pop_{};
  std::vector<std::vector<int64_t>> cell_products_;  // index k * kTasteClusters + g
  std::vector<AliasTable> cell_alias_;
  std::array<AliasTable, 2> mood_category_alias_;  // [unhealthy, healthy]
};

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_HIDDEN_MODEL_H_
