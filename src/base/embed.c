#include "base/embed.h"

#include <string.h>
#include "base/banned.h"

const struct embedded_file *embed_find(const struct embedded_file *table, const char *name)
{
	for (const struct embedded_file *f = table; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}
