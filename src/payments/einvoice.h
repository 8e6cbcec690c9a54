/* einvoice — the transport interface toward an approved e-invoicing platform (plateforme
 * agréée, PA). No transport exists yet: invoices and credit notes are produced as EN 16931
 * UN/CEFACT CII (payments_cii_render, cii.c) and a platform's connector will be ONE table of
 * these functions, registered with einvoice_transport_set(). Until then nothing is sent and
 * einvoice_transport_get() answers NULL. */
#ifndef CRENEAU_EINVOICE_H
#define CRENEAU_EINVOICE_H
#include <stddef.h>

#include "base/err.h"

struct einvoice_transport {
	const char *name; /* the platform, e.g. for logs */
	/* Hands the CII of document `number` to the platform; fills tracking (the platform's id
	 * of the deposit, cap bytes). 0, or negative with *e (503 when the platform is down: the
	 * caller retries later). Must be idempotent on `number`. */
	int (*submit)(const char *number, const char *cii_xml, size_t len, char *tracking, size_t cap,
		      struct err *e);
	/* The life-cycle status the platform gives for a deposit ("deposee", "rejetee",
	 * "encaissee"...) into status (cap bytes). */
	int (*status)(const char *tracking, char *status, size_t cap, struct err *e);
};

/* Installs the transport (NULL removes it). Call at start. */
void einvoice_transport_set(const struct einvoice_transport *t);
/* The transport installed, or NULL when none (today). */
const struct einvoice_transport *einvoice_transport_get(void);

#endif
