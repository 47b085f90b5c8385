/* The row inventory (rows.h). Rules are named by file and what they look at; the tests by name. */
#include "rows.h"

#include "causes.h"

static const ds_cause_row_t rows[] = {
    /* 1a: the ISO 9660 / El Torito / hybrid disk layer */
    {"1a", "ISO volume creation/modification date", "iso-volume-date",
     "explain.c: the volume descriptors' *_date fields (header stage)", "test_explain_iso.sh"},
    {"1a", "volume ID contains a timestamp", "iso-volume-id", "explain.c: the volume descriptors' volume_id",
     "test_images_inside.sh"},
    {"1a", "preparer / publisher / application / system / volume-set strings from tool versions or host rc files",
     "iso-tool-version", "explain.c: preparer_id, application_id, publisher_id, system_id, volume_set_id", "test_signatures_layers.sh"},
    {"1a", "volume set identifier randomness", NULL,
     "CAUSES.md found no source for it; a differing volume_set_id is reported as iso-tool-version", NULL},
    {"1a", "file and directory timestamps in directory records", "iso-file-dates",
     "explain.c: mtime differences of toc-stage nodes (directory record dates)", "test_explain_iso.sh"},
    {"1a", "Rock Ridge timestamps", "iso-rr-times",
     "stages/toc.c: TF access/attributes/creation stamps at @iso.rr.tf.<stamp> (a modify stamp is the node's mtime), secondary to a differing mtime; explain_layers.c: a nested ISO's node times differing outside the modify stamp",
     "test_signatures_layers.sh"},
    {"1a", "directories implicitly created by xorriso (graft points) get \"now\" / source-dir time", NULL,
     "not checkable on the images: an ISO does not record whether a directory had an on-disk source (xorriso copies "
     "the attributes of the source path's ancestors, or takes now); the date difference is reported as iso-file-dates",
     NULL},
    {"1a", "El Torito boot catalog timestamp", "iso-volume-date",
     "stages/toc.c: the mtime of the node at the catalog's LBA; secondary to a differing volume date", "test_signatures_layers.sh"},
    {"1a", "isohybrid MBR ID (disk signature)", "mbr-disk-id", "explain.c: @iso.mbr.disk_id, @disk.mbr.disk_id",
     "test_disk_images.sh"},
    {"1a", "GPT disk GUID / partition GUIDs (isohybrid-gpt-basdat, appended EFI partition)", "gpt-guid",
     "explain.c: @gpt.disk_guid, @gpt.partition_guid, @disk.gpt.*_guid; the CRCs secondary", "test_disk_images.sh"},
    {"1a", "boot-info-table / grub2-boot-info patched into boot image", "layout-shift",
     "stages/toc.c: a moved file differing only in bytes 8-63 or 2548-2555 is secondary", "test_signatures_layers.sh"},
    {"1a", "layout shift (some file changed size/was added; all later extents move)", "layout-shift",
     "explain.c and the walk: extents, path tables, partition sizes, table offsets derived", "test_layout_shift.sh"},
    {"1a", "whole-image file mtime", NULL,
     "not in the image's bytes: the .iso file's own mtime on the host is not part of what is compared", NULL},
    /* 1b: the EFI FAT image */
    {"1b", "FAT volume serial (volume ID)", "fat-volume-id", "explain.c: @fat.volume_id", "test_explain_iso.sh"},
    {"1b", "FAT directory-entry timestamps", "fat-timestamps", "explain.c: mtime differences inside a fat layer",
     "test_explain_iso.sh"},
    {"1b", "FAT timestamps shifted by time zone", "fat-timezone",
     "explain_layers.c: every differing FAT entry's write/create times (two at least) moved by one multiple of 15 min (at most 14 h)",
     "test_signatures_layers.sh"},
    {"1b", "FAT directory-entry order (readdir order of source)", "fat-order", "explain.c: @fat.order", "test_signatures_layers.sh"},
    {"1b", "different FAT creator tool", "iso-tool-version",
     "explain.c: @fat.oem_name; explain_layers.c: @fat.geometry secondary to it", "test_signatures_layers.sh"},
    /* 1c: squashfs */
    {"1c", "mkfs time in superblock", "squashfs-mkfs-time", "squashfs stage: superblock bytes 8-11",
     "test_squashfs_why.sh"},
    {"1c", "inode timestamps (mtime)", "mtime", "explain.c: inode mtime differences", "test_squashfs_metadata.sh"},
    {"1c", "file mtimes *older* than SDE that differ (input tree not normalized, e.g. git checkout time, cached copies)",
     "unclamped-mtime",
     "build_date.c: once a build date is inferred, an mtime older than it on both sides, the content equal",
     "test_build_date.sh"},
    {"1c", "fragment / multi-block file order from parallel compressor threads", "squashfs-layout",
     "squashfs stage: same files, metadata and contents, blocks elsewhere", "test_squashfs_why.sh"},
    {"1c", "compressor / options / tool-version drift (compression-only)", "compression-only",
     "squashfs stage: contents equal, superblock compressor or options differ", "test_squashfs_why.sh"},
    {"1c", "file order from sort file / exclude list", "squashfs-layout",
     "squashfs stage: the same files stored in another order (a -sort file); excluded files are added/removed",
     "test_squashfs_why.sh"},
    /* 1d: the initrd */
    {"1d", "member mtimes", "cpio-metadata", "explain.c: mtime differences inside a cpio layer", "test_explain_iso.sh"},
    {"1d", "inode numbers / device numbers / directory nlink", "cpio-metadata",
     "formats/cpio.c entry fields @cpio.member.ino, .nlink, .devmajor/.devminor (odc: .dev); explain.c", "test_signatures_layers.sh"},
    {"1d", "member order", "archive-order", "explain.c: @*.order; explain_layers.c: renumbered inodes follow",
     "test_nested_initrd.sh"},
    {"1d", "owner uid/gid", "owner", "explain.c: owner differences (cpio -R)", "test_signatures_layers.sh"},
    {"1d", "compressor threading (compression-only)", "compression-only",
     "the walk: the decompressed payloads are equal", "test_streams_text.sh"},
    {"1d", "gzip header mtime/name (if COMPRESS=gzip without `-n`)", "gzip-mtime", "explain.c: @gzip.mtime, @gzip.name",
     "test_explain_rootfs.sh"},
    {"1d", "initrd content: ldconfig aux-cache", "ldconfig-aux-cache",
     "signatures_caches.c: var/cache/ldconfig/aux-cache with the auxcache magic, in any layer (a cpio in gzip too)", "test_signatures_caches.sh"},
    {"1d", "initrd content: fontconfig caches (plymouth) with random UUIDs", "fontconfig-cache",
     "signatures_caches.c: var/cache/fontconfig/* with the cache magic 0xFC02FC04, in any layer (a cpio in gzip too)", "test_signatures_caches.sh"},
    {"1d", "initrd built from a root tree with non-reproducible mtimes", "unclamped-mtime",
     "build_date.c: once a build date is inferred, a cpio member mtime older than it on both sides", "test_build_date.sh"},
    /* 1e: the root file system */
    {"1e", "gzip header mtime / original name", "gzip-mtime", "explain.c: @gzip.mtime, @gzip.name, @gzip.flags",
     "test_explain_rootfs.sh"},
    {"1e", ".pyc source timestamp", "pyc-timestamp", "explain.c: @pyc.source_mtime", "test_explain_rootfs.sh"},
    {"1e", ".pyc marshal FLAG_REF instability", "pyc-marshal-ref",
     "signatures_caches.c: *.pyc, same header and length, differing bytes are marshal type bytes ^ 0x80 and TYPE_REF indices", "test_signatures_caches.sh"},
    {"1e", "ELF build-id only", "build-id", "explain.c: @elf.build_id", "test_explain_rootfs.sh"},
    {"1e", "random machine id", "random-id",
     "signatures_files.c: /etc/machine-id, /var/lib/dbus/machine-id both 32 lowercase hex digits and a newline", "test_signatures_files.sh"},
    {"1e", "SSH host keys", "crypto-key",
     "signatures_files.c: /etc/ssh/ssh_host_*_key{,.pub} both keys of one type (.pub: the line's type and its blob's; private: PEM label, OpenSSH's first public key blob), other key material",
     "test_signatures_files.sh"},
    {"1e", "SSL snakeoil cert/key", "crypto-key",
     "signatures_files.c: ssl-cert-snakeoil.pem/.key each one PEM block of one label, other bodies (the hash symlink is not checked)",
     "test_signatures_files.sh"},
    {"1e", "`/etc/shadow` last-change date", "shadow-lastchange", "classify_text.c: only field 3 differs",
     "test_explain_rootfs.sh"},
    {"1e", "ldconfig auxiliary cache", "ldconfig-aux-cache",
     "signatures_caches.c: /var/cache/ldconfig/aux-cache, \"glibc-ld.so.auxcache-\" on both sides (the path alone when added or removed)", "test_signatures_caches.sh"},
    {"1e", "fontconfig caches with UUIDs / dir mtimes", "fontconfig-cache",
     "signatures_caches.c: /var/cache/fontconfig/* with the magic 0xFC02FC04 (the dir mtime at 48-63); */.uuid holding a UUID", "test_signatures_caches.sh"},
    {"1e", "man-db index", "man-db-index", "signatures_caches.c: /var/cache/man/* with a gdbm magic on both sides", "test_signatures_caches.sh"},
    {"1e", "dpkg/apt/bootstrap logs with dates", "log-file", "classify_text.c: only dates differ in /var/log/*",
     "test_dates.sh"},
    {"1e", "backup copies left by tools", "backup-file",
     "signatures_files.c, by path: /etc/{passwd,group,shadow,gshadow,subuid,subgid}-, /var/lib/dpkg/*-old (status-old stays package-version), /var/cache/debconf/*-old, info/dir.old, /boot/*.bak, ucf backups on one side only, or other content no classifier explains (/etc/shadow- with only field 3 differing stays shadow-lastchange)",
     "test_signatures_files.sh"},
    {"1e", "lock/runtime leftovers", "runtime-leftover",
     "signatures_files.c, by path: /etc/.pwd.lock, /run/mount/utab, /tmp/*, /var/tmp/* on one side only, with other content, or another mtime (explain.c)",
     "test_signatures_files.sh"},
    {"1e", "random UUIDs from `uuid_generate_random()` in maintainer scripts", "random-uuid",
     "signatures_caches.c: any path (files up to 64 KiB), the only differing bytes are version 4 UUIDs (text or 16 bytes)", "test_signatures_caches.sh"},
    {"1e", "AppStream/libxmlb binary cache GUID", "xmlb-guid",
     "signatures_caches.c: swcatalog/app-info cache/*.xb, magic XMLb, only bytes 8-23 differ", "test_signatures_caches.sh"},
    {"1e", "GTK icon cache", "gtk-icon-cache",
     "signatures_caches.c: */icons/*/icon-theme.cache with the version 1.0 header and in-file offsets", "test_signatures_caches.sh"},
    {"1e", "hash-table / readdir ordering in generated caches", "cache-order",
     "signatures_caches.c: loaders.cache, giomodule.cache, immodules.cache, mimeinfo.cache, ... with the same lines in another order", "test_signatures_caches.sh"},
    {"1e", "APT kernel auto-removal list", "apt-autoremove-kernels",
     "signatures_files.c: 01autoremove-kernels both apt-auto-removal's file (header, NeverAutoRemove patterns, debug comment) and nothing else; the running kernels named",
     "test_signatures_files.sh"},
    {"1e", "cracklib dictionaries", "cracklib-dicts",
     "signatures_files.c: /var/cache/cracklib/src-dicts both update-cracklib's one line of word list paths", "test_signatures_files.sh"},
    {"1e", "GConf defaults tree", "gconf-tree-order",
     "signatures_files.c: %gconf-tree*.xml both GConf XML with the same lines in another order", "test_signatures_files.sh"},
    {"1e", "TeX formats and logs", "tex-format",
     "signatures_caches.c: /var/lib/texmf/**/*.fmt with the magic W2TX (crafted: no TeX here); **/*.log whose differing lines are dates", "test_signatures_caches.sh"},
    {"1e", "Java cacerts keystore", "java-cacerts",
     "signatures_caches.c: /etc/ssl/certs/java/cacerts, a JKS walk: only entry dates and the trailing SHA-1 differ", "test_signatures_caches.sh"},
    {"1e", "mdadm.conf generation date", "mdadm-conf-date",
     "signatures_files.c: mdadm.conf differs in mkconf's \"auto-generated on DATE by mkconf\" line and nothing else",
     "test_signatures_files.sh"},
    {"1e", "gettext MO/PO creation date", "embedded-timestamp", "explain.c: @mo.header.POT-Creation-Date, PO-Revision-Date",
     "test_mo.sh"},
    {"1e", "PNG tIME / timestamped metadata", "png-timestamp",
     "signatures_caches.c: *.png, a chunk walk: only tIME and date text chunks differ", "test_signatures_caches.sh"},
    {"1e", "Berkeley DB files", "berkeley-db",
     "signatures_caches.c: *.db with a Berkeley DB metadata magic at bytes 12-15 on both sides", "test_signatures_caches.sh"},
    {"1e", "`/etc/adjtime`, udev persistent rules", "host-state",
     "signatures_files.c: /etc/adjtime both hwclock's three lines; 70-persistent-*.rules both udev rule lines only",
     "test_signatures_files.sh"},
    {"1e", "APT package caches / lists", "apt-cache",
     "signatures_caches.c: /var/cache/apt/*.bin with the pkgCache signature 0x98FE76DC; /var/lib/apt/lists/* with a Date: or Package: stanzas", "test_signatures_caches.sh"},
    {"1e", "file permissions from umask", "umask", "explain.c: modes differ only in 0022", "test_ext4.sh"},
    {"1e", "locale-dependent sort", "sort-order", "classify_text.c: sorted lines equal", "test_explain_rootfs.sh"},
    /* 1f: image-level files on the ISO */
    {"1f", "build date in disk info", "embedded-timestamp",
     "signatures_image.c: /.disk/info, one line differing only in the 14 characters after \"Binary \"", "test_signatures_image.sh"},
    {"1f", "archive trace", "package-version",
     "signatures_image.c: /.disk/archive_trace, only its Date:, Date-Started:, Archive serial: lines differ", "test_signatures_image.sh"},
    {"1f", "checksum file order", "sort-order",
     "classify_text.c: the same lines in another order (checksum_list.c leaves it to it; lines that differ only "
     "for differing files are checksum-list, a consequence)", "test_build_date.sh"},
    {"1f", "boot menu / splash build date", "embedded-timestamp",
     "signatures_image.c: isolinux/syslinux/boot/grub *.cfg, splash.svg, live-theme/*.txt whose lines differ only in "
     "dates; theme.txt's mtime alone is iso-file-dates (explain.c); a rendered splash.png differs in pixels, not checked",
     "test_signatures_image.sh"},
    {"1f", "xorriso command line recorded in image", "iso-build-options",
     "signatures_image.c: /.disk/mkisofs, both an xorriso/mkisofs command line; the first differing option named",
     "test_signatures_image.sh"},
    {"1f", "APT Release file date in on-image repo", "embedded-timestamp",
     "signatures_image.c: /dists/*/Release, only Date: and Description: Last updated: lines differ", "test_signatures_image.sh"},
    {"1f", "source tarball timestamps / order", "mtime",
     "formats/tar.c: member mtimes are mtime differences of the tar layer; another member order is @tar.order, "
     "archive-order (tar --sort=name)", "test_signatures_image.sh"},
    /* 1g: the kernel and upstream inputs */
    {"1g", "kernel build timestamp / user / host", "kernel-build-stamp",
     "signatures_image.c: live/vmlinuz, boot/vmlinuz*: the bzImage kernel_version string (0x20E + 0x200) of the "
     "same release differs only in user@host and dates; a bzImage with the EFI stub opens as PE, its sections "
     "then follow from the stamp (classify.c whole_file_signature)",
     "test_signatures_image.sh"},
    {"1g", "module signing with throw-away key", "module-signature",
     "signatures_image.c: *.ko whose ELF fields and sections are equal (formats/elf.c) and whose bytes before the "
     "appended signature block (struct module_signature, ~Module signature appended~) are equal", "test_signatures_image.sh"},
    {"1g", "different package versions (archive moved on)", "package-version",
     "explain/packages.c: the dpkg status and live/filesystem.packages versions", "test_package_drift.sh"},
};

const ds_cause_row_t *ds_cause_rows(size_t *count)
{
    *count = sizeof rows / sizeof rows[0];
    return rows;
}

void ds_cause_rows_print(FILE *out)
{
    fputs("| table | CAUSES.md row | cause | rule | test | notes tag |\n|---|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const ds_cause_t *c = rows[i].cause ? ds_cause_find(rows[i].cause) : NULL;
        fputs("|", out);
        ds_markdown_cell(out, rows[i].section);
        ds_markdown_cell(out, rows[i].row);
        ds_markdown_cell(out, rows[i].cause ? rows[i].cause : "(not checked)");
        ds_markdown_cell(out, rows[i].rule);
        ds_markdown_cell(out, rows[i].test);
        ds_markdown_cell(out, c && c->notes_tag ? c->notes_tag : NULL);
        fputs("\n", out);
    }
}
