/*
 * Names of channels and outcomes, as stored in hotline.db and sent in
 * JSON: one table each, so that the two can never disagree.
 */
#include <string.h>

#include "inquiry.h"

static const char *channel_names[CHANNEL_COUNT] = {
	"ivr", "api", "operator",
};

static const char *outcome_names[OUTCOME_COUNT] = {
	"affected", "not_found", "invalid_input", "transferred",
	"out_of_hours", "rate_limited", "abandoned",
};

const char *
inquiry_channel_name(enum channel c)
{
	return (unsigned)c < CHANNEL_COUNT ? channel_names[c] : "?";
}

const char *
inquiry_outcome_name(enum outcome o)
{
	return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "?";
}

int
inquiry_outcome_parse(const char *s, enum outcome *out)
{
	int	i;

	for (i = 0; i < OUTCOME_COUNT; i++)
		if (strcmp(s, outcome_names[i]) == 0) {
			*out = (enum outcome)i;
			return 0;
		}
	return -1;
}
