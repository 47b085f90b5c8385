#include "hello.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static size_t be16(const uint8_t *p) { return (size_t)p[0] << 8 | p[1]; }
static size_t be24(const uint8_t *p) { return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2]; }

int gate_name_normalize(const char *in, size_t len, char out[GATE_NAME_MAX])
{
    while (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len >= GATE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == ':'))
            return 0; /* ':' for an IPv6 literal in a Host header */
        out[i] = (char)c;
    }
    out[len] = '\0';
    return 1;
}

static const char *const methods[] = {"GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "CONNECT ", "DELETE ", "PATCH ", "TRACE "};

gate_hello_kind_t gate_hello_kind(const uint8_t *d, size_t len)
{
    if (len == 0)
        return GATE_HELLO_KIND_UNKNOWN;
    if (d[0] == 0x16)
        return len < 2 ? GATE_HELLO_KIND_UNKNOWN : d[1] == 3 ? GATE_HELLO_KIND_TLS : GATE_HELLO_KIND_OTHER;
    bool maybe = false;
    for (size_t m = 0; m < sizeof methods / sizeof *methods; m++) {
        size_t ml = strlen(methods[m]);
        size_t n = len < ml ? len : ml;
        if (memcmp(d, methods[m], n) == 0) {
            if (n == ml)
                return GATE_HELLO_KIND_HTTP;
            maybe = true;
        }
    }
    return maybe ? GATE_HELLO_KIND_UNKNOWN : GATE_HELLO_KIND_OTHER;
}

/* server_name extension body: ServerNameList (RFC 6066 3). */
static gate_hello_status_t server_name(const uint8_t *e, size_t el, char name[GATE_NAME_MAX])
{
    if (el < 2 || be16(e) + 2 > el)
        return GATE_HELLO_NONE;
    size_t end = 2 + be16(e);
    for (size_t p = 2; p + 3 <= end;) {
        size_t nl = be16(e + p + 1);
        if (p + 3 + nl > end)
            return GATE_HELLO_NONE;
        if (e[p] == 0 && gate_name_normalize((const char *)e + p + 3, nl, name))
            return GATE_HELLO_NAME;
        p += 3 + nl;
    }
    return GATE_HELLO_NONE;
}

/* body: a complete ClientHello body (after the 4-byte handshake header). */
static gate_hello_status_t client_hello(const uint8_t *b, size_t bl, char name[GATE_NAME_MAX])
{
    size_t p = 2 + 32; /* legacy_version, random */
    if (p + 1 > bl)
        return GATE_HELLO_NONE;
    p += 1 + b[p]; /* legacy_session_id */
    if (p + 2 > bl)
        return GATE_HELLO_NONE;
    p += 2 + be16(b + p); /* cipher_suites */
    if (p + 1 > bl)
        return GATE_HELLO_NONE;
    p += 1 + b[p]; /* legacy_compression_methods */
    if (p + 2 > bl)
        return GATE_HELLO_NONE;
    size_t end = p + 2 + be16(b + p);
    if (end > bl)
        return GATE_HELLO_NONE;
    for (p += 2; p + 4 <= end;) {
        size_t type = be16(b + p), el = be16(b + p + 2);
        if (p + 4 + el > end)
            return GATE_HELLO_NONE;
        if (type == 0)
            return server_name(b + p + 4, el, name);
        p += 4 + el;
    }
    return GATE_HELLO_NONE;
}

gate_hello_status_t gate_hello_tls_handshake(const uint8_t *d, size_t len, char name[GATE_NAME_MAX])
{
    if (len < 4)
        return GATE_HELLO_MORE;
    if (d[0] != 1)
        return GATE_HELLO_NONE;
    size_t bl = be24(d + 1);
    if (len < 4 + bl)
        return GATE_HELLO_MORE;
    return client_hello(d + 4, bl, name);
}

gate_hello_status_t gate_hello_tls_records(const uint8_t *d, size_t len, char name[GATE_NAME_MAX])
{
    /* Gather the handshake bytes of the first records (a hello may span several). */
    size_t need = 0, have = 0;
    uint8_t *hs = NULL;
    gate_hello_status_t st = GATE_HELLO_MORE;
    size_t p = 0;
    for (unsigned r = 0; r < GATE_HELLO_MAX_RECORDS && st == GATE_HELLO_MORE; r++) {
        if (p + 5 > len)
            break;
        size_t rl = be16(d + p + 3);
        if (d[p] != 0x16 || d[p + 1] != 3 || rl == 0 || rl > 16384 + 256) {
            st = GATE_HELLO_NONE;
            break;
        }
        if (p + 5 + rl > len)
            break;
        if (hs == NULL) {
            if (rl < 4 || d[p + 5] != 1) {
                st = GATE_HELLO_NONE;
                break;
            }
            need = 4 + be24(d + p + 6);
            if (need > GATE_HELLO_MAX_BYTES || (hs = malloc(need)) == NULL) {
                st = GATE_HELLO_NONE;
                break;
            }
        }
        size_t take = rl < need - have ? rl : need - have;
        memcpy(hs + have, d + p + 5, take);
        have += take;
        p += 5 + rl;
        if (have == need)
            st = gate_hello_tls_handshake(hs, have, name);
    }
    free(hs);
    return st;
}

static bool header_is(const uint8_t *line, size_t ll, const char *field)
{
    size_t fl = strlen(field);
    if (ll <= fl || line[fl] != ':')
        return false;
    for (size_t i = 0; i < fl; i++) {
        unsigned char c = line[i];
        if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != (unsigned char)field[i])
            return false;
    }
    return true;
}

static gate_hello_status_t host_value(const uint8_t *v, size_t vl, char name[GATE_NAME_MAX])
{
    while (vl > 0 && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
        vl--;
    if (vl > 0 && v[0] == '[') { /* [v6]:port */
        const uint8_t *close = memchr(v, ']', vl);
        if (close == NULL)
            return GATE_HELLO_NONE;
        return gate_name_normalize((const char *)v + 1, (size_t)(close - v) - 1, name) ? GATE_HELLO_NAME : GATE_HELLO_NONE;
    }
    const uint8_t *colon = memchr(v, ':', vl);
    if (colon != NULL)
        vl = (size_t)(colon - v);
    return gate_name_normalize((const char *)v, vl, name) ? GATE_HELLO_NAME : GATE_HELLO_NONE;
}

gate_hello_status_t gate_hello_http_host(const uint8_t *d, size_t len, char name[GATE_NAME_MAX])
{
    if (len > GATE_HTTP_HEAD_MAX)
        len = GATE_HTTP_HEAD_MAX;
    size_t p = 0;
    bool first = true;
    while (p < len) {
        const uint8_t *nl = memchr(d + p, '\n', len - p);
        if (nl == NULL)
            return len == GATE_HTTP_HEAD_MAX ? GATE_HELLO_NONE : GATE_HELLO_MORE;
        size_t ll = (size_t)(nl - (d + p));
        if (ll > 0 && d[p + ll - 1] == '\r')
            ll--;
        if (ll == 0 && !first)
            return GATE_HELLO_NONE; /* end of the head without Host */
        if (!first && header_is(d + p, ll, "host"))
            return host_value(d + p + 5, ll - 5, name);
        first = false;
        p = (size_t)(nl - d) + 1;
    }
    return GATE_HELLO_MORE;
}
