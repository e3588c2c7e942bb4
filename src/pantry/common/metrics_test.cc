#include "pantry/common/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pantry {
namespace {

TEST(MetricsTest, CounterSumsAcrossThreads) {
  MetricsRegistry registry;
  Counter* counter = registry.GetCounter("c_total", "help");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([counter] {
      for (int i = 0; i < 10000; ++i) counter->Increment();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter->Value(), 40000u);
  EXPECT_EQ(registry.GetCounter("c_total", "help"), counter) << "same name, same object";
}

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry registry;
  registry.GetCounter("req_total", "Requests.", {{"route", "/a\"b"}})->Increment(3);
  registry.GetGauge("model_version", "Loaded model.", {{"model", "fm"}})->Set(7);
  registry.AddGaugeCallback("queue_depth", "Depth.", {}, [] { return 2.5; });
  Histogram* h = registry.GetHistogram("lat_seconds", "Latency.", {}, {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE req_total counter\nreq_total{route=\"/a\\\"b\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("model_version{model=\"fm\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("queue_depth 2.5\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_sum 5.55\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count 3\n"), std::string::npos);
}

TEST(MetricsTest, TypeClashIsDetachedNotRendered) {
  MetricsRegistry registry;
  registry.GetCounter("x", "counter")->Increment();
  Gauge* gauge = registry.GetGauge("x", "gauge");
  gauge->Set(99);
  EXPECT_EQ(registry.RenderPrometheus().find("99"), std::string::npos);
}

TEST(MetricsTest, CallbacksCanBeRemoved) {
  MetricsRegistry registry;
  int owner = 0;
  registry.AddGaugeCallback(
      "g", "help", {}, [] { return 1.0; }, &owner);
  EXPECT_NE(registry.RenderPrometheus().find("g 1"), std::string::npos);
  registry.RemoveCallbacks(&owner);
  EXPECT_EQ(registry.RenderPrometheus().find("g 1"), std::string::npos);
}

}  // namespace
}  // namespace pantry
