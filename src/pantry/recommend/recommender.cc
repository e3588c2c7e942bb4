// The Recommender implementation (see recommender.h).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <span>
#include <thread>

#include "pantry/common/logging.h"
#include "pantry/models/model_store.h"
#include "pantry/recommend/model_snapshot.h"
#include "pantry/recommend/recommender.h"
#include "pantry/recommend/record_fields.h"
#include "pantry/recommend/retrieval_stage.h"

namespace pantry::recommend {
namespace {

using featurestore::FeatureValue;
using featurestore::Record;

Status ValidateRequest(const RecommendRequest& request) {
  if (request.customer_id.empty()) return InvalidArgumentError("customer_id is empty");
  if (request.k < 1 || request.k > kMaxK) {
    return InvalidArgumentError("k must be between 1 and " + std::to_string(kMaxK) + ", got " +
                                std::to_string(request.k));
  }
  if (request.candidates < 1 || request.candidates > kMaxCandidates) {
    return InvalidArgumentError("candidates must be between 1 and " +
                                std::to_string(kMaxCandidates) + ", got " +
                                std::to_string(request.candidates));
  }
  return Status::Ok();
}

// Per-thread buffers of the request path, kept across requests so that a
// recommendation allocates only for its result.
struct Scratch {
  std::vector<models::ScoredProduct> candidates;
  models::DenseMatrix x;  // the ranker's input rows
  std::vector<float> propensity;
  std::vector<size_t> order;
  RetrievalScratch retrieval;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// One row per candidate, in the column order saved with the ranker, by the
// feature view's encoder (models/rank_features.h), the same code training
// encodes with; the two-stage features through the same functions as
// training (models::CategoryAffinity::Value, and `retrieval_scores`, one per
// candidate or empty for none). Into scratch->x.
void RankingFeatures(const ModelSnapshot& snapshot,
                     std::span<const models::ScoredProduct> candidates,
                     std::span<const models::RankRetrievalScores> retrieval_scores,
                     const RecommendResult& result, Scratch* scratch) {
  const std::vector<models::RankColumn>& columns = snapshot.rank->columns();
  const std::vector<uint32_t>& computed = snapshot.rank->computed_columns();
  const size_t cols = columns.size();
  const models::CategoryAffinity* affinity = snapshot.rank->affinity();
  const int64_t affinity_row = affinity ? affinity->FindCustomer(result.customer_id) : -1;
  models::DenseMatrix& x = scratch->x;
  x.rows = candidates.size();
  x.cols = cols;
  x.values.resize(candidates.size() * cols);
  for (size_t r = 0; r < candidates.size(); ++r) {
    const uint32_t product = candidates[r].product;
    models::RankInputs inputs =
        ServingRankInputs(result.live, result.customer_health_index, snapshot.products[product]);
    inputs.category_column = snapshot.category_column[product];
    if (affinity != nullptr) {
      inputs.customer_category_affinity =
          affinity->Value(affinity_row, snapshot.affinity_category[product]);
    }
    if (!retrieval_scores.empty()) inputs.retrieval_scores = retrieval_scores[r];
    models::EncodeRankRow(columns, computed, inputs, x.values.data() + r * cols);
  }
}

// Positions of the best min(k, candidates) candidates, best first: by
// propensity, then CF score, then catalog position, so that ties are
// deterministic. Into `order`.
void TopByPropensity(std::span<const float> propensity,
                     std::span<const models::ScoredProduct> candidates, int k,
                     std::vector<size_t>* order) {
  order->resize(candidates.size());
  std::iota(order->begin(), order->end(), size_t{0});
  const size_t top = std::min(order->size(), static_cast<size_t>(k));
  std::partial_sort(order->begin(), order->begin() + static_cast<std::ptrdiff_t>(top), order->end(),
                    [&](size_t a, size_t b) {
                      if (propensity[a] != propensity[b]) return propensity[a] > propensity[b];
                      if (candidates[a].score != candidates[b].score) {
                        return candidates[a].score > candidates[b].score;
                      }
                      return candidates[a].product < candidates[b].product;
                    });
  order->resize(top);
}

RecommendedItem ItemOf(const CatalogProduct& product, float cf_score, float propensity) {
  RecommendedItem item;
  item.product_id = product.product_id;
  item.product_name = product.product_name;
  item.product_category = product.product_category;
  item.product_health_index = product.product_health_index;
  item.cf_score = cf_score;
  item.propensity_to_buy = propensity;
  return item;
}

class RecommenderImpl final : public Recommender {
 public:
  explicit RecommenderImpl(const RecommenderOptions& options) : options_(options) {
    if (options_.clock == nullptr) options_.clock = Clock::Real();
    snapshot_options_.hnsw_threshold = options_.hnsw_threshold;
    snapshot_options_.hnsw.ef =
        std::max(options_.hnsw_ef_min, options_.hnsw_ef_factor * static_cast<size_t>(200));
    snapshot_options_.candidate_cache_bytes = options_.candidate_cache_bytes;
  }

  StatusOr<RecommendResult> Recommend(const RecommendRequest& request) const override {
    const auto start = std::chrono::steady_clock::now();
    RETURN_IF_ERROR(ValidateRequest(request));
    std::shared_ptr<const ModelSnapshot> snapshot = snapshot_.load(std::memory_order_acquire);
    if (snapshot == nullptr) return UnavailableError(NotReadyMessage());

    ASSIGN_OR_RETURN(Record profile, ReadProfile(request.customer_id));
    RecommendResult result;
    result.customer_id = request.customer_id;
    result.customer_health_index = NumberOr(profile, "customer_health_index", 0.0);
    ASSIGN_OR_RETURN(result.live, ReadLiveFeatures(request.customer_id));
    result.cf_version = snapshot->candidate_version();
    result.rank_version = snapshot->rank_version;
    result.catalog_size = snapshot->products.size();

    Scratch& scratch = ThreadScratch();
    const size_t n = std::min(snapshot->products.size(),
                              static_cast<size_t>(std::max(request.k, request.candidates)));
    const std::shared_ptr<const RetrievedCandidates> retrieved =
        RetrieveCandidates(*snapshot, request.customer_id, n, result.customer_health_index, profile,
                           &scratch.retrieval, &cache_counters_);
    result.known_to_cf = retrieved->known_to_cf;
    result.retrieval = retrieved->retrieval;
    const std::vector<models::ScoredProduct>& candidates = retrieved->candidates;
    result.candidates = candidates.size();

    // Ranking: one batched prediction over every candidate.
    RankingFeatures(*snapshot, candidates, retrieved->retrieval_scores, result, &scratch);
    const models::DenseMatrix& x = scratch.x;
    std::vector<float>& propensity = scratch.propensity;
    propensity.resize(x.rows);
    RETURN_IF_ERROR(snapshot->rank->ranker().PredictInto(x, propensity));
    std::vector<size_t>& order = scratch.order;
    TopByPropensity(propensity, candidates, request.k, &order);
    result.items.reserve(order.size());
    for (size_t r : order) {
      const models::ScoredProduct& candidate = candidates[r];
      result.items.push_back(
          ItemOf(snapshot->products[candidate.product], candidate.score, propensity[r]));
    }
    if (request.explain && !order.empty()) RETURN_IF_ERROR(Explain(*snapshot, x, order, &result));
    if (request.include_features) {
      result.feature_names = snapshot->rank->ranker().feature_names();
      for (size_t i = 0; i < order.size(); ++i) {
        const float* row = x.values.data() + order[i] * x.cols;
        result.items[i].features.assign(row, row + x.cols);
      }
    }
    result.took_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

  StatusOr<bool> Reload(bool force) override {
    std::lock_guard<std::mutex> lock(reload_mutex_);
    PullFromRegistry();
    ASSIGN_OR_RETURN(std::optional<CurrentVersions> found, FindCurrentVersions());
    if (!found.has_value()) return false;
    auto current = snapshot_.load();
    const bool blend = !found->blend_version.empty();
    if (!force && current != nullptr && current->rank_version == found->rank_version &&
        current->blend_version == found->blend_version &&
        current->cf_version == found->cf_version) {
      return false;
    }
    SnapshotModels models;
    if (blend) {
      models.blend_version = found->blend_version;
      if (current != nullptr && current->blend_version == found->blend_version) {
        models.blend = current->blend;
      } else {
        ASSIGN_OR_RETURN(models.blend, LoadBlendModel(found->blend_dir));
      }
    }
    if (!found->cf_version.empty()) {
      models.cf_version = found->cf_version;
      if (current != nullptr && current->cf_version == found->cf_version) {
        models.cf = current->cf;
      } else {
        ASSIGN_OR_RETURN(models::CfModel loaded, models::CfModel::Load(found->cf_dir));
        models.cf = std::make_shared<const models::CfModel>(std::move(loaded));
      }
    }
    models.rank_version = found->rank_version;
    if (current != nullptr && current->rank_version == found->rank_version) {
      models.rank = current->rank;
    } else {
      ASSIGN_OR_RETURN(models::RankModel loaded, models::RankModel::Load(found->rank_dir));
      models.rank = std::make_shared<const models::RankModel>(std::move(loaded));
    }
    RETURN_IF_ERROR(InstallLocked(std::move(models)));
    PANTRY_LOG_INFO("recommender: serving candidates from {} {} and rank {} over {} products",
                    blend ? "blend" : "fm", blend ? found->blend_version : found->cf_version,
                    found->rank_version, catalog_size());
    return true;
  }

  Status Install(std::shared_ptr<const models::CfModel> cf, std::string cf_version,
                 std::shared_ptr<const models::RankModel> rank, std::string rank_version) override {
    std::lock_guard<std::mutex> lock(reload_mutex_);
    SnapshotModels models;
    models.cf = std::move(cf);
    models.cf_version = std::move(cf_version);
    models.rank = std::move(rank);
    models.rank_version = std::move(rank_version);
    return InstallLocked(std::move(models));
  }

  Status Ready() const override {
    if (snapshot_.load(std::memory_order_acquire) != nullptr) return Status::Ok();
    return UnavailableError(NotReadyMessage());
  }
  std::string cf_version() const override {
    auto s = snapshot_.load();
    return s == nullptr ? "" : s->candidate_version();
  }
  std::string rank_version() const override {
    auto s = snapshot_.load();
    return s == nullptr ? "" : s->rank_version;
  }
  size_t catalog_size() const override {
    auto s = snapshot_.load();
    return s == nullptr ? 0 : s->products.size();
  }
  std::shared_ptr<const ModelSnapshot> snapshot() const override {
    return snapshot_.load(std::memory_order_acquire);
  }
  CandidateCacheStats candidate_cache_stats() const override {
    CandidateCacheStats stats;
    stats.hits = cache_counters_.hits.load(std::memory_order_relaxed);
    stats.misses = cache_counters_.misses.load(std::memory_order_relaxed);
    if (auto s = snapshot_.load(std::memory_order_acquire)) {
      const CandidateCacheUsage usage = s->candidate_cache->Usage();
      stats.entries = usage.entries;
      stats.bytes = usage.bytes;
    }
    return stats;
  }

  void SetNotReady(std::string reason) {
    std::lock_guard<std::mutex> lock(not_ready_mutex_);
    not_ready_ = std::move(reason);
  }

 private:
  // Brings the registry's current versions into the home. A failure is
  // logged once per outage, not returned: the home's versions serve on.
  void PullFromRegistry() {
    if (options_.registry == nullptr) return;
    Status failed = Status::Ok();
    for (const char* kind : {"cf", kBlendModelKind, "rank"}) {
      auto pulled = models::PullCurrentVersion(*options_.registry, options_.home, kind);
      if (!pulled.ok()) {
        failed = pulled.status();
      } else if (*pulled) {
        PANTRY_LOG_INFO("recommender: fetched the current {} model from {}", kind,
                        options_.registry->Describe());
      }
    }
    if (!failed.ok() && !registry_failing_) {
      PANTRY_LOG_WARN("recommender: cannot read {}: {}; serving the home's models meanwhile",
                      options_.registry->Describe(), failed.message());
    }
    registry_failing_ = !failed.ok();
  }

  // The versions Reload() would serve: the ranker's current version, the
  // FM's if any, and the blend's when it is newer (by version id, which
  // sorts by creation time) than the FM's, so that whichever `pantry train
  // cf` published last proposes the candidates.
  // nullopt (and the not-ready reason set) when a model kind has no version.
  struct CurrentVersions {
    std::filesystem::path cf_dir, blend_dir, rank_dir;
    // The blend's are empty when the FM proposes the candidates; the FM's
    // are set whenever one is trained (for the pantry-cf endpoint).
    std::string cf_version, blend_version, rank_version;
  };
  StatusOr<std::optional<CurrentVersions>> FindCurrentVersions() {
    auto cf_dir = models::CurrentModelVersion(options_.home, "cf");
    auto blend_dir = models::CurrentModelVersion(options_.home, kBlendModelKind);
    auto rank_dir = models::CurrentModelVersion(options_.home, "rank");
    for (const auto* dir : {&cf_dir, &blend_dir, &rank_dir}) {
      if (!dir->ok() && dir->status().code() != StatusCode::kNotFound) return dir->status();
    }
    if (!rank_dir.ok() || (!cf_dir.ok() && !blend_dir.ok())) {
      SetNotReady(!rank_dir.ok() ? rank_dir.status().message()
                                 : "no candidate model (models/cf or models/retrieval) yet");
      return std::optional<CurrentVersions>();
    }
    CurrentVersions v;
    v.rank_dir = *rank_dir;
    v.rank_version = rank_dir->filename().string();
    const bool use_blend =
        blend_dir.ok() && (!cf_dir.ok() || blend_dir->filename() > cf_dir->filename());
    if (use_blend) {
      v.blend_dir = *blend_dir;
      v.blend_version = blend_dir->filename().string();
    }
    if (cf_dir.ok()) {
      v.cf_dir = *cf_dir;
      v.cf_version = cf_dir->filename().string();
    }
    return std::optional<CurrentVersions>(std::move(v));
  }

  Status InstallLocked(SnapshotModels models) {
    if ((models.cf == nullptr && models.blend == nullptr) || models.rank == nullptr) {
      return InvalidArgumentError("Install: null model");
    }
    ASSIGN_OR_RETURN(std::vector<CatalogProduct> products, LoadCatalog(*options_.store));
    ASSIGN_OR_RETURN(std::shared_ptr<const ModelSnapshot> snapshot,
                     BuildSnapshot(std::move(models), std::move(products), snapshot_options_));
    snapshot_.store(std::move(snapshot), std::memory_order_release);
    return Status::Ok();
  }

  StatusOr<Record> ReadProfile(const std::string& customer_id) const {
    ASSIGN_OR_RETURN(std::optional<Record> profile,
                     options_.store->GetRecord("customers", customer_id));
    if (!profile.has_value()) {
      return NotFoundError("customer '" + customer_id + "' is not in the customers feature group");
    }
    return std::move(*profile);
  }

  StatusOr<LiveFeatures> ReadLiveFeatures(const std::string& customer_id) const {
    LiveFeatures live;
    for (const std::string* group : {&options_.live_group, &options_.stagger_group}) {
      if (group->empty()) continue;
      auto row = options_.store->GetRecord(*group, customer_id);
      if (!row.ok()) {
        if (row.status().code() == StatusCode::kNotFound) continue;  // no such group
        return row.status().WithContext("reading live features from " + *group);
      }
      if (!row->has_value()) continue;
      const Record& record = **row;
      live.source = *group;
      if (const FeatureValue* t = record.Find("event_time"); t != nullptr) {
        if (auto seconds = t->AsDouble()) {
          live.event_time_micros = static_cast<int64_t>(std::llround(*seconds * 1e6));
        }
      }
      const bool sliding = group == &options_.live_group;
      if (sliding && options_.live_max_age_micros > 0 && live.event_time_micros.has_value() &&
          options_.clock->NowMicros() - *live.event_time_micros > options_.live_max_age_micros) {
        live.stale = true;  // every event has left the window
        return live;
      }
      live.sum_activity_weight_last_2m = NumberOr(record, "sum_activity_weight_last_2m", 0.0);
      live.avg_product_health_index_last_2m =
          NumberOr(record, "avg_product_health_index_last_2m", 0.0);
      live.healthy_activity_last_2m =
          live.sum_activity_weight_last_2m * live.avg_product_health_index_last_2m;
      return live;
    }
    return live;
  }

  Status Explain(const ModelSnapshot& snapshot, const models::DenseMatrix& x,
                 const std::vector<size_t>& order, RecommendResult* result) const {
    models::DenseMatrix top = x.SelectRows(order);
    ASSIGN_OR_RETURN(std::vector<float> contributions,
                     snapshot.rank->ranker().PredictContributions(top));
    const auto& names = snapshot.rank->ranker().feature_names();
    const size_t width = names.size() + 1;
    for (size_t i = 0; i < result->items.size(); ++i) {
      const float* row = contributions.data() + i * width;
      std::vector<size_t> features(names.size());
      std::iota(features.begin(), features.end(), size_t{0});
      std::sort(features.begin(), features.end(),
                [&](size_t a, size_t b) { return std::fabs(row[a]) > std::fabs(row[b]); });
      RecommendedItem& item = result->items[i];
      for (size_t f : features) {
        if (item.contributions.size() == 5 || row[f] == 0.0f) break;
        item.contributions.push_back({names[f], top.values[i * top.cols + f], row[f]});
      }
      item.bias_contribution = row[names.size()];
    }
    return Status::Ok();
  }

  std::string NotReadyMessage() const {
    std::lock_guard<std::mutex> lock(not_ready_mutex_);
    return "no models are being served yet (" +
           (not_ready_.empty() ? std::string("none loaded") : not_ready_) +
           "): train them with `pantry train cf` and `pantry train rank`";
  }

  RecommenderOptions options_;
  SnapshotOptions snapshot_options_;
  std::mutex reload_mutex_;
  bool registry_failing_ = false;  // guarded by reload_mutex_
  std::atomic<std::shared_ptr<const ModelSnapshot>> snapshot_;
  mutable CandidateCacheCounters cache_counters_;
  mutable std::mutex not_ready_mutex_;
  std::string not_ready_;
};

}  // namespace

models::RankInputs ServingRankInputs(const LiveFeatures& live, double customer_health_index,
                                     const CatalogProduct& product) {
  models::RankInputs inputs;
  inputs.sum_activity_weight_last_2m = static_cast<float>(live.sum_activity_weight_last_2m);
  inputs.avg_product_health_index_last_2m =
      static_cast<float>(live.avg_product_health_index_last_2m);
  inputs.product_health_index = static_cast<float>(product.product_health_index);
  inputs.customer_health_index = static_cast<float>(customer_health_index);
  return inputs;
}

StatusOr<std::unique_ptr<Recommender>> Recommender::Open(const RecommenderOptions& options) {
  if (options.store == nullptr) return InvalidArgumentError("Recommender: no feature store");
  auto recommender = std::make_unique<RecommenderImpl>(options);
  if (!options.home.empty()) {
    // A broken model version must not keep the rest of the server down: the
    // recommender reports not ready (503) until a good version appears.
    auto loaded = recommender->Reload(false);
    if (!loaded.ok()) {
      PANTRY_LOG_WARN("recommender: cannot load the current models: {}",
                      loaded.status().ToString());
      recommender->SetNotReady(loaded.status().ToString());
    }
  }
  return std::unique_ptr<Recommender>(std::move(recommender));
}

struct ModelWatcher::State {
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  std::thread thread;
};

ModelWatcher::ModelWatcher(Recommender* recommender, int64_t interval_micros)
    : state_(std::make_unique<State>()) {
  State* state = state_.get();
  state->thread = std::thread([state, recommender, interval_micros] {
    std::unique_lock<std::mutex> lock(state->mutex);
    while (!state->wake.wait_for(lock, std::chrono::microseconds(interval_micros),
                                 [state] { return state->stop; })) {
      lock.unlock();
      auto reloaded = recommender->Reload(false);
      if (!reloaded.ok()) {
        PANTRY_LOG_WARN("model reload failed (still serving the previous models): {}",
                        reloaded.status().ToString());
      }
      lock.lock();
    }
  });
}

ModelWatcher::~ModelWatcher() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
  }
  state_->wake.notify_all();
  state_->thread.join();
}

}  // namespace pantry::recommend
