/* signals.h: the first SIGINT or SIGTERM asks the run to stop at the next
 * window's end (the recorders flushed, the file closed with complete = 0);
 * a second one exits at once (every write is flushed as it is made, so
 * the file stays readable).
 */
#ifndef HS_SIGNALS_H
#define HS_SIGNALS_H

#include <signal.h>

/* Installs the handlers. */
void signals_catch(void);

/* The flag the handlers set, for sim_set_stop_flag. */
const volatile sig_atomic_t *signals_flag(void);

/* The signal that stopped the run (SIGINT, SIGTERM), or 0. */
int signals_stop_signal(void);

#endif
