/*
 * The JSON shapes that several methods share: an organisation as the
 * protocol names it, and a set of leaked items. One definition each, so
 * that lookup, search and the statistics can never disagree.
 */
#include <event2/buffer.h>
#include <jansson.h>

#include "method.h"
#include "notice.h"

json_t *
method_items_json(unsigned items)
{
	json_t	*a = json_array();
	int	 i;

	for (i = 0; i < ITEM_COUNT && a != NULL; i++)
		if (items & (1u << i))
			json_array_append_new(a,
			    json_string(record_item_name(1u << i)));
	return a;
}

json_t *
method_org_name_json(const struct notice_ctx *nc, const struct org *o)
{
	struct evbuffer	*b;
	json_t		*j;

	if ((b = evbuffer_new()) == NULL)
		return NULL;
	notice_org_name(nc, o, b);
	j = json_stringn((const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b));
	evbuffer_free(b);
	return j;
}

json_t *
method_org_json(const struct notice_ctx *nc, const struct org *o)
{
	return json_pack("{s:s, s:o, s:s}", "code", o->code, "name",
	    method_org_name_json(nc, o), "kind", o->kind);
}
