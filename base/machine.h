/* machine.h: what the machine running us has. */
#ifndef HS_MACHINE_H
#define HS_MACHINE_H

/* Physical memory in bytes (sysconf), or 0 when unknown. */
double machine_memory_bytes(void);

#endif
