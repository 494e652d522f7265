/* machine.c: the machine's size, from sysconf. */
#include "machine.h"

#include <unistd.h>

double machine_memory_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 0;
}
