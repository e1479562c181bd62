/*
 * The vocabulary of inquiries: how a question reached the hotline
 * (channel) and how it ended (outcome), SPEC §6.1-6.2.
 */
#ifndef HOTLINE_INQUIRY_H
#define HOTLINE_INQUIRY_H

enum channel {
	CHANNEL_IVR = 0,
	CHANNEL_API,
	CHANNEL_OPERATOR,
	CHANNEL_COUNT,
};

enum outcome {
	OUTCOME_AFFECTED = 0,
	OUTCOME_NOT_FOUND,
	OUTCOME_INVALID_INPUT,
	OUTCOME_TRANSFERRED,
	OUTCOME_OUT_OF_HOURS,
	OUTCOME_RATE_LIMITED,
	OUTCOME_ABANDONED,
	OUTCOME_COUNT,
};

const char *inquiry_channel_name(enum channel);
const char *inquiry_outcome_name(enum outcome);
/* 0 and *out set, or -1 for an unknown name. */
int	inquiry_outcome_parse(const char *, enum outcome *out);

#endif
