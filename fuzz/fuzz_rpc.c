/*
 * A request line -> its answer, through the whole service: JSON-RPC
 * framing (rpc.c), dispatch, every handler, the IVR, the audit and the
 * commit, on a real core built from tests/data (as the unit tests build
 * theirs). The first byte picks who asks (nobody, or a client of each
 * role); the rest is the line. The answer must be one whole line of JSON
 * (or nothing, for notifications), whatever the line was.
 */
#include <jansson.h>

#include "fuzz.h"
#include "rpc.h"
#include "../tests/unit/world.h"

#define PRINCIPALS	6

static struct world		*world;
static struct principal		 who[PRINCIPALS];
static struct session_owner	 owners[PRINCIPALS];
static char			*out;
static size_t			 out_len, out_cap;
static unsigned			 inputs;

static void
collect(struct rpc_peer *p, const struct rpc_answer *a)
{
	json_t	*j;
	char	*grown;

	(void)p;
	if (out_len + a->len + 1 > out_cap) {
		out_cap = (out_len + a->len + 1) * 2;
		if ((grown = realloc(out, out_cap)) == NULL)
			abort();
		out = grown;
	}
	memcpy(out + out_len, a->text, a->len);
	out_len += a->len;
	out[out_len] = '\0';
	/* What a failed commit would send instead: JSON too (one alone). */
	if (a->failed != NULL && a->failed[0] == '{') {
		if ((j = json_loadb(a->failed, a->failed_len, 0, NULL)) ==
		    NULL) {
			fprintf(stderr, "a failed answer that is no JSON\n");
			abort();
		}
		json_decref(j);
	}
}

int	LLVMFuzzerInitialize(int *, char ***);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char	*names[PRINCIPALS] = { "nobody", "gw", "op",
	    "sup", "adm", "op2" };
	int			 i;

	(void)argc;
	(void)argv;
	/* The alert and the rate limit are part of what is fuzzed. */
	if ((world = world_new("alerts = { threshold = 50; suspend = false; };"
	    "limits = { max_batch = 8; };")) == NULL)
		abort();
	for (i = 0; i < PRINCIPALS; i++)
		world_principal(world, &who[i], &owners[i], names[i]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_peer	 peer;
	struct principal saved;
	json_t		*j;
	size_t		 k;

	if (size < 1 || size > 16384)
		return 0;
	k = data[0] % PRINCIPALS;
	/* hello may change who asks: each input starts from the same one. */
	saved = who[k];
	peer.core = world->core;
	peer.who = &who[k];
	peer.answer = collect;
	out_len = 0;
	rpc_handle_line(&peer, (const char *)data + 1, size - 1);
	if (out_len > 0) {
		if (out[out_len - 1] != '\n' || (j = json_loadb(out, out_len,
		    JSON_DECODE_ANY, NULL)) == NULL) {
			fprintf(stderr, "not one JSON line: %s\n", out);
			abort();
		}
		if (!json_is_object(j) && !json_is_array(j)) {
			fprintf(stderr, "neither an answer nor a batch\n");
			abort();
		}
		json_decref(j);
	}
	who[k] = saved;
	/* What the calls wrote is committed now and then, as a turn would. */
	if (++inputs % 32 == 0)
		(void)core_commit(world->core);
	return 0;
}
