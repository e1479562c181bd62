/*
 * hotlinectl prompts-audio: renders every recording the IVR's say actions
 * name (ivr_sounds) to 8 kHz mono 16-bit WAV in Asterisk's sounds layout,
 * OUT/<name>.wav for a name such as hotline/ja/org/<code>/notice_org-1.
 * Beside each file, OUT/<name>.txt holds the text it says: the script a
 * studio records to replace the placeholder, and how a second run knows
 * that a file is still current (it is then left alone, so a studio
 * recording stays until its text changes).
 *
 * The placeholders are spoken by espeak-ng and resampled by sox; its
 * Japanese voice reads kana only, so Japanese text goes through kakasi
 * (kanji to hiragana) first. Each is run directly (posix_spawnp), never
 * through a shell: the texts come from the organisation list.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <search.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "affected.h"
#include "config.h"
#include "ctl.h"
#include "ivr.h"
#include "prompt.h"

#define AUDIO_RATE	"8000"	/* Hz: what telephone channels carry */
#define AUDIO_TEXT_MAX	8192	/* bytes of one recording's text */
#define AUDIO_SPEED	"150"	/* words a minute (espeak-ng says 175) */

extern char	**environ;

struct audio_run {
	const char	*out;
	const char	*voice[PROMPT_LANGS];
	int		 force;
	int		 dry_run;
	void		*seen;	/* tsearch tree of struct seen */
	long		 rendered, kept, changed, errors;
};

/* A name rendered (or kept) in this run, with the text it says. */
struct seen {
	char	*name;
	char	*text;
};

static int	seen_cmp(const void *, const void *);
static int	run(char *const *, const char *, const char *);
static int	read_small(const char *, char *, size_t);
static int	write_text(const char *, const char *);
static int	mkdirs_for(const char *);
static int	render(struct audio_run *, const char *, const char *,
		    const char *);
static int	sound_cb(void *, const char *, const char *);

static int
seen_cmp(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name,
	    ((const struct seen *)b)->name);
}

/*
 * Runs argv[0] from PATH with stdin and stdout from/to the given files
 * (NULL: inherited). Returns its exit status, or -1 if it could not run.
 */
static int
run(char *const *argv, const char *in, const char *out)
{
	posix_spawn_file_actions_t	 fa;
	pid_t				 pid;
	int				 st, rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (in != NULL)
		posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
	if (out != NULL)
		posix_spawn_file_actions_addopen(&fa, 1, out,
		    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "prompts-audio: %s: %s%s\n", argv[0],
		    strerror(rc), rc == ENOENT ? " (apt-get install "
		    "espeak-ng sox kakasi)" : "");
		return -1;
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Reads a small file whole; -1 if it is missing, too long or unreadable. */
static int
read_small(const char *path, char *buf, size_t len)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	if (ferror(f) || !feof(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	return 0;
}

static int
write_text(const char *path, const char *text)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	rc = ferror(f);
	if (fclose(f) != 0 || rc)
		return -1;
	return 0;
}

/* Creates the directories above path (a file), mode 0755: sounds are public. */
static int
mkdirs_for(const char *path)
{
	char	 buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/*
 * One recording: name's text spoken in voice, 8 kHz mono 16-bit, unless
 * the file there already says this text. Returns 0, or -1 (reported).
 */
static int
render(struct audio_run *r, const char *name, const char *text,
    const char *voice)
{
	/* The work files' names: the sound's or text's and a suffix. */
	char	 wav[PATH_MAX], txt[PATH_MAX], tmp_txt[PATH_MAX + 16];
	char	 raw[PATH_MAX + 16], tmp_wav[PATH_MAX + 16];
	char	 kana[PATH_MAX + 16];
	char	*old, *input;
	int	 have, ja = strncmp(voice, "ja", 2) == 0;

	if (snprintf(wav, sizeof wav, "%s/%s.wav", r->out, name) >=
	    (int)sizeof wav ||
	    snprintf(txt, sizeof txt, "%s/%s.txt", r->out, name) >=
	    (int)sizeof txt) {
		fprintf(stderr, "prompts-audio: %s: path too long\n", name);
		return -1;
	}
	snprintf(tmp_txt, sizeof tmp_txt, "%s.tmp", txt);
	snprintf(raw, sizeof raw, "%s.raw.wav", wav);
	snprintf(tmp_wav, sizeof tmp_wav, "%s.tmp.wav", wav);
	snprintf(kana, sizeof kana, "%s.kana", txt);
	if ((old = malloc(AUDIO_TEXT_MAX + 1)) == NULL)
		return -1;
	have = read_small(txt, old, AUDIO_TEXT_MAX + 1) == 0;
	if (!r->force && have && strcmp(old, text) == 0 &&
	    access(wav, F_OK) == 0) {
		free(old);
		r->kept++;
		return 0;
	}
	if (have && strcmp(old, text) != 0) {
		/* A studio recording of the old text is now wrong. */
		printf("text changed, placeholder rendered: %s\n", name);
		r->changed++;
	}
	free(old);
	if (r->dry_run) {
		printf("%s\t%s\n", name, text);
		r->rendered++;
		return 0;
	}
	if (mkdirs_for(wav) == -1 || write_text(tmp_txt, text) == -1) {
		fprintf(stderr, "prompts-audio: %s: %s\n", wav,
		    strerror(errno));
		return -1;
	}
	input = tmp_txt;
	if (ja) {
		char *const kakasi[] = { (char *)"kakasi", (char *)"-JH",
		    (char *)"-i", (char *)"utf8", (char *)"-o", (char *)"utf8",
		    NULL };

		if (run(kakasi, tmp_txt, kana) != 0)
			goto fail;
		input = kana;
	}
	{
		char *const espeak[] = { (char *)"espeak-ng", (char *)"-v",
		    (char *)voice, (char *)"-s",
		    (char *)AUDIO_SPEED, (char *)"-w", raw, (char *)"-f", input,
		    NULL };
		char *const sox[] = { (char *)"sox", (char *)"-q", raw,
		    (char *)"-r", (char *)AUDIO_RATE, (char *)"-c", (char *)"1",
		    (char *)"-b", (char *)"16", (char *)"-e",
		    (char *)"signed-integer", tmp_wav, NULL };

		if (run(espeak, NULL, NULL) != 0 || run(sox, NULL, NULL) != 0)
			goto fail;
	}
	/* The sound first: a run cut short here renders it again next time. */
	if (rename(tmp_wav, wav) == -1 || rename(tmp_txt, txt) == -1) {
		fprintf(stderr, "prompts-audio: %s: %s\n", wav,
		    strerror(errno));
		goto fail;
	}
	unlink(raw);
	unlink(kana);
	r->rendered++;
	return 0;
fail:
	fprintf(stderr, "prompts-audio: %s: could not render\n", name);
	unlink(raw);
	unlink(kana);
	unlink(tmp_wav);
	unlink(tmp_txt);
	return -1;
}

/* Each recording the IVR can name, once per run. */
static int
sound_cb(void *arg, const char *name, const char *text)
{
	struct audio_run	*r = arg;
	struct seen		 key, *s, **found;
	const char		*voice = NULL;
	int			 i;

	key.name = (char *)name;
	if ((found = tfind(&key, &r->seen, seen_cmp)) != NULL) {
		/* One name, one text: anything else is a naming bug. */
		if (strcmp((*found)->text, text) != 0) {
			fprintf(stderr, "prompts-audio: %s names two texts\n",
			    name);
			r->errors++;
		}
		return 0;
	}
	if (strlen(text) > AUDIO_TEXT_MAX) {
		fprintf(stderr, "prompts-audio: %s: text too long\n", name);
		r->errors++;
		return 0;
	}
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->name = strdup(name)) == NULL ||
	    (s->text = strdup(text)) == NULL ||
	    tsearch(s, &r->seen, seen_cmp) == NULL) {
		if (s != NULL) {
			free(s->name);
			free(s->text);
		}
		free(s);
		return -1;
	}
	/* hotline/<lang>/...: the language picks the voice. */
	for (i = 0; i < PROMPT_LANGS; i++)
		if (strncmp(name + strlen("hotline/"), prompt_lang_name(i),
		    2) == 0)
			voice = r->voice[i];
	/* A tool that fails once fails for every file: stop at the first. */
	if (voice == NULL || render(r, name, text, voice) == -1) {
		r->errors++;
		return -1;
	}
	return 0;
}

static void
seen_free(void *p)
{
	struct seen	*s = p;

	free(s->name);
	free(s->text);
	free(s);
}

int
ctl_prompts_audio(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "prompts", required_argument, NULL, 'P' },
		{ "affected", required_argument, NULL, 'a' },
		{ "no-orgs", no_argument, NULL, 'n' },
		{ "ja-voice", required_argument, NULL, 'J' },
		{ "en-voice", required_argument, NULL, 'E' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'D' },
		CTL_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct audio_run	 r;
	struct config		*conf = NULL;
	struct prompts		*prompts = NULL;
	struct affected		*aff = NULL;
	struct ivr_env		 env;
	const char		*conf_path = NULL, *prompts_dir = NULL;
	const char		*aff_path = NULL;
	char			 path[PATH_MAX], *err = NULL;
	int			 ch, no_orgs = 0, rc = CTL_EXIT_ERROR, i;

	memset(&r, 0, sizeof r);
	for (i = 0; i < PROMPT_LANGS; i++)
		r.voice[i] = strcmp(prompt_lang_name(i), "en") == 0 ? "en-us" :
		    prompt_lang_name(i);
	while ((ch = getopt_long(argc, argv, "c:o:fhV", opts, NULL)) != -1) {
		if ((rc = ctl_help("prompts-audio", ch)) != -1)
			return rc;
		rc = CTL_EXIT_ERROR;
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'o':
			r.out = optarg;
			break;
		case 'P':
			prompts_dir = optarg;
			break;
		case 'a':
			aff_path = optarg;
			break;
		case 'n':
			no_orgs = 1;
			break;
		case 'J':
		case 'E':
			for (i = 0; i < PROMPT_LANGS; i++)
				if (strcmp(prompt_lang_name(i), ch == 'J' ?
				    "ja" : "en") == 0)
					r.voice[i] = optarg;
			break;
		case 'f':
			r.force = 1;
			break;
		case 'D':
			r.dry_run = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || r.out == NULL ||
	    (conf_path = ctl_conf_path(conf_path, 1)) == NULL)
		goto usage;
	if ((conf = ctl_load_conf(conf_path)) == NULL)
		return CTL_EXIT_ERROR;
	if ((prompts = prompt_load(prompts_dir ? prompts_dir :
	    conf->prompts_dir, &err)) == NULL) {
		fprintf(stderr, "%s", err);
		goto out;
	}
	/* The organisations' recordings: those of the imported list. */
	if (!no_orgs) {
		if (aff_path == NULL) {
			snprintf(path, sizeof path, "%s/affected.db",
			    conf->data_dir);
			aff_path = path;
		}
		if ((aff = affected_open(aff_path, NULL, &err)) == NULL) {
			fprintf(stderr, "prompts-audio: %s (--no-orgs renders "
			    "the prompts alone)\n", err);
			goto out;
		}
	}
	memset(&env, 0, sizeof env);
	env.conf = conf;
	env.prompts = prompts;
	env.affected = aff;
	if (ivr_sounds(&env, sound_cb, &r) == -1) {
		if (r.errors == 0)
			fprintf(stderr, "prompts-audio: out of memory\n");
		goto out;
	}
	printf("%ld recording(s) rendered, %ld kept (text unchanged)%s in %s\n",
	    r.rendered, r.kept, r.dry_run ? " (dry run)" : "", r.out);
	if (r.changed > 0)
		printf("%ld text(s) changed: re-record those listed above\n",
		    r.changed);
	rc = r.errors > 0 ? CTL_EXIT_ERROR : CTL_EXIT_OK;
out:
	tdestroy(r.seen, seen_free);
	affected_unref(aff);
	prompt_free(prompts);
	config_free(conf);
	free(err);
	return rc;
usage:
	return ctl_usage_error("prompts-audio", NULL);
}
