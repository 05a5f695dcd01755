/*
 * fuzz_log.h: the body shared by the log-reader harnesses (fuzz_log_*.c).
 *
 * The input is written to a memfd and read through log_open on
 * /proc/self/fd/N, exactly as a file (gzip included when the input starts
 * with the gzip magic), once with the reader's defaults and once with
 * --field mappings. Every event must be well formed: line numbers rising,
 * fields within the limits, values of bounded length, and every line counted.
 * Any crash, sanitizer report or assertion failure is a bug.
 */
#ifndef VB_FUZZ_LOG_H
#define VB_FUZZ_LOG_H

#include "../src/detect/detect.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct seen {
	uint64_t last_line, events;
};

static int check_event(void *arg, const struct log_event *ev)
{
	struct seen *s = arg;
	assert(ev->line > s->last_line);
	s->last_line = ev->line;
	s->events++;
	assert(ev->nfields <= LOG_MAX_FIELDS);
	for (size_t i = 0; i < ev->nfields; i++) {
		const struct log_field *f = &ev->fields[i];
		assert(f->name && f->val);
		assert((unsigned)f->kind < OBS_KIND_MAX);
		assert(f->len <= LOG_MAX_LINE);
		/* Touch every byte, so ASan sees a value outside the buffer. */
		volatile char c = 0;
		for (size_t k = 0; k < f->len; k++)
			c ^= f->val[k];
		(void)c;
	}
	if (ev->ts_text)
		assert(ev->ts_len <= LOG_MAX_LINE);
	(void)log_event_time(ev);
	return 0;
}

static int fd = -1;

static void run(const struct log_reader *r, const uint8_t *data, size_t size,
		const struct log_opts *o)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct log_src src;
	struct vb_err err;
	if (log_open(&src, path, &err))
		return;
	(void)r->sniff(src.head, src.head_len);
	struct log_stats st;
	memset(&st, 0, sizeof st);
	struct seen s = {0, 0};
	int rc = r->read(&src, o, check_event, &s, &st);
	assert(rc == 0 || rc == VB_EINPUT || rc == VB_EIO);
	assert(s.events + st.bad_lines <= st.lines + 1);
	assert(st.n_bad_kept <= LOG_BAD_KEPT);
	assert(src.is_gzip || st.bytes <= size);
	if (!src.is_gzip && rc == 0)
		assert(st.bytes == size);
	log_close(&src);
}

/* One fuzz input through reader r, without and with the mappings. */
static int fuzz_log_reader(const struct log_reader *r, const uint8_t *data, size_t size,
			   const struct log_mapping *map, size_t nmap)
{
	if (fd < 0)
		fd = memfd_create(r->name, 0);
	assert(fd >= 0);
	assert(ftruncate(fd, 0) == 0);
	assert(pwrite(fd, data, size, 0) == (ssize_t)size);
	const struct log_opts with_map = {map, nmap};
	run(r, data, size, NULL);
	run(r, data, size, &with_map);
	return 0;
}

#endif
