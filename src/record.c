/*
 * Items and organisations of the affected list.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"

static const char *item_names[ITEM_COUNT] = {
	"name", "kana", "phone", "gender", "birthdate", "age", "postal_code",
	"address", "katagaki", "card",
};

const char *
record_item_name(unsigned bit)
{
	int	i;

	for (i = 0; i < ITEM_COUNT; i++)
		if (bit == 1u << i)
			return item_names[i];
	return NULL;
}

unsigned
record_item_parse(const char *s)
{
	int	i;

	for (i = 0; i < ITEM_COUNT; i++)
		if (strcmp(s, item_names[i]) == 0)
			return 1u << i;
	return 0;
}

/* The English value where there is one (NULL counts as empty). */
static const char *
en_or(const char *en, const char *ja)
{
	return en != NULL && *en != '\0' ? en : (ja != NULL ? ja : "");
}

void
record_org_texts(const struct org *o, const char *lang, struct org_texts *t)
{
	int	en = lang != NULL && strcmp(lang, "en") == 0;

	t->name = en_or(en ? o->name_en : NULL, o->name);
	t->service = en_or(en ? o->service_en : NULL, o->service);
	t->contact_name = en_or(en ? o->contact_name_en : NULL,
	    o->contact_name);
	t->contact_hours = en_or(en ? o->contact_hours_en : NULL,
	    o->contact_hours);
	t->status_note = en_or(en ? o->status_note_en : NULL,
	    o->status_note);
}

const struct org *
record_org_by_code(const struct org_table *t, const char *code)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->orgs[i].code, code) == 0)
			return &t->orgs[i];
	return NULL;
}

const struct org *
record_org_by_id(const struct org_table *t, int64_t id)
{
	if (id < 0 || (uint64_t)id >= t->n)
		return NULL;
	return &t->orgs[id];
}

void
record_org_table_free(struct org_table *t)
{
	struct org	*o;
	size_t		 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		o = &t->orgs[i];
		free(o->code);
		free(o->name);
		free(o->kind);
		free(o->service);
		free(o->period_from);
		free(o->period_to);
		free(o->contact_name);
		free(o->contact_phone);
		free(o->contact_hours);
		free(o->status_note);
		free(o->name_en);
		free(o->service_en);
		free(o->contact_name_en);
		free(o->contact_hours_en);
		free(o->status_note_en);
	}
	free(t->orgs);
	t->orgs = NULL;
	t->n = 0;
}

int
record_merge(const struct org_table *t, struct match *m, size_t *n,
    size_t max, int64_t org_id, unsigned items)
{
	const struct org	*o;
	size_t			 j, k;

	if ((o = record_org_by_id(t, org_id)) == NULL)
		return 0;
	for (j = 0; j < *n; j++)
		if (m[j].org == o) {
			m[j].items |= items;
			return 0;
		}
	if (*n == max)
		return -1;
	/* Insertion keeps the matches in organisation id order. */
	for (k = *n; k > 0 && m[k - 1].org->id > o->id; k--)
		m[k] = m[k - 1];
	m[k].org = o;
	m[k].items = items;
	(*n)++;
	return 0;
}
