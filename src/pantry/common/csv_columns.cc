#include "pantry/common/csv_columns.h"

#include "pantry/common/csv.h"

namespace pantry {

Status ForEachCsvRow(const std::filesystem::path& path, const std::vector<std::string>& columns,
                     const std::function<Status(const std::vector<std::string_view>&)>& fn) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  std::vector<size_t> index;
  for (const std::string& c : columns) {
    ASSIGN_OR_RETURN(size_t i, reader->RequireColumn(c));
    index.push_back(i);
  }
  CsvRecord record;
  std::vector<std::string_view> fields(columns.size());
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->ReadRecord(&record));
    if (!more) return Status::Ok();
    for (size_t i = 0; i < index.size(); ++i) fields[i] = record[index[i]];
    RETURN_IF_ERROR(fn(fields));
  }
}

}  // namespace pantry
