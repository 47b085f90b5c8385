/* The header structure of RPM packages, which the signature header and the main header share
 * (rpm.org, "RPM file format" (docs/manual/format.md) and the layout of rpm's lib/header.c;
 * tag numbers and names from rpm's include/rpm/rpmtag.h: facts, no code). A header is a
 * 16-byte intro (magic 8e ad e8 01, 4 reserved bytes, then the index entry count and the data
 * store size, big-endian), the index (16 bytes an entry: tag, type, offset into the store,
 * count, big-endian) and the store. Types: 0 NULL, 1 CHAR, 2 INT8, 3 INT16, 4 INT32, 5 INT64
 * (count numbers), 6 STRING (one NUL-terminated string), 7 BIN (count bytes), 8 STRING_ARRAY and
 * 9 I18NSTRING (count NUL-terminated strings).
 *
 * Tags are named as rpmtag.h names them, without RPMTAG_; in the signature header the
 * RPMSIGTAG_* numbers 1000-1008 are named as rpm calls them once it has read a package
 * (SIGSIZE, SIGMD5, ...; PAYLOADSIZE and RESERVEDSPACE have no other name). A tag rpm does not
 * name is its number. Every entry's data are checked to lie inside the store, and the entries
 * together may not take more than the store holds (they never overlap in a package rpm wrote),
 * which also bounds the scanning for the strings' ends. */
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strbuf.h"
#include "rpm_internal.h"

#define DS_RPM_INTRO_SIZE 16u
#define DS_RPM_ENTRY_SIZE 16u
#define DS_RPM_TAGS_MAX 4096u        /* index entries of one header (rpm allows 65535; packages ~100) */
#define DS_RPM_STORE_MAX (16u << 20) /* data store bytes of one header (rpm's own bound) */
#define DS_RPM_STRING_MAX (1u << 20) /* bytes of one string of a tag */
#define DS_RPM_VALUE_MAX 200u        /* characters of a tag's value shown before it is cut */

enum { TYPE_NULL, TYPE_CHAR, TYPE_INT8, TYPE_INT16, TYPE_INT32, TYPE_INT64, TYPE_STRING, TYPE_BIN,
       TYPE_STRING_ARRAY, TYPE_I18NSTRING };

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const tags_61[] = {"HEADERIMAGE", "HEADERSIGNATURES", "HEADERIMMUTABLE", "HEADERREGIONS"};

static const char *const tags_256[] = {
    "SIG_BASE", "SIGSIZE", "SIGLEMD5_1", "SIGPGP", "SIGLEMD5_2", "SIGMD5", "SIGGPG", "SIGPGP5", "BADSHA1_1",
    "BADSHA1_2", "PUBKEYS", "DSAHEADER", "RSAHEADER", "SHA1HEADER", "LONGSIGSIZE", "LONGARCHIVESIZE", NULL,
    "SHA256HEADER", "FILESIGNATURES", "FILESIGNATURELENGTH", "VERITYSIGNATURES", "VERITYSIGNATUREALGO",
};

/* The signature header's 1000-1008 (RPMSIGTAG_SIZE ... RPMSIGTAG_RESERVEDSPACE). */
static const char *const sig_1000[] = {
    "SIGSIZE", "SIGLEMD5_1", "SIGPGP", "SIGLEMD5_2", "SIGMD5", "SIGGPG", "SIGPGP5", "PAYLOADSIZE", "RESERVEDSPACE",
};

static const char *const tags_1000[] = {
    "NAME", "VERSION", "RELEASE", "EPOCH", "SUMMARY", "DESCRIPTION", "BUILDTIME", "BUILDHOST", "INSTALLTIME",
    "SIZE", "DISTRIBUTION", "VENDOR", "GIF", "XPM", "LICENSE", "PACKAGER", "GROUP", "CHANGELOG", "SOURCE",
    "PATCH", "URL", "OS", "ARCH", "PREIN", "POSTIN", "PREUN", "POSTUN", "OLDFILENAMES", "FILESIZES",
    "FILESTATES", "FILEMODES", "FILEUIDS", "FILEGIDS", "FILERDEVS", "FILEMTIMES", "FILEDIGESTS",
    "FILELINKTOS", "FILEFLAGS", "ROOT", "FILEUSERNAME", "FILEGROUPNAME", "EXCLUDE", "EXCLUSIVE", "ICON",
    "SOURCERPM", "FILEVERIFYFLAGS", "ARCHIVESIZE", "PROVIDENAME", "REQUIREFLAGS", "REQUIRENAME",
    "REQUIREVERSION", "NOSOURCE", "NOPATCH", "CONFLICTFLAGS", "CONFLICTNAME", "CONFLICTVERSION",
    "DEFAULTPREFIX", "BUILDROOT", "INSTALLPREFIX", "EXCLUDEARCH", "EXCLUDEOS", "EXCLUSIVEARCH", "EXCLUSIVEOS",
    "AUTOREQPROV", "RPMVERSION", "TRIGGERSCRIPTS", "TRIGGERNAME", "TRIGGERVERSION", "TRIGGERFLAGS",
    "TRIGGERINDEX", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "VERIFYSCRIPT", "CHANGELOGTIME",
    "CHANGELOGNAME", "CHANGELOGTEXT", "BROKENMD5", "PREREQ", "PREINPROG", "POSTINPROG", "PREUNPROG",
    "POSTUNPROG", "BUILDARCHS", "OBSOLETENAME", "VERIFYSCRIPTPROG", "TRIGGERSCRIPTPROG", "DOCDIR", "COOKIE",
    "FILEDEVICES", "FILEINODES", "FILELANGS", "PREFIXES", "INSTPREFIXES", "TRIGGERIN", "TRIGGERUN",
    "TRIGGERPOSTUN", "AUTOREQ", "AUTOPROV", "CAPABILITY", "SOURCEPACKAGE", "OLDORIGFILENAMES", "BUILDPREREQ",
    "BUILDREQUIRES", "BUILDCONFLICTS", "BUILDMACROS", "PROVIDEFLAGS", "PROVIDEVERSION", "OBSOLETEFLAGS",
    "OBSOLETEVERSION", "DIRINDEXES", "BASENAMES", "DIRNAMES", "ORIGDIRINDEXES", "ORIGBASENAMES",
    "ORIGDIRNAMES", "OPTFLAGS", "DISTURL", "PAYLOADFORMAT", "PAYLOADCOMPRESSOR", "PAYLOADFLAGS",
    "INSTALLCOLOR", "INSTALLTID", "REMOVETID", "SHA1RHN", "RHNPLATFORM", "PLATFORM", "PATCHESNAME",
    "PATCHESFLAGS", "PATCHESVERSION", "CACHECTIME", "CACHEPKGPATH", "CACHEPKGSIZE", "CACHEPKGMTIME",
    "FILECOLORS", "FILECLASS", "CLASSDICT", "FILEDEPENDSX", "FILEDEPENDSN", "DEPENDSDICT", "SOURCEPKGID",
    "FILECONTEXTS", "FSCONTEXTS", "RECONTEXTS", "POLICIES", "PRETRANS", "POSTTRANS", "PRETRANSPROG",
    "POSTTRANSPROG", "DISTTAG", "OLDSUGGESTSNAME", "OLDSUGGESTSVERSION", "OLDSUGGESTSFLAGS",
    "OLDENHANCESNAME", "OLDENHANCESVERSION", "OLDENHANCESFLAGS", "PRIORITY", "CVSID", "BLINKPKGID",
    "BLINKHDRID", "BLINKNEVRA", "FLINKPKGID", "FLINKHDRID", "FLINKNEVRA", "PACKAGEORIGIN", "TRIGGERPREIN",
    "BUILDSUGGESTS", "BUILDENHANCES", "SCRIPTSTATES", "SCRIPTMETRICS", "BUILDCPUCLOCK", "FILEDIGESTALGOS",
    "VARIANTS", "XMAJOR", "XMINOR", "REPOTAG", "KEYWORDS", "BUILDPLATFORMS", "PACKAGECOLOR",
    "PACKAGEPREFCOLOR", "XATTRSDICT", "FILEXATTRSX", "DEPATTRSDICT", "CONFLICTATTRSX", "OBSOLETEATTRSX",
    "PROVIDEATTRSX", "REQUIREATTRSX", "BUILDPROVIDES", "BUILDOBSOLETES", "DBINSTANCE", "NVRA",
};

static const char *const tags_5000[] = {
    "FILENAMES", "FILEPROVIDE", "FILEREQUIRE", "FSNAMES", "FSSIZES", "TRIGGERCONDS", "TRIGGERTYPE",
    "ORIGFILENAMES", "LONGFILESIZES", "LONGSIZE", "FILECAPS", "FILEDIGESTALGO", "BUGURL", "EVR", "NVR",
    "NEVR", "NEVRA", "HEADERCOLOR", "VERBOSE", "EPOCHNUM", "PREINFLAGS", "POSTINFLAGS", "PREUNFLAGS",
    "POSTUNFLAGS", "PRETRANSFLAGS", "POSTTRANSFLAGS", "VERIFYSCRIPTFLAGS", "TRIGGERSCRIPTFLAGS", NULL,
    "COLLECTIONS", "POLICYNAMES", "POLICYTYPES", "POLICYTYPESINDEXES", "POLICYFLAGS", "VCS", "ORDERNAME",
    "ORDERVERSION", "ORDERFLAGS", "MSSFMANIFEST", "MSSFDOMAIN", "INSTFILENAMES", "REQUIRENEVRS",
    "PROVIDENEVRS", "OBSOLETENEVRS", "CONFLICTNEVRS", "FILENLINKS", "RECOMMENDNAME", "RECOMMENDVERSION",
    "RECOMMENDFLAGS", "SUGGESTNAME", "SUGGESTVERSION", "SUGGESTFLAGS", "SUPPLEMENTNAME", "SUPPLEMENTVERSION",
    "SUPPLEMENTFLAGS", "ENHANCENAME", "ENHANCEVERSION", "ENHANCEFLAGS", "RECOMMENDNEVRS", "SUGGESTNEVRS",
    "SUPPLEMENTNEVRS", "ENHANCENEVRS", "ENCODING", "FILETRIGGERIN", "FILETRIGGERUN", "FILETRIGGERPOSTUN",
    "FILETRIGGERSCRIPTS", "FILETRIGGERSCRIPTPROG", "FILETRIGGERSCRIPTFLAGS", "FILETRIGGERNAME",
    "FILETRIGGERINDEX", "FILETRIGGERVERSION", "FILETRIGGERFLAGS", "TRANSFILETRIGGERIN", "TRANSFILETRIGGERUN",
    "TRANSFILETRIGGERPOSTUN", "TRANSFILETRIGGERSCRIPTS", "TRANSFILETRIGGERSCRIPTPROG",
    "TRANSFILETRIGGERSCRIPTFLAGS", "TRANSFILETRIGGERNAME", "TRANSFILETRIGGERINDEX", "TRANSFILETRIGGERVERSION",
    "TRANSFILETRIGGERFLAGS", "REMOVEPATHPOSTFIXES", "FILETRIGGERPRIORITIES", "TRANSFILETRIGGERPRIORITIES",
    "FILETRIGGERCONDS", "FILETRIGGERTYPE", "TRANSFILETRIGGERCONDS", "TRANSFILETRIGGERTYPE", "FILESIGNATURES",
    "FILESIGNATURELENGTH", "PAYLOADDIGEST", "PAYLOADDIGESTALGO", "AUTOINSTALLED", "IDENTITY",
    "MODULARITYLABEL", "PAYLOADDIGESTALT", "ARCHSUFFIX", "SPEC", "TRANSLATIONURL", "UPSTREAMRELEASES",
    "SOURCELICENSE",
};

/* Main header tags that follow from the payload (the files' sizes, modes, times, digests,
 * classes) or from the header's own layout (the region trailers). */
static const uint32_t derived_main[] = {
    61, 62, 63, 1009, 1028, 1030, 1033, 1034, 1035, 1036, 1046, 1095, 1096, 1140, 1141, 1142, 1143, 1144, 1145,
    5008, 5009, 5090, 5092, 5097,
};

static const char *tag_name(bool signature, uint32_t tag)
{
    if (tag >= 61 && tag < 61 + COUNT_OF(tags_61))
        return tags_61[tag - 61];
    if (tag == 100)
        return "HEADERI18NTABLE";
    if (tag >= 256 && tag < 256 + COUNT_OF(tags_256))
        return tags_256[tag - 256];
    if (signature)
        return tag >= 1000 && tag < 1000 + COUNT_OF(sig_1000) ? sig_1000[tag - 1000] : NULL;
    if (tag >= 1000 && tag < 1000 + COUNT_OF(tags_1000))
        return tags_1000[tag - 1000];
    if (tag >= 5000 && tag < 5000 + COUNT_OF(tags_5000))
        return tags_5000[tag - 5000];
    return NULL;
}

/* Signature header: everything is a size, digest or signature of the header and payload but
 * the space reserved for signing and the public keys. */
static bool tag_derived(bool signature, uint32_t tag)
{
    if (signature)
        return tag != 1008 && tag != 266;
    for (size_t i = 0; i < COUNT_OF(derived_main); i++)
        if (derived_main[i] == tag)
            return true;
    return false;
}

int ds_rpm_header_open(ds_source_t *src, uint64_t at, bool signature, const char *layer, ds_rpm_header_t *h,
                       ds_error_t *err)
{
    memset(h, 0, sizeof *h);
    h->signature = signature;
    h->what = signature ? "rpm signature header" : "rpm main header";
    h->at = at;
    unsigned char intro[DS_RPM_INTRO_SIZE];
    int rc = ds_source_read(src, at, intro, sizeof intro, h->what, err);
    if (rc != DS_OK)
        return rc;
    const char *label = ds_source_label(src);
    if (memcmp(intro, "\x8e\xad\xe8\x01", 4) != 0)
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: %s at byte %" PRIu64 ": no header magic (8e ad e8 01)", label,
                            layer, h->what, at);
    h->count = ds_be32(intro + 8);
    h->store_size = ds_be32(intro + 12);
    if (h->count > DS_RPM_TAGS_MAX)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: %s at byte %" PRIu64 ": %" PRIu32 " index entries, more than %u",
                            label, layer, h->what, at, h->count, DS_RPM_TAGS_MAX);
    if (h->store_size > DS_RPM_STORE_MAX)
        return ds_error_set(err, DS_ERR_LIMIT, "%s: %s: %s at byte %" PRIu64 ": a data store of %" PRIu32
                            " bytes, more than %u", label, layer, h->what, at, h->store_size, DS_RPM_STORE_MAX);
    h->store_at = at + DS_RPM_INTRO_SIZE + (uint64_t)h->count * DS_RPM_ENTRY_SIZE;
    h->end = h->store_at + h->store_size;
    if (h->end > ds_source_size(src))
        return ds_error_set(err, DS_ERR_FORMAT, "%s: %s: %s at byte %" PRIu64 ": %" PRIu32 " index entries and %" PRIu32
                            " store bytes run past the end of the input at byte %" PRIu64 " (truncated)", label, layer,
                            h->what, at, h->count, h->store_size, ds_source_size(src));
    return DS_OK;
}

typedef struct entry {
    uint32_t tag, type, offset, count;
    uint32_t length;             /* data bytes, once checked */
    const unsigned char *index;  /* the entry's 16 index bytes */
    uint64_t index_at;           /* where they lie in the source */
} entry_t;

/* Checks the entry's data against the store and sets its length; NULL, or why it cannot be
 * read. *budget (the store bytes no entry has taken yet) bounds every string scan. */
static const char *entry_check(entry_t *e, const unsigned char *store, uint32_t store_size, uint64_t *budget)
{
    static const unsigned char sizes[] = {0, 1, 1, 2, 4, 8};
    if (e->offset > store_size)
        return "data offset outside the store";
    uint64_t left = store_size - e->offset;
    if (left > *budget)
        left = *budget;
    if (e->type <= TYPE_INT64 || e->type == TYPE_BIN) {
        uint64_t size = e->type == TYPE_BIN ? 1 : sizes[e->type];
        if (size > 0 && e->count > left / size)
            return "data run past the store (or over other entries' data)";
        e->length = (uint32_t)(size * e->count);
        *budget -= e->length;
        return NULL;
    }
    if (e->type > TYPE_I18NSTRING)
        return "unknown data type";
    if (e->type == TYPE_STRING && e->count != 1)
        return "a STRING entry whose count is not 1";
    if (e->count > left)
        return "more strings than store bytes";
    uint64_t pos = 0;
    for (uint32_t i = 0; i < e->count; i++) {
        uint64_t span = left - pos > DS_RPM_STRING_MAX + 1u ? DS_RPM_STRING_MAX + 1u : left - pos;
        const unsigned char *nul = memchr(store + e->offset + pos, 0, (size_t)span);
        if (nul == NULL) {
            *budget -= pos + span;
            return span > DS_RPM_STRING_MAX ? "a string longer than the limit" : "a string runs past the store";
        }
        pos += (uint64_t)(nul - (store + e->offset + pos)) + 1;
    }
    e->length = (uint32_t)pos;
    *budget -= pos;
    return NULL;
}

static uint64_t number_at(uint32_t type, const unsigned char *p)
{
    return type == TYPE_INT16   ? ds_be16(p)
           : type == TYPE_INT32 ? ds_be32(p)
           : type == TYPE_INT64 ? (uint64_t)ds_be32(p) << 32 | ds_be32(p + 4)
                                : p[0];
}

/* The entry's data for people, cut near DS_RPM_VALUE_MAX characters; *cut when it was. */
static void render(ds_strbuf_t *sb, const entry_t *e, const unsigned char *data, bool *cut)
{
    static const unsigned char sizes[] = {0, 1, 1, 2, 4, 8};
    *cut = false;
    if (e->type == TYPE_BIN) {
        for (uint32_t i = 0; i < e->length && !*cut; i++) {
            *cut = sb->len + 2 > DS_RPM_VALUE_MAX;
            if (!*cut)
                ds_strbuf_printf(sb, "%02x", data[i]);
        }
    } else if (e->type >= TYPE_CHAR && e->type <= TYPE_INT64) {
        for (uint32_t i = 0; i < e->count && !*cut; i++) {
            *cut = sb->len > DS_RPM_VALUE_MAX;
            if (!*cut) {
                ds_strbuf_printf(sb, "%s%" PRIu64, i ? ", " : "", number_at(e->type, data + (size_t)i * sizes[e->type]));
            }
        }
    } else if (e->type >= TYPE_STRING) {
        uint32_t pos = 0;
        for (uint32_t i = 0; i < e->count && !*cut; i++) {
            size_t n = strlen((const char *)data + pos);
            size_t room = sb->len < DS_RPM_VALUE_MAX ? DS_RPM_VALUE_MAX - sb->len : 0;
            ds_strbuf_puts(sb, i ? ", " : "");
            ds_strbuf_escape_line(sb, (const char *)data + pos, n < room ? n : room);
            *cut = n > room;
            pos += (uint32_t)n + 1;
        }
    }
}

static void sha256_hex(const unsigned char *data, size_t len, char *hex)
{
    unsigned char digest[32];
    unsigned int n = 0;
    hex[0] = '\0';
    if (EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) != 1)
        return;
    for (unsigned i = 0; i < n && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* "@rpm.tag.BUILDTIME", "@rpm.sig.SIGMD5", "@rpm.tag.5103", "#2" for a tag seen again. */
static void entry_names(const ds_rpm_header_t *h, uint32_t tag, unsigned seen, char *location, size_t size,
                        char *label, size_t label_size)
{
    const char *name = tag_name(h->signature, tag);
    char number[16];
    snprintf(number, sizeof number, "%" PRIu32, tag);
    snprintf(location, size, "@rpm.%s.%s", h->signature ? "sig" : "tag", name ? name : number);
    if (seen > 1)
        snprintf(location + strlen(location), size - strlen(location), "#%u", seen);
    snprintf(label, label_size, "%s (%stag %" PRIu32 ")", name ? name : "tag", h->signature ? "signature " : "", tag);
}

/* One entry as a field: its data, or its index bytes and why its data are not read. */
static void entry_field(const ds_rpm_header_t *h, entry_t *e, unsigned seen, const unsigned char *store,
                        uint64_t *budget, ds_fields_t *fields)
{
    char location[64], label[64];
    entry_names(h, e->tag, seen, location, sizeof location, label, sizeof label);
    const char *damage = entry_check(e, store, h->store_size, budget);
    if (damage != NULL) {
        ds_fields_add(fields, location + 1, location, label, e->index_at, e->index, DS_RPM_ENTRY_SIZE,
                      "damaged: %s (type %" PRIu32 ", offset %" PRIu32 ", count %" PRIu32 ")", damage, e->type,
                      e->offset, e->count);
        return;
    }
    const unsigned char *data = store + e->offset;
    uint64_t at = h->store_at + e->offset;
    ds_field_t *f;
    bool integer = e->type >= TYPE_CHAR && e->type <= TYPE_INT64;
    if (integer && e->count == 1 && number_at(e->type, data) <= INT64_MAX) {
        f = ds_fields_add_number(fields, location + 1, location, label, at, data, e->length,
                                 (int64_t)number_at(e->type, data));
    } else {
        ds_strbuf_t text = {0};
        bool cut = false;
        render(&text, e, data, &cut);
        /* Past DS_FIELD_RAW_MAX only the value tells two fields apart: it carries a digest. */
        if (cut || e->length > DS_FIELD_RAW_MAX) {
            char hex[65];
            sha256_hex(data, e->length, hex);
            ds_strbuf_printf(&text, "%s(%" PRIu32 " bytes, sha256 %s)", text.len ? " ... " : "", e->length, hex);
        }
        f = ds_fields_add(fields, location + 1, location, label, at, data, e->length, "%s", ds_strbuf_text(&text));
        ds_strbuf_free(&text);
    }
    if (f != NULL)
        f->derived = tag_derived(h->signature, e->tag);
}

int ds_rpm_header_fields(ds_source_t *src, const ds_rpm_header_t *h, const char *layer, ds_fields_t *fields,
                         ds_error_t *err)
{
    size_t index_size = (size_t)h->count * DS_RPM_ENTRY_SIZE;
    unsigned char *index = malloc(index_size + 1), *store = malloc((size_t)h->store_size + 1);
    int rc = index && store ? DS_OK : ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory", layer, h->what);
    if (rc == DS_OK)
        rc = ds_source_read(src, h->at + DS_RPM_INTRO_SIZE, index, index_size, h->what, err);
    if (rc == DS_OK)
        rc = ds_source_read(src, h->store_at, store, h->store_size, h->what, err);
    uint64_t budget = h->store_size;
    for (uint32_t i = 0; rc == DS_OK && i < h->count; i++) {
        const unsigned char *p = index + (size_t)i * DS_RPM_ENTRY_SIZE;
        entry_t e = {.tag = ds_be32(p), .type = ds_be32(p + 4), .offset = ds_be32(p + 8), .count = ds_be32(p + 12),
                     .index = p, .index_at = h->at + DS_RPM_INTRO_SIZE + (uint64_t)i * DS_RPM_ENTRY_SIZE};
        unsigned seen = 1;
        for (uint32_t k = 0; k < i; k++)
            seen += ds_be32(index + (size_t)k * DS_RPM_ENTRY_SIZE) == e.tag;
        entry_field(h, &e, seen, store, &budget, fields);
        if (fields->failed)
            rc = ds_error_set(err, DS_ERR_NOMEM, "%s: %s: out of memory", layer, h->what);
    }
    free(index);
    free(store);
    return rc;
}
