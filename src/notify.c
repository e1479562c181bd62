/*
 * sd_notify(3) for hotlined, the only file that knows libsystemd. Without
 * $NOTIFY_SOCKET (not started by systemd) every call does nothing.
 */
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "notify.h"

int
notify_supported(void)
{
#ifdef HAVE_LIBSYSTEMD
	return 1;
#else
	return 0;
#endif
}

void
notify_ready(void)
{
#ifdef HAVE_LIBSYSTEMD
	(void)sd_notify(0, "READY=1\nSTATUS=serving");
#endif
}

void
notify_reloading(void)
{
#ifdef HAVE_LIBSYSTEMD
	(void)sd_notify(0, "RELOADING=1\nSTATUS=reloading");
#endif
}

void
notify_stopping(void)
{
#ifdef HAVE_LIBSYSTEMD
	(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping");
#endif
}
