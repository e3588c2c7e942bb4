#include "pantry/testing/workshop_fixture.h"

#include <random>
#include <string>

#include "pantry/common/csv.h"
#include "pantry/featurestore/record.h"

namespace pantry::testing {
namespace {

using featurestore::FeatureValue;

// (Avoids GCC 12's false -Wrestrict on "literal" + std::string.)
std::string Prefixed(const char* prefix, int64_t i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}
}  // namespace

Status WriteWorkshopFixture(const std::filesystem::path& dir, const WorkshopFixtureOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const char* states[] = {"alaska", "idaho", "washington", "oregon", "new york", "texas"};
  const char* categories[] = {"cookies_cakes", "fresh_fruits", "yogurt", "packaged_cheese",
                              "soft_drinks"};
  const std::string profile_time = FeatureValue::Double(o.start_seconds - 86400).ToString();
  {
    ASSIGN_OR_RETURN(auto w, CsvWriter::Create(dir / "customers.csv"));
    w->WriteRow({"customer_id", "name", "state", "age", "is_married", "customer_health_index",
                 "event_time"});
    for (int64_t i = 1; i <= o.customers; ++i) {
      w->WriteRow(
          std::vector<std::string>{Prefixed("C", i), Prefixed("customer ", i), states[rng() % 6],
                                   std::to_string(18 + rng() % 70), std::to_string(rng() % 2),
                                   FeatureValue::Double(unit(rng)).ToString(), profile_time});
    }
    RETURN_IF_ERROR(w->Close());
  }
  {
    ASSIGN_OR_RETURN(auto w, CsvWriter::Create(dir / "products.csv"));
    w->WriteRow(
        {"product_name", "product_category", "product_id", "product_health_index", "event_time"});
    for (int64_t i = 1; i <= o.products; ++i) {
      w->WriteRow(std::vector<std::string>{
          Prefixed("product, number ", i), categories[rng() % 5], Prefixed("P", i),
          FeatureValue::Double((rng() % 10) / 10.0).ToString(), profile_time});
    }
    RETURN_IF_ERROR(w->Close());
  }
  {
    ASSIGN_OR_RETURN(auto w, CsvWriter::Create(dir / "click_stream_historical.csv"));
    w->WriteRow({"customer_id", "product_id", "bought", "healthy_activity_last_2m",
                 "sum_activity_weight_last_2m", "avg_product_health_index_last_2m", "rating",
                 "event_time"});
    for (int64_t i = 0; i < o.clicks; ++i) {
      const bool bought = rng() % 3 == 0;
      const int64_t customer = 1 + static_cast<int64_t>(rng() % o.customers);
      const int64_t product = 1 + static_cast<int64_t>(rng() % o.products);
      const double sum_weight = static_cast<double>(rng() % 20);
      const double avg_health = static_cast<double>(rng() % 10) / 10.0;
      w->WriteRow(std::vector<std::string>{
          Prefixed("C", customer), Prefixed("P", product), bought ? "1" : "0",
          FeatureValue::Double(sum_weight * avg_health).ToString(),
          FeatureValue::Double(sum_weight).ToString(), FeatureValue::Double(avg_health).ToString(),
          std::to_string(bought ? 3 + rng() % 3 : 1 + rng() % 3),
          FeatureValue::Double(o.start_seconds + static_cast<double>(i)).ToString()});
    }
    RETURN_IF_ERROR(w->Close());
  }
  return Status::Ok();
}

}  // namespace pantry::testing
