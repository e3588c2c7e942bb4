// The embedded click-stream setup that `pantry serve` and `pantry demo` share:
// the workshop's stagger and sliding 2-minute specs over click_stream,
// writing exactly once into the click_stream and click_stream_live feature
// groups (see docs/stream.md).
#ifndef PANTRY_STREAM_WORKSHOP_STREAMS_H_
#define PANTRY_STREAM_WORKSHOP_STREAMS_H_

#include <filesystem>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/stream/stream_service.h"

namespace pantry::stream {

// Options for a StreamService with both workshop specs and the feature-store
// sink. `store` and `clock` are not owned and must outlive the service.
StatusOr<StreamServiceOptions> WorkshopStreamOptions(const std::filesystem::path& home,
                                                     featurestore::FeatureStore* store,
                                                     Clock* clock);

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_WORKSHOP_STREAMS_H_
