#!/bin/sh
# check-sites.sh SITES.TSV -- verify the probe sites listed in sites.tsv
# against the binaries in bin/ (uses readelf and objdump from binutils).
set -u
tsv=${1:-sites.tsv}
fail=0; n=0
tab=$(printf '\t')
while IFS="$tab" read -r glob sym kind value len note; do
  case "$glob" in ''|'#'*) continue ;; esac
  found=0
  for b in bin/$glob; do
    [ -f "$b" ] || continue
    found=1; n=$((n + 1))
    # symbol value, size, type
    line=$(readelf -sW "$b" | awk -v s="$sym" '$8 == s && $4 == "FUNC" { print $2, $3; exit }')
    if [ -z "$line" ]; then echo "FAIL $b $sym: no STT_FUNC symbol"; fail=1; continue; fi
    addr=$(echo "$line" | cut -d' ' -f1); size=$(echo "$line" | cut -d' ' -f2)
    case "$size" in 0x*) size=$((size)) ;; esac
    start=$((0x$addr)); stop=$((start + size))
    dis=$(objdump -d --no-show-raw-insn --insn-width=16 --start-address=$start --stop-address=$stop "$b" 2>/dev/null)
    if [ "$kind" = calls ]; then
      if printf '%s\n' "$dis" | grep -Eq "call +[0-9a-f]+ <$value>"; then
        echo "ok   $b $sym calls $value"
      else echo "FAIL $b $sym: no call to $value"; fail=1; fi
      continue
    fi
    first=$(objdump -d --insn-width=16 --start-address=$start --stop-address=$stop "$b" 2>/dev/null |
            awk -F'\t' '/^ +[0-9a-f]+:\t/ { print $2 "\t" $3; exit }')
    bytes=$(printf '%s' "$first" | cut -f1 | tr -d ' ')
    insn=$(printf '%s' "$first" | cut -f2)
    blen=$(( ${#bytes} / 2 ))
    case "$bytes" in
      "$value"*) if [ "$blen" -eq "$len" ]; then
                   printf 'ok   %-22s %-20s %-12s %s\n' "$b" "$sym" "$bytes" "$insn"
                 else echo "FAIL $b $sym: instruction is $blen bytes ($bytes), expected $len"; fail=1; fi ;;
      *) echo "FAIL $b $sym: first instruction $bytes ($insn), expected $value..."; fail=1 ;;
    esac
  done
  if [ $found -eq 0 ]; then echo "FAIL no binary matches bin/$glob (run make first)"; fail=1; fi
done < "$tsv"
if [ $fail -ne 0 ]; then echo "check-sites: FAILED"; exit 1; fi
echo "check-sites: $n sites ok"
