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

	assert_int_equal(prompt_render(p, lang, org, id, PROMPT_SPOKEN, vars,
	    b), 0);
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
	/* Every prompt of the project renders in both forms, both languages. */
	{
		struct evbuffer	*b = evbuffer_new();
		const char	*vars[PV_COUNT] = { NULL };
		int		 id, l, f;

		for (l = 0; l < PROMPT_LANGS; l++)
			for (f = 0; f < 2; f++)
				for (id = 0; id < PROMPT_COUNT; id++) {
					assert_int_equal(prompt_render(p,
					    prompt_lang_name(l), NULL,
					    (enum prompt_id)id,
					    (enum prompt_form)f, vars, b), 0);
					assert_true(evbuffer_get_length(b) > 0);
					evbuffer_drain(b,
					    evbuffer_get_length(b));
				}
		evbuffer_free(b);
	}
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

/* A config with just what notices read. */
static void
conf_init(struct config *conf)
{
	memset(conf, 0, sizeof *conf);
	conf->service_name = (char *)"S";
	conf->hotline_number = (char *)"0120-000-000";
	conf->open_min = 9 * 60;
	conf->close_min = 20 * 60;
	conf->days_mask = 0x7f;
}

/* Two organisations: the unknown group and x, with English texts. */
static void
orgs_init(struct org *o)
{
	memset(o, 0, 2 * sizeof *o);
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
	o[1].contact_hours = (char *)"平日 9時から17時";
	o[1].status_note = (char *)"流出は確認されていません。";
	o[1].name_en = (char *)"Kaku City";
	o[1].service_en = (char *)"health check reminders";
	o[1].contact_name_en = (char *)"Kaku City Insurance Division";
	o[1].contact_hours_en = (char *)"weekdays 9:00 to 17:00";
	o[1].status_note_en = (char *)"No leak has been confirmed.";
}

static char *
take(struct evbuffer *b)
{
	size_t	 len = evbuffer_get_length(b);
	char	*s = calloc(1, len + 1);

	evbuffer_remove(b, s, len);
	return s;
}

/* Whether s holds a character outside ASCII (Japanese, here). */
static int
has_non_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
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

	(void)state;
	assert_non_null(p = prompt_load("prompts", &err));
	conf_init(&conf);
	orgs_init(o);
	m[0].org = &o[1];
	m[0].items = ITEM_NAME | ITEM_PHONE | ITEM_CARD;
	m[1].org = &o[0];
	m[1].items = ITEM_ADDRESS;
	notice_ctx_init(&nc, p, &conf, "ja", PROMPT_WRITTEN);
	b = evbuffer_new();
	assert_int_equal(notice_lookup(&nc, m, 2, b), 0);
	s = take(b);
	assert_non_null(strstr(s, "架空市の、受診勧奨"));
	assert_non_null(strstr(s, "2017年9月29日から"));
	assert_non_null(strstr(s, "氏名、電話番号、クレジットカードの情報"));
	/* Written: the number as the list gives it. */
	assert_non_null(strstr(s, "0120-000-999"));
	assert_non_null(strstr(s, "流出元の団体を確認している"));
	/* The fraud warning ends every notice, written as dialled. */
	t = strrchr(s, '\n');
	assert_non_null(t);
	assert_non_null(strstr(t, "188"));
	assert_non_null(strstr(t, "#9110"));
	assert_null(strstr(s, "1 8 8"));
	assert_null(strstr(s, "9 1 1 0"));
	free(s);
	notice_ctx_init(&nc, p, &conf, "en", PROMPT_WRITTEN);
	assert_int_equal(notice_lookup(&nc, m, 0, b), 0);
	s = take(b);
	assert_non_null(strstr(s, "No record matches"));
	assert_non_null(strstr(s, "(188)"));
	assert_non_null(strstr(s, "(#9110)"));
	assert_null(strstr(s, "hash 9 1 1 0"));
	free(s);
	evbuffer_free(b);
	prompt_free(p);
}

/* English notices take the *_en texts where they are filled. */
static void
test_notice_english_org_texts(void **state)
{
	struct prompts		*p;
	struct config		 conf;
	struct notice_ctx	 nc;
	struct org		 o[2];
	struct match		 m;
	struct evbuffer		*b;
	char			*err = NULL, *s;

	(void)state;
	assert_non_null(p = prompt_load("prompts", &err));
	conf_init(&conf);
	orgs_init(o);
	m.org = &o[1];
	m.items = ITEM_NAME | ITEM_PHONE | ITEM_ADDRESS;
	b = evbuffer_new();
	notice_ctx_init(&nc, p, &conf, "en", PROMPT_WRITTEN);
	assert_int_equal(notice_lookup(&nc, &m, 1, b), 0);
	s = take(b);
	assert_non_null(strstr(s, "Kaku City held this data for health check "
	    "reminders, from 29 September 2017."));
	assert_non_null(strstr(s, "name, phone number, and address"));
	assert_non_null(strstr(s, "No leak has been confirmed."));
	assert_non_null(strstr(s, "Kaku City Insurance Division, phone "
	    "0120-000-999, hours weekdays 9:00 to 17:00"));
	assert_false(has_non_ascii(s));
	free(s);
	/* Where an English text is empty, the Japanese one stands in. */
	o[1].status_note_en = (char *)"";
	assert_int_equal(notice_lookup(&nc, &m, 1, b), 0);
	s = take(b);
	assert_non_null(strstr(s, "流出は確認されていません。"));
	free(s);
	/* Japanese notices keep the Japanese texts. */
	notice_ctx_init(&nc, p, &conf, "ja", PROMPT_WRITTEN);
	assert_int_equal(notice_org_name(&nc, &o[1], b), 0);
	s = take(b);
	assert_string_equal(s, "架空市");
	free(s);
	evbuffer_free(b);
	prompt_free(p);
}

/*
 * The spoken form: numbers as a voice says them, and each part names
 * its recordings, an organisation's cut around its items.
 */
static void
test_notice_spoken_parts(void **state)
{
	struct prompts		*p;
	struct config		 conf;
	struct notice_ctx	 nc;
	struct notice_parts	 parts = { NULL, 0, 0 };
	struct org		 o[2];
	struct match		 m[2];
	char			*err = NULL;
	size_t			 i;

	(void)state;
	assert_non_null(p = prompt_load("prompts", &err));
	conf_init(&conf);
	orgs_init(o);
	m[0].org = &o[1];
	m[0].items = ITEM_NAME | ITEM_PHONE | ITEM_CARD;
	m[1].org = &o[0];
	m[1].items = ITEM_ADDRESS;
	notice_ctx_init(&nc, p, &conf, "en", PROMPT_SPOKEN);
	assert_int_equal(notice_lookup_parts(&nc, NULL, m, 2, &parts), 0);
	assert_int_equal(parts.n, 4);
	assert_int_equal(parts.v[0].prompt, PROMPT_NOTICE_AFFECTED);
	assert_int_equal(parts.v[0].naudio, 1);
	assert_string_equal(parts.v[0].audio[0], "hotline/en/notice_affected");
	assert_null(parts.v[0].audio[1]);
	assert_int_equal(parts.v[1].prompt, PROMPT_NOTICE_ORG);
	/* Spoken: digit by digit, a pause between the groups. */
	assert_non_null(strstr(parts.v[1].text, "phone 0 1 2 0, 0 0 0, 9 9 9"));
	{
		static const char *want[] = {
			"hotline/en/org/x/notice_org-1",
			"hotline/en/item_name", "hotline/en/item_phone",
			"hotline/en/and", "hotline/en/item_card",
			"hotline/en/org/x/notice_org-2",
		};

		assert_int_equal(parts.v[1].naudio, 6);
		for (i = 0; i < 6; i++)
			assert_string_equal(parts.v[1].audio[i], want[i]);
		assert_null(parts.v[1].audio[6]);
	}
	assert_int_equal(parts.v[2].prompt, PROMPT_NOTICE_ORG_UNKNOWN);
	assert_int_equal(parts.v[2].naudio, 3);
	assert_string_equal(parts.v[2].audio[0],
	    "hotline/en/notice_org_unknown-1");
	assert_string_equal(parts.v[2].audio[1], "hotline/en/item_address");
	assert_string_equal(parts.v[2].audio[2],
	    "hotline/en/notice_org_unknown-2");
	assert_string_equal(parts.v[3].audio[0], "hotline/en/notice_apology");
	notice_parts_free(&parts);
	/* The spoken fraud warning keeps the voice's form. */
	notice_ctx_init(&nc, p, &conf, "ja", PROMPT_SPOKEN);
	assert_int_equal(notice_part(&nc, NULL, PROMPT_FRAUD_WARNING, NULL,
	    &parts), 0);
	assert_non_null(strstr(parts.v[0].text, "1 8 8 番"));
	assert_non_null(strstr(parts.v[0].text, "シャープ 9 1 1 0"));
	assert_null(strstr(parts.v[0].text, "#9110"));
	assert_string_equal(parts.v[0].audio[0], "hotline/ja/fraud_warning");
	notice_parts_free(&parts);
	/* Written parts name no recordings. */
	notice_ctx_init(&nc, p, &conf, "ja", PROMPT_WRITTEN);
	assert_int_equal(notice_part(&nc, NULL, PROMPT_FRAUD_WARNING, NULL,
	    &parts), 0);
	assert_null(parts.v[0].audio);
	assert_non_null(strstr(parts.v[0].text, "#9110"));
	notice_parts_free(&parts);
	prompt_free(p);
}

/* A written fraud warning must show 188 and #9110 as dialled. */
static void
test_written_warning_checked(void **state)
{
	struct prompts	*p;
	char		 path[256], dir[256], *err = NULL, want[512], *s;

	(void)state;
	/* Without a written file the spoken one is checked: it fails. */
	snprintf(path, sizeof path, "%s/ja/fraud_warning.written.txt", tmpdir);
	assert_int_equal(unlink(path), 0);
	write_file("en/fraud_warning.written.txt", "Call 1880 or #91100.\n");
	assert_null(prompt_load(tmpdir, &err));
	snprintf(want, sizeof want, "%s/ja/fraud_warning.txt:1: the written "
	    "fraud warning must show 188 as it is dialled", tmpdir);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s/ja/fraud_warning.txt:1: the written "
	    "fraud warning must show #9110", tmpdir);
	assert_non_null(strstr(err, want));
	/* "1880" is not 188, "#91100" is not #9110. */
	snprintf(want, sizeof want, "%s/en/fraud_warning.written.txt:1: the "
	    "written fraud warning must show 188", tmpdir);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof want, "%s/en/fraud_warning.written.txt:1: the "
	    "written fraud warning must show #9110", tmpdir);
	assert_non_null(strstr(err, want));
	free(err);
	write_file("ja/fraud_warning.written.txt", "188（#9110）へ。\n");
	write_file("en/fraud_warning.written.txt", "Call 188 or #9110.\n");
	assert_non_null(p = prompt_load(tmpdir, &err));
	s = render(p, "ja", NULL, PROMPT_FRAUD_WARNING, NULL);
	assert_non_null(strstr(s, "1 8 8"));	/* spoken: unchanged */
	free(s);
	prompt_free(p);
	/* An organisation's own warning is checked the same way. */
	snprintf(dir, sizeof dir, "%s/en/org", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/en/org/komorebi", tmpdir);
	mkdir(dir, 0700);
	write_file("en/org/komorebi/fraud_warning.txt", "Call 1 8 8.\n");
	assert_null(prompt_load(tmpdir, &err));
	snprintf(want, sizeof want, "%s/en/org/komorebi/fraud_warning.txt:1: "
	    "the written fraud warning must show 188", tmpdir);
	assert_non_null(strstr(err, want));
	free(err);
	write_file("en/org/komorebi/fraud_warning.written.txt",
	    "Call 188 or #9110 (Komorebi).\n");
	assert_non_null(p = prompt_load(tmpdir, &err));
	assert_true(prompt_overridden(p, "en", "komorebi",
	    PROMPT_FRAUD_WARNING));
	assert_false(prompt_overridden(p, "ja", "komorebi",
	    PROMPT_FRAUD_WARNING));
	prompt_free(p);
}

/* A spoken text with '#' or brackets is refused; a written one may have them. */
static void
test_spoken_form_checked(void **state)
{
	struct prompts	*p;
	const char	*vars[PV_COUNT] = { NULL };
	struct evbuffer	*b;
	char		*err = NULL, want[256], *s;

	(void)state;
	write_file("en/menu.txt", "Press 1,\nor #.\n");
	assert_null(prompt_load(tmpdir, &err));
	snprintf(want, sizeof want, "%s/en/menu.txt:2: \"#\" cannot be said "
	    "on the phone", tmpdir);
	assert_non_null(strstr(err, want));
	free(err);
	write_file("en/menu.txt", "Press 1, or hash.\n");
	write_file("en/menu.written.txt", "Press 1 (or #).\n");
	assert_non_null(p = prompt_load(tmpdir, &err));
	b = evbuffer_new();
	assert_int_equal(prompt_render(p, "en", NULL, PROMPT_MENU,
	    PROMPT_WRITTEN, vars, b), 0);
	s = take(b);
	assert_string_equal(s, "Press 1 (or #).");
	free(s);
	assert_int_equal(prompt_render(p, "en", NULL, PROMPT_MENU,
	    PROMPT_SPOKEN, vars, b), 0);
	s = take(b);
	assert_string_equal(s, "Press 1, or hash.");
	free(s);
	evbuffer_free(b);
	prompt_free(p);
	/* A misspelt written file is a stray file. */
	write_file("en/menu.writen.txt", "x\n");
	assert_null(prompt_load(tmpdir, &err));
	snprintf(want, sizeof want, "%s/en/menu.writen.txt:0: not a prompt "
	    "name", tmpdir);
	assert_non_null(strstr(err, want));
	free(err);
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
		cmocka_unit_test(test_notice_english_org_texts),
		cmocka_unit_test(test_notice_spoken_parts),
		cmocka_unit_test_setup_teardown(test_written_warning_checked,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_spoken_form_checked,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
