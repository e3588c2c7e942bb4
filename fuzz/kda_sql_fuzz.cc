// libFuzzer harness: the KDA SQL front end (lexer, parser, compiler).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pantry/stream/kda_sql_compiler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  (void)pantry::stream::kda::CompileSql(sql, pantry::stream::kda::CompileOptions());
  return 0;
}
