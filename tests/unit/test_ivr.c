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
#include "callers.h"
#include "config.h"
#include "crypto.h"
#include "hasher.h"
#include "import.h"
#include "ivr.h"
#include "prompt.h"

struct world {
	char		 dir[64];
	struct config	*conf;
	struct prompts	*prompts;
	struct hasher	*hasher;
	struct affected	*affected;
	struct callers	*callers;
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
	    (w->callers = callers_new()) == NULL)
		return -1;
	w->env.conf = w->conf;
	w->env.prompts = w->prompts;
	w->env.hasher = w->hasher;
	w->env.affected = w->affected;
	w->env.callers = w->callers;
	w->env.now = time(NULL);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world	*w = *state;
	char		 cmd[128];

	callers_free(w->callers);
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
	struct ivr_actions	 a = { 0 };
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
	struct ivr_actions	 a = { 0 };
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
	struct ivr_actions	 a = { 0 };
	struct ivr_call		 c;
	int			 i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(ivr_begin(&c, &w->env, "09011112222", NULL,
		    NULL, &a), 0);
		ivr_actions_free(&a);
		assert_int_equal(ivr_input(&c, &w->env, "19750402", &a), 0);
		/* The engine reports the lookup; its front end counts it. */
		assert_int_equal(a.lookups, 1);
		assert_int_equal(c.caller_known, 1);
		assert_int_equal(callers_add(w->callers, c.caller, w->env.now),
		    0);
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
	/* A day later the cap starts afresh. */
	w->env.now += 86400 + 1;
	assert_int_equal(ivr_begin(&c, &w->env, "09011112222", NULL, NULL,
	    &a), 0);
	expect(&a, "greeting,fraud_warning,ask_birthdate,collect:birthdate");
	ivr_clear(&c);
	w->env.now -= 86400 + 1;
}

/*
 * After a not-found answer, 2 asks for the birthdate again; the second
 * lookup counts against the daily cap (2 in this conf), so a third try
 * gets the rate-limited notice and an operator, keeping not_found.
 */
/*
 * One input, and what a front end does with the lookups it reports: the
 * caller's daily count (committed, here at once).
 */
static void
input(struct world *w, struct ivr_call *c, const char *digits,
    struct ivr_actions *a)
{
	assert_int_equal(ivr_input(c, &w->env, digits, a), 0);
	if (a->lookups > 0 && c->caller_known)
		assert_int_equal(callers_add(w->callers, c->caller,
		    w->env.now), 0);
}

static void
test_menu_retry_birthdate(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { 0 };
	struct ivr_call		 c;

	assert_int_equal(ivr_begin(&c, &w->env, "070-7777-8888", NULL, NULL,
	    &a), 0);
	ivr_actions_free(&a);
	input(w, &c, "19600631", &a);
	ivr_actions_free(&a);
	input(w, &c, "19600701", &a);
	expect(&a, "notice_not_found,menu_not_found,collect:menu");
	input(w, &c, "2", &a);
	expect(&a, "ask_birthdate,collect:birthdate");
	input(w, &c, "19600630", &a);
	expect(&a, "notice_affected,notice_org,notice_apology,menu,"
	    "collect:menu");
	assert_int_equal(ivr_outcome(&c), OUTCOME_AFFECTED);
	/* Once found, 2 is not a menu key. */
	input(w, &c, "2", &a);
	expect(&a, "menu_invalid,menu,collect:menu");
	ivr_clear(&c);

	/* The cap: this caller ID has made its 2 lookups today. */
	assert_int_equal(ivr_begin(&c, &w->env, "07077778888", NULL, NULL,
	    &a), 0);
	expect(&a, "greeting,fraud_warning,rate_limited,fraud_warning,transfer,"
	    "transfer");
	ivr_clear(&c);
}

/* Menu 2 at the cap: the rate-limited notice, the outcome kept. */
static void
test_menu_retry_at_cap(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { 0 };
	struct ivr_call		 c;

	assert_int_equal(ivr_begin(&c, &w->env, "050-2222-3333", NULL, NULL,
	    &a), 0);
	ivr_actions_free(&a);
	input(w, &c, "19990908", &a);
	ivr_actions_free(&a);
	input(w, &c, "2", &a);
	ivr_actions_free(&a);
	input(w, &c, "19990907", &a);
	expect(&a, "notice_not_found,menu_not_found,collect:menu");
	input(w, &c, "2", &a);
	expect(&a, "rate_limited,fraud_warning,transfer,transfer");
	assert_int_equal(ivr_outcome(&c), OUTCOME_NOT_FOUND);
	ivr_clear(&c);
}

static void
test_closed(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { 0 };
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

/* Every recording ivr_sounds lists: name and text. */
struct sounds {
	char	*name[1024];
	char	*text[1024];
	size_t	 n;
};

static int
sound_cb(void *arg, const char *name, const char *text)
{
	struct sounds	*s = arg;
	size_t		 i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0) {
			/* One name always says one text. */
			assert_string_equal(s->text[i], text);
			return 0;
		}
	assert_true(s->n < 1024);
	s->name[s->n] = strdup(name);
	s->text[s->n++] = strdup(text);
	return 0;
}

/* Each say action's recordings are listed, and say its text in order. */
static void
check_sounds(const struct sounds *s, struct ivr_actions *a)
{
	const char	*at, *text;
	size_t		 i, k, j;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].type != IVR_SAY)
			continue;
		assert_true(a->v[i].naudio > 0);
		assert_null(a->v[i].audio[a->v[i].naudio]);
		at = a->v[i].text;
		for (k = 0; k < a->v[i].naudio; k++) {
			for (j = 0; j < s->n; j++)
				if (strcmp(s->name[j], a->v[i].audio[k]) == 0)
					break;
			if (j == s->n)
				fail_msg("%s is not among the recordings",
				    a->v[i].audio[k]);
			text = s->text[j];
			if ((at = strstr(at, text)) == NULL)
				fail_msg("%s does not say \"%s\" of \"%s\"",
				    a->v[i].audio[k], text, a->v[i].text);
			at += strlen(text);
		}
	}
	ivr_actions_free(a);
}

static void
test_sounds_cover_every_say(void **state)
{
	struct world		*w = *state;
	struct ivr_actions	 a = { 0 };
	struct ivr_call		 c;
	struct sounds		 s;
	char			*queue = w->conf->ivr_operator_queue;
	const char		*lang[] = { "ja", "en" };
	size_t			 i;
	int			 l;

	int			 cap = w->conf->ivr_daily_lookups;

	w->conf->ivr_daily_lookups = 1000;	/* not what this is about */
	memset(&s, 0, sizeof s);
	assert_int_equal(ivr_sounds(&w->env, sound_cb, &s), 0);
	for (l = 0; l < 2; l++) {
		/* Two organisations, repeated, then the operator. */
		assert_int_equal(ivr_begin(&c, &w->env, "08033334444", NULL,
		    lang[l], &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, "19701203", &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, "1", &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, "0", &a), 0);
		check_sounds(&s, &a);
		ivr_clear(&c);
		/* Withheld, failures, the unknown group, not found. */
		assert_int_equal(ivr_begin(&c, &w->env, NULL, NULL, lang[l],
		    &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, NULL, &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, "12", &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, "0312345678", &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, "3251315", &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, "3250115", &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, "5", &a), 0);
		check_sounds(&s, &a);
		assert_int_equal(ivr_input(&c, &w->env, NULL, &a), 0);
		check_sounds(&s, &a);
		ivr_clear(&c);
		/* No operators: the unable notice with their hours. */
		w->conf->ivr_operator_queue = (char *)"";
		assert_int_equal(ivr_begin(&c, &w->env, "", NULL, lang[l],
		    &a), 0);
		ivr_actions_free(&a);
		for (i = 0; i < 3; i++) {
			assert_int_equal(ivr_input(&c, &w->env, "1", &a), 0);
			check_sounds(&s, &a);
		}
		assert_int_equal(ivr_outcome(&c), OUTCOME_INVALID_INPUT);
		ivr_clear(&c);
		w->conf->ivr_operator_queue = queue;
	}
	for (i = 0; i < s.n; i++) {
		free(s.name[i]);
		free(s.text[i]);
	}
	/*
	 * Closed: the hours said are the conf's, so the recordings are those
	 * rendered with this conf.
	 */
	w->conf->days_mask = 0;
	memset(&s, 0, sizeof s);
	assert_int_equal(ivr_sounds(&w->env, sound_cb, &s), 0);
	for (l = 0; l < 2; l++) {
		assert_int_equal(ivr_begin(&c, &w->env, "09011112222", NULL,
		    lang[l], &a), 0);
		check_sounds(&s, &a);
		ivr_clear(&c);
	}
	w->conf->days_mask = 0x7f;
	w->conf->ivr_daily_lookups = cap;
	for (i = 0; i < s.n; i++) {
		free(s.name[i]);
		free(s.text[i]);
	}
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
		cmocka_unit_test(test_sounds_cover_every_say),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
