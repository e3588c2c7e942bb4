#include "pantry/datagen/text_format.h"

#include <charconv>
#include <cmath>

namespace pantry::datagen {
namespace {

void AppendPadded(std::string* out, int64_t value, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out->push_back('0');
  out->append(buf, end);
}

}  // namespace

void AppendInt(std::string* out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, end);
}

void AppendFixed(std::string* out, double value, int decimals) {
  static constexpr int64_t kPow10[] = {1,      10,      100,      1000,      10000,
                                       100000, 1000000, 10000000, 100000000, 1000000000};
  const int64_t scale = kPow10[decimals];
  const int64_t scaled = std::llround(value * static_cast<double>(scale));
  int64_t magnitude = scaled;
  if (scaled < 0) {
    out->push_back('-');
    magnitude = -scaled;
  }
  AppendInt(out, magnitude / scale);
  if (decimals > 0) {
    out->push_back('.');
    AppendPadded(out, magnitude % scale, decimals);
  }
}

void AppendIsoSeconds(std::string* out, int64_t unix_seconds) {
  int64_t days = unix_seconds / 86400;
  int64_t secs = unix_seconds % 86400;
  if (secs < 0) secs += 86400, --days;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  AppendPadded(out, year, 4);
  out->push_back('-');
  AppendPadded(out, month, 2);
  out->push_back('-');
  AppendPadded(out, day, 2);
  out->push_back('T');
  AppendPadded(out, secs / 3600, 2);
  out->push_back(':');
  AppendPadded(out, secs / 60 % 60, 2);
  out->push_back(':');
  AppendPadded(out, secs % 60, 2);
  out->push_back('Z');
}

}  // namespace pantry::datagen
