/* The telemetry gate's rules: which organisations an idle image must never reach (by domain
 * suffix and by address range, each with its source), and which endpoints the project allows
 * (with a reason). Line-based text files:
 *
 *   org NAME                  starts an organisation (the same NAME again adds to it)
 *   source TEXT               where the following domain/range lines come from
 *   domain SUFFIX             a name equal to SUFFIX or ending in ".SUFFIX"
 *   range CIDR                an IPv4 or IPv6 network (a.b.c.d/n, x:y::/n)
 *
 * The allow file: `SUFFIX -- reason` or `CIDR -- reason`, one per line. `#` starts a comment
 * line; blank lines are ignored. Errors name the file and the line. */
#ifndef GATE_TELEMETRY_RULES_H
#define GATE_TELEMETRY_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/error.h"
#include "packet.h"

#define GATE_TEL_RULES_MAX 20000u     /* entries over all rules and allow files */
#define GATE_TEL_RULE_LINE_MAX 1024u  /* bytes of one line */

typedef struct gate_tel_entry {
    char *pattern;    /* the suffix (lower case, no trailing dot) or the CIDR as written */
    bool is_range;
    gate_addr_t net;  /* is_range: the network, host bits cleared */
    unsigned prefix;  /* is_range: prefix length */
    size_t org;       /* index into orgs; (size_t)-1 for an allow entry */
    char *source;     /* the source in effect (rules), or the reason (allow) */
    char *where;      /* "file:line" */
    size_t used;      /* flows it decided */
} gate_tel_entry_t;

typedef struct gate_tel_rules {
    char **orgs;
    size_t org_count;
    gate_tel_entry_t *listed, *allowed;
    size_t listed_count, allowed_count;
} gate_tel_rules_t;

/* Adds the rules in text (named file in messages) to *rules (start zeroed). */
int gate_tel_rules_parse(gate_tel_rules_t *rules, const char *file, const char *text, size_t len, ds_error_t *err);
/* Adds the allow entries in text to *rules. */
int gate_tel_allow_parse(gate_tel_rules_t *rules, const char *file, const char *text, size_t len, ds_error_t *err);
void gate_tel_rules_free(gate_tel_rules_t *rules);

/* The most specific entry of the list (listed or allowed) matching a name (longest suffix) or
 * an address (longest prefix); NULL when none. */
gate_tel_entry_t *gate_tel_match_name(gate_tel_entry_t *list, size_t count, const char *name);
gate_tel_entry_t *gate_tel_match_addr(gate_tel_entry_t *list, size_t count, const gate_addr_t *addr);
/* Parses "a.b.c.d/n" or "x::/n" (a bare address is /32 or /128). */
bool gate_tel_parse_cidr(const char *text, gate_addr_t *net, unsigned *prefix);

#endif
