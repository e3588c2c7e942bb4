// `pantry demo`, the README's first command (docs/recommend.md, "pantry
// demo"): generates a dataset (or takes one), loads the feature groups,
// trains both models, starts the WorkshopServer in-process, lets a shopper
// browse unhealthy and then healthy products through the Kinesis API over
// real HTTP, and prints the top 5 before and after each phase. Steps whose
// result is already in the home (dataset, groups, model versions) are
// skipped. Progress is printed as numbered steps to the given stream.
#ifndef PANTRY_WORKSHOP_DEMO_H_
#define PANTRY_WORKSHOP_DEMO_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/datagen/click_simulator.h"
#include "pantry/workshop/workshop_server.h"

namespace pantry::workshop {

struct DemoOptions {
  std::filesystem::path home;  // must exist
  Clock* clock = nullptr;      // not owned; nullptr = Clock::Real()
  // A folder with customers.csv, products.csv, click_stream_historical.csv
  // (orders.csv, click_stream.csv optional); empty: generate one into
  // <home>/demo-data.
  std::filesystem::path data;
  int customers = 2000;  // generated dataset size
  int products = 3000;
  int64_t click_rows = 200000;
  int events = 12;  // clicks per browsing phase
  // The shopper; empty: the first customer whose top 5 before browsing
  // mixes healthy and unhealthy products (else the first customer).
  std::string customer;
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  // The backends (FeatureStoreOptions' backend fields; default: embedded)
  // and the event log URL (empty: the file log), as for `pantry serve`.
  featurestore::FeatureStoreOptions store_backends;
  std::string event_log_url;
};

// The demo after its last step: the server keeps running until Stop().
struct DemoRun {
  std::unique_ptr<WorkshopServer> server;
  std::string host;      // where the server listens
  std::string url;       // http://host:port
  std::string customer;  // the shopper
};

// Runs every step, printing to `out`. Errors name the failed step's cause
// (a missing --data file, a failed training, ...).
StatusOr<DemoRun> RunDemo(const DemoOptions& options, std::ostream& out);

// One recommendations response per browsing phase, with its title.
using DemoPhases = std::vector<std::pair<std::string, Json>>;

// Up to `n` customers, by id among the first 500, whose top 5 before any
// browsing mixes healthy and unhealthy products (health spread >= 0.4):
// shoppers whose recommendations both browsing phases have room to move
// (the demo's default shopper is the first). Their live features must not
// have been touched yet.
StatusOr<std::vector<std::string>> MixedTopShoppers(WorkshopServer& server, size_t n);

// The demo's browsing on a running demo server: `customer`'s top 5 before
// browsing, after clicking `events` products of health 0.1-0.3, and after
// 3 × `events` of health 0.7-0.9 (both phases share the live window) (Kinesis PutRecord over HTTP,
// waiting for the live features to change each time). Progress lines numbered from *step.
StatusOr<DemoPhases> ShopUnhealthyThenHealthy(const DemoRun& run,
                                              const datagen::SimulatorCatalog& catalog,
                                              const std::string& customer, int events,
                                              std::ostream& out, int* step);

// The phases side by side: title, live healthy activity, top 5 (product
// name and health index) and the mean health of each list.
void PrintDemoTable(const DemoPhases& phases, std::ostream& out);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_DEMO_H_
