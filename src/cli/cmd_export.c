/* cmd_export.c: `verbinding export`: a STIX 2.1 bundle (or indicator values)
 * written while the store is scanned, so memory does not grow with the store. */
#include "cli.h"
#include "opts.h"
#include "../detect/sensor_export.h"
#include "../stix/stix.h"
#include "../util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fmt { FMT_STIX, FMT_CSV, FMT_PLAIN };

struct export_ctx {
	FILE *out;
	enum fmt fmt;
	long n;
};

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

struct value_ctx {
	struct export_ctx *x;
	const char *id, *from, *until;
};

static void value_row(void *arg, const char *kind, const char *value)
{
	struct value_ctx *v = arg;
	FILE *f = v->x->out;
	if (v->x->fmt == FMT_PLAIN) {
		fprintf(f, "%s\n", value);
	} else {
		csv_field(f, value);
		fprintf(f, ",%s,%s,%s,%s\n", kind, v->id, v->from ? v->from : "",
			v->until ? v->until : "");
	}
	v->x->n++;
}

static int export_row(void *arg, const struct store_row *row)
{
	struct export_ctx *x = arg;
	if (x->fmt == FMT_STIX) {
		if (x->n++)
			fputs(",\n", x->out);
		fwrite(row->json, 1, row->json_len, x->out);
		return ferror(x->out) ? VB_EIO : 0;
	}
	if (strcmp(row->type, "indicator") != 0)
		return 0;
	cJSON *o = cJSON_ParseWithLength(row->json, row->json_len);
	if (!o)
		return VB_ESTORE;
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pattern");
	const cJSON *vf = cJSON_GetObjectItemCaseSensitive(o, "valid_from");
	const cJSON *vu = cJSON_GetObjectItemCaseSensitive(o, "valid_until");
	struct value_ctx v = {x, row->id, cJSON_IsString(vf) ? vf->valuestring : NULL,
			      cJSON_IsString(vu) ? vu->valuestring : NULL};
	if (cJSON_IsString(p))
		stix_pattern_values(p->valuestring, value_row, &v);
	cJSON_Delete(o);
	return ferror(x->out) ? VB_EIO : 0;
}

/* Splits comma-separated values of repeatable options into one list. */
static const char **split_list(const char **in)
{
	size_t n = 0, cap = 8;
	const char **out = xmalloc(cap * sizeof *out);
	for (size_t i = 0; in && in[i]; i++) {
		const char *s = in[i];
		while (*s) {
			const char *e = strchr(s, ',');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			if (len) {
				if (n + 2 > cap)
					out = xrealloc(out, (cap *= 2) * sizeof *out);
				out[n++] = xstrndup(s, len);
			}
			s += len + (e ? 1 : 0);
		}
	}
	out[n] = NULL;
	return out;
}

static void free_list(const char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free((void *)l[i]);
	free(l);
}

/* --format zeek-intel (to -o FILE or stdout) and suricata-dataset (into -o
 * DIR): the work is in src/detect/sensor_export.c. */
static int export_sensor(struct store *st, const struct store_filter *f, int fmt,
			 const char *output)
{
	FILE *out = stdout;
	if (fmt == SENSOR_SURICATA_DATASET && !output)
		return cli_usage(&cmd_export, "--format suricata-dataset needs -o DIR");
	if (fmt == SENSOR_ZEEK_INTEL && output && !(out = fopen(output, "w")))
		return cli_fail("export", VB_EIO, "%s: %s", output, strerror(errno));
	struct sensor_export_stats stats;
	struct vb_err e;
	int rc = sensor_export_run(st, f, (enum sensor_format)fmt, out,
				   fmt == SENSOR_SURICATA_DATASET ? output : NULL, time_now_us(),
				   &stats, &e);
	if (out != stdout) {
		if (fclose(out) && !rc)
			rc = vb_err_set(&e, VB_EIO, "%s: write failed", output);
	} else if (fflush(out) && !rc) {
		rc = vb_err_set(&e, VB_EIO, "stdout: write failed");
	}
	if (rc)
		return cli_fail_err("export", &e);
	sensor_export_summary(stderr, (enum sensor_format)fmt, &stats);
	if (fmt == SENSOR_SURICATA_DATASET)
		fprintf(stderr, "export: suricata.yaml stanzas and rules in %s/README\n", output);
	return 0;
}

static int export_exec(int argc, char **argv)
{
	const char *since = NULL, *marking = NULL, *allv = NULL, *format = NULL, *output = NULL;
	const char **types = NULL, **ids = NULL, **tlist = NULL, **ilist = NULL;
	struct cli_opt opts[] = {
	    {"type", 1, 1, NULL, &types},	 {"id", 1, 1, NULL, &ids},
	    {"since", 1, 0, &since, NULL},	 {"marking", 1, 0, &marking, NULL},
	    {"all-versions", 0, 0, &allv, NULL}, {"format", 1, 0, &format, NULL},
	    {"output", 1, 0, &output, NULL},
	};
	int nopts = (int)(sizeof opts / sizeof opts[0]);
	/* Accept -o as a short form of --output. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-o") == 0)
			argv[i] = "--output";
	struct cli_common c;
	int rc = cli_parse_common(&cmd_export, argc, argv, &c, opts, nopts);
	struct store *st = NULL;
	FILE *out = stdout;
	if (rc)
		goto done;
	rc = VB_EUSAGE;
	if (c.nargs) {
		cli_usage(&cmd_export, "unexpected argument '%s'", c.args[0]);
		goto done;
	}
	struct export_ctx x = {.fmt = FMT_STIX};
	int sensor = format ? sensor_format_parse(format) : -1;
	if (format && strcmp(format, "csv") == 0)
		x.fmt = FMT_CSV;
	else if (format && strcmp(format, "plain") == 0)
		x.fmt = FMT_PLAIN;
	else if (format && strcmp(format, "stix") != 0 && sensor < 0) {
		cli_usage(
		    &cmd_export,
		    "--format '%s': expected stix, csv, plain, zeek-intel or suricata-dataset",
		    format);
		goto done;
	}
	struct store_filter f = {.viewer = STORE_VIEWER_LOCAL};
	tlist = split_list(types);
	ilist = split_list(ids);
	f.types = tlist[0] ? tlist : NULL;
	f.ids = ilist[0] ? ilist : NULL;
	f.all_versions = allv != NULL;
	if (marking) {
		f.marking = stix_tlp_id(marking) ? stix_tlp_id(marking) : marking;
		if (strncmp(f.marking, "marking-definition--", 20) != 0) {
			cli_usage(&cmd_export,
				  "--marking '%s': expected a TLP level or a "
				  "marking-definition id",
				  marking);
			goto done;
		}
	}
	if (since && time_parse_loose(since, &f.modified_since)) {
		cli_usage(&cmd_export, "--since '%s': expected a date or RFC 3339 time", since);
		goto done;
	}
	struct vb_err e;
	vb_err_clear(&e);
	rc = store_open(c.store, 0, &st, &e);
	if (rc) {
		cli_fail_err("export", &e);
		goto done;
	}
	if (sensor >= 0) {
		rc = export_sensor(st, &f, sensor, output);
		goto done;
	}
	if (output && !(out = fopen(output, "w"))) {
		rc = cli_fail("export", VB_EIO, "%s: %s", output, strerror(errno));
		out = stdout;
		goto done;
	}
	static char obuf[1 << 16];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);
	x.out = out;
	if (x.fmt == FMT_STIX) {
		char uuid[37];
		uuid_v4(uuid);
		fprintf(out, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[\n", uuid);
	} else if (x.fmt == FMT_CSV) {
		fputs("value,kind,indicator_id,valid_from,valid_until\n", out);
	}
	rc = store_scan(st, &f, export_row, &x);
	if (x.fmt == FMT_STIX)
		fputs("\n]}\n", out);
	if (fflush(out) || ferror(out))
		rc = cli_fail("export", VB_EIO, "%s: write failed", output ? output : "stdout");
	else if (rc)
		cli_fail("export", rc, "reading the store failed");
done:
	if (out != stdout)
		fclose(out);
	else
		fflush(stdout);
	store_close(st);
	free_list(tlist);
	free_list(ilist);
	cli_free_lists(opts, nopts);
	return rc;
}

const struct cli_cmd cmd_export = {
    .name = "export",
    .summary = "write a STIX 2.1 bundle (or indicator values) from the store",
    .usage = "usage: verbinding export [OPTIONS]\n\n"
	     "Writes the latest version of every matching object as one STIX 2.1 bundle,\n"
	     "streamed while the store is read.\n\n"
	     "  --store PATH        the store\n"
	     "  -o, --output FILE   write to FILE instead of stdout\n"
	     "  --type T[,T...]     only these types (repeatable)\n"
	     "  --id ID[,ID...]     only these ids (repeatable)\n"
	     "  --since T           only versions modified at or after T (date or RFC 3339)\n"
	     "  --marking M         only objects marked M (TLP level or marking id)\n"
	     "  --all-versions      every stored version, not only the latest\n"
	     "  --format F          stix (default), csv or plain: indicator values, one per\n"
	     "                      line (plain) or value,kind,indicator_id,valid_from,\n"
	     "                      valid_until (csv)\n"
	     "  --format zeek-intel        a Zeek intel framework file (to -o FILE or stdout)\n"
	     "  --format suricata-dataset  Suricata dataset files, one per type, into -o DIR,\n"
	     "                      with DIR/README holding the suricata.yaml stanzas\n"
	     "                      (both: simple equality indicators valid now, not revoked)\n",
    .exec = export_exec,
};
