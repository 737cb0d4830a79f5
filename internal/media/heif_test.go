package media

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// isoTestBox builds an ISO base media box.
func isoTestBox(typ string, parts ...[]byte) []byte {
	n := 8
	for _, p := range parts {
		n += len(p)
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(n))
	b = append(b, typ...)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// isoTestFullBox builds a box that starts with a version and flags.
func isoTestFullBox(typ string, version byte, parts ...[]byte) []byte {
	return isoTestBox(typ, append([][]byte{{version, 0, 0, 0}}, parts...)...)
}

// appendUintN appends v as an n-byte big-endian integer.
func appendUintN(b []byte, n int, v uint64) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// heicTestItem is an item of a test HEIC file.
type heicTestItem struct {
	id          uint32
	typ         string
	contentType string // of a mime item
	data        []byte // nil: the item has no iloc entry
	inIdat      bool
	split       int // > 0: stored as two extents, the first this long
}

// ilocTestEntry is an iloc entry as heicFile writes it.
type ilocTestEntry struct {
	id      uint32
	method  uint16
	dataRef uint16
	base    uint64
	extents [][2]uint64 // offset, length
}

// heicSpec describes a test HEIC file for heicFile.
type heicSpec struct {
	items                                       []heicTestItem
	handler                                     string // "" for no hdlr box
	metaVersion, infeVersion, ilocVersion       byte
	offsetSize, lengthSize, baseSize, indexSize int
	useBase                                     bool // each item's first extent offset in base_offset
	// edit changes the iloc entries once offsets are known; it must not
	// change how many entries or extents there are.
	edit        func([]ilocTestEntry)
	iinfExtra   [][]byte // boxes appended to iinf, and counted
	ilocTrailer []byte
	metaExtra   [][]byte // boxes at the end of meta
	mdatGap     []byte   // bytes at the start of mdat that no item uses
	mdatHeader  string   // "large" for a 64-bit size, "zero" for size 0
	topExtra    [][]byte // boxes after mdat
}

// heicPhoto is the image item of the test files: not real HEVC, but bytes
// Strip must leave exactly as they are.
var heicPhoto = []byte("\x00\x00\x01\x26\x01\xafHEVC slice data of the photo\x00\x01\x02\x03\xff\xfe")

// heicExif is an Exif item as an iPhone writes it: the offset of the TIFF
// header, "Exif\0\0", then a TIFF structure with the device and a GPS IFD,
// and here a note no one else could have written.
func heicExif() []byte {
	b := []byte("\x00\x00\x00\x06Exif\x00\x00")
	b = append(b, exifTIFF(binary.BigEndian, 1)...)
	return append(b, "owner: Tran Thi B"...)
}

var heicXMP = xmpPayload[len("http://ns.adobe.com/xap/1.0/\x00"):]

// cameraHEIC is the spec of a photo as a phone writes it: an HEVC image,
// a grid item in idat, and Exif and XMP items for the image.
func cameraHEIC() heicSpec {
	return heicSpec{
		items: []heicTestItem{
			{id: 1, typ: "hvc1", data: heicPhoto},
			{id: 2, typ: "grid", data: []byte{0, 0, 0, 0, 0, 16, 0, 16}, inIdat: true},
			{id: 3, typ: "Exif", data: heicExif()},
			{id: 4, typ: "mime", contentType: "application/rdf+xml", data: heicXMP},
		},
		handler:     "pict",
		infeVersion: 2,
		ilocVersion: 1,
		offsetSize:  4,
		lengthSize:  4,
	}
}

// heicFile lays out a test HEIC file (ftyp, meta, mdat) and returns it
// with where each item's bytes are.
func heicFile(s heicSpec) ([]byte, map[uint32]span) {
	ftyp := isoTestBox("ftyp", []byte("heic\x00\x00\x00\x00mif1heicmiaf"))
	var mdat, idat []byte
	mdat = append(mdat, s.mdatGap...)
	rel := map[uint32]int{}
	for _, it := range s.items {
		if it.data == nil {
			continue
		}
		if it.inIdat {
			rel[it.id] = len(idat)
			idat = append(idat, it.data...)
		} else {
			rel[it.id] = len(mdat)
			mdat = append(mdat, it.data...)
		}
	}
	mdatHeader := 8
	if s.mdatHeader == "large" {
		mdatHeader = 16
	}

	var idatAt int
	buildMeta := func(fileOff int) []byte {
		var entries []ilocTestEntry
		for _, it := range s.items {
			if it.data == nil {
				continue
			}
			e := ilocTestEntry{id: it.id}
			off := uint64(fileOff + len(ftyp) + mdatHeader + rel[it.id])
			if it.inIdat {
				e.method = 1
				off = uint64(rel[it.id])
			}
			n := uint64(len(it.data))
			if it.split > 0 {
				e.extents = [][2]uint64{{off, uint64(it.split)}, {off + uint64(it.split), n - uint64(it.split)}}
			} else {
				e.extents = [][2]uint64{{off, n}}
			}
			if s.useBase {
				e.base = off
				for i := range e.extents {
					e.extents[i][0] -= off
				}
			}
			entries = append(entries, e)
		}
		if s.edit != nil {
			s.edit(entries)
		}

		var infes [][]byte
		for _, it := range s.items {
			var b []byte
			if s.infeVersion >= 3 {
				b = binary.BigEndian.AppendUint32(b, it.id)
			} else {
				b = binary.BigEndian.AppendUint16(b, uint16(it.id))
			}
			b = append(b, 0, 0) // protection index
			b = append(b, it.typ...)
			b = append(b, 0) // empty name
			if it.typ == "mime" || it.typ == "uri " {
				b = append(b, it.contentType+"\x00"...) // content or URI type
			}
			infes = append(infes, isoTestFullBox("infe", s.infeVersion, b))
		}
		infes = append(infes, s.iinfExtra...)
		iinf := isoTestFullBox("iinf", 0, append([][]byte{binary.BigEndian.AppendUint16(nil, uint16(len(infes)))}, infes...)...)

		idSize := 2
		if s.ilocVersion >= 2 {
			idSize = 4
		}
		b := []byte{byte(s.offsetSize<<4 | s.lengthSize), byte(s.baseSize<<4 | s.indexSize)}
		b = appendUintN(b, idSize, uint64(len(entries)))
		for _, e := range entries {
			b = appendUintN(b, idSize, uint64(e.id))
			if s.ilocVersion > 0 {
				b = binary.BigEndian.AppendUint16(b, e.method)
			}
			b = binary.BigEndian.AppendUint16(b, e.dataRef)
			b = appendUintN(b, s.baseSize, e.base)
			b = binary.BigEndian.AppendUint16(b, uint16(len(e.extents)))
			for _, x := range e.extents {
				if s.ilocVersion > 0 {
					b = appendUintN(b, s.indexSize, 0)
				}
				b = appendUintN(b, s.offsetSize, x[0])
				b = appendUintN(b, s.lengthSize, x[1])
			}
		}
		iloc := isoTestFullBox("iloc", s.ilocVersion, b, s.ilocTrailer)

		var children [][]byte
		if s.handler != "" {
			children = append(children, isoTestFullBox("hdlr", 0, []byte("\x00\x00\x00\x00"+s.handler+strings.Repeat("\x00", 12)+"\x00")))
		}
		children = append(children,
			isoTestFullBox("pitm", 0, []byte{0, 2}),
			iinf,
			isoTestFullBox("iref", 0, []byte("\x00\x00\x00\x0edimg\x00\x02\x00\x01\x00\x01"), []byte("\x00\x00\x00\x0ecdsc\x00\x03\x00\x01\x00\x02")),
			isoTestBox("iprp",
				isoTestBox("ipco", isoTestFullBox("ispe", 0, []byte{0, 0, 0, 16, 0, 0, 0, 16}), isoTestBox("hvcC", []byte("decoder configuration"))),
				isoTestFullBox("ipma", 0, []byte{0, 0, 0, 1, 0, 1, 2, 0x81, 0x02})),
			iloc,
		)
		if idat != nil {
			children = append(children, isoTestBox("idat", idat))
		}
		children = append(children, s.metaExtra...)
		idatAt = 0
		pos := len(ftyp) + 12
		for _, c := range children {
			if string(c[4:8]) == "idat" {
				idatAt = pos + 8
			}
			pos += len(c)
		}
		return isoTestFullBox("meta", s.metaVersion, children...)
	}
	meta := buildMeta(0)
	meta = buildMeta(len(meta))

	file := append(append([]byte{}, ftyp...), meta...)
	mdatAt := len(file) + mdatHeader
	switch s.mdatHeader {
	case "large":
		file = append(file, 0, 0, 0, 1, 'm', 'd', 'a', 't')
		file = binary.BigEndian.AppendUint64(file, uint64(16+len(mdat)))
		file = append(file, mdat...)
	case "zero":
		file = append(file, 0, 0, 0, 0, 'm', 'd', 'a', 't')
		file = append(file, mdat...)
	default:
		file = append(file, isoTestBox("mdat", mdat)...)
	}
	for _, b := range s.topExtra {
		file = append(file, b...)
	}
	at := map[uint32]span{}
	for _, it := range s.items {
		if it.data == nil {
			continue
		}
		start := mdatAt + rel[it.id]
		if it.inIdat {
			start = idatAt + rel[it.id]
		}
		at[it.id] = span{start, start + len(it.data)}
	}
	return file, at
}

// isoTree lists the boxes of a HEIF file down to the properties, one
// "offset type size" a box; it reads the layout independently of
// parseHEIF.
func isoTree(t testing.TB, data []byte) []string {
	t.Helper()
	var list []string
	var walk func(from, to int, depth string)
	walk = func(from, to int, depth string) {
		for pos := from; pos < to; {
			if to-pos < 8 {
				t.Fatalf("truncated box at %d", pos)
			}
			size := int(binary.BigEndian.Uint32(data[pos:]))
			typ := string(data[pos+4 : pos+8])
			switch size {
			case 0: // to the end of the file
				size = to - pos
			case 1: // 64-bit size
				size = int(binary.BigEndian.Uint64(data[pos+8:]))
			}
			if size < 8 || pos+size > to {
				t.Fatalf("%q box at %d: size %d", typ, pos, size)
			}
			list = append(list, fmt.Sprintf("%s%d %s %d", depth, pos, typ, size))
			switch typ {
			case "meta":
				walk(pos+12, pos+size, depth+"  ")
			case "iinf":
				walk(pos+14, pos+size, depth+"  ")
			case "iprp", "ipco":
				walk(pos+8, pos+size, depth+"  ")
			}
			pos += size
		}
	}
	walk(0, len(data), "")
	return list
}

// assertNoIdentifyingHEIF is assertNoIdentifying for HEIF, where "Exif"
// and two zero bytes also occur in the box structure: an infe box naming
// the item type, its empty name, and the size of the next box.
func assertNoIdentifyingHEIF(t *testing.T, out []byte) {
	t.Helper()
	for _, s := range append(identifying, "Exif\x00\x00MM", "Exif\x00\x00II") {
		if s != "Exif\x00\x00" && bytes.Contains(out, []byte(s)) {
			t.Errorf("output still contains %q", s)
		}
	}
}

// itemBytes is the payload of an item: its extents joined.
func itemBytes(data []byte, it *heifItem) []byte {
	var b []byte
	for _, e := range it.extents {
		b = append(b, data[e.start:e.end]...)
	}
	return b
}

// checkBlanked fails unless a metadata item holds nothing but its
// replacement: the empty Exif block, an empty XMP packet or zeros.
func checkBlanked(t testing.TB, it *heifItem, payload []byte) {
	t.Helper()
	rest := payload
	switch {
	case it.typ == "Exif" && len(payload) >= len(heifEmptyExif):
		if !bytes.HasPrefix(payload, []byte(heifEmptyExif)) {
			t.Fatalf("Exif item %d: %q", it.id, payload)
		}
		rest = payload[len(heifEmptyExif):]
	case it.isXMP() && len(payload) >= len(heifEmptyXMP):
		if !bytes.HasPrefix(payload, []byte(heifEmptyXMP)) ||
			len(bytes.Trim(payload[len(heifEmptyXMP):], " ")) != 0 {
			t.Fatalf("XMP item %d: %q", it.id, payload)
		}
		return
	}
	if len(bytes.Trim(rest, "\x00")) != 0 {
		t.Fatalf("%s item %d not blanked: %q", it.typ, it.id, payload)
	}
}

// checkStrippedHEIF checks what Strip made of a HEIF file: same length
// and layout, image items untouched, metadata items blanked, and stripping
// again changes nothing.
func checkStrippedHEIF(t testing.TB, in, out []byte) {
	t.Helper()
	if len(out) != len(in) {
		t.Fatalf("output %d bytes, input %d", len(out), len(in))
	}
	before, err := parseHEIF(in)
	if err != nil {
		t.Fatalf("input accepted by Strip, refused by parseHEIF: %v", err)
	}
	after, err := parseHEIF(out)
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	if !reflect.DeepEqual(before.items, after.items) || !reflect.DeepEqual(before.stores, after.stores) {
		t.Fatal("items or stores differ after stripping")
	}
	for _, it := range before.items {
		if it.isMetadata() {
			checkBlanked(t, it, itemBytes(out, it))
		} else if !bytes.Equal(itemBytes(out, it), itemBytes(in, it)) {
			t.Fatalf("%s item %d changed", it.typ, it.id)
		}
	}
	again, err := stripHEIF(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("stripping the output: err %v, idempotent %v", err, bytes.Equal(again, out))
	}
}

func TestStripHEIF(t *testing.T) {
	in, at := heicFile(cameraHEIC())
	if ct, ok := Sniff(in[:min(len(in), SniffLen)]); !ok || ct != HEIC {
		t.Fatalf("test file sniffed as %q, %v", ct, ok)
	}
	gpsPointer := []byte{0x88, 0x25, 0, 4, 0, 0, 0, 1}      // GPS IFD pointer entry
	gpsLatitude := []byte{0, 2, 0, 5, 0, 0, 0, 3}           // GPSLatitude, 3 RATIONALs
	latitude := []byte{0, 0, 0, 21, 0, 0, 0, 1, 0, 0, 0, 1} // 21° 1'
	evidence := [][]byte{[]byte("owner: Tran Thi B"), []byte("Pixel 9"), []byte("GPSLatitude"), gpsPointer, gpsLatitude, latitude}
	for _, s := range evidence {
		if !bytes.Contains(in, s) {
			t.Fatalf("test input lacks %q", s)
		}
	}

	out, err := strip(t, HEIC, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range evidence {
		if bytes.Contains(out, s) {
			t.Errorf("output still contains %q", s)
		}
	}
	assertNoIdentifyingHEIF(t, out)

	// Nothing changed but the Exif and XMP payloads.
	want := bytes.Clone(in)
	exif, xmp := at[3], at[4]
	clear(want[exif.start:exif.end])
	copy(want[exif.start:], heifEmptyExif)
	copy(want[xmp.start:], heifEmptyXMP+strings.Repeat(" ", xmp.end-xmp.start-len(heifEmptyXMP)))
	if !bytes.Equal(out, want) {
		t.Errorf("got  %q\nwant %q", out, want)
	}
	if !bytes.Equal(out[at[1].start:at[1].end], heicPhoto) {
		t.Error("image item changed")
	}
	if !reflect.DeepEqual(isoTree(t, out), isoTree(t, in)) {
		t.Errorf("box structure changed:\n%v\n%v", isoTree(t, in), isoTree(t, out))
	}
	checkStrippedHEIF(t, in, out)

	// The replacements are what readers expect: a TIFF structure with an
	// empty first IFD, and well-formed XML.
	tiff := out[exif.start+4 : exif.end]
	if string(tiff[:4]) != "MM\x00\x2a" || binary.BigEndian.Uint32(tiff[4:]) != 8 || binary.BigEndian.Uint16(tiff[8:]) != 0 {
		t.Errorf("Exif item is not an empty TIFF structure: % x", tiff[:16])
	}
	dec := xml.NewDecoder(bytes.NewReader(out[xmp.start:xmp.end]))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("XMP item is not well-formed: %v", err)
		}
	}
}

func TestStripHEIFLayouts(t *testing.T) {
	cases := map[string]func(*heicSpec){
		"iloc version 0": func(s *heicSpec) {
			s.ilocVersion = 0
			s.items[1].inIdat = false
		},
		"iloc version 2, 8-byte fields, base offsets": func(s *heicSpec) {
			s.ilocVersion, s.offsetSize, s.lengthSize, s.baseSize, s.indexSize = 2, 8, 8, 8, 4
			s.useBase = true
		},
		"infe version 3":          func(s *heicSpec) { s.infeVersion = 3 },
		"Exif in idat, split":     func(s *heicSpec) { s.items[2].inIdat, s.items[2].split = true, 20 },
		"XMP split":               func(s *heicSpec) { s.items[3].split = 30 },
		"image split":             func(s *heicSpec) { s.items[0].split = 7 },
		"64-bit mdat size":        func(s *heicSpec) { s.mdatHeader = "large" },
		"mdat to the end":         func(s *heicSpec) { s.mdatHeader = "zero" },
		"XMP with parameters":     func(s *heicSpec) { s.items[3].contentType = "Application/RDF+XML; charset=utf-8" },
		"item without data":       func(s *heicSpec) { s.items = append(s.items, heicTestItem{id: 5, typ: "iden"}) },
		"Exif shorter than block": func(s *heicSpec) { s.items[2].data = []byte("\x00\x00\x00\x00MM") },
		"other metadata items": func(s *heicSpec) {
			s.items = append(s.items,
				heicTestItem{id: 5, typ: "mime", contentType: "application/json", data: []byte(`{"gps":"21.0,105.8"}`)},
				heicTestItem{id: 6, typ: "uri ", data: []byte("GPS track")},
				heicTestItem{id: 7, typ: "mime", contentType: "application/rdf+xml", data: []byte("<x/> GPS")})
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			s := cameraHEIC()
			edit(&s)
			in, _ := heicFile(s)
			out, err := strip(t, HEIC, in)
			if err != nil {
				t.Fatal(err)
			}
			assertNoIdentifyingHEIF(t, out)
			if !reflect.DeepEqual(isoTree(t, out), isoTree(t, in)) {
				t.Error("box structure changed")
			}
			checkStrippedHEIF(t, in, out)
		})
	}
}

func TestStripHEIFLeftovers(t *testing.T) {
	// Unknown boxes become empty free boxes; free boxes and the bytes of
	// mdat no item uses are zeroed.
	s := cameraHEIC()
	canon := isoTestBox("uuid", []byte("\x85\xc0\xb6\x87\x82\x0f\x11\xe0\x81\x11\xf4\xce\x46\x2b\x6a\x48"), []byte("CMT4 GPS 21.0N Canon"))
	s.topExtra = [][]byte{canon, isoTestBox("moov", isoTestBox("udta", []byte("\xa9xyz+21.0285+105.8542/")))}
	s.metaExtra = [][]byte{isoTestBox("xml ", []byte("<GPS>21.0</GPS>")), isoTestBox("free", []byte("old Exif from Pixel 9"))}
	s.mdatGap = []byte("unreferenced Exif\x00\x00 GPS of Pixel 9")
	in, at := heicFile(s)
	out, err := strip(t, HEIC, in)
	if err != nil {
		t.Fatal(err)
	}
	assertNoIdentifyingHEIF(t, out)
	for _, s := range []string{"Canon", "xyz", "udta", "moov", "xml ", "old Exif"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("output still contains %q", s)
		}
	}
	tree, treeIn := isoTree(t, out), isoTree(t, in)
	if len(tree) != len(treeIn) {
		t.Fatalf("box structure changed:\n%v\n%v", treeIn, tree)
	}
	for i := range tree {
		if a, b := strings.Fields(treeIn[i]), strings.Fields(tree[i]); a[0] != b[0] || a[2] != b[2] ||
			(a[1] != b[1] && b[1] != "free") {
			t.Errorf("box %q became %q", treeIn[i], tree[i])
		}
	}
	if !bytes.Equal(out[at[1].start:at[1].end], heicPhoto) {
		t.Error("image item changed")
	}
	checkStrippedHEIF(t, in, out)
}

func TestStripHEIFRejects(t *testing.T) {
	good, at := heicFile(cameraHEIC())
	ftypLen := int(binary.BigEndian.Uint32(good))
	meta := good[ftypLen : ftypLen+int(binary.BigEndian.Uint32(good[ftypLen:]))]
	raw := map[string][]byte{
		"empty":          {},
		"ftyp only":      good[:ftypLen],
		"ftyp not first": append(isoTestBox("free"), good...),
		"no meta":        append(append([]byte{}, good[:ftypLen]...), good[ftypLen+len(meta):]...),
		"not ISO":        []byte("%PDF-1.7\n/Author (Nguyen Van A)\n%%EOF\n"),
	}
	specs := map[string]func(*heicSpec){
		"meta version 1":       func(s *heicSpec) { s.metaVersion = 1 },
		"no hdlr":              func(s *heicSpec) { s.handler = "" },
		"handler not pict":     func(s *heicSpec) { s.handler = "vide" },
		"two hdlr":             func(s *heicSpec) { s.metaExtra = [][]byte{isoTestFullBox("hdlr", 0, []byte("\x00\x00\x00\x00pict"))} },
		"two meta":             func(s *heicSpec) { s.topExtra = [][]byte{meta} },
		"two ftyp":             func(s *heicSpec) { s.topExtra = [][]byte{good[:ftypLen]} },
		"iloc version 3":       func(s *heicSpec) { s.ilocVersion = 3 },
		"offset size 2":        func(s *heicSpec) { s.offsetSize = 2 },
		"length size 0":        func(s *heicSpec) { s.lengthSize = 0 },
		"base offset size 3":   func(s *heicSpec) { s.baseSize = 3 },
		"index size 1":         func(s *heicSpec) { s.indexSize = 1 },
		"stray bytes in iloc":  func(s *heicSpec) { s.ilocTrailer = []byte{0} },
		"infe version 4":       func(s *heicSpec) { s.infeVersion = 4 },
		"item described twice": func(s *heicSpec) { s.items[3].id = 3 },
		"non-infe in iinf":     func(s *heicSpec) { s.iinfExtra = [][]byte{isoTestBox("free")} },
		"unterminated name": func(s *heicSpec) {
			s.iinfExtra = [][]byte{isoTestFullBox("infe", 2, []byte("\x00\x09\x00\x00hvc1name"))}
		},
		"truncated infe":        func(s *heicSpec) { s.iinfExtra = [][]byte{isoTestFullBox("infe", 2, []byte("\x00\x09\x00\x00hv"))} },
		"no image":              func(s *heicSpec) { s.items = s.items[2:] },
		"box size below header": func(s *heicSpec) { s.topExtra = [][]byte{{0, 0, 0, 4, 'f', 'r', 'e', 'e'}} },
		"64-bit size past end": func(s *heicSpec) {
			s.topExtra = [][]byte{{0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0, 0, 1, 0, 0, 0, 0}}
		},
		"64-bit size below header": func(s *heicSpec) {
			s.topExtra = [][]byte{{0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0, 0, 0, 0, 0, 0, 8}}
		},
		"size 0 in meta":     func(s *heicSpec) { s.metaExtra = [][]byte{{0, 0, 0, 0, 'f', 'r', 'e', 'e'}} },
		"child past its box": func(s *heicSpec) { s.metaExtra = [][]byte{{0, 0, 0, 9, 'f', 'r', 'e', 'e'}} },
		"construction method 2": func(s *heicSpec) {
			s.edit = func(e []ilocTestEntry) { e[2].method = 2 }
		},
		"data in another file": func(s *heicSpec) { s.edit = func(e []ilocTestEntry) { e[2].dataRef = 1 } },
		"unknown item":         func(s *heicSpec) { s.edit = func(e []ilocTestEntry) { e[2].id = 99 } },
		"item located twice":   func(s *heicSpec) { s.edit = func(e []ilocTestEntry) { e[3].id = 3 } },
		"extent of length 0":   func(s *heicSpec) { s.edit = func(e []ilocTestEntry) { e[2].extents[0][1] = 0 } },
		"extent past the end": func(s *heicSpec) {
			s.edit = func(e []ilocTestEntry) { e[3].extents[0][1]++ }
		},
		"extent far past the end": func(s *heicSpec) {
			s.offsetSize = 8
			s.edit = func(e []ilocTestEntry) { e[2].extents[0][0] = 1 << 62 }
		},
		"extent in ftyp": func(s *heicSpec) { s.edit = func(e []ilocTestEntry) { e[2].extents[0] = [2]uint64{0, 16} } },
		"extent across mdat": func(s *heicSpec) {
			s.topExtra = [][]byte{isoTestBox("free", []byte("padding"))}
			s.edit = func(e []ilocTestEntry) { e[3].extents[0][1] += 4 }
		},
		"Exif overlaps image": func(s *heicSpec) {
			s.edit = func(e []ilocTestEntry) { e[2].extents[0][0] = uint64(at[1].start + 3) }
		},
		"Exif is image": func(s *heicSpec) {
			s.edit = func(e []ilocTestEntry) { e[2].extents[0] = e[0].extents[0] }
		},
		"base offset overflows": func(s *heicSpec) {
			s.baseSize = 8
			s.edit = func(e []ilocTestEntry) { e[2].base = 1<<64 - 1 }
		},
		"idat extent past idat": func(s *heicSpec) { s.edit = func(e []ilocTestEntry) { e[1].extents[0][1]++ } },
		"idat extent, no idat": func(s *heicSpec) {
			s.items[1].inIdat = false
			s.edit = func(e []ilocTestEntry) { e[1].method = 1 }
		},
	}
	for name, edit := range specs {
		s := cameraHEIC()
		edit(&s)
		raw[name], _ = heicFile(s)
	}
	for name, in := range raw {
		t.Run(name, func(t *testing.T) {
			out, err := strip(t, HEIC, in)
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v, want ErrMalformed", err)
			}
			if len(out) != 0 {
				t.Errorf("%d bytes written", len(out))
			}
		})
	}
}

func TestStripHEIFTruncated(t *testing.T) {
	in, _ := heicFile(cameraHEIC())
	for n := range len(in) {
		if _, err := strip(t, HEIC, in[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d of %d bytes: err = %v, want ErrMalformed", n, len(in), err)
		}
	}
}

func FuzzStripHEIF(f *testing.F) {
	seeds := []func(*heicSpec){
		func(*heicSpec) {},
		func(s *heicSpec) {
			s.ilocVersion, s.offsetSize, s.lengthSize, s.baseSize, s.indexSize = 2, 8, 8, 8, 4
			s.useBase, s.infeVersion = true, 3
			s.items[2].inIdat, s.items[2].split = true, 9
		},
		func(s *heicSpec) {
			s.ilocVersion = 0
			s.items[1].inIdat = false
			s.mdatHeader = "large"
			s.mdatGap = []byte("gap")
		},
		func(s *heicSpec) {
			s.topExtra = [][]byte{isoTestBox("uuid", make([]byte, 16), []byte("x")), isoTestBox("free", []byte("y"))}
			s.metaExtra = [][]byte{isoTestBox("xml ", []byte("z"))}
			s.items = append(s.items, heicTestItem{id: 5, typ: "uri ", data: []byte("u")})
		},
		func(s *heicSpec) { s.mdatHeader = "zero" },
	}
	for _, edit := range seeds {
		s := cameraHEIC()
		edit(&s)
		in, _ := heicFile(s)
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := strip(t, HEIC, in)
		if err != nil {
			if len(out) != 0 {
				t.Fatalf("%v, and %d bytes written", err, len(out))
			}
			return
		}
		checkStrippedHEIF(t, in, out)
	})
}
