/*
 * ivr.c without any transport: the script engine driven by plain events
 * (begin, digits, timeout), as a FastAGI front-end would drive it, against
 * a real affected.db built from tests/data/people.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "affected.h"
#include "config.h"
#include "crypto.h"
#include "hasher.h"
#include "import.h"
#include "ivr.h"
#include "prompt.h"
#include "store.h"

struct world {
	char		 dir[64];
	struct config	*conf;
	struct prompts	*prompts;
	struct hasher	*hasher;
	struct affected	*affected;
	struct store	*store;
	struct ivr_env	 env;
};

static int
setup(void **state)
{
	struct world		*w = calloc(1, sizeof *w);
	struct import_options	 opt;
	struct import_summary	 sum;
	unsigned char		 key[CRYPTO_KEY_SIZE];
	char			 path[128], conf[128], key_id[HASHER_KEY_ID_SIZE];
	const char		*data = getenv("HOTLINE_TESTDATA");
	const char		*lists[1];
	char			 orgs[256], list[256], *err = NULL;
	FILE			*f;

	if (data == NULL)
		data = "tests/data";
	snprintf(w->dir, sizeof w->dir, "/tmp/hotline-ivr.XXXXXX");
	if (mkdtemp(w->dir) == NULL)
		return -1;
	snprintf(conf, sizeof conf, "%s/hotline.conf", w->dir);
	f = fopen(conf, "w");
	fprintf(f, "data_dir = \"%s\";\nhours = { open = \"00:00\"; "
	    "close = \"24:00\"; };\nivr = { daily_lookups_per_caller = 2; };\n",
	    w->dir);
	fclose(f);
	if ((w->conf = config_load(conf, &err)) == NULL)
		return -1;
	config_apply_time_zone(w->conf);
	snprintf(path, sizeof path, "%s/hotline.key", w->dir);
	if (crypto_key_create(path, &err) == -1 ||
	    crypto_key_load(path, 1, key, &err) == -1)
		return -1;
	w->hasher = hasher_new(key);
	hasher_key_id(w->hasher, key_id);
	snprintf(orgs, sizeof orgs, "%s/people/orgs.csv", data);
	snprintf(list, sizeof list, "%s/people/affected.csv", data);
	memset(&opt, 0, sizeof opt);
	opt.data_dir = w->dir;
	opt.key_file = path;
	opt.orgs_path = orgs;
	lists[0] = list;
	opt.lists = lists;
	opt.nlists = 1;
	if (import_run(&opt, &sum, &err) == -1)
		return -1;
	import_summary_free(&sum);
	snprintf(path, sizeof path, "%s/affected.db", w->dir);
	if ((w->affected = affected_open(path, key_id, &err)) == NULL ||
	    (w->prompts = prompt_load("prompts", &err)) == NULL ||
	    (w->store = store_open(w->dir, 0, 0, &err)) == NULL)
		return -1;
	w->env.conf = w->conf;
	w->env.prompts = w->prompts;
	w->env.hasher = w->hasher;
	w->env.affected = w->affected;
	w->env.store = w->store;
	w->env.now = time(NULL);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world	*w = *state;
	char		 cmd[128];

	store_close(w->store);
	affected_unref(w->affected);
	prompt_free(w->prompts);
	hasher_free(w->hasher);
	config_free(w->conf);
	snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
	free(w);
	return system(cmd) == 0 ? 0 : -1;
}

/* The kinds of the actions as one string: say:greeting,collect:phone,... */
static void
kinds(const struct ivr_actions *a, char *out, size_t len)
{
	size_t	i, o = 0;

	out[0] = '\0';
	for (i = 0; i < a->n && o < len; i++) {
		switch (a->v[i].type) {
		case IVR_SAY:
			o += (size_t)snprintf(out + o, len - o, "%s%s",
			    i ? "," : "", prompt_name(a->v[i].prompt));
			break;
		case IVR_COLLECT:
			o += (size_t)snprintf(out + o, len - o, "%scollect:%s",
			    i ? "," : "", ivr_field_name(a->v[i].field));
			break;
		case IVR_TRANSFER:
			o += (size_t)snprintf(out + o, len - o, "%stransfer",
			    i ? "," : "");
			break;
		case IVR_HANGUP:
			o += (size_t)snprintf(out + o, len - o, "%shangup",
			    i ? "," : "");
			break;
		}
	}
}

static void
expect(struct ivr_actions *a, const char *want)
{
	char	got[1024];

	kinds(a, got, sizeof got);
	assert_string_equal(got, want);
	ivr_actions_free(a);
}

static void
test_affected_call(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { NULL, 0, 0 };
	struct ivr_call		 c;
	const char		*codes[4];

	assert_int_equal(ivr_begin(&c, &w->env, "08033334444", NULL, "ja",
	    &a), 0);
	expect(&a, "greeting,fraud_warning,ask_birthdate,collect:birthdate");
	assert_int_equal(ivr_input(&c, &w->env, "19701203", &a), 0);
	expect(&a, "notice_affected,notice_org,notice_org,notice_apology,"
	    "menu,collect:menu");
	assert_int_equal(ivr_input(&c, &w->env, "0", &a), 0);
	expect(&a, "fraud_warning,transfer,transfer");
	assert_int_equal(c.state, IVR_DONE);
	assert_int_equal(ivr_outcome(&c), OUTCOME_AFFECTED);
	assert_int_equal(ivr_org_codes(&c, codes, 4), 2);
	assert_string_equal(codes[0], "komorebi");
	assert_string_equal(codes[1], "sakura-tel");
	ivr_clear(&c);
	/* The caller's number is wiped with the call. */
	assert_int_equal(c.phone[0], '\0');
}

static void
test_withheld_then_failures(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { NULL, 0, 0 };
	struct ivr_call		 c;

	assert_int_equal(ivr_begin(&c, &w->env, "非通知", NULL, NULL, &a), 0);
	expect(&a, "greeting,fraud_warning,ask_phone,collect:phone");
	assert_int_equal(ivr_input(&c, &w->env, NULL, &a), 0);
	expect(&a, "no_input,ask_phone,collect:phone");
	assert_int_equal(ivr_input(&c, &w->env, "0312345678", &a), 0);
	expect(&a, "ask_birthdate,collect:birthdate");
	assert_int_equal(ivr_input(&c, &w->env, "3251315", &a), 0);
	expect(&a, "invalid_birthdate,ask_birthdate,collect:birthdate");
	assert_int_equal(ivr_input(&c, &w->env, "3250115", &a), 0);
	expect(&a, "notice_affected,notice_org_unknown,notice_apology,menu,"
	    "collect:menu");
	assert_int_equal(ivr_input(&c, &w->env, "1", &a), 0);
	expect(&a, "notice_affected,notice_org_unknown,notice_apology,menu,"
	    "collect:menu");
	assert_int_equal(ivr_input(&c, &w->env, NULL, &a), 0);
	expect(&a, "fraud_warning,goodbye,hangup");
	assert_int_equal(ivr_outcome(&c), OUTCOME_AFFECTED);
	ivr_clear(&c);
}

static void
test_daily_cap(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { NULL, 0, 0 };
	struct ivr_call		 c;
	int			 i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(ivr_begin(&c, &w->env, "09011112222", NULL,
		    NULL, &a), 0);
		ivr_actions_free(&a);
		assert_int_equal(ivr_input(&c, &w->env, "19750402", &a), 0);
		expect(&a, "notice_not_found,menu_not_found,collect:menu");
		assert_int_equal(ivr_outcome(&c), OUTCOME_NOT_FOUND);
		ivr_clear(&c);
	}
	assert_int_equal(ivr_begin(&c, &w->env, "090-1111-2222", NULL, NULL,
	    &a), 0);
	expect(&a, "greeting,fraud_warning,rate_limited,fraud_warning,transfer,"
	    "transfer");
	assert_int_equal(ivr_outcome(&c), OUTCOME_RATE_LIMITED);
	ivr_clear(&c);
	assert_int_equal(store_commit(w->store), 0);
}

/*
 * After a not-found answer, 2 asks for the birthdate again; the second
 * lookup counts against the daily cap (2 in this conf), so a third try
 * gets the rate-limited notice and an operator, keeping not_found.
 */
static void
test_menu_retry_birthdate(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { NULL, 0, 0 };
	struct ivr_call		 c;

	assert_int_equal(ivr_begin(&c, &w->env, "070-7777-8888", NULL, NULL,
	    &a), 0);
	ivr_actions_free(&a);
	assert_int_equal(ivr_input(&c, &w->env, "19600631", &a), 0);
	ivr_actions_free(&a);
	assert_int_equal(ivr_input(&c, &w->env, "19600701", &a), 0);
	expect(&a, "notice_not_found,menu_not_found,collect:menu");
	assert_int_equal(ivr_input(&c, &w->env, "2", &a), 0);
	expect(&a, "ask_birthdate,collect:birthdate");
	assert_int_equal(ivr_input(&c, &w->env, "19600630", &a), 0);
	expect(&a, "notice_affected,notice_org,notice_apology,menu,"
	    "collect:menu");
	assert_int_equal(ivr_outcome(&c), OUTCOME_AFFECTED);
	/* Once found, 2 is not a menu key. */
	assert_int_equal(ivr_input(&c, &w->env, "2", &a), 0);
	expect(&a, "menu_invalid,menu,collect:menu");
	ivr_clear(&c);

	/* The cap: this caller ID has made its 2 lookups today. */
	assert_int_equal(ivr_begin(&c, &w->env, "07077778888", NULL, NULL,
	    &a), 0);
	expect(&a, "greeting,fraud_warning,rate_limited,fraud_warning,transfer,"
	    "transfer");
	ivr_clear(&c);
	assert_int_equal(store_commit(w->store), 0);
}

/* Menu 2 at the cap: the rate-limited notice, the outcome kept. */
static void
test_menu_retry_at_cap(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { NULL, 0, 0 };
	struct ivr_call		 c;

	assert_int_equal(ivr_begin(&c, &w->env, "050-2222-3333", NULL, NULL,
	    &a), 0);
	ivr_actions_free(&a);
	assert_int_equal(ivr_input(&c, &w->env, "19990908", &a), 0);
	ivr_actions_free(&a);
	assert_int_equal(ivr_input(&c, &w->env, "2", &a), 0);
	ivr_actions_free(&a);
	assert_int_equal(ivr_input(&c, &w->env, "19990907", &a), 0);
	expect(&a, "notice_not_found,menu_not_found,collect:menu");
	assert_int_equal(ivr_input(&c, &w->env, "2", &a), 0);
	expect(&a, "rate_limited,fraud_warning,transfer,transfer");
	assert_int_equal(ivr_outcome(&c), OUTCOME_NOT_FOUND);
	ivr_clear(&c);
	assert_int_equal(store_commit(w->store), 0);
}

static void
test_closed(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { NULL, 0, 0 };
	struct ivr_call		 c;

	w->conf->days_mask = 0;		/* closed every day */
	assert_int_equal(ivr_begin(&c, &w->env, "09011112222", NULL, "en",
	    &a), 0);
	assert_non_null(strstr(a.v[2].text, "closed"));
	expect(&a, "greeting,fraud_warning,closed,fraud_warning,goodbye,"
	    "hangup");
	assert_int_equal(ivr_outcome(&c), OUTCOME_OUT_OF_HOURS);
	ivr_clear(&c);
	w->conf->days_mask = 0x7f;
	/* No answer to a call that is over. */
	assert_int_equal(ivr_input(&c, &w->env, "1", &a), -1);
	ivr_actions_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_affected_call),
		cmocka_unit_test(test_withheld_then_failures),
		cmocka_unit_test(test_daily_cap),
		cmocka_unit_test(test_menu_retry_birthdate),
		cmocka_unit_test(test_menu_retry_at_cap),
		cmocka_unit_test(test_closed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
