#include "pantry/common/time_format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>

#include "pantry/common/clock.h"

namespace pantry {
namespace {

TEST(TimeFormatTest, ParsesIso8601Forms) {
  EXPECT_EQ(*ParseIso8601Micros("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseIso8601Micros("2021-06-01T11:00:20Z"), 1622545220LL * 1000000);
  EXPECT_EQ(*ParseIso8601Micros("2021-06-01 11:00:20"), 1622545220LL * 1000000);
  EXPECT_EQ(*ParseIso8601Micros("2021-06-01T11:00:20.25Z"), 1622545220LL * 1000000 + 250000);
  EXPECT_EQ(*ParseIso8601Micros("2021-06-01T13:00:20+02:00"), 1622545220LL * 1000000);
  EXPECT_EQ(*ParseIso8601Micros("2021-06-01"), 1622505600LL * 1000000);
  EXPECT_EQ(*ParseIso8601Micros("1969-12-31T23:59:59Z"), -1000000);
}

TEST(TimeFormatTest, RejectsMalformed) {
  for (const char* bad : {"", "2021", "2021-13-01", "2021-02-30", "2021-06-01T25:00:00Z",
                          "2021-06-01T11:00:20Zjunk", "yesterday", "2021-06-01X11"}) {
    auto parsed = ParseIso8601Micros(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
}

TEST(TimeFormatTest, FormatRoundTrips) {
  EXPECT_EQ(FormatIso8601Micros(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601Micros(1622545220LL * 1000000 + 500000), "2021-06-01T11:00:20.500000Z");
  EXPECT_EQ(FormatIso8601Micros(-1000000), "1969-12-31T23:59:59Z");
  for (int64_t micros : {0LL, 1LL, 1700000000123456LL, -86400000001LL}) {
    EXPECT_EQ(*ParseIso8601Micros(FormatIso8601Micros(micros)), micros);
  }
}

TEST(TimeFormatTest, EventTimeAcceptsSecondsOrIso) {
  EXPECT_EQ(*ParseEventTimeMicros("1700000000.5"), 1700000000500000LL);
  EXPECT_EQ(*ParseEventTimeMicros("2021-06-01T11:00:20Z"), 1622545220LL * 1000000);
  EXPECT_FALSE(ParseEventTimeMicros("nan").ok());
  EXPECT_FALSE(ParseEventTimeMicros("").ok());
}

TEST(TimeFormatTest, Durations) {
  EXPECT_EQ(*ParseDurationMicros("7d"), 7LL * 86400 * 1000000);
  EXPECT_EQ(*ParseDurationMicros("2m"), 120LL * 1000000);
  EXPECT_EQ(*ParseDurationMicros("90"), 90LL * 1000000);
  EXPECT_EQ(*ParseDurationMicros("250ms"), 250000);
  EXPECT_FALSE(ParseDurationMicros("7y").ok());
  EXPECT_FALSE(ParseDurationMicros("-1d").ok());
  EXPECT_FALSE(ParseDurationMicros("").ok());
}

// Issue 13: out-of-range times (the year 11476 and 32103 marker rows) are
// refused where they are parsed, and formatting any int64 is defined.
TEST(TimeFormatTest, EventTimesAreRangeChecked) {
  EXPECT_EQ(*ParseIso8601Micros("0001-01-01T00:00:00Z"), kMinEventTimeMicros);
  EXPECT_EQ(*ParseIso8601Micros("9999-12-31T23:59:59.999999Z"), kMaxEventTimeMicros);
  EXPECT_FALSE(ParseIso8601Micros("0000-12-31T23:59:59Z").ok());
  EXPECT_FALSE(ParseIso8601Micros("0001-01-01T00:30:00+01:00").ok());
  EXPECT_FALSE(ParseIso8601Micros("9999-12-31T23:30:00-01:00").ok());
  for (const char* bad : {"300000000000", "1e300", "-1e300", "-62135596801", "253402300800",
                          "9223372036854.775807"}) {
    auto parsed = ParseEventTimeMicros(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("out of range"), std::string::npos)
        << bad << ": " << parsed.status();
  }
  EXPECT_EQ(*ParseEventTimeMicros("-62135596800"), kMinEventTimeMicros);
  // (Doubles near the year 9999 carry 32 µs steps: seconds with a half.)
  EXPECT_EQ(*ParseEventTimeMicros("253402300799.5"), kMaxEventTimeMicros - 499'999);
  EXPECT_FALSE(SecondsToEventTimeMicros(std::nan("")).ok());
  EXPECT_FALSE(ParseEventTimeMicros("inf").ok());
  EXPECT_TRUE(CheckEventTimeRange(0).ok());
  EXPECT_FALSE(CheckEventTimeRange(kMaxEventTimeMicros + 1).ok());
}

TEST(TimeFormatTest, FormatsEveryInt64) {
  EXPECT_EQ(FormatIso8601Micros(kMinEventTimeMicros), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601Micros(kMaxEventTimeMicros), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatIso8601Micros(INT64_MIN), "-9223372036854.775808");
  EXPECT_EQ(FormatIso8601Micros(INT64_MAX), "9223372036854.775807");
  EXPECT_EQ(FormatIso8601Micros(300000000000LL * 1000000), "300000000000.000000");
  // The out-of-range form reads back as Unix seconds, and is refused.
  EXPECT_FALSE(ParseEventTimeMicros(FormatIso8601Micros(INT64_MIN)).ok());
}

TEST(TimeFormatTest, ExpiresAtIsChecked) {
  EXPECT_EQ(*ExpiresAtMicros(1000, 500), 1500);
  EXPECT_FALSE(ExpiresAtMicros(INT64_MAX - 10, 11).ok());
  EXPECT_FALSE(ExpiresAtMicros(1000, 0).ok());
  EXPECT_FALSE(ParseDurationMicros("1e300").ok());
  EXPECT_FALSE(ParseDurationMicros("2000000w").ok());
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(1000);
  EXPECT_EQ(clock.NowMicros(), 1000);
  clock.AdvanceSeconds(1.5);
  EXPECT_EQ(clock.NowMicros(), 1501000);
  clock.SetMicros(5);
  EXPECT_EQ(clock.NowMicros(), 5);
  EXPECT_GT(Clock::Real()->NowMicros(), 1600000000LL * 1000000);
}

}  // namespace
}  // namespace pantry
