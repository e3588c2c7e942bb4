// The feature-store sink: writes a spec's emitted rows into its sink feature
// group (online + offline) through the FeatureStore facade.
//
// Exactly once: every row carries its emission id in the Integral feature
// `stream_emission_id`, and each batch sets the store's private writer mark
// "stream_sink:<group>" to its last id in the same offline transaction
// (FeatureStore::PutRecordsMarked), so DeliveredUpTo = the mark is exactly
// what was delivered, and no client write to the group can move it (a
// forged stream_emission_id of 9e18 once silenced the stream). A group
// without a mark (delivered to by a version before marks) falls back to
// SELECT MAX(stream_emission_id) until the first marked batch.
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
