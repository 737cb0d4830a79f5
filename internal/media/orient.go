package media

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
)

// Re-encoding bounds. A baseline YCbCr photo is turned plane by plane, about
// 3 bytes a pixel for source and result together (a progressive one needs
// about 8 more while decoding); other colour models go through RGBA at about
// 9 bytes a pixel. Beyond these, stripJPEG falls back to an orientation-only
// EXIF block, which keeps the photo upright in viewers, rather than hold
// hundreds of megabytes for one upload.
const (
	maxReorientPixels        = 24_000_000 // the usual 12-24 MP phone photo
	maxReorientGenericPixels = 16_000_000
	// maxPixelsPerByte rejects frames far larger than the data could
	// describe: image/jpeg allocates for the whole frame before reading the
	// scan, so a 1 KB file claiming 20 MP would cost 30 MB or more. Even a
	// uniform grey photo needs about one byte per 60 pixels.
	maxPixelsPerByte = 512
	reencodeQuality  = 90
)

// reorientJPEG decodes a cleaned JPEG, applies the EXIF orientation to the
// pixels and encodes the result, which carries no EXIF. ICC profiles are
// carried over, except for CMYK sources whose profile no longer applies.
func reorientJPEG(clean []byte, info jpegInfo) ([]byte, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(clean))
	if err != nil {
		return nil, err
	}
	if pixels := int64(cfg.Width) * int64(cfg.Height); pixels > maxReorientPixels ||
		pixels > int64(len(clean))*maxPixelsPerByte {
		return nil, fmt.Errorf("%w: %d×%d pixels in %d bytes to reorient", ErrTooLarge, cfg.Width, cfg.Height, len(clean))
	}
	src, err := jpeg.Decode(bytes.NewReader(clean))
	if err != nil {
		return nil, err
	}
	dst, err := orient(src, info.orientation)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(clean))
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: reencodeQuality}); err != nil {
		return nil, err
	}
	enc := buf.Bytes()
	if _, cmyk := src.(*image.CMYK); cmyk || len(info.icc) == 0 {
		return enc, nil
	}
	out := make([]byte, 0, len(enc)+len(info.icc)*1024)
	out = append(out, enc[:2]...) // SOI
	for _, seg := range info.icc {
		out = append(out, seg...)
	}
	return append(out, enc[2:]...), nil
}

// orient returns src transformed as EXIF orientation o (2-8) asks.
func orient(src image.Image, o int) (image.Image, error) {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	switch s := src.(type) {
	case *image.YCbCr:
		ratio, ok := turnedRatio(s.SubsampleRatio, o)
		if ok && b.Min == (image.Point{}) {
			d := image.NewYCbCr(image.Rect(0, 0, dw, dh), ratio)
			cw, ch := chromaSize(s)
			transformPlane(d.Y, d.YStride, s.Y, s.YStride, w, h, 1, o)
			transformPlane(d.Cb, d.CStride, s.Cb, s.CStride, cw, ch, 1, o)
			transformPlane(d.Cr, d.CStride, s.Cr, s.CStride, cw, ch, 1, o)
			return d, nil
		}
	case *image.Gray:
		if b.Min == (image.Point{}) {
			d := image.NewGray(image.Rect(0, 0, dw, dh))
			transformPlane(d.Pix, d.Stride, s.Pix, s.Stride, w, h, 1, o)
			return d, nil
		}
	}
	if int64(w)*int64(h) > maxReorientGenericPixels {
		return nil, fmt.Errorf("%w: %d×%d pixels to reorient", ErrTooLarge, w, h)
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(rgba, rgba.Rect, src, b.Min, draw.Src)
	d := image.NewRGBA(image.Rect(0, 0, dw, dh))
	transformPlane(d.Pix, d.Stride, rgba.Pix, rgba.Stride, w, h, 4, o)
	return d, nil
}

// turnedRatio is the chroma subsampling of a YCbCr image after orientation
// o: a quarter turn swaps horizontal and vertical subsampling.
func turnedRatio(r image.YCbCrSubsampleRatio, o int) (image.YCbCrSubsampleRatio, bool) {
	switch r {
	case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio420:
		return r, true
	case image.YCbCrSubsampleRatio422:
		if o >= 5 {
			return image.YCbCrSubsampleRatio440, true
		}
		return r, true
	case image.YCbCrSubsampleRatio440:
		if o >= 5 {
			return image.YCbCrSubsampleRatio422, true
		}
		return r, true
	}
	return 0, false // 4:1:1 and 4:1:0 have no turned counterpart
}

// chromaSize is the size of the chroma planes of an image whose bounds start
// at the origin, as image.NewYCbCr lays them out.
func chromaSize(m *image.YCbCr) (w, h int) {
	w, h = m.Rect.Dx(), m.Rect.Dy()
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	}
	return w, h
}

// transformPlane writes into dst the w×h plane src (bpp bytes a pixel)
// transformed as EXIF orientation o: 2 mirror left-right, 3 rotate 180°,
// 4 mirror top-bottom, 5 transpose, 6 rotate 90° clockwise, 7 transverse,
// 8 rotate 90° counter-clockwise. For 5-8 dst is h×w.
func transformPlane(dst []byte, dstStride int, src []byte, srcStride, w, h, bpp, o int) {
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	for y := range dh {
		row := dst[y*dstStride : y*dstStride+dw*bpp]
		for x := range dw {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			default:
				sx, sy = x, y
			}
			copy(row[x*bpp:x*bpp+bpp], src[sy*srcStride+sx*bpp:])
		}
	}
}
