# Sourced by the bench scripts: write a generated section into a Markdown file between two marker comments,
# so the analysis written around the figures stays.
#
#   write_section FILE NAME GENERATED   replaces what lies between "<!-- NAME: begin -->" and "<!-- NAME: end -->"
#                                       in FILE with GENERATED's content; without the markers, appends a marked section
write_section() {
  local out="$1" name="$2" generated="$3"
  local begin="<!-- $name: begin -->" end="<!-- $name: end -->" tmp
  if [[ -f "$out" ]] && grep -qF "$begin" "$out" && grep -qF "$end" "$out"; then
    tmp="$(mktemp)"
    awk -v b="$begin" -v e="$end" -v gen="$generated" '
      $0 == b { print; while ((getline line < gen) > 0) print line; skip = 1; next }
      $0 == e { skip = 0 }
      !skip { print }' "$out" >"$tmp"
    cat "$tmp" >"$out"
    rm -f "$tmp"
  else
    { [[ -s "$out" ]] && echo; echo "$begin"; cat "$generated"; echo "$end"; } >>"$out"
  fi
}
