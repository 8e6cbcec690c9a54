/* embed — files compiled into the binary by scripts/embed.sh (migrations, templates), so
 * a deployed creneau needs nothing beside it. The tables end with a row whose name is NULL. */
#ifndef CRENEAU_EMBED_H
#define CRENEAU_EMBED_H
#include <stddef.h>

struct embedded_file {
	const char *name;
	const char *data; /* NUL-terminated */
	size_t len;
};

/* The row named `name`, or NULL. */
const struct embedded_file *embed_find(const struct embedded_file *table, const char *name);

extern const struct embedded_file db_migration_files[];	   /* src/db/migrations/ */
extern const struct embedded_file notify_template_files[]; /* templates/ */

#endif
