package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"sort"
	"strings"
)

// A HEIF photo (ISO/IEC 23008-12) is an ISO base media file (ISO/IEC
// 14496-12) whose metadata are items of their own, beside the image items:
//
//	ftyp
//	meta   hdlr 'pict'; iinf, one infe per item with its type; iloc, where
//	       each item's bytes lie (in mdat, or in idat for small ones);
//	       idat; iprp, iref, pitm and dinf, which stripHEIF leaves alone
//	mdat   the items' bytes
//
// stripHEIF overwrites the metadata items in place instead of removing
// them: nothing moves, so no offset in iloc has to be rewritten and the
// image data is not touched, let alone re-encoded.

// Item types whose payload stripHEIF overwrites. A 'mime' item carries XMP
// or any other MIME-typed metadata, a 'uri ' item metadata named by a URI;
// neither is ever image data.
var heifMetadataItems = []string{"Exif", "mime", "uri "}

// Replacements written over metadata items, the rest of the item being
// zeros. An Exif item is handed by readers such as libheif to an Exif
// parser, which reports an error for zeros; heifEmptyExif is a valid
// block that says nothing: the 4-byte offset of the TIFF header (ISO/IEC
// 23008-12 A.2.1), here 0, then a big-endian TIFF header whose first IFD
// has no entries. It carries no Orientation: in HEIF the irot and imir
// properties, which are kept, say how to turn the image, and readers apply
// those rather than the Exif tag. XMP gets an empty packet padded with spaces, which
// is still well-formed XML; an XMP item with a content encoding, or one too
// short for the packet, and every other metadata item are zeros.
const (
	heifEmptyExif = "\x00\x00\x00\x00" + "MM\x00\x2a\x00\x00\x00\x08" + "\x00\x00" + "\x00\x00\x00\x00"
	heifEmptyXMP  = `<x:xmpmeta xmlns:x="adobe:ns:meta/"/>`
)

// isoBox is a box of an ISO base media file, by its offsets in the file.
type isoBox struct {
	typ     string
	start   int // the size field
	payload int // after size, type and 64-bit size
	body    int // after the user type of a 'uuid' box too: the box's fields
	end     int
}

// span is a range of offsets in a file, end excluded.
type span struct{ start, end int }

// heifItem is an item as iinf and iloc describe it.
type heifItem struct {
	id              uint32
	typ             string // item_type; "mime" for version 0 and 1 entries, which are MIME-typed
	contentType     string // of a 'mime' item
	contentEncoding string
	located         bool   // iloc lists the item
	extents         []span // in the file, in the item's order
}

func (it *heifItem) isMetadata() bool { return slices.Contains(heifMetadataItems, it.typ) }

// isXMP reports whether the item is plain (not encoded) XMP.
func (it *heifItem) isXMP() bool {
	mediaType, _, _ := strings.Cut(it.contentType, ";")
	return it.typ == "mime" && it.contentEncoding == "" &&
		strings.EqualFold(strings.TrimSpace(mediaType), "application/rdf+xml")
}

// heifFile is what parseHEIF learns of a file.
type heifFile struct {
	items []*heifItem
	// stores are the payloads of the mdat boxes and of idat, the only
	// places an item's bytes may lie, in file order.
	stores []span
	// free are the free and skip boxes, whose content nothing reads but
	// an editor may have left old metadata in; unknown are the boxes,
	// at the top level or in meta, that this package does not read.
	free, unknown []isoBox
}

// stripHEIF returns a copy of a HEIF file in which nothing that could hold
// metadata is left: the payloads of Exif, XMP and other metadata items are
// overwritten (see heifEmptyExif), free boxes and the bytes of mdat and
// idat that no image item uses are zeroed, and boxes this package does not
// know (a vendor's 'uuid' box, a 'moov' with its own metadata) become
// zeroed 'free' boxes. The file keeps its length and every offset, and the
// image items their bytes. Anything not laid out as HEIF requires, or that
// cannot be checked, is ErrMalformed: a file whose metadata cannot be
// found with certainty is refused rather than stored with it.
func stripHEIF(data []byte) ([]byte, error) {
	f, err := parseHEIF(data)
	if err != nil {
		return nil, err
	}
	out := bytes.Clone(data)
	for _, b := range f.unknown {
		copy(out[b.start+4:], "free")
		clear(out[b.payload:b.end])
	}
	for _, b := range f.free {
		clear(out[b.payload:b.end])
	}
	for _, s := range f.stores {
		clear(out[s.start:s.end])
	}
	for _, it := range f.items {
		if it.isMetadata() {
			it.blank(out)
			continue
		}
		for _, e := range it.extents {
			copy(out[e.start:e.end], data[e.start:e.end])
		}
	}
	return out, nil
}

// blank writes the item's replacement over its (already zeroed) extents.
func (it *heifItem) blank(out []byte) {
	total := 0
	for _, e := range it.extents {
		total += e.end - e.start
	}
	var fill string
	switch {
	case it.typ == "Exif":
		fill = heifEmptyExif
	case it.isXMP() && total >= len(heifEmptyXMP):
		fill = heifEmptyXMP + strings.Repeat(" ", total-len(heifEmptyXMP))
	}
	if len(fill) > total {
		return
	}
	for _, e := range it.extents {
		n := copy(out[e.start:e.end], fill)
		fill = fill[n:]
	}
}

// parseHEIF reads the box structure and the items of a HEIF file, and
// checks that every item's bytes lie in mdat or idat without overlapping
// another item's.
func parseHEIF(data []byte) (*heifFile, error) {
	top, err := readBoxes(data, 0, len(data), true)
	if err != nil {
		return nil, err
	}
	if len(top) == 0 || top[0].typ != "ftyp" {
		return nil, malformed("heif", "no ftyp box first")
	}
	f := &heifFile{}
	var meta *isoBox
	for i := 1; i < len(top); i++ {
		switch b := top[i]; b.typ {
		case "ftyp":
			return nil, malformed("heif", "second ftyp box at %d", b.start)
		case "meta":
			if meta != nil {
				return nil, malformed("heif", "second meta box at %d", b.start)
			}
			meta = &top[i]
		case "mdat":
			f.stores = append(f.stores, span{b.body, b.end})
		case "free", "skip":
			f.free = append(f.free, b)
		default:
			f.unknown = append(f.unknown, b)
		}
	}
	if meta == nil {
		return nil, malformed("heif", "no meta box")
	}
	if err := f.readMeta(data, *meta); err != nil {
		return nil, err
	}
	return f, nil
}

// readMeta reads the boxes in meta, the items and where their bytes lie.
func (f *heifFile) readMeta(data []byte, meta isoBox) error {
	if meta.end-meta.body < 4 || data[meta.body] != 0 {
		return malformed("heif", "meta box is not a version 0 full box")
	}
	children, err := readBoxes(data, meta.body+4, meta.end, false)
	if err != nil {
		return err
	}
	var hdlr, iinf, iloc, idat *isoBox
	for i := range children {
		c := &children[i]
		var slot **isoBox
		switch c.typ {
		case "hdlr":
			slot = &hdlr
		case "iinf":
			slot = &iinf
		case "iloc":
			slot = &iloc
		case "idat":
			slot = &idat
		case "pitm", "iref", "iprp", "dinf", "grpl":
			continue
		case "free", "skip":
			f.free = append(f.free, *c)
			continue
		default:
			f.unknown = append(f.unknown, *c)
			continue
		}
		if *slot != nil {
			return malformed("heif", "second %q box in meta", c.typ)
		}
		*slot = c
	}
	if hdlr == nil || iinf == nil || iloc == nil {
		return malformed("heif", "meta lacks hdlr, iinf or iloc")
	}
	r := boxReader{b: data[hdlr.body:hdlr.end]}
	r.num(4) // version, flags
	r.num(4) // pre_defined
	if handler := r.fourCC(); r.short || handler != "pict" {
		return malformed("heif", "meta handler %q is not pict", handler)
	}
	if idat != nil {
		f.stores = append(f.stores, span{idat.body, idat.end})
		slices.SortFunc(f.stores, func(a, b span) int { return a.start - b.start })
	}
	if f.items, err = readItemInfo(data, *iinf); err != nil {
		return err
	}
	if err := f.readItemLocations(data, *iloc, idat); err != nil {
		return err
	}

	var all []span
	image := false
	for _, it := range f.items {
		all = append(all, it.extents...)
		image = image || (!it.isMetadata() && len(it.extents) > 0)
	}
	if !image {
		return malformed("heif", "no image data")
	}
	slices.SortFunc(all, func(a, b span) int { return a.start - b.start })
	for i := 1; i < len(all); i++ {
		if all[i].start < all[i-1].end {
			return malformed("heif", "item extents overlap at %d", all[i].start)
		}
	}
	return nil
}

// readItemInfo reads iinf: one infe box per item.
func readItemInfo(data []byte, iinf isoBox) ([]*heifItem, error) {
	r := boxReader{b: data[iinf.body:iinf.end]}
	var count uint64
	switch version := r.num(1); version {
	case 0:
		r.num(3)
		count = r.num(2)
	case 1:
		r.num(3)
		count = r.num(4)
	default:
		return nil, malformed("heif", "iinf version %d", version)
	}
	if r.short {
		return nil, malformed("heif", "truncated iinf box")
	}
	entries, err := readBoxes(data, iinf.body+r.pos, iinf.end, false)
	if err != nil {
		return nil, err
	}
	if uint64(len(entries)) != count {
		return nil, malformed("heif", "iinf announces %d items and holds %d", count, len(entries))
	}
	items := make([]*heifItem, 0, len(entries))
	seen := make(map[uint32]bool, len(entries))
	for _, e := range entries {
		if e.typ != "infe" {
			return nil, malformed("heif", "%q box in iinf", e.typ)
		}
		it, err := readItemInfoEntry(data[e.body:e.end])
		if err != nil {
			return nil, err
		}
		if seen[it.id] {
			return nil, malformed("heif", "item %d described twice", it.id)
		}
		seen[it.id] = true
		items = append(items, it)
	}
	return items, nil
}

// readItemInfoEntry reads an infe box (ISO/IEC 14496-12 §8.11.6).
func readItemInfoEntry(b []byte) (*heifItem, error) {
	r := boxReader{b: b}
	version := r.num(1)
	r.num(3) // flags
	it := &heifItem{}
	switch version {
	case 0, 1:
		// No item type: the entry names a MIME type. What version 1 adds
		// after it is not needed.
		it.id = uint32(r.num(2))
		r.num(2) // item_protection_index
		r.cstring()
		it.typ = "mime"
		it.contentType = r.cstring()
		it.contentEncoding = r.optString()
	case 2, 3:
		if version == 2 {
			it.id = uint32(r.num(2))
		} else {
			it.id = uint32(r.num(4))
		}
		r.num(2) // item_protection_index
		it.typ = r.fourCC()
		r.cstring() // item_name
		switch it.typ {
		case "mime":
			it.contentType = r.cstring()
			it.contentEncoding = r.optString()
		case "uri ":
			r.cstring()
		}
	default:
		return nil, malformed("heif", "infe version %d", version)
	}
	if r.short {
		return nil, malformed("heif", "truncated infe box")
	}
	return it, nil
}

// readItemLocations reads iloc (ISO/IEC 14496-12 §8.11.3) and sets the
// extents of the items it lists. Only data in this file, addressed by file
// offset (construction method 0) or within idat (1), is accepted: an
// extent taken from another item (2) or another file could not be checked.
func (f *heifFile) readItemLocations(data []byte, iloc isoBox, idat *isoBox) error {
	r := boxReader{b: data[iloc.body:iloc.end]}
	version := r.num(1)
	r.num(3)
	if version > 2 {
		return malformed("heif", "iloc version %d", version)
	}
	sizes := r.num(1)
	offsetSize, lengthSize := int(sizes>>4), int(sizes&15)
	sizes = r.num(1)
	baseSize, indexSize := int(sizes>>4), int(sizes&15)
	if version == 0 {
		indexSize = 0 // reserved
	}
	for _, n := range []int{offsetSize, lengthSize, baseSize, indexSize} {
		if n != 0 && n != 4 && n != 8 {
			return malformed("heif", "iloc field size %d", n)
		}
	}
	idSize := 2
	if version == 2 {
		idSize = 4
	}
	byID := make(map[uint32]*heifItem, len(f.items))
	for _, it := range f.items {
		byID[it.id] = it
	}
	count := r.num(idSize)
	for range count {
		id := uint32(r.num(idSize))
		method := uint64(0)
		if version > 0 {
			method = r.num(2) & 15
		}
		dataRef := r.num(2)
		base := r.num(baseSize)
		extents := r.num(2)
		if r.short {
			break
		}
		it := byID[id]
		switch {
		case it == nil:
			return malformed("heif", "iloc locates item %d, which iinf does not list", id)
		case it.located:
			return malformed("heif", "iloc locates item %d twice", id)
		case method > 1:
			return malformed("heif", "item %d: construction method %d", id, method)
		case dataRef != 0:
			return malformed("heif", "item %d: data in another file", id)
		}
		it.located = true
		for range extents {
			r.num(indexSize)
			offset := r.num(offsetSize)
			length := r.num(lengthSize)
			if r.short {
				break
			}
			s, err := f.locate(len(data), idat, method, base, offset, length)
			if err != nil {
				return malformed("heif", "item %d: %v", id, err)
			}
			it.extents = append(it.extents, s)
		}
	}
	if r.short {
		return malformed("heif", "truncated iloc box")
	}
	if r.pos != len(r.b) {
		return malformed("heif", "%d stray bytes in iloc", len(r.b)-r.pos)
	}
	return nil
}

// locate returns where in the file an extent lies, which must be within
// one mdat box or idat.
func (f *heifFile) locate(fileLen int, idat *isoBox, method, base, offset, length uint64) (span, error) {
	pos := base + offset
	switch {
	case length == 0:
		// Zero means "to the end of the data": legal, but no writer uses
		// it for a photo, and it cannot be checked against the other items.
		return span{}, errors.New("extent of length 0")
	case pos < base:
		return span{}, errors.New("extent offset overflows")
	case method == 1:
		if idat == nil {
			return span{}, errors.New("extent in idat, and there is no idat")
		}
		if size := uint64(idat.end - idat.body); pos > size || length > size-pos {
			return span{}, errors.New("extent past the end of idat")
		}
		start := idat.body + int(pos)
		return span{start, start + int(length)}, nil
	case pos > uint64(fileLen) || length > uint64(fileLen)-pos:
		return span{}, errors.New("extent past the end of the file")
	}
	s := span{int(pos), int(pos + length)}
	i := sort.Search(len(f.stores), func(i int) bool { return f.stores[i].start > s.start }) - 1
	if i < 0 || s.end > f.stores[i].end {
		return span{}, errors.New("extent outside mdat and idat")
	}
	return s, nil
}

// readBoxes splits data[from:to] into boxes, which must fill it exactly.
// Only a top-level box may have size 0, "to the end of the file".
func readBoxes(data []byte, from, to int, top bool) ([]isoBox, error) {
	var boxes []isoBox
	for pos := from; pos < to; {
		if to-pos < 8 {
			return nil, malformed("heif", "truncated box header at %d", pos)
		}
		b := isoBox{typ: string(data[pos+4 : pos+8]), start: pos, payload: pos + 8}
		size := uint64(binary.BigEndian.Uint32(data[pos:]))
		switch size {
		case 0:
			if !top {
				return nil, malformed("heif", "%q box at %d has size 0", b.typ, pos)
			}
			size = uint64(to - pos)
		case 1:
			if to-pos < 16 {
				return nil, malformed("heif", "truncated box header at %d", pos)
			}
			size = binary.BigEndian.Uint64(data[pos+8:])
			b.payload += 8
		}
		b.body = b.payload
		if b.typ == "uuid" {
			b.body += 16
		}
		if size < uint64(b.body-pos) || size > uint64(to-pos) {
			return nil, malformed("heif", "%q box at %d has size %d, %d bytes left", b.typ, pos, size, to-pos)
		}
		b.end = pos + int(size)
		boxes = append(boxes, b)
		pos = b.end
	}
	return boxes, nil
}

// boxReader reads big-endian fields from a box. Reading past the end sets
// short and yields zeros, so that a parser checks once.
type boxReader struct {
	b     []byte
	pos   int
	short bool
}

// num reads an n-byte unsigned integer, n at most 8; n = 0 reads nothing
// and yields 0, as an absent iloc field means.
func (r *boxReader) num(n int) uint64 {
	if r.short || len(r.b)-r.pos < n {
		r.short = true
		return 0
	}
	var v uint64
	for _, c := range r.b[r.pos : r.pos+n] {
		v = v<<8 | uint64(c)
	}
	r.pos += n
	return v
}

func (r *boxReader) fourCC() string {
	if r.short || len(r.b)-r.pos < 4 {
		r.short = true
		return ""
	}
	r.pos += 4
	return string(r.b[r.pos-4 : r.pos])
}

// cstring reads a NUL-terminated string.
func (r *boxReader) cstring() string {
	if r.short {
		return ""
	}
	i := bytes.IndexByte(r.b[r.pos:], 0)
	if i < 0 {
		r.short = true
		return ""
	}
	s := string(r.b[r.pos : r.pos+i])
	r.pos += i + 1
	return s
}

// optString reads a string the box may end before; a writer may also
// leave out its NUL when it ends the box.
func (r *boxReader) optString() string {
	if r.short || r.pos == len(r.b) {
		return ""
	}
	if bytes.IndexByte(r.b[r.pos:], 0) < 0 {
		s := string(r.b[r.pos:])
		r.pos = len(r.b)
		return s
	}
	return r.cstring()
}
