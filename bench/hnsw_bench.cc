// HNSW retrieval (recommend/hnsw_index.h) against the exact scan on
// synthetic FM-like vectors: recall@100 and per-query latency, per catalog
// size. The index build and the exact answers are computed once per size,
// outside every timed loop (BM_HnswBuild reports the build time).
//
//   build/release/bin/hnsw_bench [--hnsw_sizes=17000,1000000] [--hnsw_dim=64]
//       [--hnsw_queries=200] [--hnsw_m=32] [--hnsw_ef_construction=200]
//       [--hnsw_ef=400] [--hnsw_norm_ranges=8] [--hnsw_build_threads=0]
//       [benchmark flags]
//
// Item vectors are [q_i, b_i] like the FM's (dim factors + a bias column),
// Gaussian times a per-item log-normal scale so norms are skewed; queries
// are [p_u, 1] with Gaussian p_u. Every figure is deterministic except
// latency and, with more than one build thread, the graph itself.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/recommend/hnsw_index.h"

namespace pantry::recommend {
namespace {

constexpr size_t kK = 100;

struct Flags {
  std::vector<size_t> sizes{17000, 1000000};
  size_t dim = 64;  // factors; vectors have one more (the bias)
  size_t queries = 200;
  HnswParams params;
};
Flags& GetFlags() {
  static Flags flags;
  return flags;
}

struct World {
  size_t count = 0, dim = 0;
  std::vector<float> items, queries;  // row-major, dim floats each
  std::vector<std::vector<uint32_t>> truth;
  std::unique_ptr<HnswIndex> index;
  double build_seconds = 0, recall = 0;
};

std::vector<uint32_t> ExactTopK(const World& w, const float* q, size_t k,
                                std::vector<std::pair<float, uint32_t>>* heap) {
  auto better = [](const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
    return a.first > b.first;
  };
  heap->clear();
  for (size_t i = 0; i < w.count; ++i) {
    const float* v = w.items.data() + i * w.dim;
    float s = 0;
    for (size_t d = 0; d < w.dim; ++d) s += q[d] * v[d];
    if (heap->size() < k) {
      heap->push_back({s, static_cast<uint32_t>(i)});
      std::push_heap(heap->begin(), heap->end(), better);
    } else if (s > heap->front().first) {
      std::pop_heap(heap->begin(), heap->end(), better);
      heap->back() = {s, static_cast<uint32_t>(i)};
      std::push_heap(heap->begin(), heap->end(), better);
    }
  }
  std::sort_heap(heap->begin(), heap->end(), better);
  std::vector<uint32_t> out;
  for (const auto& [score, i] : *heap) out.push_back(i);
  return out;
}

World MakeWorld(size_t count) {
  const Flags& f = GetFlags();
  World w;
  w.count = count;
  w.dim = f.dim + 1;
  std::mt19937_64 rng(42);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::lognormal_distribution<float> scale(0.0f, 0.6f);
  w.items.resize(count * w.dim);
  for (size_t i = 0; i < count; ++i) {
    const float s = scale(rng);
    for (size_t d = 0; d < w.dim; ++d) w.items[i * w.dim + d] = s * gauss(rng) * 0.2f;
  }
  w.queries.resize(f.queries * w.dim);
  for (size_t n = 0; n < f.queries; ++n) {
    for (size_t d = 0; d < w.dim; ++d) w.queries[n * w.dim + d] = gauss(rng);
    w.queries[n * w.dim + w.dim - 1] = 1.0f;
  }
  const auto start = std::chrono::steady_clock::now();
  auto index = HnswIndex::Build(w.items, count, w.dim, f.params);
  w.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!index.ok()) {
    std::cerr << index.status().ToString() << "\n";
    std::abort();
  }
  w.index = std::move(*index);
  std::vector<std::pair<float, uint32_t>> heap;
  size_t hits = 0;
  for (size_t n = 0; n < f.queries; ++n) {
    const float* q = w.queries.data() + n * w.dim;
    w.truth.push_back(ExactTopK(w, q, kK, &heap));
    const std::set<uint32_t> truth(w.truth.back().begin(), w.truth.back().end());
    for (uint32_t i : w.index->Search({q, w.dim}, kK)) hits += truth.count(i);
  }
  w.recall = static_cast<double>(hits) / static_cast<double>(f.queries * kK);
  return w;
}

World& GetWorld(size_t count) {
  static auto* worlds = new std::map<size_t, World>();
  auto it = worlds->find(count);
  if (it == worlds->end()) it = worlds->emplace(count, MakeWorld(count)).first;
  return it->second;
}

void SetCounters(benchmark::State& state, const World& w) {
  state.counters["recall_at_100"] = w.recall;
  state.counters["build_s"] = w.build_seconds;
  state.counters["items"] = static_cast<double>(w.count);
}

void BM_HnswBuild(benchmark::State& state) {
  World& w = GetWorld(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(w.index.get());
  SetCounters(state, w);
}

void BM_HnswSearch(benchmark::State& state) {
  World& w = GetWorld(static_cast<size_t>(state.range(0)));
  const size_t queries = GetFlags().queries;
  size_t n = 0;
  for (auto _ : state) {
    const float* q = w.queries.data() + (n++ % queries) * w.dim;
    auto found = w.index->Search({q, w.dim}, kK);
    benchmark::DoNotOptimize(found);
  }
  SetCounters(state, w);
}

void BM_ExactScan(benchmark::State& state) {
  World& w = GetWorld(static_cast<size_t>(state.range(0)));
  const size_t queries = GetFlags().queries;
  std::vector<std::pair<float, uint32_t>> heap;
  size_t n = 0;
  for (auto _ : state) {
    auto found = ExactTopK(w, w.queries.data() + (n++ % queries) * w.dim, kK, &heap);
    benchmark::DoNotOptimize(found);
  }
  state.counters["items"] = static_cast<double>(w.count);
}

std::vector<size_t> ParseList(std::string_view text) {
  std::vector<size_t> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    out.push_back(std::stoul(std::string(text.substr(0, comma))));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

// Consumes the --hnsw_* flags, leaving the rest for Google Benchmark.
void ParseFlags(int* argc, char** argv) {
  Flags& f = GetFlags();
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string_view arg(argv[i]);
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : arg.substr(eq + 1);
    if (name == "--hnsw_sizes") {
      f.sizes = ParseList(value);
    } else if (name == "--hnsw_dim") {
      f.dim = ParseList(value).at(0);
    } else if (name == "--hnsw_queries") {
      f.queries = std::max<size_t>(1, ParseList(value).at(0));
    } else if (name == "--hnsw_m") {
      f.params.m = ParseList(value).at(0);
    } else if (name == "--hnsw_ef_construction") {
      f.params.ef_construction = ParseList(value).at(0);
    } else if (name == "--hnsw_ef") {
      f.params.ef = ParseList(value).at(0);
    } else if (name == "--hnsw_norm_ranges") {
      f.params.norm_ranges = ParseList(value).at(0);
    } else if (name == "--hnsw_build_threads") {
      f.params.build_threads = ParseList(value).at(0);
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
}

}  // namespace
}  // namespace pantry::recommend

int main(int argc, char** argv) {
  using namespace pantry::recommend;
  GetFlags().params.build_threads = 0;  // all cores: the 1M build is slow on one
  ParseFlags(&argc, argv);
  for (size_t size : GetFlags().sizes) {
    const auto n = static_cast<int64_t>(size);
    benchmark::RegisterBenchmark("BM_HnswBuild", BM_HnswBuild)
        ->Arg(n)
        ->Iterations(1)
        ->Unit(benchmark::kSecond);
    benchmark::RegisterBenchmark("BM_HnswSearch", BM_HnswSearch)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_ExactScan", BM_ExactScan)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
