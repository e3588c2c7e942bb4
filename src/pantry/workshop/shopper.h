// The demo's shopper: one customer browsing products of a health range,
// sent as Kinesis PutRecord calls to a running server over real HTTP (what
// a producer using boto3 does), and that customer's top recommendations
// read back from GET /v1/recommendations.
#ifndef PANTRY_WORKSHOP_SHOPPER_H_
#define PANTRY_WORKSHOP_SHOPPER_H_

#include <cstdint>
#include <string>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/datagen/click_simulator.h"
#include "pantry/server/http_client.h"

namespace pantry::workshop {

// Not thread-safe (one HTTP connection).
class Shopper {
 public:
  Shopper(std::string host, int port, std::string customer_id);

  const std::string& customer_id() const { return customer_id_; }

  // The recommendations response (JSON as served: items, live_features, ...).
  // Errors: transport failures, a non-200 status (with the body).
  StatusOr<Json> Recommendations(int k = 5, int candidates = 200);

  struct Browsed {
    int events = 0;              // PutRecord calls accepted
    double activity_weight = 0;  // the sum of their activity_weight
  };

  // Clicks `events` products with health index in [health_min, health_max]
  // from `catalog`, as fast as the server takes them, each a PutRecord on
  // the click_stream. `seed` picks the products.
  StatusOr<Browsed> Browse(const datagen::SimulatorCatalog& catalog, double health_min,
                           double health_max, int events, uint64_t seed);

  // Polls Recommendations() until its live_features count every click of
  // `browsed`: sum_activity_weight_last_2m has grown by
  // browsed.activity_weight since `previous` (the response before the
  // browse). The first change is not enough: the stream may aggregate a
  // browse over several polls, and a response taken after the first would
  // rank on part of it. Returns the last response when `timeout_seconds`
  // pass first (e.g. the 2-minute window closed meanwhile); sets
  // `waited_ms` either way.
  StatusOr<Json> WaitForLiveFeaturesToCount(const Json& previous, const Browsed& browsed,
                                            double timeout_seconds, double* waited_ms);

 private:
  server::HttpClient client_;
  std::string customer_id_;
};

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_SHOPPER_H_
