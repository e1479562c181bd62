/*
 * prompt.c and notice.c: loading checks (missing prompt, unknown or
 * misplaced placeholder, stray file), rendering, organisation overrides,
 * and the composed notices.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "config.h"
#include "notice.h"
#include "prompt.h"

static char tmpdir[64];

/* A copy of the project's prompts in a temporary directory. */
static int
setup(void **state)
{
	char	cmd[256];

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/hotline-prompt.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "cp -R prompts/ja prompts/en %s/", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char	cmd[256];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *rel, const char *text)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static char *
render(const struct prompts *p, const char *lang, const char *org,
    enum prompt_id id, const char **vars)
{
	struct evbuffer	*b = evbuffer_new();
	size_t		 len;
	char		*s;

	assert_int_equal(prompt_render(p, lang, org, id, vars, b), 0);
	len = evbuffer_get_length(b);
	s = malloc(len + 1);
	evbuffer_remove(b, s, len);
	s[len] = '\0';
	evbuffer_free(b);
	return s;
}

static void
test_project_prompts_load(void **state)
{
	struct prompts	*p;
	char		*err = NULL, *s;

	(void)state;
	p = prompt_load("prompts", &err);
	assert_null(err);
	assert_non_null(p);
	s = render(p, "ja", NULL, PROMPT_FRAUD_WARNING, NULL);
	assert_non_null(strstr(s, "1 8 8"));
	assert_non_null(strstr(s, "9 1 1 0"));
	free(s);
	s = render(p, "en", NULL, PROMPT_FRAUD_WARNING, NULL);
	assert_non_null(strstr(s, "1 8 8"));
	free(s);
	assert_true(prompt_lang_valid("ja"));
	assert_true(prompt_lang_valid("en"));
	assert_false(prompt_lang_valid("fr"));
	prompt_free(p);
}

static void
test_placeholders_render(void **state)
{
	struct prompts	*p;
	const char	*vars[PV_COUNT] = { NULL };
	char		*err = NULL, *s;

	(void)state;
	write_file("en/period_range.txt", "from {from}\nto {to}\n\n");
	assert_non_null(p = prompt_load(tmpdir, &err));
	vars[PV_FROM] = "A";
	vars[PV_TO] = "B";
	s = render(p, "en", NULL, PROMPT_PERIOD_RANGE, vars);
	/* Trailing newlines of the file are not part of the prompt. */
	assert_string_equal(s, "from A\nto B");
	free(s);
	vars[PV_TO] = NULL;
	s = render(p, "en", NULL, PROMPT_PERIOD_RANGE, vars);
	assert_string_equal(s, "from A\nto ");
	free(s);
	prompt_free(p);
}

static void
test_unknown_placeholder_names_file_and_line(void **state)
{
	char	*err = NULL, want[256];

	(void)state;
	write_file("ja/notice_apology.txt", "おわび\n{organisation}\n{nobody}\n");
	assert_null(prompt_load(tmpdir, &err));
	snprintf(want, sizeof want, "%s/ja/notice_apology.txt:2: "
	    "placeholder {organisation} cannot be used in this prompt",
	    tmpdir);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s/ja/notice_apology.txt:3: unknown "
	    "placeholder {nobody}", tmpdir);
	assert_non_null(strstr(err, want));
	free(err);
}

static void
test_missing_stray_and_unterminated(void **state)
{
	char	path[256], *err = NULL, want[256];

	(void)state;
	snprintf(path, sizeof path, "%s/en/item_card.txt", tmpdir);
	unlink(path);
	write_file("en/fraud_warnign.txt", "typo\n");
	write_file("ja/notice_org.txt", "{organisation の\n");
	assert_null(prompt_load(tmpdir, &err));
	snprintf(want, sizeof want, "%s/en/item_card.txt:0: missing prompt "
	    "item_card", tmpdir);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s/en/fraud_warnign.txt:0: not a prompt "
	    "name", tmpdir);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s/ja/notice_org.txt:1: unterminated "
	    "placeholder", tmpdir);
	assert_non_null(strstr(err, want));
	free(err);
}

static void
test_org_override(void **state)
{
	struct prompts	*p;
	char		 dir[128], *err = NULL, *s;

	(void)state;
	snprintf(dir, sizeof dir, "%s/ja/org", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/ja/org/komorebi", tmpdir);
	mkdir(dir, 0700);
	write_file("ja/org/komorebi/notice_apology.txt", "こもれび市からおわびします。\n");
	assert_non_null(p = prompt_load(tmpdir, &err));
	s = render(p, "ja", "komorebi", PROMPT_NOTICE_APOLOGY, NULL);
	assert_string_equal(s, "こもれび市からおわびします。");
	free(s);
	s = render(p, "ja", "other", PROMPT_NOTICE_APOLOGY, NULL);
	assert_null(strstr(s, "こもれび市"));
	free(s);
	prompt_free(p);
	/* An override with a bad placeholder fails the whole load. */
	write_file("ja/org/komorebi/item_name.txt", "{phone}\n");
	assert_null(prompt_load(tmpdir, &err));
	assert_non_null(strstr(err, "org/komorebi/item_name.txt:1:"));
	free(err);
}

static void
test_notice_lookup(void **state)
{
	struct prompts		*p;
	struct config		 conf;
	struct notice_ctx	 nc;
	struct org		 o[2];
	struct match		 m[2];
	struct evbuffer		*b;
	char			*err = NULL, *s, *t;
	size_t			 len;

	(void)state;
	assert_non_null(p = prompt_load("prompts", &err));
	memset(&conf, 0, sizeof conf);
	conf.service_name = (char *)"S";
	conf.hotline_number = (char *)"0120-000-000";
	conf.open_min = 9 * 60;
	conf.close_min = 20 * 60;
	conf.days_mask = 0x7f;
	memset(o, 0, sizeof o);
	o[0].id = 0;
	o[0].code = (char *)"unknown";
	o[1].id = 1;
	o[1].code = (char *)"x";
	o[1].name = (char *)"架空市";
	o[1].service = (char *)"受診勧奨";
	o[1].period_from = (char *)"2017-09-29";
	o[1].period_to = (char *)"";
	o[1].contact_name = (char *)"架空市 保険課";
	o[1].contact_phone = (char *)"0120-000-999";
	o[1].contact_hours = (char *)"";
	o[1].status_note = (char *)"";
	m[0].org = &o[1];
	m[0].items = ITEM_NAME | ITEM_PHONE | ITEM_CARD;
	m[1].org = &o[0];
	m[1].items = ITEM_ADDRESS;
	nc.prompts = p;
	nc.conf = &conf;
	nc.lang = "ja";
	b = evbuffer_new();
	assert_int_equal(notice_lookup(&nc, m, 2, b), 0);
	len = evbuffer_get_length(b);
	s = calloc(1, len + 1);
	evbuffer_remove(b, s, len);
	assert_non_null(strstr(s, "架空市の、受診勧奨"));
	assert_non_null(strstr(s, "2017年9月29日から"));
	assert_non_null(strstr(s, "氏名、電話番号、クレジットカードの情報"));
	assert_non_null(strstr(s, "0120-000-999"));
	assert_non_null(strstr(s, "流出元の団体を確認している"));
	/* The fraud warning ends every notice. */
	t = strrchr(s, '\n');
	assert_non_null(t);
	assert_non_null(strstr(t, "9 1 1 0"));
	free(s);
	nc.lang = "en";
	assert_int_equal(notice_lookup(&nc, m, 0, b), 0);
	len = evbuffer_get_length(b);
	s = calloc(1, len + 1);
	evbuffer_remove(b, s, len);
	assert_non_null(strstr(s, "No record matches"));
	assert_non_null(strstr(s, "hash 9 1 1 0"));
	free(s);
	evbuffer_free(b);
	prompt_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_prompts_load),
		cmocka_unit_test_setup_teardown(test_placeholders_render,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unknown_placeholder_names_file_and_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_missing_stray_and_unterminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_org_override, setup,
		    teardown),
		cmocka_unit_test(test_notice_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
