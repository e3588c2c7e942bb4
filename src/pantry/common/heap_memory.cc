#include "pantry/common/heap_memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pantry {

void ReleaseFreeHeapMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

bool ConfigureServerHeap(int max_arenas, int mmap_threshold) {
#if defined(__GLIBC__)
  return mallopt(M_ARENA_MAX, max_arenas) == 1 && mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1;
#else
  (void)max_arenas;
  (void)mmap_threshold;
  return true;
#endif
}

}  // namespace pantry
