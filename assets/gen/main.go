// Command gen draws the app icon and the tray icons of Backup Desktop with
// Go's image package, so the artwork is reproducible from source:
//
//	go run ./assets/gen -out assets
//
// The icon is a white database cylinder inside a circular "backup" arrow on
// a blue rounded square. The tray variants add a status badge: none (all
// well), red with "!" (the last backup failed) and amber with a clock hand
// (a scheduled backup is overdue).
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// shape reports whether the point (x, y), in units of the icon's size
// (0..1), is inside.
type shape func(x, y float64) bool

// layer is a shape painted in one colour (the colour may vary with y).
type layer struct {
	in  shape
	col func(x, y float64) color.NRGBA
}

func solid(c color.NRGBA) func(x, y float64) color.NRGBA {
	return func(float64, float64) color.NRGBA { return c }
}

func roundedRect(x0, y0, x1, y1, r float64) shape {
	return func(x, y float64) bool {
		if x < x0 || x > x1 || y < y0 || y > y1 {
			return false
		}
		cx := math.Max(x0+r, math.Min(x, x1-r))
		cy := math.Max(y0+r, math.Min(y, y1-r))
		return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
	}
}

func ellipse(cx, cy, rx, ry float64) shape {
	return func(x, y float64) bool {
		dx, dy := (x-cx)/rx, (y-cy)/ry
		return dx*dx+dy*dy <= 1
	}
}

func rect(x0, y0, x1, y1 float64) shape {
	return func(x, y float64) bool { return x >= x0 && x <= x1 && y >= y0 && y <= y1 }
}

func circle(cx, cy, r float64) shape { return ellipse(cx, cy, r, r) }

func union(ss ...shape) shape {
	return func(x, y float64) bool {
		for _, s := range ss {
			if s(x, y) {
				return true
			}
		}
		return false
	}
}

func minus(a, b shape) shape {
	return func(x, y float64) bool { return a(x, y) && !b(x, y) }
}

// arc is a ring between radii r0 and r1 around (cx, cy), covering the
// angles from a0 to a1 (radians, clockwise from the positive x axis on
// screen, since y grows downwards).
func arc(cx, cy, r0, r1, a0, a1 float64) shape {
	return func(x, y float64) bool {
		dx, dy := x-cx, y-cy
		d := math.Hypot(dx, dy)
		if d < r0 || d > r1 {
			return false
		}
		a := math.Atan2(dy, dx)
		for a < a0 {
			a += 2 * math.Pi
		}
		return a <= a1
	}
}

// triangle is the filled triangle p1 p2 p3.
func triangle(x1, y1, x2, y2, x3, y3 float64) shape {
	sign := func(px, py, ax, ay, bx, by float64) float64 {
		return (px-bx)*(ay-by) - (ax-bx)*(py-by)
	}
	return func(x, y float64) bool {
		d1 := sign(x, y, x1, y1, x2, y2)
		d2 := sign(x, y, x2, y2, x3, y3)
		d3 := sign(x, y, x3, y3, x1, y1)
		neg := d1 < 0 || d2 < 0 || d3 < 0
		pos := d1 > 0 || d2 > 0 || d3 > 0
		return !(neg && pos)
	}
}

// thickLine is a segment with round caps.
func thickLine(x0, y0, x1, y1, w float64) shape {
	return func(x, y float64) bool {
		vx, vy := x1-x0, y1-y0
		t := ((x-x0)*vx + (y-y0)*vy) / (vx*vx + vy*vy)
		t = math.Max(0, math.Min(1, t))
		px, py := x0+t*vx, y0+t*vy
		return math.Hypot(x-px, y-py) <= w/2
	}
}

var (
	white = color.NRGBA{255, 255, 255, 255}
	blueA = color.NRGBA{0x2F, 0x80, 0xED, 255}
	blueB = color.NRGBA{0x0B, 0x4A, 0xA2, 255}
)

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	l := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + (float64(q)-float64(p))*t)) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), l(a.A, b.A)}
}

// base returns the layers of the app icon.
func base() []layer {
	bg := roundedRect(0.03, 0.03, 0.97, 0.97, 0.2)
	// The cylinder: a body with three bands and an elliptic top.
	cx, top, bottom, rx, ry := 0.5, 0.33, 0.69, 0.18, 0.065
	body := union(rect(cx-rx, top, cx+rx, bottom), ellipse(cx, bottom, rx, ry), ellipse(cx, top, rx, ry))
	// Dark grooves between the discs.
	groove := func(y float64) shape {
		return minus(ellipse(cx, y, rx, ry), union(ellipse(cx, y-0.022, rx, ry), rect(0, 0, 1, y-0.02)))
	}
	grooves := union(groove(top+0.12), groove(top+0.24))
	topFace := ellipse(cx, top, rx-0.022, ry-0.018)
	// The circular arrow around it: a ring open near the top whose head,
	// at the left end of the gap, points clockwise into it.
	a0, a1 := -math.Pi/2+0.6, 3*math.Pi/2-0.35
	rMid := 0.3575
	ring := arc(0.5, 0.5, 0.33, 0.385, a0, a1)
	hx, hy := 0.5+rMid*math.Cos(a1), 0.5+rMid*math.Sin(a1)
	tx, ty := -math.Sin(a1), math.Cos(a1) // clockwise tangent
	nx, ny := math.Cos(a1), math.Sin(a1)  // outward normal
	headShape := triangle(
		hx+tx*0.13, hy+ty*0.13,
		hx+nx*0.095, hy+ny*0.095,
		hx-nx*0.095, hy-ny*0.095,
	)
	return []layer{
		{bg, func(x, y float64) color.NRGBA { return mix(blueA, blueB, y) }},
		{union(ring, headShape), solid(color.NRGBA{0xD6, 0xE8, 0xFF, 255})},
		{body, solid(white)},
		{grooves, solid(color.NRGBA{0x9C, 0xC3, 0xF5, 255})},
		{topFace, solid(color.NRGBA{0xE4, 0xEF, 0xFD, 255})},
	}
}

// badge returns a status badge at the lower right: a disc of colour c with
// a white sign on it.
func badge(c color.NRGBA, sign shape) []layer {
	cx, cy, r := 0.76, 0.76, 0.22
	return []layer{
		{circle(cx, cy, r+0.035), solid(white)},
		{circle(cx, cy, r), solid(c)},
		{sign, solid(white)},
	}
}

func exclamation() shape {
	cx, cy := 0.76, 0.76
	return union(thickLine(cx, cy-0.12, cx, cy+0.03, 0.065), circle(cx, cy+0.11, 0.038))
}

func clockHands() shape {
	cx, cy := 0.76, 0.76
	return union(
		minus(circle(cx, cy, 0.15), circle(cx, cy, 0.11)),
		thickLine(cx, cy, cx, cy-0.085, 0.045),
		thickLine(cx, cy, cx+0.065, cy+0.02, 0.045),
	)
}

// render paints layers at size×size with 4×4 supersampling.
func render(size int, layers []layer) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					// Composite the layers over transparency for this sample.
					var cr, cg, cb, ca float64
					for _, l := range layers {
						if !l.in(x, y) {
							continue
						}
						c := l.col(x, y)
						sa := float64(c.A) / 255
						cr = float64(c.R)*sa + cr*(1-sa)
						cg = float64(c.G)*sa + cg*(1-sa)
						cb = float64(c.B)*sa + cb*(1-sa)
						ca = sa + ca*(1-sa)
					}
					r, g, b, a = r+cr, g+cg, b+cb, a+ca
				}
			}
			n := float64(ss * ss)
			if a == 0 {
				continue
			}
			// r, g, b are premultiplied sums; un-premultiply.
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)), G: uint8(math.Round(g / a)), B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / n * 255)),
			})
		}
	}
	return img
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func main() {
	out := flag.String("out", ".", "folder to write the PNG files to")
	flag.Parse()
	red := color.NRGBA{0xD9, 0x30, 0x25, 255}
	amber := color.NRGBA{0xE8, 0x8A, 0x00, 0xFF}
	files := []struct {
		name   string
		size   int
		layers []layer
	}{
		{"icon.png", 512, base()},
		{"tray_ok.png", 128, base()},
		{"tray_failed.png", 128, append(base(), badge(red, exclamation())...)},
		{"tray_overdue.png", 128, append(base(), badge(amber, clockHands())...)},
	}
	for _, f := range files {
		path := filepath.Join(*out, f.name)
		if err := write(path, render(f.size, f.layers)); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
}
