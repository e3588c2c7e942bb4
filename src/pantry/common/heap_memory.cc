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

}  // namespace pantry
