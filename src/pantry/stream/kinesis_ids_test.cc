#include "pantry/stream/kinesis_ids.h"

#include <gtest/gtest.h>

namespace pantry::stream {
namespace {

TEST(KinesisIdsTest, ShardIdIsTwelveZeroPaddedDigits) {
  EXPECT_EQ(KinesisShardId(0), "shardId-000000000000");
  EXPECT_EQ(KinesisShardId(3), "shardId-000000000003");
  EXPECT_EQ(KinesisShardId(65535), "shardId-000000065535");
  for (int shard : {0, 1, 7, 4242, kMaxKinesisShards - 1}) {
    auto parsed = ParseKinesisShardId(KinesisShardId(shard));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, shard);
  }
  for (const char* bad : {"", "shardId-", "shardId-3", "shardId-00000000000x", "shard-000000000003",
                          "shardId-0000000000003", "shardId-000000065536"}) {
    EXPECT_EQ(ParseKinesisShardId(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

// What boto3 clients have always received: sequence << 16 | shard, in decimal.
TEST(KinesisIdsTest, SequenceNumberIsSequenceShiftedOverTheShard) {
  EXPECT_EQ(KinesisSequenceNumber({0, 0}), "0");
  EXPECT_EQ(KinesisSequenceNumber({1, 0}), "1");
  EXPECT_EQ(KinesisSequenceNumber({0, 1}), "65536");
  EXPECT_EQ(KinesisSequenceNumber({3, 7}), std::to_string((7 << 16) | 3));
  // Beyond 64 bits: (2^64 - 1) << 16 | 65535 = 2^80 - 1.
  EXPECT_EQ(KinesisSequenceNumber({65535, ~uint64_t{0}}), "1208925819614629174706175");
  // Within a shard the numbers grow; across shards they never collide.
  EXPECT_LT(std::stoull(KinesisSequenceNumber({2, 5})), std::stoull(KinesisSequenceNumber({2, 6})));
  EXPECT_NE(KinesisSequenceNumber({1, 5}), KinesisSequenceNumber({2, 5}));
}

TEST(KinesisIdsTest, SequenceNumberParsesBackToTheOffset) {
  for (LogOffset offset : {LogOffset{0, 0}, LogOffset{3, 7}, LogOffset{65535, ~uint64_t{0}},
                           LogOffset{12, 1'000'000'000'000ull}}) {
    auto parsed = ParseKinesisSequenceNumber(KinesisSequenceNumber(offset));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, offset);
  }
  for (const char* bad :
       {"", "-1", "12a", "1208925819614629174706176", "99999999999999999999999999"}) {
    EXPECT_EQ(ParseKinesisSequenceNumber(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(KinesisIdsTest, HashKeyRangesSplitThe128BitSpaceEvenly) {
  const KinesisHashKeyRange whole = HashKeyRangeOfShard(0, 1);
  EXPECT_EQ(whole.starting, "0");
  EXPECT_EQ(whole.ending, "340282366920938463463374607431768211455");  // 2^128 - 1
  const KinesisHashKeyRange first = HashKeyRangeOfShard(0, 2);
  const KinesisHashKeyRange second = HashKeyRangeOfShard(1, 2);
  EXPECT_EQ(first.starting, "0");
  EXPECT_EQ(first.ending, "170141183460469231731687303715884105726");
  EXPECT_EQ(second.starting, "170141183460469231731687303715884105727");
  EXPECT_EQ(second.ending, whole.ending);
}

TEST(KinesisIdsTest, StreamNamesFollowKinesisRules) {
  for (const char* good : {"click_stream", "a", "A-b.c_9", ".hidden", "..x", "x.."}) {
    EXPECT_TRUE(IsValidStreamName(good)) << good;
  }
  EXPECT_TRUE(IsValidStreamName(std::string(128, 'x')));
  EXPECT_FALSE(IsValidStreamName(std::string(129, 'x')));
  for (const char* bad : {"", ".", "..", "../x", "a/b", "a b", "ü", "a:b", "a\\b"}) {
    EXPECT_FALSE(IsValidStreamName(bad)) << bad;
  }
}

}  // namespace
}  // namespace pantry::stream
