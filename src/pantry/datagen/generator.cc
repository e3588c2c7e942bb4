#include "pantry/datagen/generator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <thread>
#include <vector>

#include "pantry/common/csv.h"
#include "pantry/common/logging.h"
#include "pantry/common/progress.h"
#include "pantry/common/time_format.h"
#include "pantry/datagen/ground_truth.h"
#include "pantry/datagen/hidden_model.h"
#include "pantry/datagen/output_folder.h"
#include "pantry/datagen/text_format.h"

namespace pantry::datagen {
namespace {

constexpr int64_t kEndUnixSeconds = 1793491200;  // 2026-11-01T00:00:00Z
constexpr int64_t kCustomersPerChunk = 16384;
constexpr int64_t kClickRowsPerChunk = 65536;
// Order chunks hold about this many rows, whatever --orders-per-customer is,
// so that buffer memory does not grow with it.
constexpr int64_t kOrderRowsPerChunk = 65536;
constexpr double kHeldoutOrderFraction = 0.2;
constexpr double kClickHeldoutFraction = 0.1;
constexpr int64_t kActivityWindowSeconds = 120;
constexpr int kActivityWeights[4] = {1, 2, 1, 2};  // liked, cart, wish list, saved
constexpr int kOracleTopK = 100;

const char* const kProductsFile = "products.csv";
const char* const kCustomersFile = "customers.csv";
const char* const kOrdersFile = "orders.csv";
const char* const kClicksFile = "click_stream_historical.csv";
const char* const kTruthDir = "truth";

void AppendCustomerId(std::string* out, int64_t index) {
  out->push_back('C');
  AppendInt(out, index + 1);
}
void AppendProductId(std::string* out, int64_t index) {
  out->push_back('P');
  AppendInt(out, index + 1);
}

// Runs produce(chunk) for chunks [0, num_chunks) on `threads` threads and
// consume(chunk, output) on the calling thread in chunk order, a wave of
// chunks at a time so that memory stays bounded.
template <typename Out, typename Produce, typename Consume>
Status RunChunks(int64_t num_chunks, int threads, Produce produce, Consume consume) {
  // Double-buffered: a writer thread consumes wave w while the workers
  // produce wave w + 1, so disk writes overlap with generation.
  const int64_t wave = static_cast<int64_t>(threads) * 2;
  std::vector<Out> buffers[2] = {std::vector<Out>(wave), std::vector<Out>(wave)};
  Status write_status;
  std::thread writer;
  int current = 0;
  for (int64_t first = 0; first < num_chunks; first += wave, current ^= 1) {
    std::vector<Out>& results = buffers[current];
    const int64_t n = std::min(wave, num_chunks - first);
    std::atomic<int64_t> next{0};
    auto work = [&] {
      for (int64_t i; (i = next.fetch_add(1)) < n;) results[i] = produce(first + i);
    };
    std::vector<std::thread> pool;
    for (int64_t t = 1; t < std::min<int64_t>(threads, n); ++t) pool.emplace_back(work);
    work();
    for (std::thread& thread : pool) thread.join();
    if (writer.joinable()) writer.join();
    if (!write_status.ok()) return write_status;
    writer = std::thread([&results, n, first, &consume, &write_status] {
      for (int64_t i = 0; i < n && write_status.ok(); ++i) {
        write_status = consume(first + i, results[i]);
        results[i] = Out();
      }
    });
  }
  if (writer.joinable()) writer.join();
  return write_status;
}

int64_t NumChunks(int64_t items, int64_t per_chunk) { return (items + per_chunk - 1) / per_chunk; }

// A healthy activity (liked, added to cart, ...) in a browsing session.
struct Activity {
  int64_t time;
  int weight;
  double health;
};

// healthy_activity_last_2m at time t: over the activities of the last
// kActivityWindowSeconds, weight sum x health sum / count; rounded here so
// that the file holds exactly the model's input.
// The live activity of the last 2 minutes before t: the summed weight, the
// mean browsed health, and the workshop's healthy_activity_last_2m (their
// product), each rounded first so that the file holds exactly the model's
// input.
struct LiveFeatures {
  LiveActivity live;
  double healthy_activity = 0;
};
LiveFeatures LiveActivityLast2m(const std::vector<Activity>& activities, int64_t t) {
  int weight_sum = 0;
  double health_sum = 0;
  int events = 0;
  for (const Activity& a : activities) {
    if (t - a.time < kActivityWindowSeconds) {
      weight_sum += a.weight;
      health_sum += a.health;
      ++events;
    }
  }
  LiveFeatures f;
  f.healthy_activity = events ? std::llround(weight_sum * health_sum / events * 1e4) / 1e4 : 0.0;
  f.live = LiveActivity{weight_sum, events ? std::llround(health_sum / events * 1e4) / 1e4 : 0.0};
  return f;
}

// One row of click_stream_historical.csv.
void AppendClickRow(std::string* rows, int64_t customer, int64_t product, bool bought, int rating,
                    double x, const LiveActivity& live, int64_t t) {
  AppendCustomerId(rows, customer);
  rows->push_back(',');
  AppendProductId(rows, product);
  rows->append(bought ? ",1," : ",0,");
  AppendInt(rows, rating);
  rows->push_back(',');
  AppendFixed(rows, x, 4);
  rows->push_back(',');
  AppendInt(rows, live.weight_sum);
  rows->push_back(',');
  AppendFixed(rows, live.mean_health, 4);
  rows->push_back(',');
  AppendIsoSeconds(rows, t);
  rows->push_back('\n');
}

// Through text, so that the JSON shows 0.43997 rather than 0.43997000000000003.
double Round6(double v) {
  if (std::isnan(v)) return v;
  std::string text;
  AppendFixed(&text, v, 6);
  return std::strtod(text.c_str(), nullptr);
}

double Mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// Mean recall of the evaluation sample's held-out purchases.
struct SampleRecalls {
  double oracle_at_10 = 0, oracle_at_100 = 0;
  double popularity_at_10 = 0, popularity_at_100 = 0;
};

class Generator {
 public:
  Generator(const GenerateOptions& options, const std::filesystem::path& staging)
      : options_(options),
        staging_(staging),
        model_(options.seed, options.products),
        threads_(options.threads > 0
                     ? options.threads
                     : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
        start_seconds_(kEndUnixSeconds - options.days * 86400),
        click_cutoff_seconds_(kEndUnixSeconds - static_cast<int64_t>(std::llround(
                                                    options.days * 86400 * kClickHeldoutFraction))),
        eval_limit_(std::min(options.customers, options.eval_customers)),
        purchase_counts_(options.products),
        sample_heldout_(eval_limit_) {}

  StatusOr<OrderedJson> Run() {
    std::filesystem::create_directory(staging_ / kTruthDir);
    RETURN_IF_ERROR(WriteProducts());
    RETURN_IF_ERROR(WriteCustomers());
    RETURN_IF_ERROR(WriteOrders());
    RETURN_IF_ERROR(WriteClicks());
    return WriteSummary();
  }

 private:
  Status WriteProducts();
  Status WriteCustomers();
  Status WriteOrders();
  Status WriteClicks();
  StatusOr<OrderedJson> WriteSummary();
  StatusOr<std::vector<int64_t>> WriteEvalCustomers();
  std::vector<int64_t> MostPurchased(int64_t top) const;
  SampleRecalls ComputeRecalls(const std::vector<int64_t>& sample,
                               const std::vector<int64_t>& by_count, int64_t top) const;
  OrderedJson SummaryJson(size_t sample_size, const SampleRecalls& recalls) const;

  const GenerateOptions& options_;
  const std::filesystem::path staging_;
  const HiddenModel model_;
  const int threads_;
  const int64_t start_seconds_;
  const int64_t click_cutoff_seconds_;
  const int64_t eval_limit_;
  std::vector<std::atomic<uint32_t>> purchase_counts_;  // training orders per product
  std::vector<std::vector<int64_t>> sample_heldout_;  // held-out products, customers < eval_limit_
  int64_t train_orders_ = 0, heldout_orders_ = 0;
  int64_t click_bought_ = 0, click_heldout_rows_ = 0, click_weight_sum_ = 0;
  double click_x_sum_ = 0;
  AucHistogram auc_with_, auc_without_;
};

Status Generator::WriteProducts() {
  ASSIGN_OR_RETURN(auto file, OutputFile::Create(staging_ / kProductsFile));
  ASSIGN_OR_RETURN(auto latent, OutputFile::Create(staging_ / kTruthDir / "products_latent.csv"));
  std::string rows = "product_name,product_category,product_id,product_health_index\n";
  std::string latent_rows = "product_id,product_category,popularity,price,taste_cluster";
  for (int d = 0; d < kLatentDim; ++d) latent_rows += ",latent_" + std::to_string(d);
  latent_rows += "\n";
  const auto categories = Categories();
  for (int64_t j = 0; j < model_.num_products(); ++j) {
    const ProductParams& p = model_.product(j);
    AppendCsvField(&rows, p.name);
    rows.push_back(',');
    rows.append(categories[p.category].name);
    rows.push_back(',');
    AppendProductId(&rows, j);
    rows.push_back(',');
    AppendFixed(&rows, p.health, 1);
    rows.push_back('\n');

    AppendProductId(&latent_rows, j);
    latent_rows.push_back(',');
    latent_rows.append(categories[p.category].name);
    latent_rows.push_back(',');
    AppendFixed(&latent_rows, p.popularity, 6);
    latent_rows.push_back(',');
    AppendFixed(&latent_rows, p.price, 2);
    latent_rows.push_back(',');
    AppendInt(&latent_rows, p.cluster);
    for (double x : model_.cluster_vector(p.cluster)) {
      latent_rows.push_back(',');
      AppendFixed(&latent_rows, x, 6);
    }
    latent_rows.push_back('\n');
    if (rows.size() > (1 << 20)) {
      RETURN_IF_ERROR(file->Append(rows));
      RETURN_IF_ERROR(latent->Append(latent_rows));
      rows.clear();
      latent_rows.clear();
    }
  }
  RETURN_IF_ERROR(file->Append(rows));
  RETURN_IF_ERROR(latent->Append(latent_rows));
  RETURN_IF_ERROR(file->Close());
  return latent->Close();
}

Status Generator::WriteCustomers() {
  ASSIGN_OR_RETURN(auto file, OutputFile::Create(staging_ / kCustomersFile));
  ASSIGN_OR_RETURN(auto latent, OutputFile::Create(staging_ / kTruthDir / "customers_latent.csv"));
  RETURN_IF_ERROR(file->Append("customer_id,name,state,age,is_married,customer_health_index\n"));
  std::string header = "customer_id,customer_health_index";
  for (int d = 0; d < kLatentDim; ++d) header += ",latent_" + std::to_string(d);
  for (const CategoryInfo& c : Categories()) header += ",log_p_" + std::string(c.name);
  RETURN_IF_ERROR(latent->Append(header + "\n"));
  struct Chunk {
    std::string rows, latent_rows;
  };
  ProgressBar progress("customers", options_.customers);
  return RunChunks<Chunk>(
      NumChunks(options_.customers, kCustomersPerChunk), threads_,
      [&](int64_t chunk) {
        Chunk out;
        const int64_t end = std::min(options_.customers, (chunk + 1) * kCustomersPerChunk);
        for (int64_t i = chunk * kCustomersPerChunk; i < end; ++i) {
          const CustomerParams c = model_.Customer(i);
          AppendCustomerId(&out.rows, i);
          out.rows.push_back(',');
          out.rows.append(c.name);
          out.rows.push_back(',');
          out.rows.append(States()[c.state]);
          out.rows.push_back(',');
          AppendInt(&out.rows, c.age);
          out.rows.append(c.married ? ",1," : ",0,");
          AppendFixed(&out.rows, c.health, 6);
          out.rows.push_back('\n');

          AppendCustomerId(&out.latent_rows, i);
          out.latent_rows.push_back(',');
          AppendFixed(&out.latent_rows, c.health, 6);
          for (double x : c.latent) {
            out.latent_rows.push_back(',');
            AppendFixed(&out.latent_rows, x, 4);
          }
          for (double x : c.log_category_prob) {
            out.latent_rows.push_back(',');
            AppendFixed(&out.latent_rows, x, 4);
          }
          out.latent_rows.push_back('\n');
        }
        progress.Add(end - chunk * kCustomersPerChunk);
        return out;
      },
      [&](int64_t, Chunk& out) -> Status {
        RETURN_IF_ERROR(file->Append(out.rows));
        return latent->Append(out.latent_rows);
      });
}

Status Generator::WriteOrders() {
  ASSIGN_OR_RETURN(auto file, OutputFile::Create(staging_ / kOrdersFile));
  ASSIGN_OR_RETURN(auto heldout, OutputFile::Create(staging_ / kTruthDir / "heldout_orders.csv"));
  const char* header = "customer_id,product_id,purchase_amount,event_time\n";
  RETURN_IF_ERROR(file->Append(header));
  RETURN_IF_ERROR(heldout->Append(header));
  struct Chunk {
    std::string rows, heldout_rows;
    int64_t train = 0, heldout = 0;
  };
  const int64_t span = options_.days * 86400;
  // Each customer has its own generator, so the chunk size does not change
  // the output.
  const int64_t per_chunk =
      std::clamp<int64_t>(kOrderRowsPerChunk / options_.orders_per_customer, 1, kCustomersPerChunk);
  ProgressBar progress("orders", options_.customers);
  RETURN_IF_ERROR(RunChunks<Chunk>(
      NumChunks(options_.customers, per_chunk), threads_,
      [&](int64_t chunk) {
        Chunk out;
        std::vector<std::pair<int64_t, int64_t>> purchases;  // (time, product)
        const int64_t end = std::min(options_.customers, (chunk + 1) * per_chunk);
        for (int64_t i = chunk * per_chunk; i < end; ++i) {
          const CustomerParams c = model_.Customer(i);
          Rng rng(options_.seed, RngStream::kOrders, static_cast<uint64_t>(i));
          const int64_t n = 1 + rng.Poisson(static_cast<double>(options_.orders_per_customer - 1));
          purchases.clear();
          for (int64_t o = 0; o < n; ++o) {
            const int64_t t = start_seconds_ + static_cast<int64_t>(rng.UniformInt(span));
            purchases.emplace_back(t, model_.SampleProduct(c, rng));
          }
          std::sort(purchases.begin(), purchases.end());
          const int64_t held =
              n >= 2 ? std::max<int64_t>(1, std::llround(kHeldoutOrderFraction * n)) : 0;
          for (int64_t o = 0; o < n; ++o) {
            const auto [t, p] = purchases[o];
            const bool is_heldout = o >= n - held;
            std::string& rows = is_heldout ? out.heldout_rows : out.rows;
            AppendCustomerId(&rows, i);
            rows.push_back(',');
            AppendProductId(&rows, p);
            rows.push_back(',');
            AppendFixed(&rows, model_.product_price(p) * std::exp(rng.Normal(0, 0.15)), 2);
            rows.push_back(',');
            AppendIsoSeconds(&rows, t);
            rows.push_back('\n');
            if (is_heldout) {
              ++out.heldout;
              if (i < eval_limit_) sample_heldout_[i].push_back(p);
            } else {
              ++out.train;
              purchase_counts_[p].fetch_add(1, std::memory_order_relaxed);
            }
          }
        }
        progress.Add(end - chunk * per_chunk);
        return out;
      },
      [&](int64_t, Chunk& out) -> Status {
        train_orders_ += out.train;
        heldout_orders_ += out.heldout;
        RETURN_IF_ERROR(file->Append(out.rows));
        return heldout->Append(out.heldout_rows);
      }));
  RETURN_IF_ERROR(file->Close());
  return heldout->Close();
}

Status Generator::WriteClicks() {
  ASSIGN_OR_RETURN(auto file, OutputFile::Create(staging_ / kClicksFile));
  RETURN_IF_ERROR(
      file->Append("customer_id,product_id,bought,rating,healthy_activity_last_2m,"
                   "sum_activity_weight_last_2m,avg_product_health_index_last_2m,event_time\n"));
  struct Chunk {
    std::string rows;
    int64_t bought = 0, heldout = 0, weight_sum = 0;
    double x_sum = 0;
    AucHistogram with, without;
  };
  const int64_t span = options_.days * 86400;
  ProgressBar progress("click rows", options_.click_rows);
  RETURN_IF_ERROR(RunChunks<Chunk>(
      NumChunks(options_.click_rows, kClickRowsPerChunk), threads_,
      [&](int64_t chunk) {
        Chunk out;
        Rng rng(options_.seed, RngStream::kClicks, static_cast<uint64_t>(chunk));
        const int64_t target =
            std::min(kClickRowsPerChunk, options_.click_rows - chunk * kClickRowsPerChunk);
        std::vector<Activity> activities;
        int64_t emitted = 0;
        while (emitted < target) {
          const int64_t ci = static_cast<int64_t>(rng.UniformInt(options_.customers));
          const CustomerParams c = model_.Customer(ci);
          const bool healthy_mood = rng.Bernoulli(c.health);
          const int64_t length = 3 + rng.Poisson(7);
          int64_t t = start_seconds_ + static_cast<int64_t>(rng.UniformInt(span - 3600));
          activities.clear();
          for (int64_t r = 0; r < length && emitted < target; ++r, ++emitted) {
            if (r > 0) t += rng.UniformRange(5, 40);
            const int64_t p = rng.Bernoulli(0.5) ? model_.SampleProduct(c, rng)
                                                 : model_.SampleBrowsedProduct(healthy_mood, rng);
            const LiveFeatures features = LiveActivityLast2m(activities, t);
            const double x = features.healthy_activity;
            const LiveActivity& live = features.live;
            const double logit = model_.ClickLogit(c, p, live);
            const bool bought = rng.Uniform() < 1.0 / (1.0 + std::exp(-logit));
            int rating = 0;
            if (bought) {
              const double raw = 3.0 + 0.8 * model_.StaticAffinity(c, p) + rng.Normal(0, 0.8);
              rating = static_cast<int>(std::clamp<double>(std::llround(raw), 1, 5));
            }
            AppendClickRow(&out.rows, ci, p, bought, rating, x, live, t);
            out.bought += bought;
            out.x_sum += x;
            out.weight_sum += live.weight_sum;
            if (t >= click_cutoff_seconds_) {
              ++out.heldout;
              out.with.Add(logit, bought);
              out.without.Add(model_.ClickLogit(c, p, live, /*use_activity=*/false), bought);
            }
            if (rng.Bernoulli(0.6)) {
              activities.push_back(
                  {t, kActivityWeights[rng.UniformInt(4)], model_.product_health(p)});
            }
          }
        }
        progress.Add(target);
        return out;
      },
      [&](int64_t, Chunk& out) -> Status {
        click_bought_ += out.bought;
        click_heldout_rows_ += out.heldout;
        click_x_sum_ += out.x_sum;
        click_weight_sum_ += out.weight_sum;
        auc_with_.Merge(out.with);
        auc_without_.Merge(out.without);
        return file->Append(out.rows);
      }));
  return file->Close();
}

// The evaluation sample: customers C1..C<eval_limit_> with a held-out
// purchase, also written to truth/eval_customers.csv.
StatusOr<std::vector<int64_t>> Generator::WriteEvalCustomers() {
  std::vector<int64_t> sample;
  for (int64_t i = 0; i < eval_limit_; ++i) {
    if (!sample_heldout_[i].empty()) sample.push_back(i);
  }
  std::string eval_rows = "customer_id\n";
  for (int64_t i : sample) {
    AppendCustomerId(&eval_rows, i);
    eval_rows.push_back('\n');
  }
  ASSIGN_OR_RETURN(auto eval_file, OutputFile::Create(staging_ / kTruthDir / "eval_customers.csv"));
  RETURN_IF_ERROR(eval_file->Append(eval_rows));
  RETURN_IF_ERROR(eval_file->Close());
  return sample;
}

// Popularity baseline: the `top` most purchased products in orders.csv, ties
// by id.
std::vector<int64_t> Generator::MostPurchased(int64_t top) const {
  std::vector<int64_t> by_count(options_.products);
  std::iota(by_count.begin(), by_count.end(), 0);
  std::partial_sort(
      by_count.begin(), by_count.begin() + top, by_count.end(), [&](int64_t a, int64_t b) {
        const uint32_t ca = purchase_counts_[a].load(), cb = purchase_counts_[b].load();
        return ca != cb ? ca > cb : a < b;
      });
  by_count.resize(top);
  return by_count;
}

// Recall of the hidden model's own top-`top` ranking (the oracle) and of the
// popularity ranking, over the sample, on threads_ threads.
SampleRecalls Generator::ComputeRecalls(const std::vector<int64_t>& sample,
                                        const std::vector<int64_t>& by_count, int64_t top) const {
  std::vector<double> oracle10(sample.size()), oracle100(sample.size());
  std::vector<double> pop10(sample.size()), pop100(sample.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    std::vector<double> scores;
    std::vector<int64_t> order(options_.products);
    for (size_t s; (s = next.fetch_add(1)) < sample.size();) {
      const CustomerParams c = model_.Customer(sample[s]);
      model_.LogPurchaseProbAll(c, &scores);
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + top, order.end(), [&](int64_t a, int64_t b) {
        return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
      });
      const std::unordered_set<int64_t> relevant(sample_heldout_[sample[s]].begin(),
                                                 sample_heldout_[sample[s]].end());
      const std::span<const int64_t> ranked(order.data(), top);
      oracle10[s] = RecallAtK<int64_t>(ranked, relevant, 10);
      oracle100[s] = RecallAtK<int64_t>(ranked, relevant, 100);
      pop10[s] = RecallAtK<int64_t>(by_count, relevant, 10);
      pop100[s] = RecallAtK<int64_t>(by_count, relevant, 100);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads_; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  return {Mean(oracle10), Mean(oracle100), Mean(pop10), Mean(pop100)};
}

OrderedJson Generator::SummaryJson(size_t sample_size, const SampleRecalls& recalls) const {
  const ModelConstants& k = model_.constants();
  OrderedJson summary;
  summary["format_version"] = 2;
  summary["generator"] = "pantry generate";
  summary["seed"] = options_.seed;
  summary["customers"] = options_.customers;
  summary["products"] = options_.products;
  summary["orders_per_customer"] = options_.orders_per_customer;
  summary["days"] = options_.days;
  summary["time_start"] = FormatIso8601Micros(start_seconds_ * 1000000);
  summary["time_end"] = FormatIso8601Micros(kEndUnixSeconds * 1000000);
  summary["orders_rows"] = train_orders_;
  summary["heldout_orders_rows"] = heldout_orders_;
  summary["click_rows"] = options_.click_rows;
  summary["click_heldout_from"] = FormatIso8601Micros(click_cutoff_seconds_ * 1000000);
  summary["click_heldout_rows"] = click_heldout_rows_;
  summary["bought_rate"] = Round6(static_cast<double>(click_bought_) / options_.click_rows);
  summary["mean_healthy_activity_last_2m"] = Round6(click_x_sum_ / options_.click_rows);
  summary["mean_sum_activity_weight_last_2m"] =
      Round6(static_cast<double>(click_weight_sum_) / options_.click_rows);
  summary["eval_sample"] = {
      {"customers", sample_size},
      {"rule", "customers C1..C" + std::to_string(eval_limit_) +
                   " that have at least one held-out purchase (truth/eval_customers.csv)"}};
  summary["oracle_recall_at_10"] = Round6(recalls.oracle_at_10);
  summary["oracle_recall_at_100"] = Round6(recalls.oracle_at_100);
  summary["popularity_recall_at_10"] = Round6(recalls.popularity_at_10);
  summary["popularity_recall_at_100"] = Round6(recalls.popularity_at_100);
  summary["oracle_auc"] = Round6(auc_with_.Auc());
  summary["oracle_auc_without_activity"] = Round6(auc_without_.Auc());
  summary["model"] = {{"latent_dim", kLatentDim},
                      {"taste_clusters", kTasteClusters},
                      {"latent_sd", k.latent_sd},
                      {"health_affinity", k.health_affinity},
                      {"state_shift_sd", k.state_shift_sd},
                      {"age_slope_sd", k.age_slope_sd},
                      {"baby_food_boost", k.baby_food_boost},
                      {"affinity_noise_sd", k.affinity_noise_sd},
                      {"popularity_sd", k.popularity_sd},
                      {"click_b0", k.click_b0},
                      {"click_b1", k.click_b1},
                      {"click_gamma", k.click_gamma},
                      {"click_health_centre", k.click_health_centre},
                      {"heldout_order_fraction", kHeldoutOrderFraction},
                      {"click_heldout_fraction", kClickHeldoutFraction}};
  return summary;
}

StatusOr<OrderedJson> Generator::WriteSummary() {
  ASSIGN_OR_RETURN(std::vector<int64_t> sample, WriteEvalCustomers());
  const int64_t top = std::min<int64_t>(kOracleTopK, options_.products);
  const SampleRecalls recalls = ComputeRecalls(sample, MostPurchased(top), top);
  OrderedJson summary = SummaryJson(sample.size(), recalls);
  ASSIGN_OR_RETURN(auto file, OutputFile::Create(staging_ / kTruthDir / "summary.json"));
  RETURN_IF_ERROR(file->Append(DumpJson(summary, 2) + "\n"));
  RETURN_IF_ERROR(file->Close());
  return summary;
}

}  // namespace

Status ValidateGenerateOptions(const GenerateOptions& o) {
  auto positive = [](const char* flag, int64_t v) -> Status {
    if (v <= 0)
      return InvalidArgumentError(std::string(flag) + " must be > 0, got " + std::to_string(v));
    return Status::Ok();
  };
  if (o.out.empty()) return InvalidArgumentError("--out is required");
  RETURN_IF_ERROR(positive("--customers", o.customers));
  RETURN_IF_ERROR(positive("--products", o.products));
  RETURN_IF_ERROR(positive("--orders-per-customer", o.orders_per_customer));
  RETURN_IF_ERROR(positive("--click-rows", o.click_rows));
  RETURN_IF_ERROR(positive("--days", o.days));
  RETURN_IF_ERROR(positive("--eval-customers", o.eval_customers));
  if (o.products < kNumCategories) {
    return InvalidArgumentError("--products must be at least " + std::to_string(kNumCategories) +
                                " (one per category), got " + std::to_string(o.products));
  }
  if (o.days > 3650) return InvalidArgumentError("--days must be at most 3650");
  if (o.orders_per_customer > 10000) {
    return InvalidArgumentError("--orders-per-customer must be at most 10000");
  }
  if (o.customers > (int64_t{1} << 40) || o.products > (int64_t{1} << 31) ||
      o.click_rows > (int64_t{1} << 40)) {
    return InvalidArgumentError("counts are too large");
  }
  if (o.threads < 0 || o.threads > 256) {
    return InvalidArgumentError("--threads must be between 0 (all cores) and 256");
  }
  return Status::Ok();
}

StatusOr<OrderedJson> GenerateDataset(const GenerateOptions& options) {
  RETURN_IF_ERROR(ValidateGenerateOptions(options));
  ASSIGN_OR_RETURN(auto staged, StagedOutput::Create(options.out,
                                                     {kProductsFile, kCustomersFile, kOrdersFile,
                                                      kClicksFile, kTruthDir},
                                                     options.overwrite));
  Generator generator(options, staged->staging());
  ASSIGN_OR_RETURN(OrderedJson summary, generator.Run());
  RETURN_IF_ERROR(staged->Commit(std::string(kTruthDir) + "/summary.json"));
  return summary;
}

}  // namespace pantry::datagen
