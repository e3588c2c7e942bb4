#include "pantry/datagen/click_simulator.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <thread>

#include "pantry/common/csv.h"
#include "pantry/common/json.h"
#include "pantry/common/time_format.h"
#include "pantry/datagen/rng.h"

namespace pantry::datagen {
namespace {

struct ActivityType {
  const char* name;
  int weight;
};
constexpr ActivityType kActivities[] = {
    {"liked", 1}, {"added_to_cart", 2}, {"added_to_wish_list", 1}, {"saved_for_later", 2}};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseDouble(std::string_view text, double* out) {
  text = Trim(text);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(*out);
}

}  // namespace

std::string ClickEventToJson(const ClickEvent& e) {
  OrderedJson j;
  j["event_time"] = FormatIso8601Micros(e.event_time_micros);
  j["customer_id"] = e.customer_id;
  j["product_id"] = e.product_id;
  j["product_category"] = e.product_category;
  j["activity_type"] = e.activity_type;
  j["activity_weight"] = e.activity_weight;
  j["product_health_index"] = e.product_health_index;
  return DumpJson(j);
}

Status JsonLinesSink::Emit(const ClickEvent& event) {
  *out_ << ClickEventToJson(event) << '\n' << std::flush;
  if (!*out_) return IOError("cannot write click event to output");
  return Status::Ok();
}

void RealSleeper::SleepUntil(const Clock& clock, int64_t micros) {
  for (int64_t now = clock.NowMicros(); now < micros; now = clock.NowMicros()) {
    std::this_thread::sleep_for(std::chrono::microseconds(micros - now));
  }
}

StatusOr<std::unique_ptr<SimulatorCatalog>> SimulatorCatalog::Load(
    const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  ASSIGN_OR_RETURN(size_t id_col, reader->RequireColumn("product_id"));
  ASSIGN_OR_RETURN(size_t category_col, reader->RequireColumn("product_category"));
  ASSIGN_OR_RETURN(size_t health_col, reader->RequireColumn("product_health_index"));
  std::vector<SimulatedProduct> products;
  CsvRecord record;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
    if (!more) break;
    SimulatedProduct p;
    p.product_id = std::string(record[id_col]);
    p.category = std::string(record[category_col]);
    if (p.product_id.empty()) {
      return InvalidArgumentError(reader->Location(record, id_col) + ": empty product_id");
    }
    if (!ParseDouble(record[health_col], &p.health_index) || p.health_index < 0 ||
        p.health_index > 1) {
      return InvalidArgumentError(reader->Location(record, health_col) +
                                  ": product_health_index must be a number in [0, 1], got '" +
                                  std::string(record[health_col]) + "'");
    }
    products.push_back(std::move(p));
  }
  if (products.empty()) return InvalidArgumentError(path.string() + " has no products");
  return FromProducts(std::move(products), path.string());
}

std::unique_ptr<SimulatorCatalog> SimulatorCatalog::FromProducts(
    std::vector<SimulatedProduct> products, std::string source) {
  return std::unique_ptr<SimulatorCatalog>(
      new SimulatorCatalog(std::move(products), std::move(source)));
}

StatusOr<std::vector<std::string>> ParseCustomerList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view item = Trim(text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (item.empty()) {
      return InvalidArgumentError("--customers: empty customer id in '" + std::string(text) +
                                  "' (expected e.g. C1,C2)");
    }
    out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

StatusOr<double> ParseRate(std::string_view text) {
  std::string_view number = Trim(text);
  double divisor = 1;
  if (number.ends_with("/s")) {
    number.remove_suffix(2);
  } else if (number.ends_with("/m")) {
    number.remove_suffix(2);
    divisor = 60;
  }
  double value;
  if (!ParseDouble(number, &value) || value < 0) {
    return InvalidArgumentError(
        "--rate: expected events per second such as 10, 10/s or 600/m, "
        "got '" +
        std::string(text) + "'");
  }
  return value / divisor;
}

ClickSimulator::ClickSimulator(SimulatorOptions options, const SimulatorCatalog* catalog,
                               const Clock* clock, Sleeper* sleeper)
    : options_(std::move(options)), catalog_(catalog), clock_(clock), sleeper_(sleeper) {}

Status ClickSimulator::Run(ClickEventSink* sink) {
  const SimulatorOptions& o = options_;
  if (o.customers.empty()) return InvalidArgumentError("--customers: no customer given");
  if (!(o.health_min >= 0 && o.health_max <= 1 && o.health_min <= o.health_max)) {
    return InvalidArgumentError("--health-min/--health-max must satisfy 0 <= min <= max <= 1");
  }
  if (o.count <= 0) return InvalidArgumentError("--count must be > 0");
  if (!(o.events_per_second >= 0) || std::isinf(o.events_per_second)) {
    return InvalidArgumentError("--rate must be a finite number >= 0");
  }
  constexpr double kEps = 1e-9;
  std::vector<const SimulatedProduct*> eligible;
  for (const SimulatedProduct& p : catalog_->products()) {
    if (p.health_index >= o.health_min - kEps && p.health_index <= o.health_max + kEps) {
      eligible.push_back(&p);
    }
  }
  if (eligible.empty()) {
    return FailedPreconditionError("no product in " + catalog_->source() +
                                   " has a health index in [" + std::to_string(o.health_min) +
                                   ", " + std::to_string(o.health_max) + "]");
  }
  Rng rng(o.seed, RngStream::kSimulator, 0);
  const int64_t start = clock_->NowMicros();
  const int64_t total = o.count * static_cast<int64_t>(o.customers.size());
  for (int64_t i = 0; i < total; ++i) {
    if (o.events_per_second > 0) {
      sleeper_->SleepUntil(
          *clock_, start + static_cast<int64_t>(
                               std::llround(static_cast<double>(i) * 1e6 / o.events_per_second)));
    }
    const SimulatedProduct& p = *eligible[rng.UniformInt(eligible.size())];
    const ActivityType& activity = kActivities[rng.UniformInt(4)];
    ClickEvent event;
    event.event_time_micros = clock_->NowMicros();
    event.customer_id = o.customers[i % o.customers.size()];
    event.product_id = p.product_id;
    event.product_category = p.category;
    event.activity_type = activity.name;
    event.activity_weight = activity.weight;
    event.product_health_index = p.health_index;
    RETURN_IF_ERROR(sink->Emit(event));
  }
  return sink->Finish();
}

}  // namespace pantry::datagen
