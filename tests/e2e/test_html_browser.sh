#!/usr/bin/env bash
# report.html in a real browser (Debian's headless Chromium): valid HTML5, self-contained; the
# first screen has the verdict and the cause table; a section expands and its diff shows; a
# screenshot is written. Then a pair with 12 000 differences: the page loads and says what it cut.
source "$(dirname "$0")/lib.sh"
browser() { # browser PROFILE ARGS... : headless Chromium as the project's checks run it
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$OUT_ROOT/profile-$1" --virtual-time-budget=3000 "${@:2}" 2>/dev/null
}
a=$(image base 1700000000)
b=$(image rootfs-file 1700000000 rootfs-file)
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out"
expect_status 1
page=$out/report.html
check "report.html is valid HTML5 (html5lib, strict)" "$PY" -c 'import html5lib,sys; html5lib.HTMLParser(strict=True).parse(open(sys.argv[1],"rb"))' "$page"
check "report.html loads nothing from elsewhere" bash -c "! grep -Eq '(src|href)=\"(https?:)?//|@import|url\\(' '$page'"

browser plain --dump-dom "file://$page" >"$OUT_ROOT/closed.html"
check "the first screen names the verdict" grep -q "Verdict: DIFFERENT" "$OUT_ROOT/closed.html"
check "the cause table is there" grep -q '<section id="causes">' "$OUT_ROOT/closed.html"
check "the section with the root difference starts open" grep -q 'id="layer-content-0" open' "$OUT_ROOT/closed.html"
check "sections with only consequences start closed" bash -c "! grep -q 'id=\"layer-toc\" open' '$OUT_ROOT/closed.html'"
check "diffs start folded" bash -c "! grep -q 'class=\"diff-body\" open' '$OUT_ROOT/closed.html'"
browser open --dump-dom "file://$page#open=layer-content-0" >"$OUT_ROOT/open.html"
check "the diff unfolds" grep -q 'class="diff-body" open' "$OUT_ROOT/open.html"
check "its diff shows, coloured" grep -q '<span class="add">+PRETTY_NAME="SilverMetal OS 1.1"</span>' "$OUT_ROOT/open.html"
browser shot --window-size=1280,1100 --screenshot="$OUT_ROOT/report.png" "file://$page#open=layer-content-0" >/dev/null
check "a screenshot was written" test -s "$OUT_ROOT/report.png"
if [[ -n ${DS_SCREENSHOT_TO:-} ]]; then cp "$OUT_ROOT/report.png" "$DS_SCREENSHOT_TO"; fi

# 12 000 differing files: the page stays loadable and says what it did not show.
"$PY" - "$OUT_ROOT/many-a" "$OUT_ROOT/many-b" <<'PYEOF'
import os, sys
for side, root in enumerate(sys.argv[1:]):
    for i in range(12000):
        sub = os.path.join(root, "d%02d" % (i % 60))
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, "f%05d" % i), "w") as f:
            f.write("value %d\n" % side)
PYEOF
find "$OUT_ROOT/many-a" "$OUT_ROOT/many-b" -exec touch -h -d @1700000000 {} +
out=$OUT_ROOT/many
run_ds "$OUT_ROOT/many-a" "$OUT_ROOT/many-b" "$out"
expect_status 1
assert_q "$out" 'len(r["differences"]) == 12000'
start=$(date +%s)
browser many --dump-dom "file://$out/report.html#open=all" >"$OUT_ROOT/many.html"
took=$(($(date +%s) - start))
check "12 000 differences: the page loads (in ${took} s)" grep -q "Verdict: DIFFERENT" "$OUT_ROOT/many.html"
check "it says what it cut" grep -q "The page shows the first 2000 differences; all 12000 are in report.json." "$OUT_ROOT/many.html"
rm -rf "$OUT_ROOT/many-a" "$OUT_ROOT/many-b"
finish
