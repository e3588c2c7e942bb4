#include "pantry/recommend/hnsw_index.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <exception>
#include <string>

namespace pantry::recommend {
namespace {

class HnswlibIndex final : public HnswIndex {
 public:
  HnswlibIndex(size_t dim, size_t count, const HnswParams& params)
      : dim_(dim),
        space_(dim),
        index_(&space_, count, params.m, params.ef_construction, params.seed) {
    index_.setEf(params.ef);
  }

  void Add(const float* vector, size_t label) { index_.addPoint(vector, label); }

  std::vector<uint32_t> Search(std::span<const float> query, size_t k) const override {
    std::vector<uint32_t> out;
    try {
      auto result = index_.searchKnn(query.data(), k);
      out.resize(result.size());
      // The queue pops the farthest (smallest inner product) first.
      for (size_t i = out.size(); i-- > 0;) {
        out[i] = static_cast<uint32_t>(result.top().second);
        result.pop();
      }
    } catch (const std::exception&) {
      out.clear();  // the caller falls back to the exact scan on an empty result
    }
    return out;
  }

  size_t dim() const override { return dim_; }

 private:
  size_t dim_;
  hnswlib::InnerProductSpace space_;
  hnswlib::HierarchicalNSW<float> index_;
};

}  // namespace

StatusOr<std::unique_ptr<HnswIndex>> HnswIndex::Build(std::span<const float> vectors, size_t count,
                                                      size_t dim, const HnswParams& params) {
  if (count == 0 || dim == 0 || vectors.size() != count * dim) {
    return InvalidArgumentError("hnsw: " + std::to_string(count) + " vectors of dimension " +
                                std::to_string(dim) + " do not match " +
                                std::to_string(vectors.size()) + " floats");
  }
  try {
    auto index = std::make_unique<HnswlibIndex>(dim, count, params);
    for (size_t i = 0; i < count; ++i) index->Add(vectors.data() + i * dim, i);
    return std::unique_ptr<HnswIndex>(std::move(index));
  } catch (const std::exception& e) {
    return InternalError(std::string("hnsw build failed: ") + e.what());
  }
}

}  // namespace pantry::recommend
