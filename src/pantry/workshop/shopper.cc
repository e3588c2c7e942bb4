#include "pantry/workshop/shopper.h"

#include <chrono>
#include <thread>

#include "pantry/server/base64.h"
#include "pantry/workshop/streams.h"

namespace pantry::workshop {
namespace {

// Posts each event as a Kinesis PutRecord (partition key = the customer).
class KinesisSink final : public datagen::ClickEventSink {
 public:
  explicit KinesisSink(server::HttpClient* client) : client_(client) {}

  Status Emit(const datagen::ClickEvent& event) override {
    Json body{{"StreamName", std::string(kClickStream)},
              {"PartitionKey", event.customer_id},
              {"Data", server::Base64Encode(datagen::ClickEventToJson(event))}};
    ASSIGN_OR_RETURN(auto response, client_->Send("POST", "/",
                                                  {{"X-Amz-Target", "Kinesis_20131202.PutRecord"},
                                                   {"Content-Type", "application/x-amz-json-1.1"}},
                                                  DumpJson(body)));
    if (response.status != 200) {
      return InternalError("PutRecord: HTTP " + std::to_string(response.status) + " " +
                           response.body);
    }
    ++browsed_.events;
    browsed_.activity_weight += event.activity_weight;
    return Status::Ok();
  }
  const Shopper::Browsed& browsed() const { return browsed_; }

 private:
  server::HttpClient* client_;
  Shopper::Browsed browsed_;
};

}  // namespace

Shopper::Shopper(std::string host, int port, std::string customer_id)
    : client_(std::move(host), port), customer_id_(std::move(customer_id)) {}

StatusOr<Json> Shopper::Recommendations(int k, int candidates) {
  ASSIGN_OR_RETURN(
      auto response,
      client_.Send("GET", "/v1/recommendations/" + customer_id_ + "?k=" + std::to_string(k) +
                              "&candidates=" + std::to_string(candidates)));
  if (response.status != 200) {
    return InternalError("GET /v1/recommendations: HTTP " + std::to_string(response.status) + " " +
                         response.body);
  }
  return ParseJson(response.body, "recommendations response");
}

StatusOr<Shopper::Browsed> Shopper::Browse(const datagen::SimulatorCatalog& catalog,
                                           double health_min, double health_max, int events,
                                           uint64_t seed) {
  datagen::SimulatorOptions options;
  options.customers = {customer_id_};
  options.health_min = health_min;
  options.health_max = health_max;
  options.count = events;
  options.events_per_second = 0;
  options.seed = seed;
  datagen::RealSleeper sleeper;
  datagen::ClickSimulator simulator(options, &catalog, Clock::Real(), &sleeper);
  KinesisSink sink(&client_);
  RETURN_IF_ERROR(simulator.Run(&sink));
  return sink.browsed();
}

namespace {

double SumActivityWeight(const Json& response) {
  const Json& live = response["live_features"];
  auto sum = live.find("sum_activity_weight_last_2m");
  return sum != live.end() && sum->is_number() ? sum->get<double>() : 0;
}

}  // namespace

StatusOr<Json> Shopper::WaitForLiveFeaturesToCount(const Json& previous, const Browsed& browsed,
                                                   double timeout_seconds, double* waited_ms) {
  // Activity weights are small integers, so the sums are exact in a double.
  const double expected = SumActivityWeight(previous) + browsed.activity_weight;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    ASSIGN_OR_RETURN(Json now, Recommendations());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (SumActivityWeight(now) >= expected || seconds > timeout_seconds) {
      *waited_ms = seconds * 1000;
      return now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace pantry::workshop
