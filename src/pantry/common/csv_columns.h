// Reading chosen columns of a CSV file by name, row by row: the loop that
// dataset readers (evaluation, quality tests) otherwise write each time.
#ifndef PANTRY_COMMON_CSV_COLUMNS_H_
#define PANTRY_COMMON_CSV_COLUMNS_H_

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"

namespace pantry {

// Calls `fn` with the fields of `columns` (in that order) for every record of
// `path`. The views are valid during the call only. Fails if the file cannot
// be read, a column is missing (the error names it), a record is malformed,
// or `fn` fails (its status is returned; reading stops).
Status ForEachCsvRow(const std::filesystem::path& path, const std::vector<std::string>& columns,
                     const std::function<Status(const std::vector<std::string_view>&)>& fn);

}  // namespace pantry

#endif  // PANTRY_COMMON_CSV_COLUMNS_H_
