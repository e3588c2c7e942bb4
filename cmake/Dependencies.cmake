# Finds every third-party dependency. A missing one stops the configure step
# with the Debian package to install (scripts/install-deps installs them all).

function(pantry_missing what package)
  message(FATAL_ERROR
    "pantry: ${what} not found. Install the Debian package '${package}' "
    "(or run scripts/install-deps, which installs everything pantry needs).")
endfunction()

macro(pantry_find_config name package)
  find_package(${name} CONFIG QUIET)
  if(NOT ${name}_FOUND)
    pantry_missing(${name} ${package})
  endif()
endmacro()

pantry_find_config(fmt libfmt-dev)
pantry_find_config(spdlog libspdlog-dev)
pantry_find_config(CLI11 libcli11-dev)
pantry_find_config(nlohmann_json nlohmann-json3-dev)
pantry_find_config(RocksDB librocksdb-dev)
# simdjson parses Kinesis put bodies (server/kinesis_put_body.cc only).
pantry_find_config(simdjson libsimdjson-dev)
# Debian's XGBoostConfig.cmake also requires the xgboost CLI package, so
# find the C API library directly.
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h)
find_library(XGBOOST_LIBRARY xgboost)
if(NOT XGBOOST_INCLUDE_DIR OR NOT XGBOOST_LIBRARY)
  pantry_missing(xgboost libxgboost-dev)
endif()

# hiredis (synchronous client) for the Redis online store; only
# featurestore/redis_client.cc includes it. Debian ships no CMake target.
find_path(HIREDIS_INCLUDE_DIR hiredis/hiredis.h)
find_library(HIREDIS_LIBRARY hiredis)
if(NOT HIREDIS_INCLUDE_DIR OR NOT HIREDIS_LIBRARY)
  pantry_missing(hiredis libhiredis-dev)
endif()
# jemalloc replaces malloc in the `pantry` binary (not the tests, nor the
# sanitizer builds, which bring their own allocator): under sustained load
# glibc's per-thread arenas kept ~10x the memory in use (docs/reliability.md,
# Soak).
find_library(JEMALLOC_LIBRARY jemalloc)
if(NOT JEMALLOC_LIBRARY)
  pantry_missing(jemalloc libjemalloc-dev)
endif()

add_library(Hiredis::hiredis UNKNOWN IMPORTED)
set_target_properties(Hiredis::hiredis PROPERTIES
  IMPORTED_LOCATION ${HIREDIS_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${HIREDIS_INCLUDE_DIR})

find_package(SQLite3 QUIET)
if(NOT SQLite3_FOUND)
  pantry_missing(SQLite3 libsqlite3-dev)
endif()

# libpq, the PostgreSQL client library (the PostgreSQL offline store); only
# featurestore/pg_connection.cc includes it. The server binaries (package
# postgresql) are needed only by the tests, which start their own server.
find_package(PostgreSQL QUIET)
if(NOT PostgreSQL_FOUND)
  pantry_missing(libpq libpq-dev)
endif()

find_package(Eigen3 QUIET NO_MODULE)
if(NOT Eigen3_FOUND)
  pantry_missing(Eigen3 libeigen3-dev)
endif()

find_path(HNSWLIB_INCLUDE_DIR hnswlib/hnswlib.h)
if(NOT HNSWLIB_INCLUDE_DIR)
  pantry_missing(hnswlib libhnswlib-dev)
endif()

# Boost.Beast and Asio for the HTTP server, header-only (Boost.System has
# been header-only since 1.69); only server/beast_http_server.cc includes them.
find_package(Boost 1.81 CONFIG QUIET COMPONENTS headers)
if(NOT Boost_FOUND)
  pantry_missing("Boost 1.81 headers" libboost1.81-dev)
endif()

# OpenSSL's libcrypto: SHA-256 and HMAC for request authentication.
find_package(OpenSSL QUIET COMPONENTS Crypto)
if(NOT OpenSSL_FOUND)
  pantry_missing(OpenSSL libssl-dev)
endif()

find_package(Threads REQUIRED)
find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  pantry_missing(zlib zlib1g-dev)
endif()

if(PANTRY_BUILD_TESTS)
  # The Redis contract tests start real servers (testing/redis_server.h);
  # they fail with this package's name at run time if it is missing.
  find_program(PANTRY_REDIS_SERVER redis-server)
  if(NOT PANTRY_REDIS_SERVER)
    message(WARNING "pantry: redis-server not found: the Redis tests will fail. "
                    "Install the Debian package 'redis-server' (scripts/install-deps).")
  endif()
  find_package(GTest CONFIG QUIET)
  if(NOT GTest_FOUND)
    pantry_missing(GoogleTest libgtest-dev)
  endif()
endif()
if(PANTRY_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG QUIET)
  if(NOT benchmark_FOUND)
    pantry_missing("Google Benchmark" libbenchmark-dev)
  endif()
endif()

# Chart.js for the web console's charts (src/pantry/webui), embedded into the
# binary at build time from Debian's package; never copied into the repo.
find_file(PANTRY_CHARTJS NAMES chart.umd.min.js chart.umd.js chart.min.js Chart.min.js
          PATHS /usr/share/javascript/chart.js NO_DEFAULT_PATH)
if(NOT PANTRY_CHARTJS)
  pantry_missing("Chart.js (/usr/share/javascript/chart.js)" libjs-chart.js)
endif()
