#!/bin/sh
# t5000-import: import rendered letters as a scanner might deliver them
# (clean, skewed, turned, noisy, on grey paper, 1-bit, 16-bit, JPEG, PNM,
# a multi-page TIFF with an upside-down and a blank page, a blank page
# alone) in one `mailroom import` run, then check that every page is
# archived exactly (a PNG or JPEG file byte for byte as delivered, even
# one Leptonica would have written otherwise), flagged and turned right,
# that the OCR text is close to the source text, and that letters, search
# and show work on it.
. "$(dirname "$0")/lib.sh"

A=$tmp/archive
ZH=r/zh-noise-night-p1
EN=r/en-bus-mayor-p1

q() {
	sqlite3 -batch -noheader "$A/index.sqlite" "$@"
}

# What goes in, one page a line:
#   FILE SEQ LANG VARIANT ROTATION DEPTH DPI REF CER-BOUND
# ROTATION is the clockwise turn that makes the page upright ("-": not
# checked); DPI 0 is unknown (PNM has no resolution; the index may hold
# NULL for it); REF is the source text ("-" for a blank page).
# CER bounds, from measurement (printed as "# cer ..." by the test below):
# the Chinese variant pages measured 0.007-0.014 and 0.028 with noise 24,
# so 0.03 (0.05 for noise) leaves about twice the measured error and keeps
# clean pages well under 5%; English measured 0.0000 everywhere, so 0.01
# (0.02 for JPEG and 1-bit).  The other Chinese letters measured
# 0.010-0.034 (Tesseract misreads a few serif characters: 劳 as 苑, 敬 as
# 租), so each page gets 0.045 and the mean of all clean pages must stay
# under 0.03.
cat >manifest <<EOF
01-zh-clean.png 1 zh clean 0 8 300 $ZH.txt 0.03
02-zh-skew+3.png 1 zh skew+3 0 8 300 $ZH.txt 0.03
03-zh-skew-3.png 1 zh skew-3 0 8 300 $ZH.txt 0.03
04-zh-rot90.png 1 zh rot90 270 8 300 $ZH.txt 0.03
05-zh-rot180.png 1 zh rot180 180 8 300 $ZH.txt 0.03
06-zh-rot270.png 1 zh rot270 90 8 300 $ZH.txt 0.03
07-zh-noise.png 1 zh noise 0 8 300 $ZH.txt 0.05
08-zh-grey.png 1 zh grey-paper 0 8 300 $ZH.txt 0.03
09-zh-1bit.tif 1 zh 1bit-g4 0 1 300 $ZH.txt 0.03
10-zh-gray16.tif 1 zh gray16 0 16 300 $ZH.txt 0.03
11-en-clean.png 1 en clean 0 8 300 $EN.txt 0.01
12-en-rot180.png 1 en rot180 180 8 300 $EN.txt 0.01
13-en-skew-3.jpg 1 en skew-3-jpeg 0 8 300 $EN.txt 0.02
14-en-1bit.pnm 1 en 1bit-pnm 0 1 0 $EN.txt 0.02
15-zh-wages.png 1 zh wages-clean 0 8 300 r/zh-wages-secretary-p1.txt 0.045
16-zh-parking.jpg 1 zh parking-clean-jpeg 0 8 300 r/zh-parking-housing-p1.txt 0.045
17-zh-gas-mixed.tif 1 zh gas-p1-clean 0 8 300 r/zh-gas-mayor-p1.txt 0.045
17-zh-gas-mixed.tif 2 zh gas-p2-rot180 180 8 300 r/zh-gas-mayor-p2.txt 0.045
17-zh-gas-mixed.tif 3 - blank - 8 300 - -
18-blank.png 1 - blank - 8 300 - -
EOF

test_expect_success 'render the letters and make the scanner variants' '
	"$TESTS/render-letters.sh" r &&
	mkdir in &&
	"$MKPAGE" -o in/01-zh-clean.png $ZH.png &&
	"$MKPAGE" --skew 3 -o in/02-zh-skew+3.png $ZH.png &&
	"$MKPAGE" --skew -3 -o in/03-zh-skew-3.png $ZH.png &&
	"$MKPAGE" --rotate 90 -o in/04-zh-rot90.png $ZH.png &&
	"$MKPAGE" --rotate 180 -o in/05-zh-rot180.png $ZH.png &&
	"$MKPAGE" --rotate 270 -o in/06-zh-rot270.png $ZH.png &&
	"$MKPAGE" --noise 24 -o in/07-zh-noise.png $ZH.png &&
	"$MKPAGE" --paper 190 --noise 6 -o in/08-zh-grey.png $ZH.png &&
	"$MKPAGE" --depth 1 -o in/09-zh-1bit.tif $ZH.png &&
	"$MKPAGE" --depth 16 -o in/10-zh-gray16.tif $ZH.png &&
	"$MKPAGE" -o in/11-en-clean.png $EN.png &&
	"$MKPAGE" --rotate 180 -o in/12-en-rot180.png $EN.png &&
	"$MKPAGE" --skew -3 --paper 230 -o in/13-en-skew-3.jpg $EN.png &&
	"$MKPAGE" --depth 1 -o in/14-en-1bit.pnm $EN.png &&
	"$MKPAGE" -o in/15-zh-wages.png r/zh-wages-secretary-p1.png &&
	"$MKPAGE" -o in/16-zh-parking.jpg r/zh-parking-housing-p1.png &&
	"$MKPAGE" --rotate 180 -o gas-p2-upside-down.png r/zh-gas-mayor-p2.png &&
	"$MKPAGE" --blank 2480x3508 -o white.png &&
	"$MKPAGE" -o in/17-zh-gas-mixed.tif r/zh-gas-mayor-p1.png \
		gas-p2-upside-down.png white.png &&
	"$MKPAGE" --blank 2480x3508 --paper 235 --noise 3 -o in/18-blank.png &&
	ls in >actual &&
	cut -d" " -f1 manifest | uniq >expect &&
	test_cmp expect actual
'

test_expect_success 'import everything in one run' '
	start=$(date +%s) &&
	test_expect_code 0 "$MAILROOM" --archive "$A" import in >out 2>err &&
	say "import of $(wc -l <manifest) pages took $(($(date +%s) - start)) s" &&
	cat err &&
	! grep "error:" err &&
	tail -n 1 err | grep "^imported 18 of 18 files" &&
	cut -f2,3 out | sed "s|\t.*/|\t|" >actual &&
	cut -d" " -f1 manifest | uniq -c |
		awk "{ print \$1 \"\t\" \$2 }" >expect &&
	test_cmp expect actual &&
	! cut -f1 out | grep -Ev "^[2-9A-Y]{4}-[2-9A-Y]{4}$"
'

test_expect_success 'every page is in the index, in order' '
	q "SELECT p.id, s.source, p.seq, p.img_path, p.img_format, p.sha256,
		  p.blank, p.rotation, p.depth, ifnull(p.dpi, 0), p.width,
		  p.height,
		  p.text IS NULL
	   FROM page p JOIN stack s ON s.id = p.stack_id
	   ORDER BY s.source, p.seq" |
		awk -F"|" -v OFS=" " "{ sub(\".*/\", \"\", \$2); \$1 = \$1; print }" \
		>pages &&
	cut -d" " -f2,3 pages >actual &&
	cut -d" " -f1,2 manifest >expect &&
	test_cmp expect actual &&
	test "$(q "SELECT count(*) FROM letter")" = 18 &&
	test "$(q "SELECT count(*) FROM stack")" = 18
'

# The pages hold writers' phones: as archived, numbers too, only for
# --unmasked (t6004-masking).
test_expect_success 'every page comes back byte for byte' '
	printf "[privacy]\nunmasked = %s\n" "$(id -un)" >"$A/privacy.ini" &&
	while read -r id file seq path fmt sha rest; do
		case $fmt in
		tiff-g4) ext=tif ;;
		png) ext=png ;;
		jpeg) ext=jpg ;;
		*) echo "$file page $seq: unknown img_format $fmt"; exit 1 ;;
		esac
		rm -f x.$ext
		"$MAILROOM" --archive "$A" page "$id" --out x.$ext --unmasked ||
			exit 1
		cmp x.$ext "$A/$path" || exit 1
		echo "$sha  x.$ext" | sha256sum -c --quiet || exit 1
		echo "$sha  $A/$path" | sha256sum -c --quiet || exit 1
	done <pages
'

test_expect_success 'a page exported to another format is re-encoded' '
	id=$(head -n 1 pages | cut -d" " -f1) &&
	"$MAILROOM" --archive "$A" page "$id" --out x.pnm &&
	head -c 2 x.pnm | grep -q "^P[1-6]"
'

test_expect_success 'PNG and JPEG files kept, others G4 TIFF if bilevel, or PNG' '
	awk "{ print \$2, \$3, \$5 }" pages >actual &&
	awk "{ f = \$6 == 1 ? \"tiff-g4\" : \"png\"
	       if (\$1 ~ /[.]png\$/) f = \"png\"
	       if (\$1 ~ /[.]jpg\$/) f = \"jpeg\"
	       print \$1, \$2, f }" manifest >expect &&
	test_cmp expect actual
'

test_expect_success 'PNG and JPEG files are archived byte for byte' '
	n=0 &&
	while read -r id file seq path fmt rest; do
		case $file in
		*.png) ext=png ;;
		*.jpg) ext=jpg ;;
		*) continue ;;
		esac
		case $path in
		*.$ext) ;;
		*) echo "$file archived as $path"; exit 1 ;;
		esac
		cmp "in/$file" "$A/$path" || exit 1
		n=$((n + 1))
	done <pages &&
	test $n -eq "$(grep -cE "^[^ ]+[.](png|jpg) " manifest)" &&
	test "$(q "SELECT count(*) FROM page WHERE img_format = '"'"'jpeg'"'"'
		AND img_path LIKE '"'"'%.jpg'"'"'")" = 2
'

test_expect_success 'a JPEG page comes out as the JPEG or as a PNG of it' '
	id=$(q "SELECT p.id FROM page p JOIN stack s ON s.id = p.stack_id
		WHERE s.source LIKE '"'"'%/16-zh-parking.jpg'"'"'
		AND p.img_format = '"'"'jpeg'"'"'") &&
	test -n "$id" &&
	rm -f x.jpg x.png &&
	"$MAILROOM" --archive "$A" page "$id" --out x.jpg --unmasked &&
	cmp in/16-zh-parking.jpg x.jpg &&
	"$MAILROOM" --archive "$A" page "$id" --out x.png --unmasked &&
	file x.png | grep "PNG image data, 2480 x 3508, 8-bit grayscale"
'

test_expect_success 'a PNG that Leptonica would write otherwise is kept as is' '
	head -n 12 "$EN.txt" >cairo.txt &&
	pango-view --font "DejaVu Serif 12" --dpi 300 --width 453 -q \
		-o cairo.png cairo.txt &&
	"$MAILROOM" --archive B -q import cairo.png >b.out &&
	test_line_count -eq 1 b.out &&
	test "$(aq B "SELECT img_format FROM page")" = png &&
	cmp cairo.png "B/$(aq B "SELECT img_path FROM page")" &&
	"$MAILROOM" --archive B page 1 --out b.png &&
	cmp cairo.png b.png
'

test_expect_success 'blank pages are flagged and have no text' '
	awk "{ print \$2, \$3, \$7, \$13 }" pages >actual &&
	awk "{ b = \$4 == \"blank\"; print \$1, \$2, b, b }" manifest >expect &&
	test_cmp expect actual
'

test_expect_success 'turned pages are turned upright' '
	awk "{ print \$2, \$3, \$8 }" pages >all &&
	paste -d" " all manifest | awk "\$8 != \"-\" { print \$1, \$2, \$8 }" \
		>expect &&
	paste -d" " all manifest | awk "\$8 != \"-\" { print \$1, \$2, \$3 }" \
		>actual &&
	test_cmp expect actual
'

test_expect_success 'skewed pages are straightened' '
	q "SELECT p.skew FROM page p JOIN stack s ON s.id = p.stack_id
	   ORDER BY s.source, p.seq" >skew &&
	paste -d" " manifest skew | awk "\$4 != \"blank\" {
		a = \$10 < 0 ? -\$10 : \$10
		want = \$4 ~ /skew/ ? 3 : 0
		d = a - want
		if (d < -0.5 || d > 0.5) {
			print \$1, \$2 \": skew \" \$10 \", want about \" want
			bad = 1
		}
	} END { exit bad }"
'

test_expect_success 'depth, resolution and size are as delivered' '
	awk "{ print \$2, \$3, \$9, \$10, \$11 \"x\" \$12 }" pages >actual &&
	awk "{ size = \$4 ~ /^rot(90|270)/ ? \"3508x2480\" : \"2480x3508\";
	       print \$1, \$2, \$6, \$7, size }" manifest >expect &&
	test_cmp expect actual
'

test_expect_success 'letters --format jsonl has exactly the 22 fields' '
	"$MAILROOM" --archive "$A" letters --format jsonl >letters.jsonl &&
	test_line_count -eq 18 letters.jsonl &&
	jq -c keys letters.jsonl | sort -u >actual &&
	echo "[\"addressee\",\"confidence\",\"department\",\"first_page\",\"language\",\"mailbox\",\"page_count\",\"pages\",\"pages_unread\",\"reasons\",\"repeat\",\"repeat_of\",\"review\",\"risk\",\"risk_words\",\"source\",\"state\",\"text\",\"tracking_code\",\"valid\",\"validity_reason\",\"writer\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'letters agree with the import and the index' '
	jq -r "[.tracking_code, .page_count, .source] | @tsv" letters.jsonl |
		sort >actual &&
	sort out >expect &&
	test_cmp expect actual &&
	jq -r "[(.source | sub(\".*/\"; \"\")), .first_page, (.pages | length),
		(.language // \"null\")] | @tsv" letters.jsonl | sort >actual &&
	awk "\$2 == 1 { l[\$1] = \$3 == \"-\" ? \"null\" : \$3 } { n[\$1]++ }
	     END { for (f in n) printf \"%s\t1\t%d\t%s\n\", f, n[f], l[f] }" \
		manifest | sort >expect &&
	test_cmp expect actual &&
	jq -r "select(.source | endswith(\"17-zh-gas-mixed.tif\")) | .text" \
		letters.jsonl >gas.text &&
	test "$(grep -c "$(printf "\f")" gas.text)" -ge 1 &&
	jq -e "[.pages[]] | all(type == \"number\")" letters.jsonl >/dev/null
'

test_expect_success 'character error rate of every page is in bounds' '
	: >cer.txt &&
	paste -d" " pages manifest >joined &&
	while read -r id f seq x x x x x x x x x x \
			mf mseq lang variant x x x ref bound; do
		test "$ref" != - || continue
		q "SELECT text FROM page WHERE id = $id" >hyp || exit 1
		cer=$("$CER" "$ref" hyp) || exit 1
		say "cer $lang $variant $cer (bound $bound)"
		echo "$lang $variant $cer" >>cer.txt
		if ! test_below "$cer" "$bound"; then
			echo "$f page $seq: CER $cer not below $bound"
			touch cer.failed
		fi
	done <joined &&
	test ! -f cer.failed
'

test_expect_success 'clean pages are read well' '
	awk "\$2 ~ /clean/ { print \$1, \$2, \$3 }" cer.txt >clean &&
	test_line_count -eq 5 clean &&
	while read -r lang variant cer; do
		test_below "$cer" 0.05 || exit 1
	done <clean &&
	mean=$(awk "{ s += \$3 } END { printf \"%.4f\", s / NR }" clean) &&
	say "mean CER of clean pages $mean" &&
	test_below "$mean" 0.03
'

test_expect_success 'upside-down pages read as well as upright ones' '
	for lang in zh en; do
		up=$(awk -v l=$lang "\$1 == l && \$2 == \"clean\" { print \$3 }" \
			cer.txt) &&
		down=$(awk -v l=$lang "\$1 == l && \$2 == \"rot180\" { print \$3 }" \
			cer.txt) &&
		say "$lang upright $up, upside down $down" &&
		test_below "$down" "$(awk "BEGIN { print $up + 0.01 }")" ||
		exit 1
	done
'

test_expect_success 'the archive is consistent' '
	test "$(q "PRAGMA integrity_check")" = ok &&
	test -z "$(find "$A" -name "*.part")" &&
	q "SELECT img_path FROM page" >paths &&
	while read -r p; do
		test -f "$A/$p" || { echo "missing $p"; exit 1; }
	done <paths &&
	test "$(q "SELECT count(*) FROM page WHERE blank = 0 AND id NOT IN
		(SELECT page_id FROM word)")" = 0
'

test_expect_success 'search finds a Chinese and an English word' '
	"$MAILROOM" --archive "$A" search 燃气 >hits &&
	cat hits &&
	! awk -F"\t" "NF != 5" hits | grep . &&
	grep "17-zh-gas-mixed.tif" out | cut -f1 >expect &&
	cut -f1 hits | sort -u >actual &&
	test_cmp expect actual &&
	"$MAILROOM" --archive "$A" search Riverside >hits &&
	cat hits &&
	grep "11-en-clean.png" out | cut -f1 >code &&
	cut -f1 hits | grep -qxf code &&
	test_expect_code 1 "$MAILROOM" --archive "$A" search qwxzkj
'

test_expect_success 'show finds a letter by its tracking code' '
	code=$(grep "01-zh-clean.png" out | cut -f1) &&
	"$MAILROOM" --archive "$A" show "$code" >shown &&
	grep -q "$code" shown &&
	grep -q "施工" shown &&
	lower=$(echo "$code" | tr "A-Z-" "a-z ") &&
	"$MAILROOM" --archive "$A" show "$lower" >shown
'

test_expect_success 'options may follow the command and its operand' '
	code=$(grep "01-zh-clean.png" out | cut -f1) &&
	"$MAILROOM" show "$code" --archive "$A" >shown &&
	grep -q "$code" shown &&
	"$MAILROOM" letters --archive "$A" --format jsonl >again.jsonl &&
	test_cmp letters.jsonl again.jsonl
'

test_expect_success 'the archive may come from MAILROOM_ARCHIVE' '
	MAILROOM_ARCHIVE=$A "$MAILROOM" letters --format table >table &&
	cat table &&
	cut -f1 out >codes &&
	test "$(grep -cFf codes table)" -eq 18
'

test_expect_success 'show with a mistyped code names the check character' '
	code=$(grep "01-zh-clean.png" out | cut -f1) &&
	case $code in A*) c=B ;; *) c=A ;; esac &&
	bad=$c${code#?} &&
	test_expect_code 65 "$MAILROOM" --archive "$A" show "$bad" 2>err &&
	cat err &&
	grep -i "check" err &&
	test_line_count -eq 1 err
'

test_expect_success 'exactly one check character makes the mistyped code valid' '
	code=$(grep "01-zh-clean.png" out | cut -f1) &&
	case $code in A*) c=B ;; *) c=A ;; esac &&
	stem=$c$(echo "$code" | cut -c2-8) &&
	: >codes &&
	for k in A B C D E F G H I J K L M N O P Q R S T U V W X Y Z \
		 0 1 2 3 4 5 6 7 8 9; do
		rc=0 &&
		"$MAILROOM" --archive "$A" show "$stem$k" >/dev/null 2>&1 ||
			rc=$?
		echo "$rc" >>codes
	done &&
	sort codes | uniq -c | awk "{ print \$2, \$1 }" >actual &&
	printf "65 35\n66 1\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'letters and search answer while an import is writing' '
	mkdir busy &&
	for n in 1 2 3; do
		"$MKPAGE" --noise $((n + 1)) -o busy/$n.png $ZH.png || exit 1
	done &&
	"$MAILROOM" --archive "$A" import busy >busy.out 2>busy.err &
	pid=$! &&
	sleep 2 &&
	"$MAILROOM" --archive "$A" letters >/dev/null &&
	"$MAILROOM" --archive "$A" search 燃气 >/dev/null &&
	kill -0 $pid &&
	wait $pid &&
	test_line_count -eq 3 busy.out
'

test_done
