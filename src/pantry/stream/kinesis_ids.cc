#include "pantry/stream/kinesis_ids.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace pantry::stream {
namespace {

constexpr std::string_view kShardIdPrefix = "shardId-";
constexpr size_t kShardIdDigits = 12;
// 2^80 has 25 digits, so 25 digits always fit in 128 bits.
constexpr size_t kMaxSequenceDigits = 25;

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string U128ToDecimal(unsigned __int128 value) {
  if (value == 0) return "0";
  std::string digits;
  while (value > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace

bool IsValidStreamName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

std::string KinesisShardId(int shard) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "shardId-%012d", shard);
  return buffer;
}

StatusOr<int> ParseKinesisShardId(std::string_view text) {
  const std::string_view digits =
      text.starts_with(kShardIdPrefix) ? text.substr(kShardIdPrefix.size()) : std::string_view();
  if (digits.size() != kShardIdDigits || !AllDigits(digits)) {
    return InvalidArgumentError("'" + std::string(text) +
                                "' is not a shard id (shardId-NNNNNNNNNNNN)");
  }
  const long long shard = std::stoll(std::string(digits));
  if (shard >= kMaxKinesisShards) {
    return InvalidArgumentError("shard id '" + std::string(text) + "' is out of range");
  }
  return static_cast<int>(shard);
}

std::string KinesisSequenceNumber(const LogOffset& offset) {
  return U128ToDecimal((static_cast<unsigned __int128>(offset.sequence) << kKinesisShardBits) |
                       static_cast<unsigned>(offset.shard));
}

StatusOr<LogOffset> ParseKinesisSequenceNumber(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError("'" + std::string(text) + "' is not a sequence number");
  };
  if (text.empty() || text.size() > kMaxSequenceDigits || !AllDigits(text)) return bad();
  unsigned __int128 value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if ((value >> (64 + kKinesisShardBits)) != 0) return bad();
  LogOffset offset;
  offset.shard = static_cast<int>(value & (kMaxKinesisShards - 1));
  offset.sequence = static_cast<uint64_t>(value >> kKinesisShardBits);
  return offset;
}

KinesisHashKeyRange HashKeyRangeOfShard(int shard, int shard_count) {
  const unsigned __int128 max = ~static_cast<unsigned __int128>(0);
  const unsigned __int128 width = max / static_cast<unsigned>(shard_count);
  const unsigned __int128 start = width * static_cast<unsigned>(shard);
  const unsigned __int128 end = shard + 1 == shard_count ? max : start + width - 1;
  return {U128ToDecimal(start), U128ToDecimal(end)};
}

}  // namespace pantry::stream
