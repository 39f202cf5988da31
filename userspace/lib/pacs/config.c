/*
 * config.c - where the PACS is: defaults, "key = value" files, options. See pacs.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr/error.h"
#include "dsr/pacs.h"

void dsr_pacs_config_default(struct dsr_pacs_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->calling_ae, sizeof(c->calling_ae), "DSR");
	snprintf(c->called_ae, sizeof(c->called_ae), "PACS");
	snprintf(c->host, sizeof(c->host), "127.0.0.1");
	c->port = 104;
	c->timeout = 10;
	c->retrieve = DSR_PACS_GET;
	c->move_port = 11113;
}

/* An AE title: 1..16 characters of the default repertoire, no backslash or control
 * characters, not only spaces (PS3.5 AE). */
static int set_ae(char *dst, const char *key, const char *v)
{
	size_t n = strlen(v), spaces = 0;

	if (n == 0 || n > DSR_PACS_AE_LEN - 1)
		return dsr_seterr("%s '%s': an AE title has 1 to 16 characters", key, v);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch < 0x20 || ch > 0x7e || ch == '\\')
			return dsr_seterr("%s '%s': only printable ASCII without '\\' in an AE title",
					  key, v);
		spaces += ch == ' ';
	}
	if (spaces == n)
		return dsr_seterr("%s: an AE title may not be all spaces", key);
	memcpy(dst, v, n + 1);
	return 0;
}

static int set_uint(unsigned *dst, const char *key, const char *v, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || errno || x < lo || x > hi)
		return dsr_seterr("%s '%s': expected a whole number %u..%u", key, v, lo, hi);
	*dst = (unsigned)x;
	return 0;
}

/* A host name or address: letters, digits, '.', '-', ':' (IPv6), nothing else. */
static int set_host(char *dst, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= DSR_PACS_HOST_LEN)
		return dsr_seterr("host '%s': expected a host name or address", v);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr(".-:_", v[i]))
			return dsr_seterr("host '%s': unexpected character '%c'", v, v[i]);
	memcpy(dst, v, n + 1);
	return 0;
}

int dsr_pacs_config_set(struct dsr_pacs_config *c, const char *key, const char *value)
{
	if (!strcmp(key, "calling_ae"))
		return set_ae(c->calling_ae, key, value);
	if (!strcmp(key, "called_ae"))
		return set_ae(c->called_ae, key, value);
	if (!strcmp(key, "host"))
		return set_host(c->host, value);
	if (!strcmp(key, "port"))
		return set_uint(&c->port, key, value, 1, 65535);
	if (!strcmp(key, "timeout"))
		return set_uint(&c->timeout, key, value, 1, 3600);
	if (!strcmp(key, "move_port"))
		return set_uint(&c->move_port, key, value, 1, 65535);
	if (!strcmp(key, "retrieve")) {
		if (!strcmp(value, "get"))
			c->retrieve = DSR_PACS_GET;
		else if (!strcmp(value, "move"))
			c->retrieve = DSR_PACS_MOVE;
		else
			return dsr_seterr("retrieve '%s': expected get or move", value);
		return 0;
	}
	return dsr_seterr("unknown PACS setting '%s' (calling_ae, called_ae, host, port, timeout, "
			  "retrieve, move_port)", key);
}

/* Strip leading and trailing white space in place. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int dsr_pacs_config_load(struct dsr_pacs_config *c, const char *path)
{
	char line[1024];
	int no = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return dsr_seterr("PACS config %s: %s", path, strerror(errno));
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		no++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = dsr_seterr("%s:%d: line too long", path, no);
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = dsr_seterr("%s:%d: expected key = value", path, no);
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		if (dsr_pacs_config_set(c, key, value) < 0) {
			char why[512];

			snprintf(why, sizeof(why), "%s", dsr_error());
			rc = dsr_seterr("%s:%d: %s", path, no, why);
		}
	}
	if (rc == 0 && ferror(f))
		rc = dsr_seterr("PACS config %s: read error", path);
	fclose(f);
	return rc;
}
