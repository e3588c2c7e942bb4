// CSV reading throughput on a generated ~100 MB file shaped like
// click_stream_historical.csv (plus some quoted fields with commas, quotes
// and newlines so the slow path is exercised).
//
//   build/release/bin/csv_bench --benchmark_filter=CsvRead
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include <benchmark/benchmark.h>

#include "pantry/common/csv.h"

namespace pantry {
namespace {

const std::filesystem::path& BenchFile() {
  static const std::filesystem::path path = [] {
    auto p = std::filesystem::temp_directory_path() /
             ("pantry_csv_bench_" + std::to_string(::getpid()) + ".csv");
    std::mt19937_64 rng(42);
    auto writer = CsvWriter::Create(p);
    if (!writer.ok()) std::abort();
    (*writer)->WriteRow({"customer_id", "product_id", "bought", "rating",
                         "healthy_activity_last_2m", "event_time", "note"});
    while ((*writer)->bytes_written() < 100 * 1000 * 1000) {
      std::string customer = "C" + std::to_string(rng() % 1000000);
      std::string product = "P" + std::to_string(rng() % 100000);
      std::string bought = (rng() % 5 == 0) ? "1" : "0";
      std::string rating = std::to_string(rng() % 6);
      std::string activity = std::to_string(static_cast<double>(rng() % 10000) / 1000.0);
      std::string when = "2026-0" + std::to_string(1 + rng() % 9) + "-1" +
                         std::to_string(rng() % 10) + "T12:34:56Z";
      std::string note = (rng() % 50 == 0) ? "said \"great, \nreally\"" : "";
      (*writer)->WriteRow({customer, product, bought, rating, activity, when, note});
    }
    if (!(*writer)->Close().ok()) std::abort();
    return p;
  }();
  return path;
}

void BM_CsvRead(benchmark::State& state) {
  const auto& path = BenchFile();
  int64_t bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  int64_t records = 0;
  for (auto _ : state) {
    auto reader = CsvReader::Open(path);
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      return;
    }
    CsvRecord record;
    size_t field_bytes = 0;
    while (true) {
      auto more = (*reader)->ReadRecord(&record);
      if (!more.ok()) {
        state.SkipWithError(more.status().ToString().c_str());
        return;
      }
      if (!*more) break;
      field_bytes += record[0].size();
      ++records;
    }
    benchmark::DoNotOptimize(field_bytes);
  }
  state.SetBytesProcessed(bytes * state.iterations());
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CsvRead)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace pantry

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove(pantry::BenchFile());
  return 0;
}
