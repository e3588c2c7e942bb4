// The feature-store sink: writes a spec's emitted rows into its sink feature
// group (online + offline) through the FeatureStore facade.
//
// Exactly once: every row carries its emission id in the Integral feature
// `stream_emission_id`, written in the same atomic PutRecords batch as the
// row, so the highest id in the offline table is exactly what was delivered
// (DeliveredUpTo = SELECT MAX(stream_emission_id)). No side file can
// disagree with the store.
//
// The group is created if missing: record identifier = the spec's
// sink.record_identifier (String), other key parts String, count Integral,
// sum/avg/min/max Fractional, event time `event_time` (Fractional Unix
// seconds; `emission_time` if a key part is already called event_time).
// An existing group must have compatible types; missing aggregate features
// are added. One spec per sink group (two specs would interleave ids).
#ifndef PANTRY_STREAM_FEATURE_STORE_SINK_H_
#define PANTRY_STREAM_FEATURE_STORE_SINK_H_

#include <memory>

#include "pantry/featurestore/feature_store.h"
#include "pantry/stream/row_sink.h"
#include "pantry/stream/stream_service.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

inline constexpr std::string_view kEmissionIdFeature = "stream_emission_id";

// `store` must outlive the sink. Errors: the spec has no sink group,
// or the existing group is incompatible (FailedPrecondition naming the feature).
StatusOr<std::unique_ptr<RowSink>> OpenFeatureStoreSink(featurestore::FeatureStore* store,
                                                        const WindowSpec& spec);

SinkFactory FeatureStoreSinkFactory(featurestore::FeatureStore* store);

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_FEATURE_STORE_SINK_H_
