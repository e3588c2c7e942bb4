#include "pantry/workshop/demo.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <iomanip>
#include <sstream>

#include "pantry/datagen/click_simulator.h"
#include "pantry/datagen/generator.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/postgres_model_registry.h"
#include "pantry/workshop/retrieval_training.h"
#include "pantry/workshop/shopper.h"
#include "pantry/workshop/training.h"
#include "pantry/workshop/training_data.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// The demo's steps, in order, sharing the numbered output.
class Demo {
 public:
  Demo(const DemoOptions& options, std::ostream& out)
      : o_(options), out_(out), clock_(options.clock ? options.clock : Clock::Real()) {}

  StatusOr<DemoRun> Run() {
    const auto total = SteadyClock::now();
    RETURN_IF_ERROR(PrepareData());
    RETURN_IF_ERROR(PrepareGroups());
    RETURN_IF_ERROR(PrepareModels());
    ASSIGN_OR_RETURN(DemoRun run, StartServer());
    ASSIGN_OR_RETURN(DemoPhases phases, Shop(run));
    out_ << "\nTop 5 for customer " << run.customer
         << " (product, health index) -- note how the ranking changed:";
    PrintDemoTable(phases, out_);
    out_ << "demo finished in " << std::fixed << std::setprecision(1) << SecondsSince(total) << " s"
         << std::defaultfloat << std::endl;
    return run;
  }

 private:
  // Runs `fn` as step N, printing "[N] label ... done (x.x s)".
  Status Step(const std::string& label, const std::function<Status()>& fn) {
    const auto start = SteadyClock::now();
    out_ << "[" << ++step_ << "] " << label << " ..." << std::flush;
    Status s = fn();
    out_ << (s.ok() ? " done" : " FAILED") << " (" << std::fixed << std::setprecision(1)
         << SecondsSince(start) << " s)" << std::defaultfloat << std::endl;
    return s;
  }

  Status PrepareData() {
    data_ = o_.data.empty() ? o_.home / "demo-data" : o_.data;
    if (o_.data.empty()) {
      if (!fs::exists(data_ / "products.csv")) {
        RETURN_IF_ERROR(Step("generate " + std::to_string(o_.customers) + " customers, " +
                                 std::to_string(o_.products) + " products, " +
                                 std::to_string(o_.click_rows) + " click rows into " +
                                 data_.string(),
                             [&] { return Generate(); }));
      } else {
        out_ << "using the dataset already in " << data_.string() << "\n";
      }
    }
    return CheckDatasetFolder(data_).WithContext("--data");
  }

  Status Generate() {
    datagen::GenerateOptions g;
    g.out = data_;
    g.customers = o_.customers;
    g.products = o_.products;
    g.click_rows = o_.click_rows;
    g.eval_customers = 100;
    g.overwrite = true;
    RETURN_IF_ERROR(datagen::ValidateGenerateOptions(g));
    return datagen::GenerateDataset(g).status();
  }

  Status PrepareGroups() {
    ASSIGN_OR_RETURN(auto store, OpenHomeStore(o_.home, clock_, /*read_only=*/false,
                                               /*sync_writes=*/false, &o_.store_backends));
    if (store->DescribeFeatureGroup("products").ok()) {
      out_ << "feature groups already exist in " << o_.home.string() << "; not re-ingesting\n";
      return Status::Ok();
    }
    for (const WorkshopGroup& group : WorkshopGroups()) {
      if (group.csv_file.empty()) continue;
      const std::string& name = group.definition.name;
      if (!fs::exists(data_ / group.csv_file)) {
        out_ << "    (" << group.csv_file << " not in " << data_.string() << ": group " << name
             << " skipped)\n";
        continue;
      }
      if (store->DescribeFeatureGroup(name).ok()) continue;
      RETURN_IF_ERROR(Step("create and ingest " + name,
                           [&] { return LoadWorkshopGroup(*store, name, data_).status(); }));
    }
    return Status::Ok();
  }

  Status PrepareModels() {
    const fs::path retrieval = o_.home / "models" / kRetrievalModelKind;
    if (!fs::exists(retrieval / "current") && !fs::exists(o_.home / "models" / "cf" / "current")) {
      RETURN_IF_ERROR(Step("train candidate retrieval (ALS + item kNN + category popularity)", [&] {
        RetrievalTrainingRequest request;
        request.backends = &o_.store_backends;
        RETURN_IF_ERROR(TrainAndPublishRetrieval(o_.home, clock_, request, nullptr).status());
        return PushModelsToSharedRegistry(o_.home, o_.store_backends);
      }));
    } else {
      out_ << "using the trained candidate model in " << (o_.home / "models").string() << "\n";
    }
    if (!fs::exists(o_.home / "models" / "rank" / "current")) {
      RETURN_IF_ERROR(Step("train the ranking model (XGBoost)", [&] {
        RankTrainingRequest request;
        request.backends = &o_.store_backends;
        return TrainAndPublishRank(o_.home, clock_, request).status();
      }));
    } else {
      out_ << "using the trained ranking model in " << (o_.home / "models" / "rank").string()
           << "\n";
    }
    return Status::Ok();
  }

  StatusOr<DemoRun> StartServer() {
    const auto start = SteadyClock::now();
    WorkshopServerOptions options;
    options.home = o_.home;
    options.clock = clock_;
    options.store_backends = o_.store_backends;
    options.event_log_url = o_.event_log_url;
    options.server.http.host = o_.host;
    options.server.http.port = o_.port;
    options.server.access_log = false;
    options.stream_poll_interval_ms = 5;
    DemoRun run;
    ASSIGN_OR_RETURN(run.server, WorkshopServer::Start(options));
    RETURN_IF_ERROR(run.server->recommender().Ready());
    run.host = o_.host;
    run.url = "http://" + o_.host + ":" + std::to_string(run.server->port());
    out_ << "[" << ++step_ << "] server on " << run.url << " with the stream processor inside ("
         << std::fixed << std::setprecision(1) << SecondsSince(start) << " s; "
         << run.server->recommender().catalog_size() << " products)" << std::defaultfloat
         << std::endl;
    run.customer = o_.customer;
    if (run.customer.empty()) {
      ASSIGN_OR_RETURN(run.customer, PickShopper(*run.server));
    }
    return run;
  }

  // The default shopper (see MixedTopShoppers), else the first customer.
  StatusOr<std::string> PickShopper(WorkshopServer& server) {
    ASSIGN_OR_RETURN(std::vector<std::string> mixed, MixedTopShoppers(server, 1));
    if (mixed.empty()) {
      ASSIGN_OR_RETURN(std::vector<std::string> first, FirstCustomerIds(server.store(), 1));
      return first.front();
    }
    out_ << "    (shopper " << mixed.front() << ": the first customer whose top 5 mixes healthy "
         << "and unhealthy products; --customer picks another)\n";
    return mixed.front();
  }

  StatusOr<DemoPhases> Shop(const DemoRun& run) {
    ASSIGN_OR_RETURN(auto catalog, datagen::SimulatorCatalog::Load(data_ / "products.csv"));
    return ShopUnhealthyThenHealthy(run, *catalog, run.customer, o_.events, out_, &step_);
  }

  const DemoOptions& o_;
  std::ostream& out_;
  Clock* const clock_;
  fs::path data_;
  int step_ = 0;
};

std::string Cell(const Json& item) {
  std::ostringstream s;
  std::string name = item["product_name"].get<std::string>();
  if (name.size() > 26) name = name.substr(0, 25) + "~";
  s << std::left << std::setw(27) << name << std::right << std::fixed << std::setprecision(2)
    << std::setw(5) << item["product_health_index"].get<double>();
  return s.str();
}

double MeanHealth(const Json& items) {
  if (items.empty()) return 0.0;
  double sum = 0;
  for (const auto& item : items) sum += item["product_health_index"].get<double>();
  return sum / static_cast<double>(items.size());
}

}  // namespace

StatusOr<DemoRun> RunDemo(const DemoOptions& options, std::ostream& out) {
  return Demo(options, out).Run();
}

StatusOr<std::vector<std::string>> MixedTopShoppers(WorkshopServer& server, size_t n) {
  constexpr double kMixedSpread = 0.4;  // max - min health in the top 5
  constexpr size_t kScanned = 500;
  ASSIGN_OR_RETURN(std::vector<std::string> ids, FirstCustomerIds(server.store(), kScanned));
  std::vector<std::string> mixed;
  for (const std::string& id : ids) {
    if (mixed.size() == n) break;
    auto top = server.recommender().Recommend({id, 5, 200, false});
    if (!top.ok() || top->items.empty()) continue;
    auto [lo, hi] =
        std::minmax_element(top->items.begin(), top->items.end(), [](const auto& a, const auto& b) {
          return a.product_health_index < b.product_health_index;
        });
    if (hi->product_health_index - lo->product_health_index >= kMixedSpread) mixed.push_back(id);
  }
  return mixed;
}

StatusOr<DemoPhases> ShopUnhealthyThenHealthy(const DemoRun& run,
                                              const datagen::SimulatorCatalog& catalog,
                                              const std::string& customer, int events,
                                              std::ostream& out, int* step) {
  Shopper shopper(run.host, run.server->port(), customer);
  DemoPhases phases;
  ASSIGN_OR_RETURN(Json before, shopper.Recommendations());
  phases.emplace_back("before browsing", before);
  auto browse = [&](const std::string& title, double lo, double hi, int clicks) -> Status {
    const auto start = SteadyClock::now();
    ASSIGN_OR_RETURN(Shopper::Browsed browsed,
                     shopper.Browse(catalog, lo, hi, clicks, static_cast<uint64_t>(lo * 100)));
    double waited_ms = 0;
    ASSIGN_OR_RETURN(Json after,
                     shopper.WaitForLiveFeaturesToCount(phases.back().second, browsed,
                                                        /*timeout_seconds=*/10, &waited_ms));
    phases.emplace_back(title, after);
    out << "[" << ++*step << "] " << customer << " browsed " << browsed.events
        << " products with health " << lo << "-" << hi
        << " (Kinesis PutRecord over HTTP); the live features counted every click " << std::fixed
        << std::setprecision(1) << waited_ms << " ms after the last event (" << SecondsSince(start)
        << " s)" << std::defaultfloat << std::endl;
    return Status::Ok();
  };
  RETURN_IF_ERROR(browse("after unhealthy browsing", 0.1, 0.3, events));
  // Both phases fall in the same 2-minute window, so the healthy phase is
  // three times as long: the window's mean browsed health then leans
  // healthy (about 0.65) instead of cancelling out near 0.5.
  RETURN_IF_ERROR(browse("after healthy browsing", 0.7, 0.9, 3 * events));
  return phases;
}

void PrintDemoTable(const DemoPhases& phases, std::ostream& out) {
  out << "\n";
  for (const auto& [title, _] : phases) out << std::left << std::setw(38) << title;
  out << "\n";
  for (const auto& [_, r] : phases) {
    std::ostringstream s;
    s << "healthy_activity=" << std::fixed << std::setprecision(2)
      << r["live_features"]["healthy_activity_last_2m"].get<double>();
    out << std::left << std::setw(38) << s.str();
  }
  out << "\n";
  for (size_t i = 0; i < 5; ++i) {
    for (const auto& [_, r] : phases) {
      std::string cell = i < r["items"].size() ? Cell(r["items"][i]) : "";
      out << (i + 1) << ". " << std::left << std::setw(35) << cell;
    }
    out << "\n";
  }
  for (const auto& [_, r] : phases) {
    std::ostringstream s;
    s << "mean health " << std::fixed << std::setprecision(3) << MeanHealth(r["items"]);
    out << std::left << std::setw(38) << s.str();
  }
  out << "\n" << std::endl;
}

}  // namespace pantry::workshop
