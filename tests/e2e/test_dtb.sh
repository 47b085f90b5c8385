#!/usr/bin/env bash
# Devicetree blobs (formats/dtb.c) compiled by dtc from small .dts texts: one pair per item (a
# property's value, an added node, a removed property, boot_cpuid_phys, a memory reservation),
# each checked with fdtget / fdtdump first; an identical pair; a truncated blob and one with a
# broken token.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"

# board_dts [sed EXPRESSION]: the board's source, edited by the expression.
board_dts() {
    sed -e "${1:-}" <<'EOF'
/dts-v1/;
/memreserve/ 0x10000000 0x4000;
/ {
    model = "SilverMetal board";
    compatible = "silver,board";
    #address-cells = <1>;
    #size-cells = <1>;
    soc {
        compatible = "simple-bus";
        #address-cells = <1>;
        #size-cells = <1>;
        ranges;
        uart@1000 {
            compatible = "ns16550a";
            reg = <0x1000 0x100>;
            clock-frequency = <1843200>;
        };
    };
};
EOF
}
# pair NAME SED_A SED_B [DTC_OPTIONS_B...]: $d/NAME/{a,b}/board.dtb, compiled by dtc.
pair() {
    local name=$1 sa=$2 sb=$3
    shift 3
    mkdir -p "$d/$name/a" "$d/$name/b"
    board_dts "$sa" >"$d/$name/a/board.dts"
    board_dts "$sb" >"$d/$name/b/board.dts"
    dtc -q -I dts -O dtb -o "$d/$name/a/board.dtb" "$d/$name/a/board.dts"
    dtc -q -I dts -O dtb "$@" -o "$d/$name/b/board.dtb" "$d/$name/b/board.dts"
    A=$d/$name/a/board.dtb
    B=$d/$name/b/board.dtb
    out=$OUT_ROOT/$name
}
# dump_differs_only A B PATTERN: fdtdump's outputs differ, and only in lines matching PATTERN.
dump_differs_only() {
    ! cmp -s <(fdtdump "$1" 2>/dev/null | tail -n +2) <(fdtdump "$2" 2>/dev/null | tail -n +2) &&
        cmp -s <(fdtdump "$1" 2>/dev/null | tail -n +2 | grep -Ev "$3") <(fdtdump "$2" 2>/dev/null | tail -n +2 | grep -Ev "$3")
}
# Header words that only follow from the contents.
sizes='("@dtb.totalsize", "@dtb.off_dt_struct", "@dtb.off_dt_strings", "@dtb.off_mem_rsvmap", "@dtb.size_dt_strings", "@dtb.size_dt_struct")'

# --- identical ----------------------------------------------------------------------------------
pair same "" ""
check "dtc makes the same blob twice" cmp -s "$A" "$B"
check "fdtget: the uart's clock is 1843200" test "$(fdtget "$A" /soc/uart@1000 clock-frequency)" = 1843200
run_ds "$A" "$B" "$out"
expect_status 0
validate "$out"
assert_q "$out" 'r["inputs"]["a"]["type"] == "dtb"'

# --- a property's value -------------------------------------------------------------------------
pair value "" "s/1843200/3686400/"
check "fdtget: the clock differs (1843200, 3686400)" \
    test "$(fdtget "$A" /soc/uart@1000 clock-frequency) $(fdtget "$B" /soc/uart@1000 clock-frequency)" = "1843200 3686400"
check "fdtdump: only the clock-frequency line differs" dump_differs_only "$A" "$B" "clock-frequency"
run_ds "$A" "$B" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/board.dtb :: /soc/uart@1000/clock-frequency|content|unknown"
assert_q "$out" 'len(r["differences"]) == 2 and diffs(loc=["/board.dtb"])[0]["secondary"] is True'
assert_q "$out" 'diffs(loc=["/board.dtb", "/soc/uart@1000/clock-frequency"])[0]["a"] == "4 bytes" and diffs(loc=["/board.dtb", "/soc/uart@1000/clock-frequency"])[0]["detail"].startswith("member data differ (same size)")'

# --- an added node ------------------------------------------------------------------------------
pair node "" 's|^    };$|        gpio@2000 {\n            compatible = "silver,gpio";\n            reg = <0x2000 0x100>;\n        };\n    };|'
check "fdtget -l: B's soc has a gpio@2000 node, A's not" \
    bash -c "[[ \$(fdtget -l '$A' /soc | tr '\n' ' ') == 'uart@1000 ' && \$(fdtget -l '$B' /soc | tr '\n' ' ') == 'uart@1000 gpio@2000 ' ]]"
check "fdtget: the uart is the same" cmp -s <(fdtget -p "$A" /soc/uart@1000) <(fdtget -p "$B" /soc/uart@1000)
run_ds "$A" "$B" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/board.dtb :: /soc/gpio@2000|added|unknown" "/board.dtb :: /soc/gpio@2000/compatible|added|unknown" \
    "/board.dtb :: /soc/gpio@2000/reg|added|unknown"
assert_q "$out" 'all(d["secondary"] and d["cause"] == "layout-shift" for d in r["differences"] if d["location"][-1].startswith("@"))'
assert_q "$out" 'sorted(d["location"][-1] for d in r["differences"] if len(d["location"]) == 2 and d["location"][-1].startswith("@")) == ["@dtb.off_dt_strings", "@dtb.size_dt_struct", "@dtb.totalsize"]'

# --- a removed property -------------------------------------------------------------------------
pair property "" "/clock-frequency/d"
check "fdtget -p: A's uart has clock-frequency, B's not" \
    bash -c "fdtget -p '$A' /soc/uart@1000 | grep -qx clock-frequency && ! fdtget -p '$B' /soc/uart@1000 | grep -q clock-frequency"
check "fdtdump: only the clock-frequency line differs" dump_differs_only "$A" "$B" "clock-frequency|totalsize|off_dt_strings|size_dt_str"
run_ds "$A" "$B" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/board.dtb :: /soc/uart@1000/clock-frequency|removed|unknown"
assert_q "$out" 'all(d["location"][-1] in '"$sizes"' for d in r["differences"] if d["secondary"] and len(d["location"]) == 2)'

# --- boot_cpuid_phys (dtc -b) -------------------------------------------------------------------
pair cpu "" "" -b 1
check "fdtdump: boot_cpuid_phys 0x0 and 0x1, nothing else differs" \
    bash -c "fdtdump '$A' 2>/dev/null | grep -q 'boot_cpuid_phys:.*0x0\$' && fdtdump '$B' 2>/dev/null | grep -q 'boot_cpuid_phys:.*0x1\$' && cmp -s <(fdtdump '$A' 2>/dev/null | tail -n +2 | grep -v boot_cpuid_phys) <(fdtdump '$B' 2>/dev/null | tail -n +2 | grep -v boot_cpuid_phys)"
run_ds "$A" "$B" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/board.dtb :: @dtb.boot_cpuid_phys|header|unknown"
assert_q "$out" 'diffs(loc=["/board.dtb", "@dtb.boot_cpuid_phys"])[0]["a"] == "0x0" and diffs(loc=["/board.dtb", "@dtb.boot_cpuid_phys"])[0]["b"] == "0x1"'
assert_q "$out" 'len(r["differences"]) == 2'

# --- a memory reservation -----------------------------------------------------------------------
pair memreserve "" 's|^/memreserve/ 0x10000000 0x4000;$|&\n/memreserve/ 0x20000000 0x1000;|'
check "fdtdump: B reserves 0x20000000 too, and nothing else differs" \
    dump_differs_only "$A" "$B" "memreserve|totalsize|off_dt_struct|off_dt_strings"
check "fdtdump: the new reservation is 0x1000 at 0x20000000" bash -c "fdtdump '$B' 2>/dev/null | grep -q '/memreserve/ 0x20000000 0x1000;'"
run_ds "$A" "$B" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/board.dtb :: @dtb.memreserve.2|header|unknown"
assert_q "$out" '"a" not in diffs(loc=["/board.dtb", "@dtb.memreserve.2"])[0] and diffs(loc=["/board.dtb", "@dtb.memreserve.2"])[0]["b"] == "address 0x20000000, size 0x1000"'
assert_q "$out" 'not diffs(loc=["/board.dtb", "@dtb.memreserve.1"]) and not any(e.startswith("/") for d in r["differences"] for e in d["location"][1:])'

# --- a node named as a property of its parent (dtc warns, and writes both): "<name>#node" -----------
pair clash 's|^    soc {$|    bus = "simple";\n    bus {\n        id = <1>;\n    };\n&|' 's|^    soc {$|    bus = "simple";\n    bus {\n        id = <2>;\n    };\n&|'
check "fdtget: /bus is a node, and a property of /; only its id differs" \
    bash -c "[[ \$(fdtget '$A' / bus) == simple && \$(fdtget '$B' / bus) == simple && \$(fdtget '$A' /bus id) == 1 && \$(fdtget '$B' /bus id) == 2 ]]"
run_ds "$A" "$B" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/board.dtb :: /bus#node/id|content|unknown"

# --- damaged: B truncated, then B with a broken token -------------------------------------------
pair cut "" ""
size=$(stat -c %s "$B")
truncate -s $((size - 100)) "$B"
check "fdtget refuses the truncated blob" bash -c "! fdtget '$B' / model >/dev/null 2>&1"
run_ds "$A" "$B" "$out"
check "exit status 1 or 2 (got $status)" test "$status" = 1 -o "$status" = 2
validate "$out"
assert_q "$out" 'any("B (" in l and "dtb: totalsize '"$size"' at byte 4 exceeds the file" in l for l in r["limits"])'
check "no sanitizer report or crash" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$out.stderr'"
pair token "" ""
# The first token of the structure block, FDT_BEGIN_NODE (00 00 00 01), made 00 00 00 07.
at=$(($(od -An -tu4 --endian=big -j8 -N4 "$B")))
printf '\x07' | dd of="$B" bs=1 seek=$((at + 3)) conv=notrunc 2>/dev/null
check "fdtget refuses the broken blob" bash -c "! fdtget '$B' / model >/dev/null 2>&1 && fdtget '$A' / model >/dev/null"
run_ds "$A" "$B" "$out"
check "exit status 1 or 2 (got $status)" test "$status" = 1 -o "$status" = 2
validate "$out"
assert_q "$out" 'any("B (" in l and "dtb: unknown token 0x00000007 at byte '"$at"'" in l for l in r["limits"])'
expect_roots "$out" "/board.dtb|content|unknown"
finish
