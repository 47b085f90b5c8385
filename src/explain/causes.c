#include "causes.h"

#include <string.h>

#include "rows.h"

static const ds_cause_t catalogue[] = {
    {"iso-volume-date", "ISO volume creation/modification dates differ",
     "PVD/Joliet bytes 813-880 (the four 17-byte dates) differ",
     "build both with the same SOURCE_DATE_EPOCH (xorriso >= 1.4.6), or xorrisofs --modification-date=YYYYMMDDhhmmsscc",
     "timestamps_manually_added_needs_further_investigation"},
    {"iso-volume-id", "ISO volume identifier differs (often a build timestamp in it)",
     "PVD bytes 40-71 differ",
     "same SOURCE_DATE_EPOCH and UTC for live-build (--utc-time true), or a fixed --iso-volume", NULL},
    {"iso-file-dates", "file and directory dates in the ISO directory records differ",
     "directory records (bytes 18-24) or Rock Ridge TF entries differ; nodes show mtime differences",
     "clamp input mtimes to SOURCE_DATE_EPOCH before xorriso (live-build does), or xorrisofs --set_all_file_dates",
     "timestamps_in_directories"},
    {"iso-tool-version", "a different xorriso/live-build/syslinux version or host configuration",
     "preparer/application/publisher/system ids, or the MBR boot code, differ",
     "pin live-build, xorriso and syslinux versions; run xorriso with -no_rc", NULL},
    {"mbr-disk-id", "isohybrid MBR disk signature differs",
     "bytes 440-443 differ", "SOURCE_DATE_EPOCH (xorriso derives it from the volume date), or a fixed id", NULL},
    {"gpt-guid", "GPT disk/partition GUIDs differ",
     "GPT disk GUID (header byte 56) and partition GUIDs differ; the CRCs follow",
     "SOURCE_DATE_EPOCH (xorriso derives the GUIDs from the volume date) or --gpt_disk_guid", NULL},
    {"fat-volume-id", "FAT volume serial of the EFI image differs",
     "FAT boot sector bytes 39-42 (FAT12/16) or 67-70 (FAT32) differ",
     "mkfs.fat -i <8 hex digits> derived from SOURCE_DATE_EPOCH (live-build does)", NULL},
    {"fat-timestamps", "FAT directory entry times of the EFI image differ",
     "32-byte FAT directory entries differ only in their time and date fields",
     "touch files to SOURCE_DATE_EPOCH and run mtools with TZ=UTC; mtools >= 4.0.34 honours SOURCE_DATE_EPOCH", NULL},
    {"fat-order", "FAT directory entries in another order", "same FAT entries, another order",
     "add files one by one in sorted order instead of mcopy -s", NULL},
    {"fat-timezone", "FAT times of the EFI image shifted by the build's time zone",
     "every FAT entry whose times differ (two at least) moved by the same whole number of 15-minute steps (at most 14 h)",
     "run mtools with TZ=UTC (mcopy -m converts to local time)", NULL},
    {"iso-rr-times", "Rock Ridge access or attribute-change times differ (the input tree's atime/ctime)",
     "only the access or attributes stamps of Rock Ridge TF entries differ; the modification stamps are equal",
     "xorrisofs --set_all_file_dates set_to_mtime (copies mtime to atime and ctime), or a fixed date", "timestamps_in_directories"},
    {"squashfs-mkfs-time", "squashfs superblock mkfs time differs",
     "superblock bytes 8-11 differ", "SOURCE_DATE_EPOCH (squashfs-tools >= 4.4) or mksquashfs -mkfs-time", NULL},
    {"squashfs-layout", "squashfs file data stored in another order",
     "same files, metadata and contents; block positions in another order",
     "use the same -sort file and -ef excludes; squashfs-tools >= 4.4 (reproducible by default)", NULL},
    {"compression-only", "same contents, different compressed bytes",
     "decompressed contents equal; compressor, options, threads or version differ",
     "pin the compressor and its options (mksquashfs -comp/-Xcompression-level/-b; xz/zstd threads)", NULL},
    {"mtime", "file modification times differ", "inode mtimes differ",
     "clamp file mtimes to SOURCE_DATE_EPOCH before packing (or mksquashfs -all-time)", "timestamps_in_directories"},
    /* build_date.c, checksum_list.c */
    {"source-date-epoch", "the two builds were made with different build dates (SOURCE_DATE_EPOCH)",
     "one root at @build.date: the date pair (A, B) most date differences carry (mtimes, volume dates, mkfs times, "
     "header times), carried by at least 3 differences in at least 2 independent fields, not all inside one file; "
     "the differences carrying exactly A and B (or an mtime clamped to A or B on one side), the values xorriso derives "
     "from the volume date, the FAT serial made from it and a text line changed from A to B follow it "
     "(docs/report-fields.md)",
     "build both with the same SOURCE_DATE_EPOCH", NULL},
    {"unclamped-mtime", "file mtimes older than the build date differ: the input tree was not normalised",
     "when a build date was inferred: an mtime that differs with both values older than that side's build date, "
     "the file's content equal (squashfs inode or initrd cpio member)",
     "normalise input mtimes (touch the whole tree, the chroot before update-initramfs too, to SOURCE_DATE_EPOCH) "
     "or mksquashfs -all-time", NULL},
    {"checksum-list", "a checksum list (md5sum.txt, sha256sum.txt) whose lines change with the files it lists",
     "every line is HASH  NAME; the lines differ only for files whose own bytes differ in the comparison (it follows "
     "the first of them); the same lines in another order are sort-order",
     "fix the files it lists; these lines follow", NULL},
    {"umask", "permission bits differ by the build's umask", "only group/other write bits differ",
     "run the build with a fixed umask (022)", "different_due_to_umask"},
    {"owner", "file owner differs", "uid/gid differ", "build as root or map owners (cpio -R 0:0, mksquashfs -all-root)",
     "users_and_groups_in_tarball"},
    {"cpio-metadata", "cpio member headers differ (mtime, inode, device, nlink)",
     "newc headers differ in mtime, ino, dev or nlink fields only",
     "SOURCE_DATE_EPOCH for update-initramfs; cpio --reproducible", "timestamps_in_cpio_archive"},
    {"archive-order", "archive members in another order", "same members, another sequence",
     "find | LC_ALL=C sort | cpio (mkinitramfs does); tar --sort=name", "random_order_in_tarball"},
    {"gzip-mtime", "gzip header timestamp or name differs",
     "gzip streams differ only in header bytes 4-7 (MTIME) or the FNAME field; the decompressed data are equal",
     "gzip -n, or strip-nondeterminism", "timestamps_in_gzip_headers"},
    {"pyc-timestamp", "Python bytecode records its source's mtime",
     ".pyc header bytes 8-15 (source mtime and size) differ, flags 0",
     "delete .pyc files (live-build hook 9010) or use hash-based pycs (PEP 552)", NULL},
    {"build-id", "ELF build-id differs only", "ELF sections equal except .note.gnu.build-id (and .gnu_debuglink)",
     "find what made the package differ upstream (build path, compiler flags)", "build_id_differences_only"},
    {"embedded-timestamp", "a build date written into a file",
     "changed lines differ only in date tokens, or lines added/removed hold only a date (ISO 8601 basic or extended, RFC 2822, date(1)'s default, asctime, __DATE__, compact stamps, epoch seconds near SOURCE_DATE_EPOCH); in binaries, the only differing strings are dates; date fields of headers (PE, zip UT, ext4, .mo)",
     "make the generator honour SOURCE_DATE_EPOCH, in UTC", "timestamps_manually_added_needs_further_investigation"},
    {"random-id", "a random identifier generated at build time", "/etc/machine-id and similar ids differ",
     "empty /etc/machine-id at build (live-build hook 8060) and let the system generate it at boot", NULL},
    {"crypto-key", "cryptographic keys generated at build time", "SSH host keys, snakeoil certificates differ",
     "remove them at build time (live-build hooks 8050, 8090); regenerate at boot", "cryptographic_signature"},
    {"shadow-lastchange", "/etc/shadow last-change days differ", "only field 3 of shadow lines differs",
     "shadow and systemd-sysusers honour SOURCE_DATE_EPOCH; remove /etc/shadow- (hook 8010)", NULL},
    {"ldconfig-aux-cache", "ldconfig auxiliary cache",
     "/var/cache/ldconfig/aux-cache (in any layer, the initrd's too) with the magic \"glibc-ld.so.auxcache-\" on both sides",
     "delete it at build time (live-build hook 8080; mkinitramfs deletes the initrd's)", NULL},
    {"fontconfig-cache", "fontconfig caches with random UUIDs or directory mtimes",
     "/var/cache/fontconfig/* with the cache magic 0xFC02FC04 on both sides (the directory mtime at bytes 48-63), or .uuid files holding another UUID",
     "fontconfig >= 2.13.1-4.4 (SOURCE_DATE_EPOCH honoured for the checksum), or regenerate at boot",
     "randomness_in_fontconfig_uuid_files"},
    {"apt-cache", "APT binary caches and package lists",
     "/var/cache/apt/*.bin with the pkgCache signature 0x98FE76DC on both sides; /var/lib/apt/lists/* that are Release files (the archive's Date:) or Packages/Sources indexes",
     "exclude or delete them at the end of the build (Tails excludes them; live-build removes the lists)", NULL},
    {"gtk-icon-cache", "GTK icon cache in filesystem or hash-table order",
     "*/icons/*/icon-theme.cache with the version 1.0 header and in-file offsets on both sides",
     "delete it at build time (live-build hook 9000; Tails excludes it) and let it be rebuilt", "nondeterministic_gtk_icon_cache"},
    {"xmlb-guid", "AppStream/libxmlb binary cache GUID",
     "/var/cache/swcatalog/cache/*.xb (or app-info) of the same size differing only in bytes 8-23, the silo GUID",
     "libxmlb >= 0.3.7/0.3.8 (Debian #1006358); live-build hook 2005 zeroes the GUID, hook 8520 deletes the caches", NULL},
    {"cache-order", "a generated cache written in readdir or hash-table order",
     "loaders.cache, giomodule.cache, immodules.cache, mimeinfo.cache, ParserDetails.ini, ls-R, info dir ...: the same lines in another order",
     "the generators' upstream fixes; live-build hooks 2004 (perl sort), 2008 (mktexlsr), 2009 (disorderfs for vlc-cache-gen), 2010 (install-info), 2012 (dictionaries-common)",
     NULL},
    {"tex-format", "TeX formats and logs",
     "/var/lib/texmf/**/*.fmt with the web2c magic W2TX on both sides (inside the gzip web2c writes); /var/lib/texmf/**/*.log whose differing lines are dates",
     "FORCE_SOURCE_DATE=1 with SOURCE_DATE_EPOCH, faketime for tex -ini, a patched updmap (live-build hooks 2006, 2007); Debian #1009196, #1003449",
     NULL},
    {"java-cacerts", "Java cacerts keystore with creation dates",
     "/etc/ssl/certs/java/cacerts: JKS keystores with the same entries differing only in their creation dates and the SHA-1 after them",
     "remove it at build time and regenerate it at boot (live-build hook 2011)", NULL},
    {"png-timestamp", "PNG tIME chunk or date text",
     "*.png whose chunks are equal but for tIME and date text chunks (tEXt/iTXt/zTXt keywords naming a date or time)",
     "fix the generator; strip-nondeterminism", "timestamps_in_png"},
    {"pyc-marshal-ref", "marshal FLAG_REF instability in a .pyc",
     "*.pyc of the same header and length whose differing bytes are marshal type bytes with FLAG_REF (0x80) toggled and the TYPE_REF indices after them",
     "delete pycs (live-build hook 9010) or regenerate them at boot; the CPython fix is only partial (interned strings)", NULL},
    {"berkeley-db", "Berkeley DB files with random header fields",
     "*.db with a Berkeley DB metadata magic (btree, hash, queue, heap) at bytes 12-15 on both sides; the file uid at 52-71",
     "avoid shipping them, or regenerate them at boot", "randomness_in_berkeley_db_files"},
    {"random-uuid", "random UUIDs from uuid_generate_random() at build time",
     "the only differing bytes, in a file of any path, are version 4 UUIDs (text 8-4-4-4-12 or 16 bytes with the version and variant bits)",
     "fix the producer; live-build hook 2000 preloads a uuid_generate_random() that derives the UUID from SOURCE_DATE_EPOCH and a counter",
     NULL},
    {"man-db-index", "man-db index databases", "/var/cache/man/**/index.db with a gdbm magic on both sides",
     "remove /var/cache/man at build time (live-build hook 9020)", NULL},
    {"log-file", "build logs left in the image", "/var/log/* differ",
     "truncate or delete logs at the end of the build (live-build hook 8030)", NULL},
    {"sort-order", "the same lines in another order", "sorted lines of both are equal",
     "sort with LC_ALL=C in the generator", "collation_order_varies_by_locale"},
    /* configuration, state, logs and leftovers (CAUSES.md 1e; signatures_files.c) */
    {"backup-file", "a backup copy a tool left in the image",
     "/etc/passwd-, group-, shadow-, gshadow-, /var/lib/dpkg/*-old, /var/cache/debconf/*-old, info/dir.old, /boot/*.bak, ucf backups: on one side only, or other content",
     "delete the backups at the end of the build (live-build hook 8010, reproducible hook 8500)", NULL},
    {"runtime-leftover", "a lock or runtime file left by the build", "/etc/.pwd.lock, /run/mount/utab, /tmp/*, /var/tmp/*",
     "empty /tmp, /var/tmp and the runtime files at the end of the build (live-build hook 8070)", NULL},
    {"apt-autoremove-kernels", "APT's kernel auto-removal list names the build host's kernel",
     "/etc/apt/apt.conf.d/01autoremove-kernels: both are apt-auto-removal's generated file (header, NeverAutoRemove patterns, debug comment), nothing else",
     "fixed in apt (commit a9b56a0; Debian 12's apt 2.6 writes no such file): delete it at build time", "captures_kernel_version"},
    {"cracklib-dicts", "cracklib's list of source word lists differs",
     "/var/cache/cracklib/src-dicts: both one line of word list paths (update-cracklib), other order or lists",
     "cracklib-runtime with its list sorted (Debian #865623); the same word list packages on both sides", NULL},
    {"gconf-tree-order", "the GConf defaults tree written in another order",
     "/var/lib/gconf/defaults/%gconf-tree*.xml: the same XML lines in another order",
     "a GConf that writes its tree sorted (GNOME #784738, Debian #867848), or no GConf", NULL},
    {"mdadm-conf-date", "mdadm.conf records when mkconf generated it",
     "/etc/mdadm/mdadm.conf: only the line \"# This configuration was auto-generated on DATE by mkconf\" differs",
     "a mkconf that honours SOURCE_DATE_EPOCH (Debian #982607; bookworm's mdadm 4.2-5 does; live-build hook 2002), or remove the file (hook 8040)", NULL},
    {"host-state", "the build host's state copied into the image",
     "/etc/adjtime (hwclock's drift, adjustment time, UTC/LOCAL), /etc/udev/rules.d/70-persistent-*.rules (the host's devices): both well-formed, other content",
     "reset them at the end of the build (live-build hooks 8000, 8100, 8110)", NULL},
    {"package-version", "different package versions installed", "the versions in /var/lib/dpkg/status (or the ISO's live/filesystem.packages) differ: each changed package is a root at @packages /<name>, the differences in the files its .list names follow",
     "build both from the same snapshot.debian.org timestamp", NULL},
    {"kernel-build-stamp", "the kernel records the date, user and host of its build",
     "bzImage setup header: the kernel_version string (pointer at 0x20E, +0x200) has the same release; only "
     "(user@host) and the date after #N differ (same protocol version and setup size)",
     "KBUILD_BUILD_TIMESTAMP, KBUILD_BUILD_USER and KBUILD_BUILD_HOST for a custom kernel; for a distribution "
     "kernel, the same package version on both sides",
     "timestamps_from_cpp_macros"},
    {"module-signature", "kernel modules signed with a throw-away key",
     "*.ko: the module bytes are equal; only the appended signature (PKCS#7, struct module_signature, "
     "~Module signature appended~) differs",
     "sign with a persistent key (CONFIG_MODULE_SIG_KEY) or ship detached signatures", "cryptographic_signature"},
    {"iso-build-options", "the image was made with other xorriso options",
     ".disk/mkisofs: both hold an ISO-maker command line; the differing options are named",
     "build both with the same SOURCE_DATE_EPOCH and the same live-build options (lb config)", NULL},
    {"layout-shift", "a consequence of a size change elsewhere",
     "extents, LBAs, table offsets, sizes and CRCs that move when something earlier grows",
     "fix the root difference; these follow", NULL},
    {"unknown", "not recognised", "no signature of the catalogue matched", NULL, NULL},
};

static const char *const cause_names[DS_CAUSE_COUNT] = {
#define DS_CAUSE_NAME(name, text) [DS_CAUSE_##name] = text,
    DS_CAUSE_LIST(DS_CAUSE_NAME)
#undef DS_CAUSE_NAME
};

const char *ds_cause_name(ds_cause_id_t id)
{
    return id < DS_CAUSE_COUNT ? cause_names[id] : "unknown";
}

const ds_cause_t *ds_cause_find(const char *id)
{
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
        if (strcmp(catalogue[i].id, id) == 0)
            return &catalogue[i];
    return NULL;
}

const ds_cause_t *ds_causes_all(size_t *count)
{
    *count = sizeof catalogue / sizeof catalogue[0];
    return catalogue;
}

void ds_markdown_cell(FILE *out, const char *text)
{
    fputs(" ", out);
    for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
        fputs(*p == '|' ? "\\|" : (char[2]){*p, '\0'}, out);
    fputs(" |", out);
}

void ds_causes_print(FILE *out)
{
    fputs("| cause | what | recognised by | usual fix | notes tag |\n|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++) {
        fputs("|", out);
        ds_markdown_cell(out, catalogue[i].id);
        ds_markdown_cell(out, catalogue[i].title);
        ds_markdown_cell(out, catalogue[i].recognised);
        ds_markdown_cell(out, catalogue[i].fix);
        ds_markdown_cell(out, catalogue[i].notes_tag);
        fputs("\n", out);
    }
    fputs("\n## Every row of CAUSES.md table 1\n\n"
          "Each row of ../shared/CAUSES.md table 1, the cause driftscope reports it with, the rule that\n"
          "recognises it (or why it cannot be checked on the two images) and the end-to-end test that\n"
          "builds the difference with the real tool and asserts the cause.\n\n",
          out);
    ds_cause_rows_print(out);
}
