// The shortest round-trip text of a double, as std::to_chars(first, last,
// value) writes it (no format argument: fixed or scientific, whichever is
// shorter, ties to fixed), but computed with {fmt}'s Dragonbox, which costs
// a fraction of libstdc++'s Ryu path. Hot response paths (record JSON) print
// two doubles per record, so the difference shows in BatchGetRecord.
#ifndef PANTRY_COMMON_SHORTEST_DOUBLE_H_
#define PANTRY_COMMON_SHORTEST_DOUBLE_H_

#include <cstddef>

namespace pantry {

// std::to_chars never needs more for a double ("-1.2345678901234567e-308"
// is 24 characters).
inline constexpr size_t kShortestDoubleMaxChars = 32;

// Writes exactly the characters std::to_chars(out, out + 32, value) would
// (including "inf", "-nan", "-0") and returns the end. `out` must have room
// for kShortestDoubleMaxChars characters; no terminator is written.
char* WriteShortestDouble(double value, char* out);

}  // namespace pantry

#endif  // PANTRY_COMMON_SHORTEST_DOUBLE_H_
