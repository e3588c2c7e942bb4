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
    ++sent_;
    return Status::Ok();
  }
  int sent() const { return sent_; }

 private:
  server::HttpClient* client_;
  int sent_ = 0;
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

StatusOr<int> Shopper::Browse(const datagen::SimulatorCatalog& catalog, double health_min,
                              double health_max, int events, uint64_t seed) {
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
  return sink.sent();
}

StatusOr<Json> Shopper::WaitForLiveFeaturesChange(const Json& previous, double timeout_seconds,
                                                  double* waited_ms) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    ASSIGN_OR_RETURN(Json now, Recommendations());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (now["live_features"] != previous["live_features"] || seconds > timeout_seconds) {
      *waited_ms = seconds * 1000;
      return now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace pantry::workshop
