// Incremental sliding aggregates against a brute-force recomputation, and the
// exact sum's properties.
#include "pantry/stream/sliding_aggregates.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "pantry/stream/window_aggregator.h"

namespace pantry::stream {
namespace {

WindowSpec SlidingSpec(const char* basis) {
  std::string json = R"({"name": "t", "partition_by": ["customer_id"], "time_basis": ")";
  json += basis;
  json += std::string_view(basis) == "event_time" ? R"(", "allowed_lateness": "2s")" : "\"";
  json += R"(, "window": {"type": "sliding", "size": "1s"},
    "aggregations": ["COUNT(*) AS n", "SUM(v) AS s", "AVG(v) AS a", "MIN(v) AS lo",
                     "MAX(v) AS hi", "MIN(w) AS wlo", "MAX(w) AS whi"],
    "fields": {"customer_id": "string", "v": "number", "w": "number", "event_time": "time"}})";
  auto spec = WindowSpec::FromString(json, "test");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

struct Event {
  std::string key;
  int64_t time;
  double v, w;
};

// Expected aggregates of `key` over (end - size, end] among `accepted`.
void ExpectRow(const WindowSpec& spec, const EmittedRow& row, const std::vector<Event>& accepted,
               bool dyadic) {
  std::vector<double> vs, ws;
  for (const Event& e : accepted) {
    if (e.key == row.key && e.time > row.emission_time - spec.size_micros &&
        e.time <= row.emission_time) {
      vs.push_back(e.v);
      ws.push_back(e.w);
    }
  }
  SCOPED_TRACE("row " + std::to_string(row.emission_id) + " key " + row.key);
  ASSERT_EQ(row.event_count, static_cast<int64_t>(vs.size()));
  EXPECT_EQ(row.values[0], static_cast<double>(vs.size()));
  double naive = 0.0;
  for (double v : vs) naive += v;
  if (dyadic) {
    EXPECT_EQ(row.values[1], naive) << "exact inputs: identical to the left-to-right sum";
  } else {
    EXPECT_EQ(row.values[1], ExactSumOf(vs));
    EXPECT_NEAR(row.values[1], naive, 1e-9 * (1.0 + std::fabs(naive)));
  }
  if (vs.empty()) {
    for (int i = 2; i < 7; ++i) EXPECT_TRUE(std::isnan(row.values[i])) << i;
    return;
  }
  EXPECT_EQ(row.values[2], row.values[1] / static_cast<double>(vs.size()));
  double lo = vs[0], hi = vs[0], wlo = ws[0], whi = ws[0];
  for (size_t i = 0; i < vs.size(); ++i) {
    lo = std::min(lo, vs[i]);
    hi = std::max(hi, vs[i]);
    wlo = std::min(wlo, ws[i]);
    whi = std::max(whi, ws[i]);
  }
  EXPECT_EQ(row.values[3], lo);
  EXPECT_EQ(row.values[4], hi);
  EXPECT_EQ(row.values[5], wlo);
  EXPECT_EQ(row.values[6], whi);
}

// A random stream over a few keys with gaps that let windows fill and
// expire; with `shuffle_us` > 0 event times go out of order (event-time
// basis). Every row, including expiry rows, is checked against the events
// accepted before it.
void RunRandom(const char* basis, int64_t shuffle_us, bool dyadic, uint32_t seed) {
  const WindowSpec spec = SlidingSpec(basis);
  auto agg = WindowAggregator::Create(spec);
  std::mt19937_64 rng(seed);
  std::vector<Event> accepted;
  int64_t now = 3'000'000'000;
  size_t rows = 0;
  std::vector<EmittedRow> out;
  for (int i = 0; i < 4000; ++i) {
    now += 3 * static_cast<int64_t>(rng() % (i % 500 < 250 ? 20000 : 200000));
    Event e;
    e.key = "sC" + std::to_string(rng() % 5);
    e.time = now - (shuffle_us > 0 ? 3 * static_cast<int64_t>(rng() % shuffle_us) : 0);
    if (dyadic) {
      e.v = static_cast<double>(static_cast<int64_t>(rng() % 4001) - 2000) / 4.0;
    } else {
      e.v = static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000) / 1000.0 * 0.1;
    }
    e.w = static_cast<double>(rng() % 7);  // many ties for min/max
    ParsedEvent pe;
    pe.key = e.key;
    pe.time_micros = e.time;
    pe.values[0] = e.v;
    pe.values[1] = e.w;
    out.clear();
    const bool ok = agg->Add(pe, &out);
    for (size_t r = 0; r < out.size(); ++r) {
      const bool own = ok && r + 1 == out.size();
      if (own) accepted.push_back(e);
      ExpectRow(spec, out[r], accepted, dyadic);
      ASSERT_EQ(out[r].emission_id, ++rows);
      if (::testing::Test::HasFatalFailure()) return;
    }
    if (ok && out.empty()) FAIL() << "an accepted event emits its row";
  }
  out.clear();
  agg->Flush(&out);
  for (const EmittedRow& row : out) ExpectRow(spec, row, accepted, dyadic);
  EXPECT_EQ(agg->open_keys(), 0u);
  EXPECT_GT(rows, 4000u);
}

TEST(SlidingAggregatesTest, MatchesBruteForceInOrder) {
  RunRandom("arrival", 0, /*dyadic=*/true, 1);
  RunRandom("arrival", 0, /*dyadic=*/false, 2);
}

TEST(SlidingAggregatesTest, MatchesBruteForceOutOfOrder) {
  RunRandom("event_time", 200000, /*dyadic=*/true, 3);
  RunRandom("event_time", 200000, /*dyadic=*/false, 4);
}

TEST(SlidingAggregatesTest, CheckpointRestoreKeepsAggregates) {
  const WindowSpec spec = SlidingSpec("arrival");
  auto a = WindowAggregator::Create(spec);
  auto b = WindowAggregator::Create(spec);
  std::vector<EmittedRow> out_a, out_b;
  std::mt19937_64 rng(5);
  int64_t t = 1'000'000;
  for (int i = 0; i < 3000; ++i) {
    if (i == 1500) {
      ASSERT_TRUE(b->Restore(a->Serialize()).ok());
    }
    ParsedEvent e;
    e.key = "sK" + std::to_string(rng() % 3);
    e.time_micros = t += 3 * static_cast<int64_t>(rng() % 100000);
    e.values[0] = static_cast<double>(rng() % 1000) * 0.01;
    e.values[1] = static_cast<double>(rng() % 9);
    a->Add(e, &out_a);
    if (i >= 1500) b->Add(e, &out_b);
  }
  ASSERT_FALSE(out_b.empty());
  std::vector<EmittedRow> tail(out_a.end() - static_cast<ptrdiff_t>(out_b.size()), out_a.end());
  for (size_t i = 0; i < out_b.size(); ++i) {
    EXPECT_EQ(out_b[i].emission_id, tail[i].emission_id);
    for (size_t k = 0; k < 7; ++k) {
      if (std::isnan(tail[i].values[k])) {
        EXPECT_TRUE(std::isnan(out_b[i].values[k]));
      } else {
        EXPECT_EQ(out_b[i].values[k], tail[i].values[k]) << i << " " << k;
      }
    }
  }
}

// 100k events of one hot key within the window: linear (this took minutes
// when each emission recomputed over the key's events).
TEST(SlidingAggregatesTest, HotKeyIsLinear) {
  const WindowSpec spec = SlidingSpec("arrival");
  auto agg = WindowAggregator::Create(spec);
  std::vector<EmittedRow> out;
  ParsedEvent e;
  e.key = "shot";
  double sum = 0.0;
  for (int i = 0; i < 100000; ++i) {
    e.time_micros = 1'000'000 + i * 3;  // all within one 1 s window
    e.values[0] = static_cast<double>(i % 10);
    e.values[1] = static_cast<double>(i);
    sum += e.values[0];
    out.clear();
    agg->Add(e, &out);
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event_count, 100000);
  EXPECT_EQ(out[0].values[1], sum);
  EXPECT_EQ(out[0].values[3], 0.0);
  EXPECT_EQ(out[0].values[4], 9.0);
  EXPECT_EQ(out[0].values[5], 0.0);
  EXPECT_EQ(out[0].values[6], 99999.0);
}

TEST(ExactSumTest, AddAndRemoveLeavesNoDrift) {
  ExactSum s;
  s.Clear();
  s.Add(0.1);
  s.Add(0.2);
  s.Add(1e16);
  s.Add(-0.1);
  s.Add(-1e16);
  ASSERT_FALSE(s.broken());
  EXPECT_EQ(s.Value(), 0.2);
  s.Add(-0.2);
  EXPECT_EQ(s.Value(), 0.0);
  EXPECT_FALSE(std::signbit(s.Value()));
  EXPECT_EQ(ExactSumOf({1e308, 1e308, -1e308}), HUGE_VAL) << "overflow: the plain sum";
}

}  // namespace
}  // namespace pantry::stream
