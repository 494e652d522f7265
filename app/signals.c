/* signals.c: SIGINT and SIGTERM stop a run (signals.h). */
#include "signals.h"

#include <string.h>
#include <unistd.h>

/* The first SIGINT or SIGTERM asks the run to stop at the next window's end
 * (the recorders flushed, the file closed with complete = 0); a second one
 * exits at once: every write is flushed as it is made, so the file stays
 * readable. */
static volatile sig_atomic_t stop_signal;

int signals_stop_signal(void)
{
    return stop_signal;
}

static void on_stop_signal(int sig)
{
    if (stop_signal)
        _exit(128 + sig);
    stop_signal = sig;
}

void signals_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

const volatile sig_atomic_t *signals_flag(void)
{
    return &stop_signal;
}
