/*
 * The version and the compiled-in paths. The Makefile passes each one
 * from its PREFIX, SYSCONFDIR, DATADIR and LOCALSTATEDIR, so that an
 * installed hotlined finds its files without a conf key for each; the
 * values below are only for a compiler run without the Makefile.
 */
#ifndef HOTLINE_VERSION_H
#define HOTLINE_VERSION_H

#ifndef HOTLINE_VERSION
#define HOTLINE_VERSION		"0.1"
#endif
#ifndef HOTLINE_CONF_PATH
#define HOTLINE_CONF_PATH	"/etc/hotline/hotline.conf"
#endif
#ifndef HOTLINE_PROMPTS_DIR
#define HOTLINE_PROMPTS_DIR	"/usr/local/share/hotline/prompts"
#endif
#ifndef HOTLINE_WEB_DIR
#define HOTLINE_WEB_DIR		"/usr/local/share/hotline/web"
#endif
#ifndef HOTLINE_DATA_DIR
#define HOTLINE_DATA_DIR	"/var/lib/hotline"
#endif

#endif
