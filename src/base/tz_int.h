/* tz_int.h — for tz's own tests and the zone check tool only. */
#ifndef CRENEAU_TZ_INT_H
#define CRENEAU_TZ_INT_H
#include "base/tz.h"

/* Like tz_get, but also loads a zone that is not in the supported list (the name must still
 * be a well-formed zone name with a file in the system tzdata). Cached the same way. */
const struct tz *tz_load_any(const char *name, struct err *e) WUR;
/* Number of offset changes in the zone's table (the first entry is the initial offset). */
int tz_transition_count(const struct tz *z);

#endif
