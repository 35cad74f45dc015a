package sample

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Permission actions in the order Django creates them for each model.
var actions = []string{"add", "change", "delete", "view"}

func permID(app, model, action string) int64 {
	for m, x := range models {
		if x.app == app && x.model == model {
			for k, a := range actions {
				if a == action {
					return int64(m*4 + k + 1)
				}
			}
		}
	}
	panic("sample: unknown permission " + app + "." + action + "_" + model)
}

func contentTypeID(app, model string) int64 {
	for m, x := range models {
		if x.app == app && x.model == model {
			return int64(m + 1)
		}
	}
	panic("sample: unknown model " + app + "." + model)
}

// djangoGroups are the auth groups and their inventory permissions
// ("model:action,action").
var djangoGroups = []struct {
	name  string
	perms []string
}{
	{"Managers", nil}, // every inventory permission
	{"Warehouse Staff", []string{"product:change,view", "stockmovement:add,change,view", "warehouse:view", "purchaseorder:view", "purchaseorderline:change,view"}},
	{"Sales", []string{"customer:add,change,view", "salesorder:add,change,delete,view", "salesorderline:add,change,delete,view", "product:view"}},
	{"Purchasing", []string{"supplier:add,change,view", "purchaseorder:add,change,delete,view", "purchaseorderline:add,change,delete,view", "product:view"}},
}

func (p *plan) groupPermissions(g struct {
	name  string
	perms []string
}) []int64 {
	var ids []int64
	if g.perms == nil {
		for _, m := range models {
			if m.app == "inventory" {
				for _, a := range actions {
					ids = append(ids, permID(m.app, m.model, a))
				}
			}
		}
		return ids
	}
	for _, spec := range g.perms {
		model, acts, _ := strings.Cut(spec, ":")
		for _, a := range strings.Split(acts, ",") {
			ids = append(ids, permID("inventory", model, a))
		}
	}
	return ids
}

// userGroups returns the groups of user id (1-based group ids); user 1 is
// the superuser and needs none.
func userGroups(id int64) []int64 {
	if id == 1 {
		return nil
	}
	primary := 1 + id%4
	gs := []int64{primary}
	if id%5 == 0 && primary != 1 {
		gs = append(gs, 1)
	}
	return gs
}

func (p *plan) userGroupCount() int64 {
	var n int64
	for id := int64(1); id <= p.users; id++ {
		n += int64(len(userGroups(id)))
	}
	return n
}

func (p *plan) userPermCount() int64 {
	var n int64
	for id := int64(2); id <= p.users; id++ {
		if id%10 == 3 {
			n++
		}
	}
	return n
}

func genDjango(p *plan, _ task, w func(string) *rowWriter) error {
	r := p.rng(saltDjango, 0)
	ct := w(tContentType)
	perm := w(tPermission)
	for m, x := range models {
		ct.Begin()
		ct.Int(int64(m + 1))
		ct.Str(x.app)
		ct.Str(x.model)
		if err := ct.End(); err != nil {
			return err
		}
		for k, a := range actions {
			perm.Begin()
			perm.Int(int64(m*4 + k + 1))
			perm.Str("Can " + a + " " + x.verbose)
			perm.Int(int64(m + 1))
			perm.Str(a + "_" + x.model)
			if err := perm.End(); err != nil {
				return err
			}
		}
	}
	grp, gp := w(tGroup), w(tGroupPerms)
	var gpID int64
	for i, g := range djangoGroups {
		grp.Begin()
		grp.Int(int64(i + 1))
		grp.Str(g.name)
		if err := grp.End(); err != nil {
			return err
		}
		for _, pid := range p.groupPermissions(g) {
			gpID++
			gp.Begin()
			gp.Int(gpID)
			gp.Int(int64(i + 1))
			gp.Int(pid)
			if err := gp.End(); err != nil {
				return err
			}
		}
	}

	users, ug, up := w(tUser), w(tUserGroups), w(tUserPerms)
	var ugID, upID int64
	for id := int64(1); id <= p.users; id++ {
		first, last := pick(r, firstNames), pick(r, lastNames)
		username := "admin"
		if id > 1 {
			username = asciiName(first) + "." + asciiName(last) + strconv.FormatInt(id, 10)
		}
		joined := epoch.Add(time.Duration(id-1) * (time.Duration(spanSecs) * time.Second) / time.Duration(p.users+1)).
			Add(time.Duration(r.IntN(86400e6)) * time.Microsecond)
		users.Begin()
		users.Int(id)
		users.Str("pbkdf2_sha256$720000$" + randString(r, alnum, 22) + "$" + randString(r, b64chars, 43) + "=")
		if r.IntN(8) == 0 {
			users.Null()
		} else {
			users.Time(lastDay.Add(-time.Duration(r.Int64N(90*86400e6)) * time.Microsecond))
		}
		users.Bool(id == 1)
		users.Str(username)
		users.Str(first)
		users.Str(last)
		users.Str(username + "@" + "example.com")
		users.Bool(id == 1 || id%4 != 2)
		users.Bool(r.IntN(20) != 0)
		users.Time(joined)
		if err := users.End(); err != nil {
			return err
		}
		for _, g := range userGroups(id) {
			ugID++
			ug.Begin()
			ug.Int(ugID)
			ug.Int(id)
			ug.Int(g)
			if err := ug.End(); err != nil {
				return err
			}
		}
		if id > 1 && id%10 == 3 {
			upID++
			up.Begin()
			up.Int(upID)
			up.Int(id)
			up.Int(permID("inventory", "auditlog", "view"))
			if err := up.End(); err != nil {
				return err
			}
		}
	}

	mig := w(tMigrations)
	applied := time.Date(2022, 11, 14, 9, 12, 3, 0, time.UTC)
	for i, m := range migrations {
		if m[0] == "inventory" && m[1] != "0001_initial" {
			// Later inventory migrations arrive with later releases.
			applied = applied.Add(time.Duration(20+r.IntN(70)) * 24 * time.Hour)
		}
		applied = applied.Add(time.Duration(20_000+r.IntN(400_000)) * time.Microsecond)
		mig.Begin()
		mig.Int(int64(i + 1))
		mig.Str(m[0])
		mig.Str(m[1])
		mig.Time(applied)
		if err := mig.End(); err != nil {
			return err
		}
	}
	return nil
}

var categoryNames = []string{"Tools", "Fasteners", "Electrical", "Lighting", "Office Furniture", "Stationery",
	"Kitchen & Café", "Bags & Cases", "Safety Equipment", "Plumbing", "Paint & Decor", "Electronics"}
var categoryGerman = []string{"Werkzeuge", "Befestigungstechnik", "Elektro", "Beleuchtung", "Büromöbel", "Schreibwaren",
	"Küche & Café", "Taschen & Koffer", "Arbeitsschutz", "Sanitär", "Farben & Deko", "Elektronik"}
var categoryQualifiers = []string{"Basics", "Professional", "Spare Parts", "Accessories", "Clearance", "Bulk Packs", "Outdoor", "Premium Line", "Refurbished", "Seasonal"}

func genCatalog(p *plan, _ task, w func(string) *rowWriter) error {
	r := p.rng(saltCatalog, 0)
	cat := w(tCategory)
	for id := int64(1); id <= p.categories; id++ {
		top := (id - 1) % p.topCategories
		name := categoryNames[top]
		var parent int64
		if id > p.topCategories {
			parent = top + 1
			name += " – " + categoryQualifiers[((id-1)/p.topCategories-1)%int64(len(categoryQualifiers))]
			if id > p.topCategories*int64(len(categoryQualifiers)+1) {
				name += " " + strconv.FormatInt(id, 10)
			}
		}
		created := epoch.Add(time.Duration(r.Int64N(30*86400e6)) * time.Microsecond)
		cat.Begin()
		cat.Int(id)
		cat.Str(name)
		cat.Str(slugify(name) + "-" + strconv.FormatInt(id, 10))
		cat.Str(name + " — " + categoryGerman[top] + ". " + pick(r, langs[0].sentences))
		if parent == 0 {
			cat.Null()
		} else {
			cat.Int(parent)
		}
		cat.Int(id * 10)
		cat.Bool(r.IntN(15) != 0)
		cat.Time(created)
		cat.Time(created.Add(time.Duration(r.Int64N(400*86400e6)) * time.Microsecond))
		if err := cat.End(); err != nil {
			return err
		}
	}

	sup := w(tSupplier)
	suffixes := []string{"Werkzeuge", "Handel", "Supplies", "Trading", "Industries", "Distribution", "Import", "商事"}
	for id := int64(1); id <= p.suppliers; id++ {
		pl := pick(r, places)
		name := pick(r, companyWords) + " " + pick(r, suffixes) + " " + pick(r, companies)
		contact := pick(r, firstNames) + " " + pick(r, lastNames)
		created := linearTime(r, id, p.suppliers*3)
		sup.Begin()
		sup.Int(id)
		sup.Str(name)
		sup.Str(contact)
		sup.Str("orders@" + asciiName(name) + ".example")
		sup.Str(phone(r, pl.country))
		sup.Str(pick(r, streets) + " " + strconv.Itoa(1+r.IntN(180)) + "\n" + pl.postal + " " + pl.city)
		sup.Str(pl.country)
		sup.Str("https://www." + asciiName(name) + ".example/")
		sup.Str(supplierLogo(id))
		if r.IntN(3) == 0 {
			sup.Str("Payment terms: 30 days net.\nZahlungsziel 30 Tage, 2 % Skonto bei Zahlung innerhalb von 10 Tagen.")
		} else {
			sup.Str("")
		}
		sup.Bool(r.IntN(12) != 0)
		sup.Time(created)
		sup.Time(created.Add(time.Duration(r.Int64N(200*86400e6)) * time.Microsecond))
		if err := sup.End(); err != nil {
			return err
		}
	}

	wh := w(tWarehouse)
	for id := int64(1); id <= p.warehouses; id++ {
		pl := places[(id-1)%int64(len(places))]
		name := "Main Warehouse"
		if id > 1 {
			name = "Lager " + pl.city
		}
		wh.Begin()
		wh.Int(id)
		wh.Str(fmt.Sprintf("WH-%02d", id))
		wh.Str(name)
		wh.Str(pick(r, streets) + " " + strconv.Itoa(1+r.IntN(180)) + "\n" + pl.postal + " " + pl.city)
		wh.Str(pl.city)
		wh.Str(pl.country)
		wh.Int(int64(1000 * (5 + r.IntN(200))))
		wh.Bool(true)
		wh.Time(epoch.Add(time.Duration(id-1) * 97 * 24 * time.Hour))
		if err := wh.End(); err != nil {
			return err
		}
	}
	return nil
}

// supplierLogo is the media path of supplier id's logo.
func supplierLogo(id int64) string { return fmt.Sprintf("logos/supplier_%04d.png", id) }

func phone(r *rand.Rand, country string) string {
	prefix := map[string]string{"DE": "+49", "AT": "+43", "CH": "+41", "GB": "+44", "IE": "+353", "FR": "+33", "ES": "+34",
		"IT": "+39", "NL": "+31", "DK": "+45", "PL": "+48", "JP": "+81", "US": "+1", "CA": "+1"}[country]
	return fmt.Sprintf("%s %d %07d", prefix, 10+r.IntN(890), r.IntN(10_000_000))
}

// productCore is what other tables and the media folder need to know about
// a product; it depends only on the seed and the id.
type productCore struct {
	name, slug, image string
	lang              *lang
	created           time.Time
	r                 *rand.Rand // continues the product's own stream
}

func (p *plan) product(id int64) productCore {
	r := p.rng(saltProduct, id)
	l := pickLang(r)
	name := productName(r, l)
	month := r.IntN(39) // 2023-01 … 2026-03
	created := time.Date(2023, time.Month(1+month), 1+r.IntN(28), 7+r.IntN(11), r.IntN(60), r.IntN(60), r.IntN(1e6)*1000, time.UTC)
	slug := slugify(name) + "-" + strconv.FormatInt(id, 10)
	image := fmt.Sprintf("products/%04d/%02d/%s.jpg", created.Year(), int(created.Month()), slug)
	return productCore{name: name, slug: slug, image: image, lang: l, created: created, r: r}
}

// ProductImagePath returns the media path that product id's image field
// holds in a database generated with seed, for example
// "products/2024/07/compact-desk-lamp-42.jpg".
func ProductImagePath(seed int64, id int64) string {
	p := &plan{seed: uint64(seed)}
	return p.product(id).image
}

// price is product id's unit price in cents.
func (p *plan) price(id int64) int64 {
	h := p.hash(saltPrice, id)
	tiers := [][2]int64{{99, 999}, {1000, 4999}, {5000, 19999}, {20000, 199999}}
	t := tiers[[]int{0, 0, 1, 1, 1, 2, 2, 3}[h%8]]
	c := t[0] + int64((h>>8)%uint64(t[1]-t[0]))
	return c - c%100 + 99 // prices end in .99
}

// cost is product id's purchase price in cents.
func (p *plan) cost(id int64) int64 {
	return p.price(id) * int64(55+p.hash(saltPrice+100, id)%25) / 100
}

func genProducts(p *plan, t task, w func(string) *rowWriter) error {
	pw := w(tProduct)
	var attr []byte
	for id := t.lo; id <= t.hi; id++ {
		c := p.product(id)
		r := c.r
		pw.Begin()
		pw.Int(id)
		pw.Str(fmt.Sprintf("SKU-%07d", id))
		pw.Str(c.name)
		pw.Str(c.slug)
		pw.Str(description(r, c.lang, c.name))
		pw.Int(1 + r.Int64N(p.categories))
		if r.IntN(20) == 0 {
			pw.Null()
		} else {
			pw.Int(pickID(r, p.suppliers))
		}
		pw.Dec(p.price(id), 2)
		pw.Dec(p.cost(id), 2)
		pw.Dec(pick(r, []int64{1900, 1900, 1900, 700, 2000, 1000, 800}), 2)
		if r.IntN(10) == 0 {
			pw.Null()
		} else {
			pw.Dec(int64(5+r.IntN(25000)), 3)
		}
		qoh := int64(r.IntN(2000))
		if r.IntN(50) == 0 {
			qoh = -int64(r.IntN(5) + 1) // oversold
		}
		pw.Int(qoh)
		pw.Int(int64(5 * r.IntN(40)))
		pw.Str(ean13(r))
		attr = productAttributes(attr[:0], r, c.lang)
		pw.Str(string(attr))
		if r.IntN(10) == 0 {
			pw.Str("")
		} else {
			pw.Str(c.image)
		}
		if r.IntN(12) == 0 {
			pw.Blob(thumbnail(r))
		} else {
			pw.Null()
		}
		pw.Bool(r.IntN(20) != 0)
		pw.Time(c.created)
		pw.Time(minTime(c.created.Add(time.Duration(r.Int64N(300*86400e6))*time.Microsecond), lastDay))
		if err := pw.End(); err != nil {
			return err
		}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ean13 is a valid EAN-13 barcode with a German or Japanese prefix.
func ean13(r *rand.Rand) string {
	d := make([]byte, 13)
	prefix := pick(r, []string{"400", "401", "402", "403", "404", "405", "450", "490"})
	copy(d, prefix)
	for i := 3; i < 12; i++ {
		d[i] = byte('0' + r.IntN(10))
	}
	sum := 0
	for i := range 12 {
		v := int(d[i] - '0')
		if i%2 == 1 {
			v *= 3
		}
		sum += v
	}
	d[12] = byte('0' + (10-sum%10)%10)
	return string(d)
}

var colours = map[string][]string{
	"en": {"black", "white", "red", "blue", "green", "silver", "natural oak"},
	"de": {"schwarz", "weiß", "rot", "blau", "grün", "silber", "Eiche natur"},
	"ja": {"黒", "白", "赤", "青", "緑", "シルバー"},
	"fr": {"noir", "blanc", "rouge", "bleu", "vert", "argenté"},
	"es": {"negro", "blanco", "rojo", "azul", "verde", "plateado"},
}

// productAttributes is the JSON of the product's attributes field.
func productAttributes(b []byte, r *rand.Rand, l *lang) []byte {
	b = append(b, `{"colour":`...)
	b = appendJSONString(b, pick(r, colours[l.code]))
	b = append(b, `,"dimensions_mm":{"w":`...)
	b = strconv.AppendInt(b, int64(10+r.IntN(990)), 10)
	b = append(b, `,"h":`...)
	b = strconv.AppendInt(b, int64(10+r.IntN(990)), 10)
	b = append(b, `,"d":`...)
	b = strconv.AppendInt(b, int64(5+r.IntN(500)), 10)
	b = append(b, '}')
	if r.IntN(2) == 0 {
		b = append(b, `,"material":`...)
		b = appendJSONString(b, pick(r, []string{"steel", "stainless steel", "aluminium", "oak", "ABS", "cotton", "Edelstahl", "ステンレス"}))
	}
	if r.IntN(3) == 0 {
		b = append(b, `,"tags":[`...)
		n := 1 + r.IntN(3)
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, pick(r, []string{"eco", "sale", "new", "bestseller", "b2b", "fragile", "🔥 hot", "Neuheit"}))
		}
		b = append(b, ']')
	}
	if r.IntN(4) == 0 {
		b = append(b, `,"warranty_months":`...)
		b = strconv.AppendInt(b, int64(12*(1+r.IntN(5))), 10)
	}
	b = append(b, `,"hazardous":`...)
	if r.IntN(30) == 0 {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	return append(b, '}')
}

// customerCore is what sales orders need to know about a customer.
type customerCore struct {
	name, company, street string
	place                 place
}

func (p *plan) customer(id int64) customerCore {
	r := p.rng(saltCustomer, id)
	c := customerCore{name: pick(r, firstNames) + " " + pick(r, lastNames), place: pick(r, places)}
	if r.IntN(5) < 3 {
		c.company = pick(r, companyWords) + " " + pick(r, companies)
	}
	c.street = pick(r, streets) + " " + strconv.Itoa(1+r.IntN(250))
	if r.IntN(6) == 0 {
		c.street += "\n" + pick(r, []string{"2. OG", "Hinterhaus", "Suite 400", "c/o Empfang", "3階"})
	}
	return c
}

func (c customerCore) address() string {
	s := c.name + "\n"
	if c.company != "" {
		s += c.company + "\n"
	}
	return s + c.street + "\n" + c.place.postal + " " + c.place.city + "\n" + c.place.country
}

func genCustomers(p *plan, t task, w func(string) *rowWriter) error {
	r := p.rng(saltCustomerRow, int64(t.chunk))
	cw := w(tCustomer)
	for id := t.lo; id <= t.hi; id++ {
		c := p.customer(id)
		cw.Begin()
		cw.Int(id)
		cw.Str(c.name)
		cw.Str(c.company)
		cw.Str(asciiName(c.name) + strconv.FormatInt(id, 10) + "@" + pick(r, []string{"example.com", "example.de", "example.jp", "example.org"}))
		cw.Str(phone(r, c.place.country))
		cw.Str(c.street)
		cw.Str(c.place.city)
		cw.Str(c.place.postal)
		cw.Str(c.place.country)
		cw.Dec(int64(r.IntN(50))*100_000, 2)
		if r.IntN(8) == 0 {
			cw.Str(pick(r, []string{"VIP — always ship express.", "Rechnung nur per E-Mail.", "Prefers delivery before 10:00.", "請求書は月末締め。", "Tax-exempt; certificate on file.", `Said "don't call before 9".`}))
		} else {
			cw.Str("")
		}
		cw.Time(linearTime(r, id, p.customers))
		if err := cw.End(); err != nil {
			return err
		}
	}
	return nil
}

func genSessions(p *plan, t task, w func(string) *rowWriter) error {
	r := p.rng(saltSession, int64(t.chunk))
	sw := w(tSession)
	for id := t.lo; id <= t.hi; id++ {
		key := randString(r, alnum, 24) + fmt.Sprintf("%08s", strconv.FormatInt(id, 36))
		sw.Begin()
		sw.Str(key)
		sw.Str(".eJxVjDsOwjAQRO_iGln-xWtT0nMGa71r4wBypDipEHeHSCmgmWLem3mJhNta0zbykmYWZ2HE6bfLSI_cd8B37LdF0tLXZc5yV-RBh7wunJ-Xw_07qDjqd80qQ7SYFTqP1lIGF5y1EbwrRKEgRZUzlyl4a2MwJSIBQgkaUBO8P_MjOFM:" +
			randString(r, alnum, 6) + ":" + randString(r, b64chars[:62], 43))
		sw.Time(lastDay.Add(time.Duration(r.Int64N(28*86400e6)) * time.Microsecond))
		if err := sw.End(); err != nil {
			return err
		}
	}
	return nil
}

func genAdminLog(p *plan, t task, w func(string) *rowWriter) error {
	r := p.rng(saltAdminLog, int64(t.chunk))
	aw := w(tAdminLog)
	for id := t.lo; id <= t.hi; id++ {
		flag := []int64{1, 2, 2, 2, 2, 3}[r.IntN(6)]
		aw.Begin()
		aw.Int(id)
		aw.Time(linearTime(r, id, p.adminLogs))
		var ct int64
		var obj int64
		var repr string
		switch r.IntN(4) {
		case 0, 1:
			obj = pickID(r, p.products)
			ct, repr = contentTypeID("inventory", "product"), p.product(obj).name
		case 2:
			obj = pickID(r, p.customers)
			ct, repr = contentTypeID("inventory", "customer"), p.customer(obj).name
		default:
			obj = 1 + r.Int64N(p.categories)
			ct, repr = contentTypeID("inventory", "category"), "Category object ("+strconv.FormatInt(obj, 10)+")"
		}
		aw.Str(strconv.FormatInt(obj, 10))
		aw.Str(repr)
		aw.Int(flag)
		switch flag {
		case 1:
			aw.Str(`[{"added": {}}]`)
		case 2:
			aw.Str(`[{"changed": {"fields": [` + pick(r, []string{`"Unit price"`, `"Quantity on hand"`, `"Description", "Image"`, `"Is active"`, `"Name", "Slug"`}) + `]}}]`)
		default:
			aw.Str("")
		}
		aw.Int(ct)
		aw.Int(1 + r.Int64N(max(1, min(p.users, 20))))
		if err := aw.End(); err != nil {
			return err
		}
	}
	return nil
}

var movementNotes = []string{"", "", "", "", "", "", "Stocktake correction", "Inventur", "Damaged in transit", "Beschädigt", "棚卸し", "Returned by customer", "Rücksendung", "Found behind shelf B-12 🙈"}

func genMovements(p *plan, t task, w func(string) *rowWriter) error {
	r := p.rng(saltMovement, int64(t.chunk))
	mw := w(tStockMovement)
	for id := t.lo; id <= t.hi; id++ {
		product := pickID(r, p.products)
		at := linearTime(r, id, p.movements)
		mw.Begin()
		mw.Int(id)
		mw.Int(product)
		mw.Int(1 + r.Int64N(p.warehouses))
		kind := r.IntN(20)
		switch {
		case kind < 7:
			mw.Str("in")
			mw.Int(int64(1 + r.IntN(500)))
			mw.Dec(p.cost(product), 2)
			mw.Str(fmt.Sprintf("PO-%d-%06d", at.Year(), 1+r.Int64N(p.purchases)))
		case kind < 17:
			mw.Str("out")
			mw.Int(-int64(1 + r.IntN(20)))
			mw.Null()
			mw.Str(fmt.Sprintf("SO-%d-%06d", at.Year(), 1+r.Int64N(p.sales)))
		case kind < 19:
			mw.Str("adjust")
			mw.Int(int64(r.IntN(21) - 10))
			mw.Null()
			mw.Str(fmt.Sprintf("ADJ-%06d", id))
		default:
			mw.Str("transfer")
			mw.Int(int64(1 + r.IntN(100)))
			mw.Null()
			mw.Str(fmt.Sprintf("TR-%06d", id))
		}
		mw.Str(pick(r, movementNotes))
		if r.IntN(10) == 0 {
			mw.Null()
		} else {
			mw.Int(1 + r.Int64N(p.users))
		}
		mw.Time(at)
		if err := mw.End(); err != nil {
			return err
		}
	}
	return nil
}

var currencies = []string{"EUR", "EUR", "EUR", "EUR", "EUR", "GBP", "USD", "JPY", "CHF"}

// orderStatus picks a status that fits the order's age: old orders are
// finished, the newest are still open.
func orderStatus(r *rand.Rand, id, n int64, open, done []string) string {
	if id > n-max(1, n/50) {
		return pick(r, open)
	}
	if r.IntN(40) == 0 {
		return "cancelled"
	}
	return pick(r, done)
}

func genPurchases(p *plan, t task, w func(string) *rowWriter) error {
	r := p.rng(saltPurchase, int64(t.chunk))
	ow, lw := w(tPurchaseOrder), w(tPurchaseLine)
	line := p.purchaseLineStart[t.chunk]
	for id := t.lo; id <= t.hi; id++ {
		created := linearTime(r, id, p.purchases)
		status := orderStatus(r, id, p.purchases, []string{"draft", "sent", "confirmed"}, []string{"received", "received", "received", "partial", "closed"})
		var total int64
		n := p.purchaseLineCount(id)
		for range n {
			product := pickID(r, p.products)
			qty := int64(1 + r.IntN(50)*10)
			unit := p.cost(product)
			received := int64(0)
			switch status {
			case "received", "closed":
				received = qty
			case "partial":
				received = qty / 2
			}
			total += qty * unit
			lw.Begin()
			lw.Int(line)
			lw.Int(id)
			lw.Int(product)
			lw.Int(qty)
			lw.Dec(unit, 2)
			lw.Int(received)
			if err := lw.End(); err != nil {
				return err
			}
			line++
		}
		ow.Begin()
		ow.Int(id)
		ow.Str(fmt.Sprintf("PO-%d-%06d", created.Year(), id))
		ow.Int(pickID(r, p.suppliers))
		ow.Int(1 + r.Int64N(p.warehouses))
		ow.Str(status)
		ow.Date(created)
		if r.IntN(10) == 0 {
			ow.Null()
		} else {
			ow.Date(created.AddDate(0, 0, 7+r.IntN(24)))
		}
		ow.Dec(total, 2)
		ow.Str(pick(r, currencies))
		ow.Str(pick(r, []string{"", "", "", "Please deliver to ramp 2.", "Bitte Lieferschein beilegen.", "Urgent — stock is low!", "納品書を同封してください。"}))
		if r.IntN(15) == 0 {
			ow.Null()
		} else {
			ow.Int(1 + r.Int64N(p.users))
		}
		ow.Time(created)
		ow.Time(minTime(created.Add(time.Duration(r.Int64N(20*86400e6))*time.Microsecond), lastDay))
		if err := ow.End(); err != nil {
			return err
		}
	}
	return nil
}

func genSales(p *plan, t task, w func(string) *rowWriter) error {
	r := p.rng(saltSales, int64(t.chunk))
	ow, lw := w(tSalesOrder), w(tSalesLine)
	line := p.salesLineStart[t.chunk]
	for id := t.lo; id <= t.hi; id++ {
		created := linearTime(r, id, p.sales)
		status := orderStatus(r, id, p.sales, []string{"pending", "paid"}, []string{"shipped", "delivered", "delivered", "delivered"})
		var subtotal int64
		n := p.salesLineCount(id)
		for range n {
			product := pickID(r, p.products)
			qty := int64(1 + r.IntN(12))
			unit := p.price(product)
			discount := []int64{0, 0, 0, 0, 500, 1000, 1500}[r.IntN(7)] // basis points of 100.00 %
			lineTotal := (qty*unit*(10000-discount) + 5000) / 10000
			subtotal += lineTotal
			lw.Begin()
			lw.Int(line)
			lw.Int(id)
			lw.Int(product)
			lw.Int(qty)
			lw.Dec(unit, 2)
			lw.Dec(discount, 2)
			lw.Dec(lineTotal, 2)
			if err := lw.End(); err != nil {
				return err
			}
			line++
		}
		customer := pickID(r, p.customers)
		tax := (subtotal*19 + 50) / 100
		ow.Begin()
		ow.Int(id)
		ow.Str(fmt.Sprintf("SO-%d-%06d", created.Year(), id))
		ow.Int(customer)
		ow.Int(1 + r.Int64N(p.warehouses))
		ow.Str(status)
		ow.Date(created)
		if status == "shipped" || status == "delivered" {
			ow.Time(created.Add(time.Duration(3600e6+r.Int64N(4*86400e6)) * time.Microsecond))
		} else {
			ow.Null()
		}
		ow.Dec(subtotal, 2)
		ow.Dec(tax, 2)
		ow.Dec(subtotal+tax, 2)
		ow.Str(pick(r, currencies))
		ow.Str(p.customer(customer).address())
		if r.IntN(4) == 0 {
			ow.Null() // placed in the web shop
		} else {
			ow.Int(1 + r.Int64N(p.users))
		}
		ow.Time(created)
		ow.Time(minTime(created.Add(time.Duration(r.Int64N(10*86400e6))*time.Microsecond), lastDay))
		if err := ow.End(); err != nil {
			return err
		}
	}
	return nil
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	"python-requests/2.31.0",
	"ims-barcode-scanner/1.4 (Android 13)",
}

func genAudit(p *plan, t task, w func(string) *rowWriter) error {
	r := p.rng(saltAudit, int64(t.chunk))
	aw := w(tAuditLog)
	var ch []byte
	for id := t.lo; id <= t.hi; id++ {
		aw.Begin()
		aw.Int(id)
		if r.IntN(20) == 0 {
			aw.Null()
		} else {
			aw.Int(1 + r.Int64N(p.users))
		}
		action := pick(r, []string{"update", "update", "update", "create", "create", "delete", "login", "export"})
		aw.Str(action)
		ch = ch[:0]
		switch action {
		case "login":
			aw.Str("auth.user")
			aw.Str(strconv.FormatInt(1+r.Int64N(p.users), 10))
			ch = append(ch, `{}`...)
		case "export":
			aw.Str("inventory.product")
			aw.Str("")
			ch = append(ch, `{"format":"csv","rows":`...)
			ch = strconv.AppendInt(ch, int64(r.IntN(5000)), 10)
			ch = append(ch, '}')
		default:
			product := pickID(r, p.products)
			aw.Str("inventory.product")
			aw.Str(strconv.FormatInt(product, 10))
			switch r.IntN(3) {
			case 0:
				old := int64(r.IntN(500))
				ch = append(ch, `{"quantity_on_hand":{"old":`...)
				ch = strconv.AppendInt(ch, old, 10)
				ch = append(ch, `,"new":`...)
				ch = strconv.AppendInt(ch, old+int64(r.IntN(41)-20), 10)
				ch = append(ch, `}}`...)
			case 1:
				price := p.price(product)
				ch = append(ch, `{"unit_price":{"old":`...)
				ch = appendJSONString(ch, decimalString(price-100, 2))
				ch = append(ch, `,"new":`...)
				ch = appendJSONString(ch, decimalString(price, 2))
				ch = append(ch, `}}`...)
			default:
				ch = append(ch, `{"name":{"old":null,"new":`...)
				ch = appendJSONString(ch, p.product(product).name)
				ch = append(ch, `}}`...)
			}
		}
		aw.Str(string(ch))
		switch r.IntN(10) {
		case 0:
			aw.Null()
		case 1:
			aw.Str(fmt.Sprintf("2001:db8:%x::%x", r.IntN(0xffff), 1+r.IntN(0xffff)))
		default:
			aw.Str(fmt.Sprintf("192.168.%d.%d", r.IntN(4), 2+r.IntN(250)))
		}
		aw.Str(pick(r, userAgents))
		aw.Time(linearTime(r, id, p.audits))
		if err := aw.End(); err != nil {
			return err
		}
	}
	return nil
}
