/*
 * The audit log (SPEC §7): every authenticated request, appended to
 * hotline.db in the transaction of the batch that answers it, as a SHA-256
 * hash chain:
 *
 *   hash(n) = SHA-256(hash(n-1) || le64(n) || le64(time) ||
 *                     client 0 role 0 method 0 outcome 0 args 0)
 *
 * with hash(0) = 32 zero bytes, stored as a 32-byte BLOB. Ids are
 * consecutive from 1, so a deleted row shows as a gap and an edited one as
 * a hash that no longer fits.
 * Rows removed from the end leave a shorter but consistent chain: the
 * checkpoints hotlined logs (length and head) catch that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "crypto.h"
#include "log.h"
#include "store_int.h"

/* The hash of one entry after prev; 0 (it cannot fail). */
static int
entry_hash(const unsigned char prev[CRYPTO_SHA256_SIZE], int64_t id,
    const struct audit_entry *e, unsigned char out[CRYPTO_SHA256_SIZE])
{
	const char		*text[5] = { e->client, e->role, e->method,
	    e->outcome, e->args };
	struct crypto_part	 parts[7];
	unsigned char		 le[16];
	int			 i;

	bytes_put_le(le, (uint64_t)id, 8);
	bytes_put_le(le + 8, (uint64_t)e->time, 8);
	parts[0].p = prev;
	parts[0].len = CRYPTO_SHA256_SIZE;
	parts[1].p = le;
	parts[1].len = sizeof le;
	/* Each text with its NUL: the framing of the chain's hash. */
	for (i = 0; i < 5; i++) {
		parts[2 + i].p = text[i];
		parts[2 + i].len = strlen(text[i]) + 1;
	}
	crypto_sha256_parts(parts, 7, out);
	return 0;
}

int
store_audit_last(struct store *s, int64_t *n,
    unsigned char head[CRYPTO_SHA256_SIZE])
{
	sqlite3_stmt	*st = s->st[ST_AUDIT_LAST];
	int		 rc;

	*n = 0;
	memset(head, 0, CRYPTO_SHA256_SIZE);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == CRYPTO_SHA256_SIZE)
			memcpy(head, sqlite3_column_blob(st, 1),
			    CRYPTO_SHA256_SIZE);
		else
			log_warnx("hotline.db: the last audit entry has a "
			    "malformed hash; hotlinectl audit verify tells more");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_error(s, "audit head");
		return -1;
	}
	return 0;
}

/* Chains one entry after (*n, head), writes it, and moves them on. */
static int
audit_write_one(struct store *s, const struct audit_entry *e, int64_t *n,
    unsigned char head[CRYPTO_SHA256_SIZE])
{
	sqlite3_stmt	*st = s->st[ST_AUDIT_ADD];
	unsigned char	 md[CRYPTO_SHA256_SIZE];
	int64_t		 id = *n + 1;

	if (entry_hash(head, id, e, md) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)e->time);
	sqlite3_bind_text(st, 3, e->client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e->outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e->args, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, md, sizeof md, SQLITE_STATIC);
	if (store_exec(s, ST_AUDIT_ADD) == -1)
		return -1;
	*n = id;
	memcpy(head, md, sizeof md);
	return 0;
}

int
store_audit_write(struct store *s, const struct store_batch *b, int64_t *n,
    unsigned char head[CRYPTO_SHA256_SIZE])
{
	size_t	i;

	for (i = 0; i < b->audit.n; i++)
		if (audit_write_one(s, &BATCH_AT(b->audit, struct batch_audit,
		    i)->e, n, head) == -1)
			return -1;
	return 0;
}

int
store_audit_append_one(struct store *s, const struct audit_entry *e)
{
	unsigned char	head[CRYPTO_SHA256_SIZE];
	int64_t		n;

	if (store_begin(s) == -1)
		return -1;
	if (store_audit_last(s, &n, head) == -1 ||
	    audit_write_one(s, e, &n, head) == -1 ||
	    store_commit(s) == -1) {
		store_rollback(s);
		return -1;
	}
	store_audit_committed(s, n, head);
	return 0;
}

void
store_audit_committed(struct store *s, int64_t n,
    const unsigned char head[CRYPTO_SHA256_SIZE])
{
	s->audit_n = n;
	memcpy(s->audit_head, head, CRYPTO_SHA256_SIZE);
	s->audit_known = 1;
}

int
store_audit_head(struct store *s, int64_t *entries,
    char head[CRYPTO_SHA256_HEX_SIZE])
{
	if (!s->audit_known) {
		if (store_audit_last(s, &s->audit_n, s->audit_head) == -1)
			return -1;
		s->audit_known = 1;
	}
	*entries = s->audit_n;
	bytes_hex(s->audit_head, CRYPTO_SHA256_SIZE, head);
	return 0;
}

static const char *
col_text(sqlite3_stmt *st, int col)
{
	const unsigned char	*t = sqlite3_column_text(st, col);

	return t != NULL ? (const char *)t : "";
}

int
store_audit_verify(struct store *s, const char *checkpoint,
    struct audit_report *r)
{
	sqlite3_stmt		*st;
	struct audit_entry	 e;
	unsigned char		 prev[CRYPTO_SHA256_SIZE], md[CRYPTO_SHA256_SIZE];
	char			 hex[CRYPTO_SHA256_HEX_SIZE], cp_hash[65] = "";
	char			 at_cp[CRYPTO_SHA256_HEX_SIZE] = "";
	long long		 cp_n = 0;
	int64_t			 id, expect = 1;
	int			 rc;

	memset(r, 0, sizeof *r);
	if (checkpoint != NULL && (sscanf(checkpoint, "%lld:%64[0-9a-f]",
	    &cp_n, cp_hash) != 2 || cp_n < 1 || strlen(cp_hash) != 64)) {
		snprintf(r->reason, sizeof r->reason, "checkpoint: not N:HASH "
		    "(64 lowercase hex digits)");
		return 0;
	}
	memset(prev, 0, sizeof prev);
	if (sqlite3_prepare_v2(s->db, "SELECT id, time, client, role, method, "
	    "outcome, args, hash FROM audit ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (id != expect) {
			r->bad_entry = expect;
			snprintf(r->reason, sizeof r->reason, "entry %lld is "
			    "missing: the log goes from %lld to %lld",
			    (long long)expect, (long long)expect - 1,
			    (long long)id);
			goto out;
		}
		e.time = (time_t)sqlite3_column_int64(st, 1);
		e.client = col_text(st, 2);
		e.role = col_text(st, 3);
		e.method = col_text(st, 4);
		e.outcome = col_text(st, 5);
		e.args = col_text(st, 6);
		if (entry_hash(prev, id, &e, md) == -1) {
			rc = SQLITE_NOMEM;
			break;
		}
		bytes_hex(md, CRYPTO_SHA256_SIZE, hex);
		if (sqlite3_column_bytes(st, 7) != CRYPTO_SHA256_SIZE ||
		    memcmp(md, sqlite3_column_blob(st, 7), sizeof md) != 0) {
			r->bad_entry = id;
			snprintf(r->reason, sizeof r->reason, "entry %lld does "
			    "not match its hash: it, or the chain before it, "
			    "was changed", (long long)id);
			goto out;
		}
		if (id == cp_n)
			memcpy(at_cp, hex, sizeof at_cp);
		memcpy(prev, md, sizeof prev);
		r->entries = id;
		expect = id + 1;
	}
	if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return -1;
	}
	bytes_hex(prev, CRYPTO_SHA256_SIZE, r->head);
	if (checkpoint != NULL && r->entries < cp_n) {
		r->bad_entry = r->entries + 1;
		snprintf(r->reason, sizeof r->reason, "the log ends at entry "
		    "%lld but the checkpoint saw %lld: entries were removed "
		    "from the end", (long long)r->entries, cp_n);
		goto out;
	}
	if (checkpoint != NULL && strcmp(at_cp, cp_hash) != 0) {
		r->bad_entry = cp_n;
		snprintf(r->reason, sizeof r->reason, "entry %lld differs from "
		    "the checkpoint: the chain was rewritten", cp_n);
		goto out;
	}
	r->ok = 1;
out:
	sqlite3_finalize(st);
	return 0;
}
