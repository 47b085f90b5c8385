/* Generated caches and binary databases in the root file system (CAUSES.md table 1e, and the
 * same files inside an initrd, 1d): where each lives and what its bytes show when the build is
 * the only thing that changed. Byte layouts, each from its upstream source:
 *   fontconfig cache: struct _FcCache, FC_CACHE_MAGIC_MMAP 0xFC02FC04 (fontconfig src/fcint.h);
 *     on LP64 checksum (the directory mtime) at 48..51, checksum_nano at 56..63.
 *   ldconfig aux-cache: AUX_CACHEMAGIC "glibc-ld.so.auxcache-" (glibc elf/cache.c).
 *   man-db index.db: a gdbm file, magic 0x13579ace..0x13579ad1 (gdbm src/gdbmconst.h).
 *   APT pkgcache.bin: pkgCache::Header, Signature 0x98FE76DC (apt apt-pkg/pkgcache.h).
 *   GTK icon cache: MAJOR_VERSION 1, MINOR_VERSION 0 as big-endian 16-bit words, then the
 *     hash and directory-list offsets (gtk docs/iconcache.txt).
 *   libxmlb silo: XbSiloHeader {magic "XMLb", version, guid[16]} (libxmlb src/xb-silo-private.h).
 *   PNG: the 8-byte signature, then chunks {length, type, data, CRC} (PNG spec 5.2-5.3, 11.3.4.6
 *     tIME, 11.3.4.3 tEXt).
 *   pyc: 16-byte header (PEP 552), then marshal data whose type bytes carry FLAG_REF 0x80 and
 *     whose TYPE_REF 'r' is followed by a 4-byte index (CPython Python/marshal.c).
 *   Berkeley DB: the metadata page, magic at 12..15, the file uid at 52..71 (db5.3 dbinc/db_page.h
 *     DBMETA).
 *   Java keystore: JKS magic 0xFEEDFEED, version, count, entries {tag, alias, date (ms), ...},
 *     then a 20-byte SHA-1 (OpenJDK sun/security/provider/JavaKeyStore.java, engineStore).
 *   TeX format: web2c's format magic "W2TX", the first word dumped (TeX Live texk/web2c/tex.ch,
 *     dump_int(@"57325458)); web2c writes formats gzip-compressed.
 *   UUIDs: RFC 4122 4.4: version nibble 4 at byte 6, variant bits 10 at byte 8. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signatures_caches_internal.h"
#include "date_lines.h"
#include "signatures_internal.h"

static bool fontconfig_cache(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    static const unsigned char magic[4] = {0x04, 0xfc, 0x02, 0xfc};
    unsigned char ha[64], hb[64];
    if (!ds_pair_head(a, b, ha, hb, sizeof ha) || memcmp(ha, magic, 4) != 0 || memcmp(hb, magic, 4) != 0)
        return false;
    ds_pair_t p = {0};
    ds_span_t s = ds_pair_load(a, b, DS_SIGNATURE_READ_MAX, &p) ? ds_pair_span(&p) : (ds_span_t){0};
    if (p.a != NULL && p.na == p.nb && s.first >= 48 && s.last < 64)
        snprintf(detail, size, "fontconfig caches (magic 0xFC02FC04) differ only in bytes %zu-%zu: the "
                 "directory mtime the cache records (checksum, checksum_nano)", s.first, s.last);
    else if (p.a != NULL)
        snprintf(detail, size, "both are fontconfig caches (magic 0xFC02FC04); %zu bytes differ, the first at %zu",
                 s.count, s.first);
    else
        snprintf(detail, size, "both are fontconfig caches (magic 0xFC02FC04)");
    ds_pair_free(&p);
    return true;
}

static bool fontconfig_uuid(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    if (!ds_uuid_text_pair(a, b))
        return false;
    snprintf(detail, size, "the font directory's .uuid holds another random UUID on each side");
    return true;
}

static bool ldconfig_aux(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    static const char magic[] = "glibc-ld.so.auxcache-";
    unsigned char ha[sizeof magic - 1], hb[sizeof magic - 1];
    if (!ds_pair_head(a, b, ha, hb, sizeof ha) || memcmp(ha, magic, sizeof ha) != 0 || memcmp(hb, magic, sizeof hb) != 0)
        return false;
    snprintf(detail, size, "both are ldconfig auxiliary caches (\"glibc-ld.so.auxcache-\"): they record the device, "
             "inode and ctime of each library, which no two builds share");
    return true;
}

static bool gdbm_magic(const unsigned char *h)
{
    uint32_t le = ds_le32(h), be = ds_be32(h);
    return (le >= 0x13579aceu && le <= 0x13579ad1u) || (be >= 0x13579aceu && be <= 0x13579ad1u);
}

static bool man_db(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    unsigned char ha[4], hb[4];
    if (!ds_pair_head(a, b, ha, hb, 4) || !gdbm_magic(ha) || !gdbm_magic(hb))
        return false;
    snprintf(detail, size, "both are gdbm databases (magic 0x%08X): man-db's index, rebuilt by mandb at build time",
             (unsigned)ds_le32(ha));
    return true;
}

static bool apt_cache(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    unsigned char ha[8], hb[8];
    if (!ds_pair_head(a, b, ha, hb, 8) || ds_le32(ha) != 0x98FE76DCu || ds_le32(hb) != 0x98FE76DCu)
        return false;
    snprintf(detail, size, "both are APT binary caches (pkgCache signature 0x98FE76DC, version %u.%u / %u.%u): "
             "they record the mtimes and layout of the lists they were built from",
             ha[4] | ha[5] << 8, ha[6] | ha[7] << 8, hb[4] | hb[5] << 8, hb[6] | hb[7] << 8);
    return true;
}

/* A Release or InRelease file (a "Date:" line in its first 64 KiB), or a Packages or Sources
 * index (a "Package:" or "Source:" line in its head), on both sides. */
static bool apt_list_kind(ds_source_t *src, char *date, size_t size)
{
    char first[16];
    date[0] = '\0';
    return ds_head_field(src, "Date:", date, size) || ds_head_field(src, "Package:", first, sizeof first) ||
           ds_head_field(src, "Source:", first, sizeof first);
}

static bool apt_lists(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    char da[64], db[64];
    if (!apt_list_kind(a, da, sizeof da) || !apt_list_kind(b, db, sizeof db))
        return false;
    if (da[0] != '\0' && db[0] != '\0')
        snprintf(detail, size, "an APT list: the archive's Date: '%s' / '%s'", da, db);
    else
        snprintf(detail, size, "an APT package index list (Package: stanzas): the archive as it was at the build");
    return true;
}

static bool gtk_icon_cache(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    unsigned char ha[12], hb[12];
    if (!ds_pair_head(a, b, ha, hb, 12))
        return false;
    const unsigned char *h[2] = {ha, hb};
    uint64_t n[2] = {ds_source_size(a), ds_source_size(b)};
    for (int i = 0; i < 2; i++)
        if (ds_be16(h[i]) != 1 || ds_be16(h[i] + 2) != 0 || ds_be32(h[i] + 4) >= n[i] || ds_be32(h[i] + 8) >= n[i])
            return false;
    snprintf(detail, size, "both are GTK icon caches (version 1.0, hash at %u / %u, directories at %u / %u): "
             "their hash chains follow the order the theme's directories were read in",
             (unsigned)ds_be32(ha + 4), (unsigned)ds_be32(hb + 4), (unsigned)ds_be32(ha + 8), (unsigned)ds_be32(hb + 8));
    return true;
}

static bool xmlb_guid(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    ds_pair_t p = {0};
    if (!ds_pair_load(a, b, DS_SIGNATURE_READ_MAX, &p))
        return false;
    bool ok = p.na == p.nb && p.na >= 32 && memcmp(p.a, "XMLb", 4) == 0 && memcmp(p.b, "XMLb", 4) == 0;
    ds_span_t s = ok ? ds_pair_span(&p) : (ds_span_t){0};
    ok = ok && s.count > 0 && s.first >= 8 && s.last <= 23;
    if (ok)
        snprintf(detail, size, "libxmlb silos (magic XMLb) of the same size differ only in bytes 8-23, the "
                 "silo GUID (%zu bytes)", s.count);
    ds_pair_free(&p);
    return ok;
}

static bool random_uuid(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    ds_pair_t p = {0};
    if (ds_source_size(a) != ds_source_size(b) || !ds_pair_load(a, b, DS_UUID_SCAN_MAX, &p))
        return false;
    size_t text = 0, binary = 0;
    bool ok = ds_uuid_only(&p, &text, &binary);
    if (ok)
        snprintf(detail, size, "the only differing bytes are %zu random (version 4) UUID%s: %zu as text, %zu as "
                 "16 bytes", text + binary, text + binary == 1 ? "" : "s", text, binary);
    ds_pair_free(&p);
    return ok;
}

static bool cache_order(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    ds_pair_t p = {0};
    if (ds_source_size(a) != ds_source_size(b) || !ds_pair_load(a, b, DS_SIGNATURE_READ_MAX, &p))
        return false;
    size_t lines = 0;
    bool ok = ds_lines_permuted(&p, &lines);
    if (ok)
        snprintf(detail, size, "the same %zu lines in another order: the generator wrote them in readdir or "
                 "hash-table order", lines);
    ds_pair_free(&p);
    return ok;
}

static bool tex_log(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    ds_pair_t p = {0};
    if (!ds_pair_load(a, b, DS_SIGNATURE_READ_MAX, &p))
        return false;
    ds_date_lines_t d = {.unit = "line"};
    bool ok = memchr(p.a, '\0', p.na) == NULL && memchr(p.b, '\0', p.nb) == NULL &&
              ds_date_lines_judge((const char *)p.a, p.na, (const char *)p.b, p.nb, &d) == 0 && ds_date_lines_only(&d);
    if (ok) {
        char what[300];
        ds_date_lines_describe(&d, what, sizeof what);
        snprintf(detail, size, "a TeX log whose differing lines are dates: %s", what);
    }
    ds_pair_free(&p);
    return ok;
}

/* A TeX format dump (gzip-compressed by web2c: the payload reaches here with the file's path). */
static bool tex_format(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    unsigned char ha[4], hb[4];
    if (!ds_pair_head(a, b, ha, hb, 4) || memcmp(ha, "W2TX", 4) != 0 || memcmp(hb, "W2TX", 4) != 0)
        return false;
    snprintf(detail, size, "TeX format dumps (web2c magic W2TX): small binary differences (dump time, Lua hash "
             "order, paths)");
    return true;
}

static bool png_time(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    ds_pair_t p = {0};
    if (!ds_pair_load(a, b, DS_SIGNATURE_READ_MAX, &p))
        return false;
    char what[160];
    bool ok = ds_png_only_time(&p, what, sizeof what);
    if (ok)
        snprintf(detail, size, "PNG chunk walk: only %s differ", what);
    ds_pair_free(&p);
    return ok;
}

static bool pyc_flag_ref(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    ds_pair_t p = {0};
    if (ds_source_size(a) != ds_source_size(b) || !ds_pair_load(a, b, DS_SIGNATURE_READ_MAX, &p))
        return false;
    size_t flags = 0, refs = 0;
    bool ok = ds_pyc_flag_ref_only(&p, &flags, &refs);
    if (ok)
        snprintf(detail, size, "same header and length; %zu marshal type byte%s differ only in FLAG_REF (0x80), "
                 "%zu TYPE_REF index byte%s follow", flags, flags == 1 ? "" : "s", refs, refs == 1 ? "" : "s");
    ds_pair_free(&p);
    return ok;
}

static bool berkeley_db(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    unsigned char ha[72], hb[72];
    if (!ds_pair_head(a, b, ha, hb, sizeof ha))
        return false;
    uint32_t magic = ds_bdb_magic(ha);
    if (magic == 0 || ds_bdb_magic(hb) == 0)
        return false;
    bool uid = memcmp(ha + 52, hb + 52, 20) != 0;
    snprintf(detail, size, "both are Berkeley DB files (magic 0x%06X)%s", (unsigned)magic,
             uid ? "; the file uid of the metadata page (bytes 52-71) differs" : "");
    return true;
}

static bool java_keystore(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    ds_pair_t p = {0};
    if (!ds_pair_load(a, b, DS_SIGNATURE_READ_MAX, &p))
        return false;
    size_t entries = 0;
    bool ok = ds_jks_only_dates(&p, &entries);
    if (ok)
        snprintf(detail, size, "JKS keystores with the same %zu entries differ only in the entries' creation "
                 "dates and the SHA-1 over the file", entries);
    ds_pair_free(&p);
    return ok;
}

#define FONTCONFIG_CACHES "/var/cache/fontconfig/*|*/fontconfig/*.cache-*"
#define ORDERED_CACHES                                                                                          \
    "*/gdk-pixbuf-2.0/*/loaders.cache|*/gio/modules/giomodule.cache|*/immodules.cache|*/mimeinfo.cache|"        \
    "*/XML/SAX/ParserDetails.ini|*/emacsen-ispell-dicts.el|/var/lib/texmf/ls-R|*/vlc/plugins/plugins.dat|"      \
    "/usr/share/info/dir"

static const ds_signature_t rules[] = {
    {"/var/cache/ldconfig/aux-cache", DS_CAUSE_LDCONFIG_AUX_CACHE, "certain", ldconfig_aux, "ldconfig's auxiliary cache"},
    {"/var/cache/ldconfig/aux-cache", DS_CAUSE_LDCONFIG_AUX_CACHE, "likely", NULL, "ldconfig's auxiliary cache"},
    {FONTCONFIG_CACHES, DS_CAUSE_FONTCONFIG_CACHE, "certain", fontconfig_cache, "a fontconfig cache"},
    {"*/.uuid", DS_CAUSE_FONTCONFIG_CACHE, "certain", fontconfig_uuid, "a fontconfig directory UUID"},
    {FONTCONFIG_CACHES, DS_CAUSE_FONTCONFIG_CACHE, "likely", NULL, "a fontconfig cache"},
    {"*/.uuid", DS_CAUSE_FONTCONFIG_CACHE, "likely", NULL, "a fontconfig directory UUID"},
    {"/var/cache/man/*", DS_CAUSE_MAN_DB_INDEX, "certain", man_db, "a man-db index (gdbm)"},
    {"/var/cache/man/*", DS_CAUSE_MAN_DB_INDEX, "likely", NULL, "a man-db index"},
    {"/var/cache/apt/*.bin", DS_CAUSE_APT_CACHE, "certain", apt_cache, "an APT binary cache"},
    {"/var/lib/apt/lists/*", DS_CAUSE_APT_CACHE, "certain", apt_lists, "an APT list (a Release with Date:, a Packages index)"},
    {"/var/cache/apt/*.bin|/var/lib/apt/lists/*", DS_CAUSE_APT_CACHE, "likely", NULL, "an APT cache or list"},
    {"*/icons/*/icon-theme.cache", DS_CAUSE_GTK_ICON_CACHE, "certain", gtk_icon_cache, "a GTK icon cache"},
    {"*/icons/*/icon-theme.cache", DS_CAUSE_GTK_ICON_CACHE, "likely", NULL, "a GTK icon cache"},
    {"/var/cache/swcatalog/cache/*.xb|/var/cache/app-info/cache/*.xb", DS_CAUSE_XMLB_GUID, "certain", xmlb_guid,
     "the GUID of a libxmlb silo"},
    {ORDERED_CACHES, DS_CAUSE_CACHE_ORDER, "certain", cache_order, "a generated cache's lines in another order"},
    {"/var/lib/texmf/*.fmt", DS_CAUSE_TEX_FORMAT, "likely", tex_format, "a TeX format dump (W2TX)"},
    {"/var/lib/texmf/*.log", DS_CAUSE_TEX_FORMAT, "certain", tex_log, "a TeX log with dates"},
    {"/etc/ssl/certs/java/cacerts", DS_CAUSE_JAVA_CACERTS, "certain", java_keystore, "the Java cacerts keystore"},
    {"/etc/ssl/certs/java/cacerts", DS_CAUSE_JAVA_CACERTS, "likely", NULL, "the Java cacerts keystore"},
    {"*.png", DS_CAUSE_PNG_TIMESTAMP, "certain", png_time, "a PNG's tIME or date text chunk"},
    {"*.pyc", DS_CAUSE_PYC_MARSHAL_REF, "likely", pyc_flag_ref, "marshal FLAG_REF bits in a .pyc"},
    {"*.db", DS_CAUSE_BERKELEY_DB, "likely", berkeley_db, "a Berkeley DB file"},
    /* Last: any path, for the UUIDs maintainer scripts write into caches of their own. */
    {NULL, DS_CAUSE_RANDOM_UUID, "likely", random_uuid, "random (version 4) UUIDs"},
};

const ds_signature_t *ds_signatures_caches(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}
