// Small synthetic versions of the workshop's customers, products and
// click_stream_historical CSVs (same columns), for tests, benchmarks and
// trying pantry without the workshop data. Deterministic for a seed.
#ifndef PANTRY_TESTING_WORKSHOP_FIXTURE_H_
#define PANTRY_TESTING_WORKSHOP_FIXTURE_H_

#include <cstdint>
#include <filesystem>

#include "pantry/common/status.h"

namespace pantry::testing {

struct WorkshopFixtureOptions {
  int64_t customers = 1000;
  int64_t products = 500;
  int64_t clicks = 10000;
  uint64_t seed = 42;
  double start_seconds = 1700000000;  // clicks' event times start here, 1 s apart
};

// Writes <dir>/customers.csv (customer_id,name,state,age,is_married,
// customer_health_index,event_time), products.csv (product_name,
// product_category,product_id,product_health_index,event_time) and
// click_stream_historical.csv (customer_id,product_id,bought,
// healthy_activity_last_2m,rating,event_time). Customer and product event
// times are start_seconds - 1 day.
Status WriteWorkshopFixture(const std::filesystem::path& dir, const WorkshopFixtureOptions& o);

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_WORKSHOP_FIXTURE_H_
