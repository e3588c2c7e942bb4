// `pantry simulate`: click events of chosen shoppers browsing products of a
// chosen health range, at a chosen rate, delivered to a ClickEventSink.
// stdout (JSON lines) is one sink; the server's event API plugs in as
// another, so this library needs no HTTP.
#ifndef PANTRY_DATAGEN_CLICK_SIMULATOR_H_
#define PANTRY_DATAGEN_CLICK_SIMULATOR_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"

namespace pantry::datagen {

// One event, as the stream subsystem consumes it (DESIGN.md "Stream
// semantics").
struct ClickEvent {
  int64_t event_time_micros = 0;
  std::string customer_id;
  std::string product_id;
  std::string product_category;
  std::string activity_type;  // liked, added_to_cart, added_to_wish_list, saved_for_later
  int activity_weight = 0;    // 1, 2, 1, 2 respectively
  double product_health_index = 0;
};

// {"event_time":"2026-11-27T03:17:42.123456Z","customer_id":...,...} on one
// line, keys in the order of ClickEvent's fields.
std::string ClickEventToJson(const ClickEvent& event);

// Receives events in order. Emit() is called from one thread; an error stops
// the simulation and is returned by ClickSimulator::Run().
class ClickEventSink {
 public:
  virtual ~ClickEventSink() = default;
  virtual Status Emit(const ClickEvent& event) = 0;
  // Called once after the last event.
  virtual Status Finish() { return Status::Ok(); }
};

// Writes one JSON object per line and flushes after each, so a pipe reader
// sees events as they happen. Does not own the stream.
class JsonLinesSink final : public ClickEventSink {
 public:
  explicit JsonLinesSink(std::ostream* out) : out_(out) {}
  Status Emit(const ClickEvent& event) override;

 private:
  std::ostream* out_;
};

// Waits until a clock reads at least a given time. Injected so that tests
// advance a FakeClock instead of sleeping.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void SleepUntil(const Clock& clock, int64_t micros) = 0;
};

// Sleeps on the real clock (std::this_thread::sleep_for, re-checking the
// clock after each wake-up).
class RealSleeper final : public Sleeper {
 public:
  void SleepUntil(const Clock& clock, int64_t micros) override;
};

struct SimulatedProduct {
  std::string product_id;
  std::string category;
  double health_index = 0;
};

// The products a simulator may browse. Immutable; thread-safe.
class SimulatorCatalog {
 public:
  // Reads a products.csv with at least the columns product_id,
  // product_category and product_health_index (the generated one or the
  // workshop's). Errors name file, line and field.
  static StatusOr<std::unique_ptr<SimulatorCatalog>> Load(const std::filesystem::path& path);
  static std::unique_ptr<SimulatorCatalog> FromProducts(std::vector<SimulatedProduct> products,
                                                        std::string source = "<memory>");

  const std::vector<SimulatedProduct>& products() const { return products_; }
  const std::string& source() const { return source_; }

 private:
  SimulatorCatalog(std::vector<SimulatedProduct> products, std::string source)
      : products_(std::move(products)), source_(std::move(source)) {}
  std::vector<SimulatedProduct> products_;
  std::string source_;
};

struct SimulatorOptions {
  std::vector<std::string> customers;  // events go round-robin over these
  double health_min = 0.0;             // inclusive product health range
  double health_max = 1.0;
  int64_t count = 6;               // events per customer
  double events_per_second = 1.0;  // over all customers; 0 = as fast as possible
  uint64_t seed = 0;
};

// "C1,C2, C3" → {"C1","C2","C3"}; empty items or an empty list are errors.
StatusOr<std::vector<std::string>> ParseCustomerList(std::string_view text);
// "10", "10/s", "2.5/s", "600/m", "0" → events per second (>= 0).
StatusOr<double> ParseRate(std::string_view text);

// Not thread-safe; run one simulation at a time per object.
class ClickSimulator {
 public:
  // Borrows catalog, clock and sleeper; they must outlive the simulator.
  ClickSimulator(SimulatorOptions options, const SimulatorCatalog* catalog, const Clock* clock,
                 Sleeper* sleeper);

  // Emits count × customers events: event i is due start + i / rate; its
  // event_time is the clock's reading when it is emitted. Products are drawn
  // uniformly from those in the health range, activity types uniformly.
  // InvalidArgument for bad options, FailedPrecondition if no product is in
  // the range, or the sink's error.
  Status Run(ClickEventSink* sink);

 private:
  const SimulatorOptions options_;
  const SimulatorCatalog* catalog_;
  const Clock* clock_;
  Sleeper* sleeper_;
};

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_CLICK_SIMULATOR_H_
