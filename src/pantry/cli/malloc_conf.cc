// jemalloc's build-time options for the `pantry` binary (linked only when
// jemalloc is, see src/pantry/cli/CMakeLists.txt; jemalloc reads this symbol
// at start-up, and MALLOC_CONF in the environment still overrides it).
//
// Why: a recommendation request allocates a few buffers of 16–512 KiB
// (catalog-wide score vectors, neighbour accumulators). By default jemalloc's
// thread caches hold objects up to 32 KiB only, so each of those went back to
// the arena, was purged with madvise(MADV_DONTNEED) and faulted in again by
// the next request; on 2 cores the madvise TLB shootdowns and page faults
// took about a quarter of the server's CPU under load (perf, docs/server.md).
// Caching objects up to 1 MiB per thread keeps them hot. The per-thread
// cache of large objects is bounded by jemalloc (a few slots per size
// class), and the soak's memory bound still applies.
extern "C" {
// NOLINTNEXTLINE(readability-identifier-naming): the name jemalloc looks up.
const char* malloc_conf = "tcache_max:1048576";
}
