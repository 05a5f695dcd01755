/* store.c: backend table and the store-path default. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

/* The backend for a path: PostgreSQL URLs once store_pg.c exists, else SQLite. */
int store_open(const char *path, int flags, struct store **out, struct vb_err *err)
{
	if (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0)
		return vb_err_set(err, VB_EUSAGE,
				  "%s: the PostgreSQL backend is not built yet; use a SQLite path",
				  path);
	return store_sqlite_backend.open(path, flags, out, err);
}

void store_close(struct store *s)
{
	if (s)
		s->be->close(s);
}

const char *store_default_path(const char *flag)
{
	if (flag && *flag)
		return flag;
	const char *env = getenv("VERBINDING_STORE");
	if (env && *env)
		return env;
	return "verbinding.db";
}

void store_stats_free(struct store_stats *st)
{
	for (size_t i = 0; i < st->n_by_type; i++)
		free((void *)st->by_type[i].key);
	for (size_t i = 0; i < st->n_by_marking; i++)
		free((void *)st->by_marking[i].key);
	free(st->by_type);
	free(st->by_marking);
	memset(st, 0, sizeof *st);
}

const char *store_put_why(int rc)
{
	return rc == VB_ECONFLICT ? "its id belongs to another organisation's object, and only "
				    "the creating organisation adds versions"
				  : vb_strerror(rc);
}
