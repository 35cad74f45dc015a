package sample

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
)

// lang is one language of product names and descriptions.
type lang struct {
	code       string
	adjectives []string
	nouns      []string
	sentences  []string // %s is the product name
	unit       string
}

// langs mixes the languages a small European or Japanese shop meets.
// Weights in pickLang.
var langs = []lang{
	{"en",
		[]string{"Stainless", "Heavy-Duty", "Compact", "Ergonomic", "Premium", "Eco", "Wireless", "Industrial", "Classic", "Deluxe", "Foldable", "Waterproof", "Magnetic", "Adjustable", "Rechargeable"},
		[]string{"Bolt M6", "Wood Screw", "Door Hinge", "Cordless Drill", "Extension Cable", "Desk Lamp", "Office Chair", "Notebook A5", "Coffee Mug", "Backpack", "Water Bottle", "Claw Hammer", "Keyboard", "Monitor Stand", "Desk Organizer", "Work Gloves", "Packing Tape", "Wall Paint", "Paint Brush", "Shelf Bracket", "PVC Pipe", "Ball Valve", "Motion Sensor", "USB-C Charger", "Power Adapter", "Label Printer", "Safety Goggles", "Tool Box", "LED Strip", "Cable Ties"},
		[]string{
			"The %s is built for daily use in workshops, offices and warehouses.",
			"Each %s is checked by hand before it leaves our warehouse.",
			"Customers choose the %s for its long life and fair price.",
			"Includes a two-year warranty and free replacement parts.",
			"Dimensions and weight are listed in the attributes below.",
			"Store in a dry place; keep away from direct sunlight.",
			"Ships within 24 hours on business days.",
			"Compatible with most standard fittings; see the data sheet for details.",
			"Made from recycled materials where possible ♻️",
			"Bulk discounts available from 50 units — ask our sales team!",
		}, "pcs"},
	{"de",
		[]string{"Robuster", "Kompakter", "Ergonomischer", "Hochwertiger", "Wasserdichter", "Faltbarer", "Magnetischer", "Verstellbarer", "Leiser", "Größerer"},
		[]string{"Edelstahl-Schraubensatz", "Türscharnier", "Akku-Bohrschrauber", "Verlängerungskabel 5 m", "Schreibtischlampe", "Bürostuhl", "Notizbuch", "Kaffeebecher", "Rucksack", "Trinkflasche", "Schraubendreher", "Werkzeugkoffer", "Kabelbinder", "Wandfarbe Weiß", "Regalhalterung", "Bewegungsmelder", "Etikettendrucker", "Schutzbrille"},
		[]string{
			"Der Artikel „%s“ ist für den täglichen Einsatz in Werkstatt, Büro und Lager gemacht.",
			"Jedes Stück wird vor dem Versand von Hand geprüft.",
			"Lieferumfang: %s, Bedienungsanleitung (Deutsch/Englisch), Garantiekarte.",
			"Trocken lagern; vor direkter Sonneneinstrahlung schützen.",
			"Versand innerhalb von 24 Stunden an Werktagen — auch ins Ausland.",
			"Maße und Gewicht finden Sie in den Attributen unten.",
			"Mengenrabatt ab 50 Stück; Größenangaben gemäß DIN.",
			"Hergestellt in Süddeutschland, geprüft nach ISO 9001.",
		}, "Stk."},
	{"ja",
		[]string{"高品質", "コンパクト", "軽量", "防水", "業務用", "折りたたみ式", "充電式", "静音"},
		[]string{"ステンレスボルト", "ドアヒンジ", "電動ドリル", "延長コード", "デスクライト", "オフィスチェア", "ノート", "マグカップ", "リュックサック", "水筒", "ドライバーセット", "工具箱", "結束バンド", "ラベルプリンター"},
		[]string{
			"「%s」は倉庫や事務所での毎日の使用に最適です。",
			"出荷前に一つ一つ手作業で検品しています。",
			"直射日光を避け、乾燥した場所で保管してください。",
			"平日は24時間以内に発送いたします🚚",
			"まとめ買いの割引もございます。お気軽にお問い合わせください。",
			"サイズと重量は下記の属性をご覧ください。",
		}, "個"},
	{"fr",
		[]string{"Robuste", "Compact", "Ergonomique", "Étanche", "Pliable", "Réglable", "Silencieux"},
		[]string{"Vis à bois", "Charnière de porte", "Perceuse sans fil", "Rallonge électrique", "Lampe de bureau", "Chaise de bureau", "Carnet", "Tasse à café", "Sac à dos", "Gourde"},
		[]string{
			"Le produit « %s » est conçu pour un usage quotidien à l'atelier comme au bureau.",
			"Chaque pièce est contrôlée à la main avant l'expédition.",
			"À stocker dans un endroit sec, à l'abri de la lumière directe.",
			"Expédié sous 24 heures les jours ouvrés.",
			"Remise dégressive à partir de 50 unités.",
		}, "pièces"},
	{"es",
		[]string{"Resistente", "Compacto", "Ergonómico", "Impermeable", "Plegable", "Ajustable"},
		[]string{"Tornillo para madera", "Bisagra de puerta", "Taladro inalámbrico", "Cable alargador", "Lámpara de escritorio", "Silla de oficina", "Cuaderno", "Taza de café", "Mochila", "Botella de agua"},
		[]string{
			"El artículo «%s» está pensado para el uso diario en taller, oficina y almacén.",
			"Cada unidad se revisa a mano antes del envío.",
			"Guardar en un lugar seco y protegido del sol.",
			"Envío en 24 horas en días laborables. ¡Gracias por su compra! 😊",
			"Descuentos por volumen a partir de 50 unidades.",
		}, "uds."},
}

func pickLang(r *rand.Rand) *lang {
	switch n := r.IntN(100); {
	case n < 62:
		return &langs[0]
	case n < 78:
		return &langs[1]
	case n < 88:
		return &langs[2]
	case n < 94:
		return &langs[3]
	default:
		return &langs[4]
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// productName is an adjective and a noun in the language l.
func productName(r *rand.Rand, l *lang) string {
	if l.code == "ja" {
		return pick(r, l.adjectives) + pick(r, l.nouns)
	}
	return pick(r, l.adjectives) + " " + pick(r, l.nouns)
}

// description is a few sentences, sometimes with emoji and a second
// paragraph, between about 80 and 1,500 bytes.
func description(r *rand.Rand, l *lang, name string) string {
	var b strings.Builder
	n := 1 + r.IntN(6)
	for i := range n {
		if i > 0 {
			if r.IntN(5) == 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		s := pick(r, l.sentences)
		if strings.Contains(s, "%s") {
			s = strings.Replace(s, "%s", name, 1)
		}
		b.WriteString(s)
	}
	if r.IntN(8) == 0 {
		b.WriteString(" ")
		b.WriteString(pick(r, emoji))
	}
	if r.IntN(10) == 0 {
		b.WriteString("\n\n• ")
		b.WriteString(strconv.Itoa(1+r.IntN(500)) + " " + l.unit)
		b.WriteString("\n• \"")
		b.WriteString(name)
		b.WriteString("\" \\ 100% ✓")
	}
	return b.String()
}

var emoji = []string{"🔧", "📦", "✨", "🚚", "♻️", "👍", "🛠️", "⭐⭐⭐⭐⭐", "🇩🇪", "🇯🇵"}

// slugify keeps ASCII letters and digits, as Django's slugify does for
// names without accents; other names fall back to a generic slug.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			b.WriteRune(c)
			dash = false
		case c == 'ä':
			b.WriteString("ae")
		case c == 'ö':
			b.WriteString("oe")
		case c == 'ü':
			b.WriteString("ue")
		case c == 'ß':
			b.WriteString("ss")
		case c == 'é' || c == 'è' || c == 'ê':
			b.WriteByte('e')
		case c == 'á' || c == 'à':
			b.WriteByte('a')
		case c == 'ó':
			b.WriteByte('o')
		case c == 'í':
			b.WriteByte('i')
		case c == 'ñ':
			b.WriteByte('n')
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 40 {
		out = strings.Trim(out[:40], "-")
	}
	if out == "" {
		out = "product"
	}
	return out
}

var firstNames = []string{"Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Jürgen", "Karl", "Lena", "Mia", "Noah", "Olivia", "Paul", "Sophie", "Tom", "Zoë", "José", "María", "Søren", "François", "Chloé", "Liam", "Aisha", "Mohammed", "Yuki", "Haruto", "Sakura", "Wei", "Mei", "Sean", "Siobhán", "Ingrid", "Łukasz"}
var lastNames = []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schäfer", "Smith", "Johnson", "Brown", "O'Brien", "D'Angelo", "García", "Martínez", "Dubois", "Lefèvre", "Rossi", "Jensen", "Nowak", "Kowalski", "田中", "佐藤", "鈴木", "高橋", "Wang", "Li", "Nguyen", "van der Berg", "Øster"}
var companies = []string{"GmbH", "AG", "Ltd", "Inc.", "S.A.", "SARL", "KG", "株式会社", "B.V.", "e.K."}
var companyWords = []string{"Nord", "Süd", "Alpen", "Rhein", "Atlas", "Blue Harbor", "Greenfield", "Sakura", "Fuji", "Iberia", "Baltic", "Metro", "Union", "Pioneer", "Summit", "Lighthouse", "Eiche", "Oak & Iron", "Müller & Söhne", "Tanaka Shōji"}
var streets = []string{"Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Main Street", "High Street", "Oak Avenue", "Rue de la Paix", "Calle Mayor", "Königsallee", "Industriestraße", "Gewerbepark", "銀座通り", "Market Road"}

type place struct{ city, country, postal string }

var places = []place{
	{"Berlin", "DE", "10115"}, {"München", "DE", "80331"}, {"Köln", "DE", "50667"}, {"Hamburg", "DE", "20095"},
	{"Düsseldorf", "DE", "40213"}, {"Wien", "AT", "1010"}, {"Zürich", "CH", "8001"}, {"London", "GB", "EC1A 1BB"},
	{"Manchester", "GB", "M1 1AE"}, {"Dublin", "IE", "D02 X285"}, {"Paris", "FR", "75001"}, {"Lyon", "FR", "69001"},
	{"Madrid", "ES", "28013"}, {"Barcelona", "ES", "08002"}, {"Milano", "IT", "20121"}, {"Amsterdam", "NL", "1012 AB"},
	{"København", "DK", "1050"}, {"Kraków", "PL", "31-001"}, {"東京", "JP", "100-0001"}, {"大阪", "JP", "530-0001"},
	{"New York", "US", "10001"}, {"Toronto", "CA", "M5H 2N2"},
}

// asciiName turns a name into something usable in an e-mail address.
func asciiName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			b.WriteRune(c)
		case c == 'ü':
			b.WriteString("ue")
		case c == 'ö' || c == 'ø':
			b.WriteString("oe")
		case c == 'ä':
			b.WriteString("ae")
		case c == 'é' || c == 'è' || c == 'ë':
			b.WriteByte('e')
		case c == 'ç':
			b.WriteByte('c')
		case c == 'í':
			b.WriteByte('i')
		case c == 'á':
			b.WriteByte('a')
		case c == 'ł':
			b.WriteByte('l')
		}
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}

const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
const b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func randString(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
