// The workshop's click-stream processing: the built-in window specs
// "workshop" (stagger, 2 minutes, into click_stream) and "workshop-live"
// (sliding, 2 minutes, into click_stream_live), both partitioned by
// customer_id with sum_activity_weight_last_2m and
// avg_product_health_index_last_2m (see docs/stream.md; copies of the text
// are in src/pantry/workshop/specs/), and the embedded stream setup the
// server runs with them.
#ifndef PANTRY_WORKSHOP_STREAMS_H_
#define PANTRY_WORKSHOP_STREAMS_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/stream/stream_service.h"
#include "pantry/stream/window_spec.h"

namespace pantry::workshop {

// The stream both specs read, and that the server's Kinesis API and
// POST /v1/events append to.
inline constexpr std::string_view kClickStream = "click_stream";

// "workshop", "workshop-live".
std::vector<std::string> BuiltinWindowSpecNames();

// The built-in spec `name` (its WindowSpec::name is the spec's own, e.g.
// "click_stream_stagger_2m"). NotFound naming the built-ins otherwise.
StatusOr<stream::WindowSpec> BuiltinWindowSpec(std::string_view name);

// `arg` as a spec file, or the built-in of that name when no such file
// exists (a file named "workshop" wins over the built-in).
StatusOr<stream::WindowSpec> LoadWindowSpec(const std::string& arg);

// Options for a StreamService with both built-in specs and the feature-store
// sink. `store` and `clock` are not owned and must outlive the service.
StatusOr<stream::StreamServiceOptions> WorkshopStreamOptions(const std::filesystem::path& home,
                                                             featurestore::FeatureStore* store,
                                                             Clock* clock);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_STREAMS_H_
