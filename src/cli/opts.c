/* opts.c: command-line parsing shared by commands (--opt VALUE and --opt=VALUE). */
#include "opts.h"
#include "../store/store.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

static int set_opt(const struct cli_cmd *cmd, struct cli_opt *o, const char *v)
{
	if (o->repeat) {
		size_t n = 0;
		if (*o->list)
			while ((*o->list)[n])
				n++;
		*o->list = xrealloc((void *)*o->list, (n + 2) * sizeof **o->list);
		(*o->list)[n] = v;
		(*o->list)[n + 1] = NULL;
		return 0;
	}
	if (*o->val && o->has_arg)
		return cli_usage(cmd, "--%s given twice", o->name);
	*o->val = v;
	return 0;
}

int cli_parse_common(const struct cli_cmd *cmd, int argc, char **argv, struct cli_common *c,
		     struct cli_opt *opts, int nopts)
{
	memset(c, 0, sizeof *c);
	const char *store = NULL;
	/* Positional arguments are compacted into argv itself (never ahead of
	 * the cursor), so nothing is allocated. */
	c->args = argv + 1;
	int only_args = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
			c->args[c->nargs++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (a[1] != '-')
			return cli_usage(cmd, "unknown option '%s'", a);
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		struct cli_opt *o = NULL, store_opt = {"store", 1, 0, &store, NULL};
		if (nl == 5 && strncmp(name, "store", 5) == 0)
			o = &store_opt;
		for (int k = 0; !o && k < nopts; k++)
			if (strlen(opts[k].name) == nl && strncmp(opts[k].name, name, nl) == 0)
				o = &opts[k];
		if (!o)
			return cli_usage(cmd, "unknown option '--%.*s'", (int)nl, name);
		const char *v = "1";
		if (o->has_arg) {
			if (eq)
				v = eq + 1;
			else if (i + 1 < argc)
				v = argv[++i];
			else
				return cli_usage(cmd, "--%s needs a value", o->name);
		} else if (eq) {
			return cli_usage(cmd, "--%s takes no value", o->name);
		}
		if (set_opt(cmd, o, v))
			return VB_EUSAGE;
	}
	c->store = store_default_path(store);
	return 0;
}

void cli_free_lists(struct cli_opt *opts, int nopts)
{
	for (int k = 0; k < nopts; k++)
		if (opts[k].repeat && opts[k].list) {
			free((void *)*opts[k].list);
			*opts[k].list = NULL;
		}
}

int cli_open_store(const struct cli_cmd *cmd, const struct cli_common *c, int flags,
		   struct store **st)
{
	struct vb_err e;
	vb_err_clear(&e);
	int rc = store_open(c->store, flags, st, &e);
	return rc ? cli_fail_err(cmd->name, &e) : 0;
}
