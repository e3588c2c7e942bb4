// Compressed sparse row (CSR) matrices: the input format of the encoders'
// output and of the factorization machine.
#ifndef PANTRY_MODELS_SPARSE_H_
#define PANTRY_MODELS_SPARSE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::models {

// A view of one sparse row: parallel arrays of column indices and values.
struct SparseRow {
  std::span<const uint32_t> indices;
  std::span<const float> values;
  size_t nnz() const { return indices.size(); }
};

// Row-major sparse matrix, scipy/sklearn CSR layout: row r's entries are
// indices[indptr[r] .. indptr[r+1]) with values at the same positions.
// Column indices within a row are sorted ascending and unique when produced
// by pantry's encoders; the factorization machine does not require it.
struct CsrMatrix {
  size_t cols = 0;
  std::vector<uint64_t> indptr{0};
  std::vector<uint32_t> indices;
  std::vector<float> values;

  size_t rows() const { return indptr.size() - 1; }
  size_t nnz() const { return indices.size(); }
  SparseRow row(size_t r) const {
    size_t begin = indptr[r], end = indptr[r + 1];
    return {std::span<const uint32_t>(indices.data() + begin, end - begin),
            std::span<const float>(values.data() + begin, end - begin)};
  }

  // Appends a row; `indices` must be < cols (checked by Validate()).
  void AppendRow(std::span<const uint32_t> row_indices, std::span<const float> row_values);

  // Horizontally concatenates blocks with the same number of rows:
  // [a | b | ...]; column indices of later blocks are offset.
  static StatusOr<CsrMatrix> HStack(std::span<const CsrMatrix* const> blocks);

  // Returns the rows listed in `row_ids`, in that order.
  CsrMatrix SelectRows(std::span<const size_t> row_ids) const;

  // Checks structural consistency and that every value is finite; the error
  // names the first offending row and column.
  Status Validate() const;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_SPARSE_H_
