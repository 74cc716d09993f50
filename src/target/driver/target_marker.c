/* target_marker.c - see target_marker.h. Alone in its file on purpose. */
#include "target_marker.h"

__attribute__((noinline)) void target_marker(void)
{
    __asm__ volatile("" ::: "memory");
}
