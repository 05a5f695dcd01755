/*
 * match_run.h: running a matcher over log files, with threads where the
 * format allows (see match_run.c), collecting per-file statistics and the
 * contexts whose results match_runner_finish merges.
 */
#ifndef VB_MATCH_RUN_H
#define VB_MATCH_RUN_H

#include "detect.h"
#include "matcher.h"

struct match_run_opts {
	const char *format; /* --format, or NULL to detect per file */
	const struct log_opts *lopts;
	int threads;	      /* >= 1 */
	FILE *out;	      /* hit lines; NULL: not written */
	match_allow_fn allow; /* warninglist check, or NULL */
	void *allow_arg;
};

struct match_file {
	const char *name;
	const char *reader; /* format used, NULL when the file did not open */
	struct log_stats st;
	double seconds;
	int failed;
};

struct match_runner;
struct match_runner *match_runner_new(const struct matcher *m, const struct match_run_opts *o);
/* Scans one log. Returns 0, or an error with err filled (the file is then
 * marked failed; other files can still be scanned). */
int match_runner_file(struct match_runner *r, const char *path, struct vb_err *err);
const struct match_file *match_runner_files(const struct match_runner *r, size_t *n);
/* Evaluates what needs the whole run (patterns over time), writes their
 * hit lines, returns the aggregates per indicator (*agg: caller frees). */
int match_runner_finish(struct match_runner *r, struct match_agg **agg, size_t *nagg,
			struct match_counts *total);
void match_runner_free(struct match_runner *r);

#endif
