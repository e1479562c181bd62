/*
 * The service manager's readiness protocol (sd_notify(3)): hotlined says
 * when it serves, reloads and stops, so that systemd's Type=notify knows
 * (and `systemctl start` returns once the port is open). A build without
 * libsystemd, or a hotlined not started by systemd, says nothing.
 */
#ifndef HOTLINE_NOTIFY_H
#define HOTLINE_NOTIFY_H

/* 1 if this build speaks the protocol (hotlined --version says so). */
int	notify_supported(void);

void	notify_ready(void);		/* READY=1 */
void	notify_reloading(void);		/* RELOADING=1 */
void	notify_stopping(void);		/* STOPPING=1 */

#endif
