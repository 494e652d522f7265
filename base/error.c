#include "error.h"

#include <stdarg.h>
#include <string.h>

void hs_error_clear(hs_error *e)
{
    if (!e)
        return;
    e->code = HS_OK;
    e->msg[0] = '\0';
}

int hs_error_set(hs_error *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

int hs_error_at(hs_error *e, int code, const char *file, int line, int col,
                const char *fmt, ...)
{
    if (!e)
        return code;
    int n = 0;
    if (file && line > 0 && col > 0)
        n = snprintf(e->msg, sizeof e->msg, "%s:%d:%d: ", file, line, col);
    else if (file && line > 0)
        n = snprintf(e->msg, sizeof e->msg, "%s:%d: ", file, line);
    else if (file)
        n = snprintf(e->msg, sizeof e->msg, "%s: ", file);
    if (n < 0 || (size_t)n >= sizeof e->msg)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg + n, sizeof e->msg - (size_t)n, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

int hs_error_exit_code(int code)
{
    if (code == HS_OK)
        return 0;
    return code == HS_EINPUT ? 2 : 1;
}
