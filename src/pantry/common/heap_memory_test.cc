#include "pantry/common/heap_memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pantry {
namespace {

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
// A block at least as large as the threshold is its own mapping, also after
// a larger block was freed (which raises glibc's default, dynamic threshold).
TEST(HeapMemoryTest, LargeBlocksStayMappedWithAFixedThreshold) {
  ASSERT_TRUE(ConfigureServerHeap(2, 1 << 20));
  void* big = std::malloc(8 << 20);
  ASSERT_NE(big, nullptr);
  std::memset(big, 1, 8 << 20);
  std::free(big);
  const size_t mapped_before = mallinfo2().hblkhd;
  void* block = std::malloc(2 << 20);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, 2 << 20);
  EXPECT_GE(mallinfo2().hblkhd, mapped_before + (2 << 20));
  std::free(block);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before);
  ReleaseFreeHeapMemory();
}
#endif

}  // namespace
}  // namespace pantry
