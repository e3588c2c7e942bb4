// Fast, locale-independent formatting for generated rows. snprintf("%f") is
// too slow for tens of millions of values and depends on the locale; these
// produce the same bytes everywhere.
#ifndef PANTRY_DATAGEN_TEXT_FORMAT_H_
#define PANTRY_DATAGEN_TEXT_FORMAT_H_

#include <cstdint>
#include <string>

namespace pantry::datagen {

void AppendInt(std::string* out, int64_t value);
// `value` rounded half away from zero to `decimals` (0..9) places, always
// with exactly that many decimals ("0.5000").
void AppendFixed(std::string* out, double value, int decimals);
// "2026-11-27T03:17:42Z" for Unix seconds.
void AppendIsoSeconds(std::string* out, int64_t unix_seconds);

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_TEXT_FORMAT_H_
