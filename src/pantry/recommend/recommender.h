// Recommender: real-time recommendations for one customer, the workshop's
// inference path in one call:
//   1. the customer's profile (customers group) and live click features
//      (click_stream_live sliding-window group, else the latest stagger row
//      in click_stream, else zero activity) from the online store;
//   2. retrieval of `candidates` products over the whole catalog: the
//      blended retrieval, or the FM (exact scan, or an HNSW index for
//      catalogs above a size threshold); a shopper's next request with the
//      same query reuses the result (candidate_cache.h);
//   3. ranking features per candidate, built in the column order saved with
//      the ranker, and ONE batched XGBoost prediction; sort by propensity.
//
// Models and the product catalog live in an immutable ModelSnapshot held by
// a shared_ptr that is swapped atomically on reload: a request keeps the
// snapshot it started with, so a new model version never drops or mixes up a
// request. Nothing on the request path touches the disk or parses JSON.
//
// Thread-safety: Recommend() and the accessors may be called from any
// number of threads; Reload() may run concurrently with them (reloads are
// serialised among themselves).
#ifndef PANTRY_RECOMMEND_RECOMMENDER_H_
#define PANTRY_RECOMMEND_RECOMMENDER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/models/cf_model.h"
#include "pantry/models/model_registry.h"
#include "pantry/models/rank_model.h"
#include "pantry/recommend/model_snapshot.h"

namespace pantry::recommend {

struct ModelSnapshot;  // model_snapshot.h

inline constexpr int kMaxK = 100;
inline constexpr int kMaxCandidates = 2000;

struct RecommenderOptions {
  // Models are read from <home>/models/{cf,rank}/current (models/model_store.h).
  std::filesystem::path home;
  // Not owned; must outlive the recommender. Reads the customers, products,
  // click_stream_live and click_stream groups.
  featurestore::FeatureStore* store = nullptr;
  // Not owned; nullptr = Clock::Real(). Used for took_ms and the age of live rows.
  Clock* clock = nullptr;
  // Catalogs with at least this many products are served from an HNSW index
  // (approximate); smaller ones by the exact scan.
  size_t hnsw_threshold = 100000;
  // HNSW search breadth (hnswlib's ef). It is set once, when a model
  // snapshot is built, to max(hnsw_ef_min, hnsw_ef_factor * 200), where 200
  // is RecommendRequest's default `candidates`, not the count of any one
  // request. A request for n candidates searches with max(ef, n) (hnswlib
  // never searches narrower than the results it returns), so asking for more
  // candidates than ef widens that request's search; asking for fewer does
  // not narrow it. If the search finds nothing the request falls back to the
  // exact scan (RecommendResult::retrieval says which ran).
  size_t hnsw_ef_min = 64;
  size_t hnsw_ef_factor = 2;
  // Live feature groups, in order of preference.
  std::string live_group = "click_stream_live";
  std::string stagger_group = "click_stream";
  // A sliding-window row older than this (by its event time) describes
  // activity that has left the window: it reads as zero activity. 0 = never.
  int64_t live_max_age_micros = 2 * 60 * 1000000LL;
  // Not owned; may be null. With shared backends, the model registry the
  // replicas share (models/model_registry.h): every Reload first pulls its
  // current versions of cf, retrieval and rank into `home`, so a model
  // published by any `pantry train` is served without a restart. While the
  // registry is unreachable the home's versions keep serving.
  const models::ModelRegistry* registry = nullptr;
  // The retrieval results kept for shoppers' next requests
  // (candidate_cache.h), per model snapshot; 0: none (every request
  // retrieves).
  size_t candidate_cache_bytes = kDefaultCandidateCacheBytes;
};

struct RecommendRequest {
  std::string customer_id;
  int k = 10;            // 1..kMaxK
  int candidates = 200;  // k..kMaxCandidates (smaller values are raised to k)
  bool explain = false;
  // Return each item's ranking feature row (feature logging: the exact
  // values the ranker saw, in the order of RecommendResult::feature_names).
  bool include_features = false;
};

struct FeatureContribution {
  std::string feature;
  float value = 0;         // the feature's value for this candidate
  float contribution = 0;  // SHAP margin (log-odds)
};

struct RecommendedItem {
  std::string product_id;
  std::string product_name;
  std::string product_category;
  double product_health_index = 0;
  float cf_score = 0;           // FM retrieval score (raw)
  float propensity_to_buy = 0;  // ranker probability
  // With explain: the largest |contribution| first (at most 5), and the bias.
  std::vector<FeatureContribution> contributions;
  float bias_contribution = 0;
  // With include_features: the ranker's input row for this item.
  std::vector<float> features;
};

struct LiveFeatures {
  // "click_stream_live", "click_stream" or "none" (no activity known).
  std::string source = "none";
  double sum_activity_weight_last_2m = 0;
  double avg_product_health_index_last_2m = 0;
  double healthy_activity_last_2m = 0;
  // Event time of the row used (Unix micros), if any.
  std::optional<int64_t> event_time_micros;
  bool stale = false;  // a sliding row older than live_max_age: read as zero
};

struct RecommendResult {
  std::string customer_id;
  double customer_health_index = 0;
  bool known_to_cf = false;  // the CF model saw this customer in training
  LiveFeatures live;
  std::vector<RecommendedItem> items;
  std::string cf_version;
  std::string rank_version;
  std::string retrieval;  // "exact" or "hnsw"
  size_t candidates = 0;  // candidates ranked
  // With include_features: the ranker's feature names, in column order.
  std::vector<std::string> feature_names;
  size_t catalog_size = 0;
  double took_ms = 0;
};

// The ranking inputs of one candidate at serving time (the category column
// is left -1: the snapshot knows it). Exposed so that a test can check that
// serving and training (workshop/training_data.h, RankModel::Encode) encode
// the same values into the same row.
models::RankInputs ServingRankInputs(const LiveFeatures& live, double customer_health_index,
                                     const CatalogProduct& product);

// The candidate cache's counters since the recommender opened, and what the
// served snapshot's cache holds.
struct CandidateCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  size_t entries = 0;
  size_t bytes = 0;
};

class Recommender {
 public:
  // Opens the recommender and loads the current models if there are any
  // (without models, Recommend() returns Unavailable until Reload() finds
  // them). Errors: missing store, a broken model version or catalog.
  static StatusOr<std::unique_ptr<Recommender>> Open(const RecommenderOptions& options);
  virtual ~Recommender() = default;

  // Errors: InvalidArgument (k / candidates out of range, empty id),
  // NotFound (customer not in the customers group), Unavailable (no models
  // trained yet), and store errors.
  virtual StatusOr<RecommendResult> Recommend(const RecommendRequest& request) const = 0;

  // Loads the current model versions if they differ from the served ones
  // (or always, with force) and rebuilds the catalog from the products
  // group; swaps them in atomically. Returns true when something was
  // swapped. On error the served snapshot stays. NotFound-free: no models
  // yet is OK (returns false).
  virtual StatusOr<bool> Reload(bool force = false) = 0;

  // Serves the given models (tests, in-process training) with versions
  // named `cf_version` / `rank_version`; rebuilds the catalog.
  virtual Status Install(std::shared_ptr<const models::CfModel> cf, std::string cf_version,
                         std::shared_ptr<const models::RankModel> rank,
                         std::string rank_version) = 0;

  // OK when models are loaded, else Unavailable with the reason.
  virtual Status Ready() const = 0;
  virtual std::string cf_version() const = 0;
  virtual std::string rank_version() const = 0;
  virtual size_t catalog_size() const = 0;
  // The models being served, or null before any are loaded. The snapshot
  // stays valid for as long as the caller holds it, across reloads (model
  // endpoints score a whole request with one snapshot).
  virtual std::shared_ptr<const ModelSnapshot> snapshot() const = 0;
  virtual CandidateCacheStats candidate_cache_stats() const = 0;
};

// Polls <home>/models/*/current every `interval_micros` on a background
// thread and calls Reload(). Stops (and joins) on destruction.
class ModelWatcher {
 public:
  ModelWatcher(Recommender* recommender, int64_t interval_micros);
  ~ModelWatcher();
  ModelWatcher(const ModelWatcher&) = delete;
  ModelWatcher& operator=(const ModelWatcher&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_RECOMMENDER_H_
