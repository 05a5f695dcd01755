/*
 * ingest.h: turning input files into validated STIX 2.1 objects in the store.
 *
 * The core (ingest.c) walks files and directories, detects each file's format
 * (a table of readers, one file per format), runs the reader inside one store
 * transaction per input file, and counts what happened. A reader only parses:
 * it hands every object it produces to ingest_emit, which upgrades 2.0
 * objects, validates, indexes and stores. A file with any invalid object is
 * rolled back whole unless --skip-invalid is given.
 */
#ifndef VB_INGEST_H
#define VB_INGEST_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "../store/store.h"
#include "../util/err.h"

#define INGEST_MAX_DOC	(512u << 20) /* largest file a whole-document reader loads */
#define INGEST_MAX_LINE (64u << 10)  /* longest line in a text list */

/* Options from the command line (or the API); zero means "not given". */
struct ingest_opts {
	int skip_invalid;
	int progress;			 /* draw a progress bar on stderr */
	const char *format;		 /* force a reader by name, or NULL to detect */
	const char *source;		 /* identity name of the source (lists), or NULL */
	const char *tlp;		 /* TLP 2.0 marking id to add to objects without one */
	const char *const *labels;	 /* NULL-terminated labels added to list indicators */
	int64_t valid_from, valid_until; /* for list indicators; 0 = now / none */
	int confidence;			 /* -1 when not given */
	/* Sharing of everything this run stores: the creating organisation (0:
	 * the instance) and the organisations / groups it is shared with. */
	int64_t owner_org;
	const struct store_share *shares;
	size_t n_shares;
	/* Store from a second thread (the CLI's bulk imports): the run then
	 * owns the store until ingest_free. */
	int pipeline;
	/* Validate the objects readers build themselves too (see
	 * ingest_emit_built), aborting when one fails: for tests and fuzzing. */
	int check_built;
};

/* Where an object came from, for error messages. */
struct ingest_pos {
	long line, column;   /* 1-based, 0 when unknown */
	const char *pointer; /* JSON pointer of the object inside the file, or NULL */
};

/* An input file: plain or gzip, read through zlib, with a peeked head. */
struct input {
	const char *name; /* path as given, "-" for stdin */
	gzFile gz;
	char head[65536]; /* the first bytes, for sniffing; also returned by input_read */
	size_t head_len, head_pos;
	uint64_t bytes_read; /* decompressed bytes handed out so far */
	uint64_t size;	     /* on-disk size, for progress; 0 when unknown */
};
/* Reads up to n bytes; returns the count, 0 at end, -1 on error. */
long input_read(struct input *in, char *buf, size_t n);
/* Reads the rest of the input into a NUL-terminated buffer the caller frees.
 * Fails with VB_EINPUT when it is larger than max. */
int input_read_all(struct input *in, size_t max, char **out, size_t *len, struct vb_err *err);

struct ingest_type_count {
	char type[64];
	long n_new, n_updated, n_unchanged, n_rejected;
};

struct ingest; /* opaque: one import run over many files */

/* One reader per format. sniff returns a score 0..100 for how well head looks
 * like its format (path may help: file name, extension); the best wins. */
struct ingest_reader {
	const char *name;
	const char *summary;
	int (*sniff)(const char *path, const char *head, size_t len);
	int (*read)(struct ingest *ig, struct input *in);
};

/* The readers, defined in their own files. */
extern const struct ingest_reader ingest_stix_reader;	/* ingest_stix.c */
extern const struct ingest_reader ingest_misp_reader;	/* ingest_misp.c */
extern const struct ingest_reader ingest_galaxy_reader; /* ingest_galaxy.c */
extern const struct ingest_reader ingest_list_reader;	/* ingest_list.c */
extern const struct ingest_reader ingest_csv_reader;	/* ingest_list.c */

struct ingest *ingest_new(struct store *s, const struct ingest_opts *opts);
void ingest_free(struct ingest *ig);
/* Imports one path: a file ("-" for stdin) or a directory (recursively; a
 * directory holding manifest.json is read as a MISP feed). Each file is one
 * transaction. Returns 0, or the first error (also printed to stderr). */
int ingest_path(struct ingest *ig, const char *path);
/* Imports one file with the given reader (NULL: detect). One transaction.
 * Used by ingest_path and by readers of folders (MISP feeds). */
int ingest_file(struct ingest *ig, const char *path, const struct ingest_reader *force);
/* Prints the summary table to f. */
void ingest_summary(struct ingest *ig, FILE *f);
/* Counts of objects rejected over the whole run. */
long ingest_rejected(const struct ingest *ig);

/* For readers: validates, indexes and stores obj (borrowed; the caller frees
 * it). Returns 0 when stored or rejected under --skip-invalid; VB_EINPUT when
 * obj is invalid and the file must be abandoned (the error is recorded);
 * VB_ESTORE on store failure. */
int ingest_emit(struct ingest *ig, cJSON *obj, const struct ingest_pos *pos);
/* As ingest_emit, for an object a reader built itself from input it has
 * checked (the list readers: text checked line by line, values detected
 * and normalised, a fixed shape): not validated again, which was a third
 * of a list import's reading. opts.check_built validates them anyway and
 * aborts on a failure, which would be a bug in the reader. */
int ingest_emit_built(struct ingest *ig, cJSON *obj, const struct ingest_pos *pos);
/* For readers: reports an error in the input that is not about one object
 * (malformed JSON, a bad line). Returns VB_EINPUT. The message is printed with
 * the file name and position. */
int ingest_fail(struct ingest *ig, const struct ingest_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For readers: a non-fatal remark ("line 12: skipped comment ...") shown once
 * per file under --skip-invalid; counted as rejected. */
void ingest_reject(struct ingest *ig, const struct ingest_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const struct ingest_opts *ingest_options(const struct ingest *ig);
/* The identity id standing for opts->source (created on first use and
 * emitted as an identity object), or NULL when no source was given. */
const char *ingest_source_identity(struct ingest *ig);
/* Updates the progress bar with the input's position (cheap to call often). */
void ingest_progress(struct ingest *ig, struct input *in);

/* Helpers shared by readers (ingest_util.c). */
/* The deterministic id of an SCO with the given id-contributing JSON (e.g.
 * {"value":"1.2.3.4"}), per STIX 2.1 section 2.9, into out. */
void ingest_sco_id(const char *type, const char *canonical_json, char *out);
/* Current time as a STIX timestamp string (millisecond precision). */
void ingest_now(char out[32]);

#endif
