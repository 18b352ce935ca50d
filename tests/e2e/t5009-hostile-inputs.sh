#!/bin/sh
# t5009-hostile-inputs: what t5001 and t5002 leave out.  Layouts and
# damage made here (tiled, planar and 16-bit TIFFs, 1x1 images, TIFFs
# and JPEGs cut short, a PNG with a bad CRC, a JPEG with damaged data,
# images under another format's name); the pixel limit (--max-pixels),
# judged from the header before decoding; file names with spaces, quotes
# and Chinese; unreadable files and folders; FIFOs, a folder named
# x.png, dangling links; loops of links and one file under two names;
# a full disk.  Every bad input gives one error line naming it and the
# rest is archived; nothing of a failed file stays in the archive.
#
# Prerequisites: UNREADABLE (a mode-000 file cannot be read: as root,
# mailroom runs without CAP_DAC_OVERRIDE through setpriv), SMALLFS (an
# 8 MB tmpfs could be mounted, to fill it: root, and mount permitted).
. "$(dirname "$0")/lib.sh"

# Names with spaces, quotes and Chinese (used inside the test bodies).
SPACE="a letter from Elm Road.png"
QUOTE="it's \"urgent\".png"
ZH="市长信箱 来信（张三）.png"
BADQ="bad \"one\" 'here'.png"
BADZH="坏的 扫描件.jpg"

# Error lines of stderr file $2 that name file $1, in quotes.
errors_naming() {
	grep "^mailroom: error: " "$2" | grep -cF "'$1'" || :
}

# The sources of the archive $1's stacks, one a line, sorted.
sources() {
	aq "$1" "SELECT source FROM stack" | LC_ALL=C sort
}

# verify_clean ARCHIVE: `mailroom verify` passes and nothing is left over.
verify_clean() {
	"$MAILROOM" --archive "$1" verify >verify.out 2>verify.err || {
		cat verify.out verify.err
		return 1
	}
	test "$(aq "$1" "PRAGMA integrity_check")" = ok &&
		test -z "$(find "$1" -name "*.part")"
}

# Run a command without the right to read what its mode forbids: as root
# (CI runs the tests as root), without CAP_DAC_OVERRIDE.
unprivileged() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --bounding-set=-dac_override,-dac_read_search -- "$@"
	else
		"$@"
	fi
}
echo probe >probe-ok && echo probe >probe-no && chmod 000 probe-no &&
	unprivileged cat probe-ok >/dev/null 2>&1 &&
	! unprivileged cat probe-no >/dev/null 2>&1 &&
	test_set_prereq UNREADABLE
rm -f probe-ok probe-no

mkdir small
if mount -t tmpfs -o size=8m,mode=0700 tmpfs "$tmp/small" 2>/dev/null; then
	test_set_prereq SMALLFS
	trap 'umount "$tmp/small" 2>/dev/null; test_cleanup' EXIT
fi

# Image files made byte by byte (python3, no imaging library):
#   tiff OUT W H [bps=8] [spp=1] [planar=1] [tile=0] [rps=0] [keep=0]
#        an uncompressed grey or RGB TIFF of a test pattern, its
#        directory first; keep > 0 keeps only the first keep bytes
#   png OUT W H          an 8-bit grey PNG of the pattern
#   pnghead OUT W H      a PNG's header claiming W x H, then a few bytes
#   keep IN OUT N        the first N bytes of IN
#   badcrc IN OUT CHUNK  IN with the CRC of its first CHUNK chunk wrong
#   damage IN OUT        a JPEG with 200 bytes of its scan data scrambled
cat >mkimg.py <<'EOF'
import struct, sys, zlib

def pattern(x, y, s):
    return (x * 7 + y * 3 + s * 50) % 256

def tiff(out, w, h, bps=8, spp=1, planar=1, tile=0, rps=0, keep=0):
    fmt = '<H' if bps == 16 else 'B'
    scale = 257 if bps == 16 else 1
    planes = list(range(spp)) if planar == 2 else [None]
    tw, th = (tile, tile) if tile else (w, rps or h)
    chunks = []
    for p in planes:
        chans = [p] if p is not None else list(range(spp))
        for y0 in range(0, h, th):
            for x0 in range(0, w, tw):
                rows = range(y0, y0 + th if tile else min(h, y0 + th))
                chunks.append(b''.join(
                    struct.pack(fmt, pattern(x, y, c) * scale
                                if x < w and y < h else 0)
                    for y in rows for x in range(x0, x0 + tw)
                    for c in chans))
    tags = [(256, 4, [w]), (257, 4, [h]), (258, 3, [bps] * spp),
            (259, 3, [1]), (262, 3, [2 if spp == 3 else 1]),
            (277, 3, [spp]), (282, 5, [300, 1]), (283, 5, [300, 1]),
            (284, 3, [planar]), (296, 3, [2])]
    if tile:
        tags += [(322, 3, [tile]), (323, 3, [tile]),
                 (324, 4, None), (325, 4, [len(c) for c in chunks])]
    else:
        tags += [(273, 4, None), (278, 4, [th]),
                 (279, 4, [len(c) for c in chunks])]
    tags.sort()
    extra_at = 8 + 2 + 12 * len(tags) + 4
    size = {3: 2, 4: 4, 5: 4}
    values = [v if v is not None else [0] * len(chunks) for t, y, v in tags]
    data_at = extra_at + sum(len(v) * size[y] for (t, y, _), v in
                             zip(tags, values) if len(v) * size[y] > 4)
    offsets, at = [], data_at
    for c in chunks:
        offsets.append(at)
        at += len(c)
    ifd, extra = b'', b''
    for (tag, typ, v), vals in zip(tags, values):
        vals = offsets if v is None else vals
        raw = struct.pack('<%d%s' % (len(vals), 'H' if typ == 3 else 'I'),
                          *vals)
        n = len(vals) // 2 if typ == 5 else len(vals)
        if len(raw) <= 4:
            ifd += struct.pack('<HHI', tag, typ, n) + raw.ljust(4, b'\0')
        else:
            ifd += struct.pack('<HHII', tag, typ, n, extra_at + len(extra))
            extra += raw
    data = (b'II*\0' + struct.pack('<IH', 8, len(tags)) + ifd +
            b'\0\0\0\0' + extra + b''.join(chunks))
    open(out, 'wb').write(data[:keep] if keep else data)

def chunk(kind, body):
    return (struct.pack('>I', len(body)) + kind + body +
            struct.pack('>I', zlib.crc32(kind + body)))

def png(out, w, h):
    rows = b''.join(b'\0' + bytes(pattern(x, y, 0) for x in range(w))
                    for y in range(h))
    open(out, 'wb').write(
        b'\x89PNG\r\n\x1a\n' +
        chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) +
        chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))

def pnghead(out, w, h):
    open(out, 'wb').write(
        b'\x89PNG\r\n\x1a\n' +
        chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) +
        struct.pack('>I', 4096) + b'IDAT' + zlib.compress(b'\0' * 64)[:8])

def badcrc(src, out, kind):
    b = bytearray(open(src, 'rb').read())
    at = b.index(kind.encode())
    n = struct.unpack('>I', b[at - 4:at])[0]
    b[at + 4 + n] ^= 0x55
    open(out, 'wb').write(bytes(b))

def damage(src, out):
    b = bytearray(open(src, 'rb').read())
    at = b.index(b'\xff\xda')
    at += (len(b) - at) // 2
    for i in range(at, at + 200):
        b[i] = (b[i] * 7 + 13) % 256
    open(out, 'wb').write(bytes(b))

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == 'tiff':
    tiff(args[0], int(args[1]), int(args[2]),
         **{k: int(v) for k, v in (a.split('=') for a in args[3:])})
elif cmd == 'png':
    png(args[0], int(args[1]), int(args[2]))
elif cmd == 'pnghead':
    pnghead(args[0], int(args[1]), int(args[2]))
elif cmd == 'keep':
    open(args[1], 'wb').write(open(args[0], 'rb').read()[:int(args[2])])
elif cmd == 'badcrc':
    badcrc(args[0], args[1], args[2])
elif cmd == 'damage':
    damage(args[0], args[1])
EOF

mkimg() {
	python3 "$tmp/mkimg.py" "$@"
}

test_expect_success 'make letters, layouts and damaged files' '
	for i in 1 2 3 4 5 6 7 8 9; do
		echo "Dear Mayor, letter $i: the lamps of Elm Road $i are out." \
			>t$i.txt &&
		pango-view --font "DejaVu Serif 12" --dpi 300 -q -o t$i.png \
			t$i.txt &&
		"$MKPAGE" -o p$i.png t$i.png || exit 1
	done &&
	mkdir d &&
	mkimg tiff d/tiled.tif 100 70 tile=32 &&
	mkimg tiff d/tiled-gray16.tif 100 70 bps=16 tile=32 &&
	mkimg tiff d/planar.tif 100 70 spp=3 planar=2 &&
	mkimg tiff d/planar-rgb16.tif 100 70 spp=3 planar=2 bps=16 &&
	mkimg tiff d/tiled-planar.tif 100 70 spp=3 planar=2 tile=32 &&
	mkimg tiff d/gray16.tif 100 70 bps=16 rps=10 &&
	mkimg tiff d/one.tif 1 1 &&
	mkimg png d/one.png 1 1 &&
	mkimg tiff d/cut-strips.tif 100 70 rps=10 keep=3000 &&
	"$MKPAGE" --depth 1 -o stack.tif t1.png t2.png &&
	mkimg keep stack.tif d/cut-stack.tif $(($(wc -c <stack.tif) * 3 / 4)) &&
	"$MKPAGE" -o page.jpg t3.png &&
	mkimg keep page.jpg d/cut.jpg $(($(wc -c <page.jpg) / 2)) &&
	mkimg damage page.jpg d/damaged.jpg &&
	mkimg badcrc p4.png d/bad-crc.png IDAT &&
	mkimg badcrc p4.png d/bad-crc-phys.png pHYs &&
	cp p5.png d/png-named.tif &&
	cp page.jpg d/jpeg-named.png &&
	test "$(wc -c <d/cut-strips.tif)" -eq 3000
'

test_expect_success 'layouts are archived, damaged files refused by name' '
	test_expect_code 65 timeout 60 "$MAILROOM" --archive A import --later \
		d >out 2>err &&
	cat err &&
	test_line_count -eq 0 out &&
	cat >expect-errors <<-\EOF &&
	d/bad-crc.png CRC error
	d/cut-stack.tif page 2: the file is cut short
	d/cut-strips.tif page 1:
	d/cut.jpg page 1:
	d/damaged.jpg page 1:
	d/one.png page 1: 1x1 pixels is too small
	d/one.tif page 1: 1x1 pixels is too small
	EOF
	while read -r f why; do
		test "$(errors_naming "$f" err)" -eq 1 ||
			{ echo "$f: not one error line"; exit 1; }
		grep -F "'"'"'$f'"'"'" err | grep -qF "$why" ||
			{ echo "$f: no \"$why\""; exit 1; }
	done <expect-errors &&
	test "$(grep -c "^mailroom: error: " err)" -eq 7 &&
	sources A >actual &&
	printf "%s\n" d/bad-crc-phys.png d/gray16.tif d/jpeg-named.png \
		d/planar-rgb16.tif d/planar.tif d/png-named.tif \
		d/tiled-gray16.tif d/tiled-planar.tif d/tiled.tif >expect &&
	test_cmp expect actual &&
	tail -n 1 err | grep "^imported 9 of 16 files" &&
	verify_clean A
'

test_expect_success 'the layouts keep their size and depth' '
	aq A "SELECT s.source, p.width, p.height, p.depth, p.img_format
	      FROM page p JOIN stack s ON s.id = p.stack_id
	      WHERE s.source LIKE '"'"'%.tif'"'"' AND s.source NOT LIKE
	      '"'"'%named%'"'"' ORDER BY s.source" >actual &&
	cat >expect <<-\EOF &&
	d/gray16.tif|100|70|16|png
	d/planar-rgb16.tif|100|70|32|png
	d/planar.tif|100|70|32|png
	d/tiled-gray16.tif|100|70|16|png
	d/tiled-planar.tif|100|70|32|png
	d/tiled.tif|100|70|8|png
	EOF
	test_cmp expect actual
'

test_expect_success '--max-pixels: a page one pixel over is refused unread' '
	mkdir lim &&
	mkimg png lim/at-limit.png 63 65 &&
	mkimg png lim/one-over.png 64 64 &&
	mkimg pnghead lim/header-only.png 2000 2000 &&
	mkimg tiff lim/over.tif 100 70 &&
	test_expect_code 65 "$MAILROOM" --archive L import --later \
		--max-pixels 4095 lim >out 2>err &&
	cat err &&
	grep -F "'"'"'lim/one-over.png'"'"' page 1: 64x64 pixels is more than the limit of 4095" err &&
	grep -F "'"'"'lim/header-only.png'"'"' page 1: 2000x2000 pixels is more than the limit of 4095" err &&
	grep -F "'"'"'lim/over.tif'"'"' page 1: 100x70 pixels is more than the limit of 4095" err &&
	test "$(grep -c "^mailroom: error: " err)" -eq 3 &&
	test "$(sources L)" = lim/at-limit.png &&
	verify_clean L
'

test_expect_success '--max-pixels: the default, and values refused' '
	mkimg pnghead huge.png 10001 10000 &&
	test_expect_code 65 "$MAILROOM" --archive L import --later huge.png \
		lim/one-over.png 2>err &&
	cat err &&
	grep -F "'"'"'huge.png'"'"' page 1: 10001x10000 pixels is more than the limit of 100000000" err &&
	test "$(grep -c "^mailroom: error: " err)" -eq 1 &&
	for v in 0 -5 1e6 abc 4294967296; do
		test_expect_code 64 "$MAILROOM" --archive L import \
			--max-pixels "$v" lim 2>err || exit 1
		grep -F -- "--max-pixels wants a positive number, not '"'"'$v'"'"'" err ||
			exit 1
	done &&
	test "$(aq L "SELECT count(*) FROM stack")" -eq 2
'

test_expect_success 'names with spaces, quotes and Chinese stay whole' '
	mkdir n &&
	cp p1.png "n/$SPACE" &&
	cp p2.png "n/$QUOTE" &&
	cp p3.png "n/$ZH" &&
	cp t1.txt "n/$BADQ" &&
	mkimg keep page.jpg "n/$BADZH" 3000 &&
	test_expect_code 65 "$MAILROOM" --archive N import n >out 2>err &&
	cat out err &&
	cut -f3 out >actual &&
	printf "%s\n" "n/$SPACE" "n/$QUOTE" "n/$ZH" >expect &&
	test_cmp expect actual &&
	test "$(errors_naming "n/$BADQ" err)" -eq 1 &&
	test "$(errors_naming "n/$BADZH" err)" -eq 1 &&
	test "$(grep -c "^mailroom: error: " err)" -eq 2 &&
	"$MAILROOM" --archive N letters | jq -r .source | LC_ALL=C sort >actual &&
	LC_ALL=C sort expect >expect.sorted &&
	test_cmp expect.sorted actual &&
	verify_clean N
'

test_expect_success UNREADABLE 'unreadable files and folders: named, the rest archived' '
	mkdir u u/locked &&
	cp p1.png u/1-good.png &&
	cp p2.png u/2-locked.png &&
	cp p3.png u/locked/3.png &&
	cp p4.png u/4-good.png &&
	cp p5.png locked-given.png &&
	chmod 000 u/2-locked.png u/locked locked-given.png &&
	test_expect_code 65 unprivileged "$MAILROOM" --archive U import --later \
		u locked-given.png >out 2>err &&
	chmod 700 u/2-locked.png u/locked locked-given.png &&
	cat err &&
	grep -F "cannot read '"'"'u/2-locked.png'"'"': Permission denied" err &&
	grep -F "cannot read '"'"'locked-given.png'"'"': Permission denied" err &&
	grep -F "cannot read folder '"'"'u/locked'"'"': Permission denied" err &&
	test "$(grep -c "^mailroom: error: " err)" -eq 3 &&
	sources U >actual &&
	printf "%s\n" u/1-good.png u/4-good.png >expect &&
	test_cmp expect actual &&
	tail -n 1 err | grep "^imported 2 of 4 files: .* 3 errors" &&
	verify_clean U
'

test_expect_success 'FIFOs, a folder named x.png, links to nothing' '
	mkdir f f/folder.png &&
	cp p1.png f/1-good.png &&
	cp p2.png f/folder.png/inside.png &&
	mkfifo f/fifo.png fifo-given.tif &&
	ln -s no-such.png f/dangling.png &&
	test_expect_code 65 timeout 60 "$MAILROOM" --archive F import --later \
		f fifo-given.tif >out 2>err &&
	cat err &&
	grep -F "cannot import '"'"'f/fifo.png'"'"': not a file" err &&
	grep -F "cannot import '"'"'fifo-given.tif'"'"': not a file" err &&
	grep -F "cannot open '"'"'f/dangling.png'"'"': No such file or directory" err &&
	test "$(grep -c "^mailroom: error: " err)" -eq 3 &&
	sources F >actual &&
	printf "%s\n" f/1-good.png f/folder.png/inside.png >expect &&
	test_cmp expect actual &&
	verify_clean F
'

test_expect_success 'loops of links end; a file under two names is read once' '
	mkdir -p s/sub &&
	cp p1.png s/a-good.png &&
	cp p2.png s/sub/b-good.png &&
	ln -s self.png s/self.png &&
	ln -s ping.png s/pong.png &&
	ln -s pong.png s/ping.png &&
	ln -s .. s/sub/up &&
	ln -s ../../s s/sub/again &&
	ln -s a-good.png s/z-link.png &&
	ln s/sub/b-good.png s/hard-link.png &&
	test_expect_code 65 timeout 60 "$MAILROOM" --archive S import s \
		s/a-good.png >out 2>err &&
	cat out err &&
	loop=$(printf "%s" "Too many levels of symbolic links") &&
	for f in s/self.png s/ping.png s/pong.png; do
		grep -F "cannot open '"'"'$f'"'"': $loop" err || exit 1
	done &&
	test "$(grep -c "^mailroom: error: " err)" -eq 3 &&
	known="is archived already, as stack" &&
	grep -F "warning: '"'"'s/z-link.png'"'"' $known 1: not stored again" err &&
	grep -F "warning: '"'"'s/a-good.png'"'"' $known 1: not stored again" err &&
	grep -F "warning: '"'"'s/sub/b-good.png'"'"' $known 2: not stored again" err &&
	cut -f3 out >actual &&
	printf "%s\n" s/a-good.png s/hard-link.png >expect &&
	test_cmp expect actual &&
	verify_clean S
'

test_expect_success SMALLFS 'a full disk: each file named with the reason' '
	"$MAILROOM" --archive small/A import p1.png >out 2>err &&
	mkdir big &&
	for i in 1 2 3; do
		"$MKPAGE" --page 1700x1754 --noise 40 -o big/p$i.png t$((i + 5)).png ||
			exit 1
	done &&
	test "$(wc -c <big/p1.png)" -gt 1200000 &&
	{ dd if=/dev/zero of=small/fill bs=4k 2>/dev/null || :; } &&
	test "$(df -k --output=avail small | tail -n 1)" -lt 8 &&
	truncate -s -1024K small/fill &&
	test_expect_code 65 "$MAILROOM" --archive small/A import big p2.png \
		>out 2>err &&
	cat out err &&
	for i in 1 2 3; do
		grep "^mailroom: error: cannot archive '"'"'big/p$i.png'"'"': .*: No space left on device$" err ||
			exit 1
	done &&
	test "$(grep -c "^mailroom: error: " err)" -eq 3 &&
	cut -f3 out >actual &&
	echo p2.png >expect &&
	test_cmp expect actual &&
	verify_clean small/A &&
	test ! -s small/A/index.sqlite-wal
'

test_expect_success SMALLFS 'with no room at all the archive is named, unchanged' '
	before=$(aq small/A "SELECT count(*) FROM page") &&
	{ dd if=/dev/zero of=small/fill2 bs=4k 2>/dev/null || :; } &&
	rc=0 &&
	"$MAILROOM" --archive small/A import p3.png >out 2>err || rc=$? &&
	rm small/fill2 &&
	cat err &&
	case $rc in 73 | 74) ;; *) echo "exit $rc, want 73 or 74"; exit 1 ;; esac &&
	grep "^mailroom: error: .*small/A.*No space left on device" err &&
	test_line_count -eq 0 out &&
	test "$(aq small/A "SELECT count(*) FROM page")" -eq "$before" &&
	verify_clean small/A
'

test_expect_success SMALLFS 'after space is freed, a rerun imports the rest' '
	rm small/fill &&
	"$MAILROOM" --archive small/A import big/p1.png big/p2.png big/p3.png \
		p3.png >out 2>err &&
	cat out err &&
	cut -f3 out >actual &&
	printf "%s\n" big/p1.png big/p2.png big/p3.png p3.png >expect &&
	test_cmp expect actual &&
	sources small/A >actual &&
	printf "%s\n" big/p1.png big/p2.png big/p3.png p1.png p2.png p3.png \
		>expect &&
	test_cmp expect actual &&
	verify_clean small/A
'

# Leave 0 to 128 KB free in 4 KB steps: the page file, the index's WAL
# or its opening fails in turn; each time the page is wholly in or out.
test_expect_success SMALLFS 'whatever room is left, no half-written record' '
	"$MAILROOM" --archive small/W import --later p1.png 2>err
	: >outcomes
	for left in $(seq 0 4 128); do
		rm -rf small/X
		cp -a small/W small/X
		dd if=/dev/zero of=small/fill bs=4k 2>/dev/null || :
		truncate -s -${left}K small/fill
		rc=0
		"$MAILROOM" --archive small/X import --later p2.png 2>err || rc=$?
		rm small/fill
		pages=$(aq small/X "SELECT count(*) FROM page")
		case $rc in
		0) test "$pages" -eq 2 ;;
		65 | 73 | 74)
			test "$pages" -eq 1 &&
				grep "^mailroom: error: .*No space left on device" err ;;
		*) false ;;
		esac || { echo "$left KB left: exit $rc, $pages pages"; cat err; exit 1; }
		verify_clean small/X || { echo "$left KB left"; exit 1; }
		echo "$rc $(grep -o "cannot write\|disk is full\|disk I/O error" err |
			head -n 1)" >>outcomes
	done
	sort outcomes | uniq -c >kinds
	say "exits and failures from 0 to 128 KB left: $(paste -sd, kinds)"
	grep -q "^ *[0-9]* 0 *$" kinds
	grep -q "^ *[0-9]* 7[34] " kinds
'

test_done
