#include "pantry/models/sparse.h"

#include <cmath>
#include <string>

namespace pantry::models {

void CsrMatrix::AppendRow(std::span<const uint32_t> row_indices,
                          std::span<const float> row_values) {
  indices.insert(indices.end(), row_indices.begin(), row_indices.end());
  values.insert(values.end(), row_values.begin(), row_values.end());
  indptr.push_back(indices.size());
}

StatusOr<CsrMatrix> CsrMatrix::HStack(std::span<const CsrMatrix* const> blocks) {
  CsrMatrix out;
  if (blocks.empty()) return out;
  size_t rows = blocks[0]->rows();
  size_t total_nnz = 0;
  for (const CsrMatrix* block : blocks) {
    if (block->rows() != rows) {
      return InvalidArgumentError("HStack: blocks have " + std::to_string(rows) + " and " +
                                  std::to_string(block->rows()) + " rows");
    }
    out.cols += block->cols;
    total_nnz += block->nnz();
  }
  if (out.cols > UINT32_MAX) return InvalidArgumentError("HStack: more than 2^32 columns");
  out.indices.reserve(total_nnz);
  out.values.reserve(total_nnz);
  out.indptr.reserve(rows + 1);
  for (size_t r = 0; r < rows; ++r) {
    uint32_t offset = 0;
    for (const CsrMatrix* block : blocks) {
      SparseRow row = block->row(r);
      for (size_t j = 0; j < row.nnz(); ++j) {
        out.indices.push_back(row.indices[j] + offset);
        out.values.push_back(row.values[j]);
      }
      offset += static_cast<uint32_t>(block->cols);
    }
    out.indptr.push_back(out.indices.size());
  }
  return out;
}

CsrMatrix CsrMatrix::SelectRows(std::span<const size_t> row_ids) const {
  CsrMatrix out;
  out.cols = cols;
  out.indptr.reserve(row_ids.size() + 1);
  for (size_t r : row_ids) {
    SparseRow row = this->row(r);
    out.AppendRow(row.indices, row.values);
  }
  return out;
}

Status CsrMatrix::Validate() const {
  if (indptr.empty() || indptr[0] != 0) return InvalidArgumentError("CSR: indptr must start at 0");
  if (indices.size() != values.size() || indptr.back() != indices.size()) {
    return InvalidArgumentError("CSR: indptr, indices and values disagree in length");
  }
  for (size_t r = 0; r + 1 < indptr.size(); ++r) {
    if (indptr[r] > indptr[r + 1]) {
      return InvalidArgumentError("CSR: indptr decreases at row " + std::to_string(r));
    }
    for (uint64_t p = indptr[r]; p < indptr[r + 1]; ++p) {
      if (indices[p] >= cols) {
        return InvalidArgumentError("row " + std::to_string(r) + ": column " +
                                    std::to_string(indices[p]) + " is out of range (" +
                                    std::to_string(cols) + " columns)");
      }
      if (!std::isfinite(values[p])) {
        return InvalidArgumentError("row " + std::to_string(r) + ", column " +
                                    std::to_string(indices[p]) + ": feature value is " +
                                    (std::isnan(values[p]) ? "NaN" : "infinite"));
      }
    }
  }
  return Status::Ok();
}

}  // namespace pantry::models
