/* Image-level files on the ISO, outside the squashfs (CAUSES.md table 1f: .disk/info, the
 * archive trace, boot menus, the recorded xorriso command line, the on-image repository) and
 * the kernel and its modules (1g).
 *
 * Layouts followed:
 * - live-build's .disk/info: one line ending "Binary YYYYMMDD-HH:MM" (scripts/build/binary_disk,
 *   `date -d @SOURCE_DATE_EPOCH +%Y%m%d-%H:%M`).
 * - the Linux/x86 boot protocol (Documentation/arch/x86/boot.rst): setup_sects at 0x1F1 (0 means
 *   4), boot_flag 0xAA55 at 0x1FE, "HdrS" at 0x202, the protocol version at 0x206, and at 0x20E
 *   kernel_version, the offset of a NUL-terminated version string less 0x200, inside the setup
 *   sectors. arch/x86/boot/version.c writes it as UTS_RELEASE " (" user "@" host ") " UTS_VERSION.
 * - an appended module signature (include/linux/module_signature.h, scripts/sign-file.c): the
 *   module, the signer's name, the key id, the signature (PKCS#7 DER), then the 12-byte struct
 *   module_signature {u8 algo, hash, id_type, signer_len, key_id_len, pad[3]; be32 sig_len} and
 *   the 28 bytes "~Module signature appended~\n". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date_lines.h"
#include "checksum_list.h"
#include "signatures_internal.h"

#define TEXT_MAX (1u << 20)       /* an image-level text file examined whole, at most */
#define SETUP_HEADER_END 0x270u   /* the setup header read from a bzImage, up to and past 0x264 */
#define KERNEL_VERSION_MAX 256u   /* bytes of the version string read */
#define MODSIG_MAGIC "~Module signature appended~\n"
#define MODSIG_MAGIC_LEN 28u
#define MODSIG_INFO_LEN 12u
#define MODSIG_PKCS7 2u           /* enum pkey_id_type: PKEY_ID_PKCS7 */
#define COMPARE_WINDOW (64u << 10)

/* Both sides as text (no NUL), at most max bytes each; the caller frees both. */
static bool load_texts(ds_source_t *a, ds_source_t *b, size_t max, char **ta, size_t *na, char **tb, size_t *nb)
{
    *ta = (char *)ds_signature_load(a, max, na);
    *tb = (char *)ds_signature_load(b, max, nb);
    if (*ta != NULL && *tb != NULL && memchr(*ta, 0, *na) == NULL && memchr(*tb, 0, *nb) == NULL)
        return true;
    free(*ta);
    free(*tb);
    *ta = *tb = NULL;
    return false;
}

/* The line at *pos of text[0..len) (without its newline); false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len)
        return false;
    const char *nl = memchr(text + *pos, '\n', len - *pos);
    *line = text + *pos;
    *n = nl != NULL ? (size_t)(nl - *line) : len - *pos;
    *pos += *n + (nl != NULL);
    return true;
}

/* --- .disk/info: "... Binary YYYYMMDD-HH:MM" ------------------------------------------------ */

static bool binary_stamp(const char *text, size_t len, size_t *at)
{
    static const char word[] = "Binary ";
    for (size_t i = 0; i + sizeof word - 1 + 14 <= len; i++) {
        if (memcmp(text + i, word, sizeof word - 1) != 0)
            continue;
        const char *s = text + i + sizeof word - 1;
        bool ok = true;
        for (size_t k = 0; k < 14 && ok; k++)
            ok = k == 8 ? s[k] == '-' : k == 11 ? s[k] == ':' : s[k] >= '0' && s[k] <= '9';
        if (ok) {
            *at = (size_t)(s - text);
            return true;
        }
    }
    return false;
}

static bool check_disk_info(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    char *ta, *tb;
    size_t na, nb, at_a = 0, at_b = 0;
    if (!load_texts(a, b, 4096, &ta, &na, &tb, &nb))
        return false;
    bool ok = na == nb && binary_stamp(ta, na, &at_a) && binary_stamp(tb, nb, &at_b) && at_a == at_b &&
              memcmp(ta, tb, at_a) == 0 && memcmp(ta + at_a + 14, tb + at_b + 14, na - at_a - 14) == 0 &&
              memcmp(ta + at_a, tb + at_b, 14) != 0;
    if (ok)
        snprintf(detail, size, "only the build stamp after \"Binary\" differs: %.14s / %.14s", ta + at_a, tb + at_b);
    free(ta);
    free(tb);
    return ok;
}

/* --- key: value files whose differing lines are all of a few keys --------------------------- */

typedef bool (*key_fn)(const char *line, size_t n);

static bool has_prefix(const char *line, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);
    return n >= m && memcmp(line, prefix, m) == 0;
}

/* The master trace file of a Debian archive (ftpsync/dak): the date and serial of the run. */
static bool trace_key(const char *line, size_t n)
{
    return has_prefix(line, n, "Date:") || has_prefix(line, n, "Date-Started:") ||
           has_prefix(line, n, "Archive serial:");
}

/* A Release file of the repository live-build puts on the image (apt-ftparchive release). */
static bool release_key(const char *line, size_t n)
{
    return has_prefix(line, n, "Date:") || has_prefix(line, n, "Description: Last updated:");
}

static bool keyed_lines_only(ds_source_t *a, ds_source_t *b, key_fn key, const char *what, char *detail, size_t size)
{
    char *ta, *tb;
    size_t na, nb;
    if (!load_texts(a, b, TEXT_MAX, &ta, &na, &tb, &nb))
        return false;
    size_t pa = 0, pb = 0, la, lb, differing = 0;
    const char *xa, *xb;
    char first[64] = "";
    bool ok = true, more_a, more_b;
    while (ok) {
        /* both sides advance every time: a line one side lacks ends the match */
        more_a = next_line(ta, na, &pa, &xa, &la);
        more_b = next_line(tb, nb, &pb, &xb, &lb);
        if (!more_a && !more_b)
            break;
        ok = more_a && more_b;
        if (!ok || (la == lb && memcmp(xa, xb, la) == 0))
            continue;
        size_t ka = strcspn(xa, ":\n"), kb = strcspn(xb, ":\n");
        ok = ka == kb && ka < la && memcmp(xa, xb, ka) == 0 && key(xa, la) && key(xb, lb);
        if (ok && differing++ == 0)
            snprintf(first, sizeof first, "%.*s", (int)(ka < 40 ? ka : 40), xa);
    }
    ok = ok && differing > 0;
    if (ok)
        snprintf(detail, size, "%s: only %zu dated line%s differ (the first: %s:)", what, differing,
                 differing == 1 ? "" : "s", first);
    free(ta);
    free(tb);
    return ok;
}

static bool check_archive_trace(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    return keyed_lines_only(a, b, trace_key, "the archive's trace", detail, size);
}

static bool check_release(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    return keyed_lines_only(a, b, release_key, "an APT Release file", detail, size);
}

/* --- boot menus and splash sources: lines that differ only in dates ------------------------ */

static bool check_boot_menu(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    char *ta, *tb;
    size_t na, nb;
    if (!load_texts(a, b, TEXT_MAX, &ta, &na, &tb, &nb))
        return false;
    ds_date_lines_t d = {.unit = "line"};
    bool ok = ds_date_lines_judge(ta, na, tb, nb, &d) == 0 && ds_date_lines_only(&d);
    if (ok) {
        char what[240];
        ds_date_lines_describe(&d, what, sizeof what);
        snprintf(detail, size, "a boot menu's build date: %s", what);
    }
    free(ta);
    free(tb);
    return ok;
}

/* --- .disk/mkisofs: the command line the ISO was made with --------------------------------- */

static const char *token(const char *p, size_t *n)
{
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    *n = strcspn(p, " \t\n");
    return p;
}

static bool iso_maker(const char *text)
{
    size_t n;
    const char *t = token(text, &n);
    static const char *const tools[] = {"xorriso", "xorrisofs", "mkisofs", "genisoimage"};
    const char *base = t;
    for (size_t i = 0; i < n; i++)
        if (t[i] == '/')
            base = t + i + 1;
    size_t m = n - (size_t)(base - t);
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        if (m == strlen(tools[i]) && memcmp(base, tools[i], m) == 0)
            return true;
    return false;
}

static bool check_mkisofs(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    char *ta, *tb;
    size_t na, nb;
    if (!load_texts(a, b, TEXT_MAX, &ta, &na, &tb, &nb))
        return false;
    bool ok = iso_maker(ta) && iso_maker(tb);
    const char *pa = ta, *pb = tb;
    size_t la = 0, lb = 0;
    while (ok) {
        pa = token(pa + la, &la);
        pb = token(pb + lb, &lb);
        if (la == 0 || lb == 0 || la != lb || memcmp(pa, pb, la) != 0)
            break;
    }
    ok = ok && (la != 0 || lb != 0);
    if (ok)
        snprintf(detail, size, "the recorded ISO-maker command lines differ first at '%.*s' / '%.*s'",
                 (int)(la < 60 ? la : 60), pa, (int)(lb < 60 ? lb : 60), pb);
    free(ta);
    free(tb);
    return ok;
}

/* --- live/vmlinuz: the bzImage's kernel_version string ------------------------------------ */

typedef struct kernel_version {
    char text[KERNEL_VERSION_MAX + 1];
    unsigned setup_sects, protocol;
} kernel_version_t;

static unsigned le16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }

static bool read_kernel_version(ds_source_t *src, kernel_version_t *kv)
{
    unsigned char h[SETUP_HEADER_END];
    uint64_t size = ds_source_size(src);
    if (size < sizeof h || ds_source_read(src, 0, h, sizeof h, "bzImage", NULL) != 0)
        return false;
    if (le16(h + 0x1FE) != 0xAA55 || memcmp(h + 0x202, "HdrS", 4) != 0 || le16(h + 0x206) < 0x0200)
        return false;
    kv->protocol = le16(h + 0x206);
    kv->setup_sects = h[0x1F1] != 0 ? h[0x1F1] : 4;
    uint64_t setup_len = (uint64_t)(kv->setup_sects + 1) * 512, at = (uint64_t)le16(h + 0x20E) + 0x200;
    if (le16(h + 0x20E) == 0 || at >= setup_len || at >= size)
        return false;
    uint64_t end = setup_len < size ? setup_len : size;
    size_t n = end - at < KERNEL_VERSION_MAX ? (size_t)(end - at) : KERNEL_VERSION_MAX;
    memset(kv->text, 0, sizeof kv->text);
    if (ds_source_read(src, at, kv->text, n, "bzImage", NULL) != 0 || strlen(kv->text) == n || kv->text[0] == '\0')
        return false;
    for (const char *p = kv->text; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            return false;
    return true;
}

/* "6.1.0 (user@host) #1 SMP ..." cut into the release, "user@host" and the version after it. */
static bool split_version(char *text, char **release, char **who, char **version)
{
    char *open = strstr(text, " ("), *close = open ? strstr(open, ") #") : NULL;
    if (open == NULL || close == NULL || memchr(open, '@', (size_t)(close - open)) == NULL)
        return false;
    *open = '\0';
    *close = '\0';
    *release = text;
    *who = open + 2;
    *version = close + 2;
    return true;
}

static bool check_kernel(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    kernel_version_t ka, kb;
    if (!read_kernel_version(a, &ka) || !read_kernel_version(b, &kb) || ka.protocol != kb.protocol ||
        ka.setup_sects != kb.setup_sects)
        return false;
    char shown[2][96];
    snprintf(shown[0], sizeof shown[0], "%.95s", ka.text);
    snprintf(shown[1], sizeof shown[1], "%.95s", kb.text);
    char *ra, *wa, *va, *rb, *wb, *vb;
    if (!split_version(ka.text, &ra, &wa, &va) || !split_version(kb.text, &rb, &wb, &vb) || strcmp(ra, rb) != 0)
        return false;
    bool same_version = strcmp(va, vb) == 0;
    ds_date_lines_t d = {.unit = "line"};
    if (!same_version && (ds_date_lines_judge(va, strlen(va), vb, strlen(vb), &d) != 0 || !ds_date_lines_only(&d)))
        return false;
    if (same_version && strcmp(wa, wb) == 0)
        return false;
    snprintf(detail, size, "the kernel_version strings (setup header 0x20E) of release %s differ only in %s: '%s' / '%s'",
             ra, same_version ? "user@host" : strcmp(wa, wb) == 0 ? "the build date" : "user@host and the build date",
             shown[0], shown[1]);
    return true;
}

/* --- *.ko: an appended module signature ---------------------------------------------------- */

/* The length of the module before its signature block; false when src has none. */
static bool module_length(ds_source_t *src, uint64_t *module_len, uint32_t *sig_len)
{
    unsigned char tail[MODSIG_INFO_LEN + MODSIG_MAGIC_LEN];
    uint64_t size = ds_source_size(src);
    if (size < sizeof tail || ds_source_read(src, size - sizeof tail, tail, sizeof tail, "module", NULL) != 0 ||
        memcmp(tail + MODSIG_INFO_LEN, MODSIG_MAGIC, MODSIG_MAGIC_LEN) != 0 || tail[2] != MODSIG_PKCS7)
        return false;
    *sig_len = (uint32_t)tail[8] << 24 | (uint32_t)tail[9] << 16 | (uint32_t)tail[10] << 8 | tail[11];
    uint64_t block = (uint64_t)*sig_len + tail[3] + tail[4] + sizeof tail;
    if (block > size)
        return false;
    *module_len = size - block;
    return true;
}

static bool same_prefix(ds_source_t *a, ds_source_t *b, uint64_t len)
{
    unsigned char *wa = malloc(COMPARE_WINDOW), *wb = malloc(COMPARE_WINDOW);
    bool same = wa != NULL && wb != NULL;
    for (uint64_t pos = 0; same && pos < len; pos += COMPARE_WINDOW) {
        size_t n = len - pos < COMPARE_WINDOW ? (size_t)(len - pos) : COMPARE_WINDOW;
        same = ds_source_read(a, pos, wa, n, "module", NULL) == 0 && ds_source_read(b, pos, wb, n, "module", NULL) == 0 &&
               memcmp(wa, wb, n) == 0;
    }
    free(wa);
    free(wb);
    return same;
}

static bool check_module(ds_source_t *a, ds_source_t *b, char *detail, size_t size)
{
    uint64_t ma, mb;
    uint32_t sa, sb;
    if (!module_length(a, &ma, &sa) || !module_length(b, &mb, &sb) || ma != mb || ma > DS_SIGNATURE_READ_MAX ||
        !same_prefix(a, b, ma))
        return false;
    snprintf(detail, size, "the module's %llu bytes are equal; only the appended PKCS#7 signatures differ (%u / %u bytes)",
             (unsigned long long)ma, (unsigned)sa, (unsigned)sb);
    return true;
}

static const ds_signature_t rules[] = {
    {"/live/filesystem.packages", DS_CAUSE_PACKAGE_VERSION, "likely", NULL, "live-build's package list"},
    {"/.disk/info", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain", check_disk_info, "the build stamp of .disk/info"},
    {"/.disk/archive_trace", DS_CAUSE_PACKAGE_VERSION, "likely", check_archive_trace,
     "the date of the archive's last run"},
    {"/isolinux/*.cfg|/syslinux/*.cfg|/boot/grub/*.cfg|/boot/grub/live-theme/*.txt|"
     "/isolinux/splash.svg|/syslinux/splash.svg|/boot/grub/splash.svg",
     DS_CAUSE_EMBEDDED_TIMESTAMP, "certain", check_boot_menu, "a boot menu's build date"},
    {"/.disk/mkisofs", DS_CAUSE_ISO_BUILD_OPTIONS, "certain", check_mkisofs, "the recorded xorriso command line"},
    {"/dists/*/Release", DS_CAUSE_EMBEDDED_TIMESTAMP, "certain", check_release, "the Release file's date"},
    {"/live/vmlinuz*|/boot/vmlinuz*|/install*/vmlinuz", DS_CAUSE_KERNEL_BUILD_STAMP, "likely", check_kernel,
     "the kernel's version string"},
    {"*.ko", DS_CAUSE_MODULE_SIGNATURE, "certain", check_module, "an appended module signature"},
    /* checksum_list.c: lines that differ for listed files (the same lines reordered: sort-order) */
    {"/md5sum.txt|/sha1sum.txt|/sha256sum.txt|/sha512sum.txt", DS_CAUSE_CHECKSUM_LIST, "likely",
     ds_checksum_list_check, "a checksum list whose lines differ for the files they name"},
};

const ds_signature_t *ds_signatures_image(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}
