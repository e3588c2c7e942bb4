// The Kinesis Data Streams names of things in an EventLog, produced and
// parsed here and nowhere else (the HTTP Kinesis API, the file log and tests
// all call these):
//
//   stream name     1 to 128 characters of [a-zA-Z0-9_.-], as Kinesis
//                   requires; "." and ".." are refused too, because a stream
//                   is a directory of that name. Consumer names follow the
//                   same rule.
//   ShardId         "shardId-" + the 0-based shard index in 12 zero-padded
//                   digits: shard 3 is "shardId-000000000003".
//   SequenceNumber  the decimal string of (sequence << 16 | shard), where
//                   `sequence` is the shard's own LogOffset::sequence. Kinesis
//                   sequence numbers are unique across a stream and grow
//                   within a shard; the shard in the low 16 bits gives both,
//                   and lets a SequenceNumber be turned back into a LogOffset.
//                   The value needs up to 80 bits, so it is a decimal string
//                   (as in Kinesis), never a uint64.
#ifndef PANTRY_STREAM_KINESIS_IDS_H_
#define PANTRY_STREAM_KINESIS_IDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pantry/common/status.h"
#include "pantry/stream/event_log.h"

namespace pantry::stream {

// Bits of a SequenceNumber that hold the shard; a stream has at most
// kMaxKinesisShards shards.
inline constexpr int kKinesisShardBits = 16;
inline constexpr int kMaxKinesisShards = 1 << kKinesisShardBits;

// True if `name` may name a stream (or a consumer); see above.
bool IsValidStreamName(std::string_view name);

// "shardId-000000000007" for shard 7. `shard` must be in [0, kMaxKinesisShards).
std::string KinesisShardId(int shard);
// The shard index of a ShardId; InvalidArgument if `text` is not one.
StatusOr<int> ParseKinesisShardId(std::string_view text);

// The SequenceNumber of the record at `offset` (shard in [0, kMaxKinesisShards)).
std::string KinesisSequenceNumber(const LogOffset& offset);
// The offset a SequenceNumber names; InvalidArgument if `text` is not a
// decimal number below 2^80.
StatusOr<LogOffset> ParseKinesisSequenceNumber(std::string_view text);

// The HashKeyRange that DescribeStream reports for `shard` of `shard_count`:
// an even split of [0, 2^128) in decimal. Reported because Kinesis clients
// expect it; pantry routes records by ShardForKey, not by these ranges.
struct KinesisHashKeyRange {
  std::string starting;
  std::string ending;  // inclusive
};
KinesisHashKeyRange HashKeyRangeOfShard(int shard, int shard_count);

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_KINESIS_IDS_H_
