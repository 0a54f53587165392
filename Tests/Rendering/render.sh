#!/usr/bin/env bash
# Renders a report directory's report.html (full page) and each charts/*.svg to PNG with
# headless Chromium, so the charts can be looked at. Not run by CI.
#
#   bash Tests/Rendering/render.sh Reports/chapter11 /tmp/wai-png
#
# Installs chromium and fonts-noto-core (Noto Sans, Noto Sans Khmer) with apt-get when they
# are missing (through sudo when not root). Writes OUT/report.png (the whole page),
# OUT/report-part-NN.png (the page in 900x1300 slices) and OUT/charts/*.png.
set -euo pipefail

report_dir=${1:?usage: render.sh REPORT_DIR [OUT_DIR]}
out_dir=${2:-/tmp/wai-png}

if [[ ! -d $report_dir ]]; then
    echo "render.sh: no such report directory: $report_dir" >&2
    exit 2
fi
report_dir=$(cd "$report_dir" && pwd)
mkdir -p "$out_dir/charts"
out_dir=$(cd "$out_dir" && pwd)

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-core >/dev/null 2>&1 || missing+=(fonts-noto-core)
if (( ${#missing[@]} )); then
    echo "render.sh: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

shot() { # shot URL OUT.png WIDTH HEIGHT
    chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
        --force-device-scale-factor=1 --default-background-color=ffffffff --allow-file-access-from-files \
        --screenshot="$2" --window-size="$3,$4" "$1" >/dev/null 2>&1
    [[ -s $2 ]] || { echo "render.sh: chromium wrote no $2" >&2; return 1; }
}

# Charts: the window is the SVG's own size (its width and height attributes).
shopt -s nullglob
for svg in "$report_dir"/charts/*.svg; do
    name=$(basename "$svg" .svg)
    head=$(head -c 400 "$svg")
    w=$(sed -n 's/.*<svg[^>]* width="\([0-9.]*\)".*/\1/p' <<<"$head" | head -n1)
    h=$(sed -n 's/.*<svg[^>]* height="\([0-9.]*\)".*/\1/p' <<<"$head" | head -n1)
    w=$(printf '%.0f' "${w:-800}"); h=$(printf '%.0f' "${h:-600}")
    shot "file://$svg" "$out_dir/charts/$name.png" "$w" "$h"
    echo "$out_dir/charts/$name.png (${w}x${h})"
done

# The page: headless Chromium screenshots the window only, so the window is made as tall as the
# page. The height is measured by a throw-away wrapper page of this script (the report itself has
# no scripts) that loads report.html in a frame; when that fails it is estimated from the charts'
# heights and the numbers of rows, headings and paragraphs. The page is also cut into slices of
# 900x1300 (report-part-NN.png), each shot through a frame shifted up, for looking at in a viewer.
html="$report_dir/report.html"
if [[ -f $html ]]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    cat >"$work/measure.html" <<EOF
<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="file://$html" style="width:900px;height:1000px;border:0"></iframe>
<script>
document.getElementById('f').addEventListener('load', function () {
  var p = document.createElement('pre');
  p.textContent = 'PAGE' + '-HEIGHT=' + Math.ceil(this.contentDocument.documentElement.scrollHeight);
  document.body.appendChild(p);
});
</script></body></html>
EOF
    page_height=$(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --allow-file-access-from-files \
        --virtual-time-budget=10000 --dump-dom "file://$work/measure.html" 2>/dev/null \
        | grep -o 'PAGE-HEIGHT=[0-9][0-9]*' | head -n1 | cut -d= -f2 || true)
    if [[ -z $page_height ]]; then
        svg_height=$(grep -o '<svg[^>]* height="[0-9.]*"' "$html" | sed 's/.* height="\([0-9.]*\)"/\1/' | awk '{s += $1} END {printf "%.0f", s}')
        rows=$(grep -o '<tr' "$html" | wc -l)
        blocks=$(grep -o -E '<(h1|h2|h3|p|li|figure)[ >]' "$html" | wc -l)
        page_height=$(( (svg_height + rows * 34 + blocks * 40 + 600) * 12 / 10 ))
        echo "render.sh: could not measure the page; estimated $page_height px" >&2
    fi
    shot "file://$html" "$out_dir/report.png" 900 "$page_height"
    echo "$out_dir/report.png (900x$page_height)"

    rm -f "$out_dir"/report-part-*.png
    slice=1300
    part=0
    for (( top = 0; top < page_height; top += slice )); do
        name=$(printf 'report-part-%02d' "$part")
        cat >"$work/$name.html" <<EOF
<!DOCTYPE html><html><body style="margin:0;overflow:hidden">
<iframe src="file://$html" scrolling="no" style="position:absolute;left:0;top:-${top}px;width:900px;height:${page_height}px;border:0"></iframe>
</body></html>
EOF
        shot "file://$work/$name.html" "$out_dir/$name.png" 900 "$slice"
        echo "$out_dir/$name.png"
        part=$((part + 1))
    done
fi
