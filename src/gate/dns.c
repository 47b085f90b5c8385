#include "dns.h"

#include <string.h>

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

typedef struct parse {
    const uint8_t *d;
    size_t len;
    const char *why;
    size_t at;
} parse_t;

static bool fail(parse_t *s, const char *why, size_t at)
{
    s->why = why;
    s->at = at;
    return false;
}

/* Reads the name at *p into out (dotted, lower case); *p moves past it in the message. */
static bool read_name(parse_t *s, size_t *p, char out[GATE_NAME_MAX])
{
    size_t q = *p, o = 0;
    bool jumped = false;
    for (unsigned pointers = 0;;) {
        if (q >= s->len)
            return fail(s, "DNS name runs past the message", q);
        uint8_t l = s->d[q];
        if ((l & 0xc0) == 0xc0) {
            if (q + 1 >= s->len)
                return fail(s, "DNS compression pointer cut", q);
            if (++pointers > GATE_DNS_MAX_POINTERS)
                return fail(s, "DNS name follows more than 32 compression pointers", q);
            if (!jumped)
                *p = q + 2;
            jumped = true;
            q = (size_t)(l & 0x3f) << 8 | s->d[q + 1];
            continue;
        }
        if (l & 0xc0)
            return fail(s, "DNS label type reserved", q);
        if (l == 0) {
            if (!jumped)
                *p = q + 1;
            break;
        }
        if (q + 1 + l > s->len)
            return fail(s, "DNS label runs past the message", q);
        if (o + l + 2 > GATE_NAME_MAX)
            return fail(s, "DNS name longer than 255 bytes", q);
        if (o > 0)
            out[o++] = '.';
        for (size_t i = 0; i < l; i++) {
            char c = (char)s->d[q + 1 + i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            out[o++] = c > 0x20 && c < 0x7f && c != '.' ? c : '?'; /* printable, one label */
        }
        q += 1 + l;
    }
    out[o] = '\0';
    if (o == 0) { /* the root */
        out[0] = '.';
        out[1] = '\0';
    }
    return true;
}

/* The index of name in m->names (added when new); -1 when the table is full. */
static int intern(gate_dns_message_t *m, const char *name)
{
    for (size_t i = 0; i < m->name_count; i++)
        if (strcmp(m->names[i], name) == 0)
            return (int)i;
    if (m->name_count >= GATE_DNS_MAX_NAMES)
        return -1;
    strcpy(m->names[m->name_count], name);
    return (int)m->name_count++;
}

/* Builds the chain question -> CNAMEs -> owner for each address (walking CNAMEs backwards). */
static void link_chains(gate_dns_message_t *m)
{
    for (size_t a = 0; a < m->address_count; a++) {
        gate_dns_address_t *ad = &m->addresses[a];
        uint8_t rev[GATE_DNS_MAX_CHAIN];
        size_t n = 0;
        rev[n++] = ad->chain[0]; /* the owner, set by the caller */
        while (n < GATE_DNS_MAX_CHAIN) {
            size_t c = 0;
            while (c < m->cname_count && m->cname_to[c] != rev[n - 1])
                c++;
            if (c == m->cname_count)
                break;
            bool loop = false;
            for (size_t i = 0; i < n; i++)
                loop = loop || rev[i] == m->cname_from[c];
            if (loop)
                break;
            rev[n++] = m->cname_from[c];
        }
        for (size_t i = 0; i < n; i++)
            ad->chain[i] = rev[n - 1 - i];
        ad->chain_len = (uint8_t)n;
    }
}

static bool read_answer(parse_t *s, size_t *p, gate_dns_message_t *m)
{
    char owner[GATE_NAME_MAX], target[GATE_NAME_MAX];
    if (!read_name(s, p, owner))
        return false;
    if (*p + 10 > s->len)
        return fail(s, "DNS resource record header cut", *p);
    unsigned type = be16(s->d + *p), klass = be16(s->d + *p + 2), rdlen = be16(s->d + *p + 8);
    size_t rd = *p + 10;
    if (rd + rdlen > s->len)
        return fail(s, "DNS record data runs past the message", *p + 8);
    *p = rd + rdlen;
    if ((klass & 0x7fff) != 1 || m->address_count >= GATE_DNS_MAX_RECORDS)
        return true;
    if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16)) {
        int o = intern(m, owner);
        if (o < 0)
            return true;
        gate_dns_address_t *a = &m->addresses[m->address_count++];
        memset(a, 0, sizeof *a);
        a->addr.family = type == 1 ? 4 : 6;
        memcpy(a->addr.bytes, s->d + rd, rdlen);
        a->chain[0] = (uint8_t)o;
    } else if (type == 5 && m->cname_count < GATE_DNS_MAX_RECORDS) {
        size_t t = rd;
        if (!read_name(s, &t, target))
            return false;
        int o = intern(m, owner), g = intern(m, target);
        if (o >= 0 && g >= 0) {
            m->cname_from[m->cname_count] = (uint8_t)o;
            m->cname_to[m->cname_count++] = (uint8_t)g;
        }
    }
    return true;
}

bool gate_dns_parse(const uint8_t *d, size_t len, gate_dns_message_t *m, const char **why, size_t *at)
{
    parse_t s = {.d = d, .len = len};
    m->name_count = m->cname_count = m->address_count = 0;
    m->has_question = false;
    bool ok = true;
    if (len < 12) {
        ok = fail(&s, "DNS header shorter than 12 bytes", len);
    } else {
        m->response = (d[2] & 0x80) != 0;
        m->rcode = d[3] & 0x0f;
        unsigned qd = be16(d + 4), an = be16(d + 6);
        size_t p = 12;
        char name[GATE_NAME_MAX];
        for (unsigned i = 0; ok && i < qd && i < 4; i++) {
            ok = read_name(&s, &p, name);
            if (ok && p + 4 > len)
                ok = fail(&s, "DNS question cut", p);
            if (ok && i == 0) {
                int q = intern(m, name);
                m->has_question = q >= 0;
                m->question = (uint8_t)(q >= 0 ? q : 0);
                m->qtype = be16(d + p);
            }
            p += 4;
        }
        if (qd > 4)
            an = 0; /* a message with more than four questions is not one a resolver sent */
        for (unsigned i = 0; ok && i < an && i < GATE_DNS_MAX_RECORDS * 2; i++)
            ok = read_answer(&s, &p, m);
    }
    link_chains(m);
    *why = s.why;
    *at = s.at;
    return ok;
}
