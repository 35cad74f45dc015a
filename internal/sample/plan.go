package sample

import (
	"math/rand/v2"
	"time"
)

// plan fixes how many rows each table gets and how the work is cut into
// tasks. Every value is a function of the seed and the row target only.
type plan struct {
	seed uint64

	users, categories, suppliers, warehouses int64
	products, customers, sessions, adminLogs int64
	audits, movements, purchases, sales      int64
	purchaseLines, salesLines                int64
	purchaseLineStart, salesLineStart        []int64 // first line id of each chunk
	purchaseChunk, salesChunk, topCategories int64
	fixedRows                                int64
}

// Salts keep the random streams of different tables apart.
const (
	saltDjango uint64 = iota + 1
	saltCatalog
	saltProduct
	saltProductRow
	saltPrice
	saltCustomer
	saltCustomerRow
	saltSession
	saltAdminLog
	saltMovement
	saltPurchase
	saltPurchaseLines
	saltSales
	saltSalesLines
	saltAudit
	saltMedia
)

// Chunk sizes: small enough to spread over the workers, big enough that
// each task fills many statements.
const (
	chunkProducts  = 2_000
	chunkCustomers = 5_000
	chunkRows      = 20_000
	chunkPurchases = 4_000
	chunkSales     = 6_000
)

var (
	epoch    = time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC) // the shop opens
	lastDay  = time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	spanSecs = int64(lastDay.Sub(epoch) / time.Second)
)

func clamp(v, lo, hi int64) int64 { return max(lo, min(hi, v)) }

func newPlan(seed int64, rows int) *plan {
	r := int64(rows)
	p := &plan{seed: uint64(seed)}
	p.users = max(3, r/2000)
	p.topCategories = 12
	p.categories = clamp(r/1000, 20, 400)
	p.suppliers = max(5, r/1000)
	p.warehouses = clamp(r/200_000, 3, 24)
	p.products = max(20, r*4/100)
	p.customers = max(10, r*2/100)
	p.sessions = r / 100
	p.adminLogs = r / 100
	p.audits = r * 15 / 100
	p.purchases = max(2, r*2/100)
	p.sales = max(2, r*6/100)
	p.purchaseChunk, p.salesChunk = chunkPurchases, chunkSales
	p.purchaseLineStart, p.purchaseLines = p.lineStarts(p.purchases, p.purchaseChunk, p.purchaseLineCount)
	p.salesLineStart, p.salesLines = p.lineStarts(p.sales, p.salesChunk, p.salesLineCount)

	groups := int64(len(djangoGroups))
	var groupPerms int64
	for _, g := range djangoGroups {
		groupPerms += int64(len(p.groupPermissions(g)))
	}
	p.fixedRows = int64(len(models)) + int64(len(models))*4 + int64(len(migrations)) + groups + groupPerms +
		p.users + p.userGroupCount() + p.userPermCount()
	others := p.fixedRows + p.categories + p.suppliers + p.warehouses + p.products + p.customers +
		p.sessions + p.adminLogs + p.audits + p.purchases + p.purchaseLines + p.sales + p.salesLines
	p.movements = max(10, r-others)
	return p
}

// total is the number of rows the plan makes.
func (p *plan) total() int64 {
	return p.fixedRows + p.categories + p.suppliers + p.warehouses + p.products + p.customers +
		p.sessions + p.adminLogs + p.audits + p.purchases + p.purchaseLines + p.sales + p.salesLines + p.movements
}

// lineStarts sums the line counts of the orders chunk by chunk.
func (p *plan) lineStarts(orders, chunk int64, count func(int64) int64) ([]int64, int64) {
	var starts []int64
	next := int64(1)
	for id := int64(1); id <= orders; id++ {
		if (id-1)%chunk == 0 {
			starts = append(starts, next)
		}
		next += count(id)
	}
	return starts, next - 1
}

func (p *plan) purchaseLineCount(order int64) int64 {
	return 1 + int64(p.hash(saltPurchaseLines, order)%7)
}
func (p *plan) salesLineCount(order int64) int64 { return 1 + int64(p.hash(saltSalesLines, order)%4) }

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hash is a stable pseudo-random number for (salt, id).
func (p *plan) hash(salt uint64, id int64) uint64 {
	return mix(p.seed ^ mix(salt*0x9e3779b97f4a7c15+uint64(id)))
}

// rng is a random stream for (salt, id); the same arguments give the same
// stream on every run and platform (PCG is specified exactly).
func (p *plan) rng(salt uint64, id int64) *rand.Rand {
	return rand.New(rand.NewPCG(p.seed^mix(salt), uint64(id)))
}

// linearTime spreads ids 1..n evenly over the shop's life, with jitter.
func linearTime(r *rand.Rand, id, n int64) time.Time {
	step := max(1, spanSecs/max(n, 1))
	sec := (id-1)*spanSecs/max(n, 1) + r.Int64N(step)
	return epoch.Add(time.Duration(sec)*time.Second + time.Duration(r.IntN(1_000_000))*time.Microsecond)
}

// pickID returns an id in 1..n, favouring low ids (popular products, big
// customers) the way real order data does.
func pickID(r *rand.Rand, n int64) int64 {
	a, b := r.Int64N(n), r.Int64N(n)
	if r.IntN(3) == 0 {
		return 1 + a
	}
	return 1 + min(a, b)
}

// task is one piece of work: the rows of one table (and its child table)
// for a range of ids.
type task struct {
	name   string
	lo, hi int64 // ids, inclusive
	chunk  int
	run    func(p *plan, t task, w func(string) *rowWriter) error
}

func chunks(name string, n, size int64, run func(*plan, task, func(string) *rowWriter) error) []task {
	var ts []task
	for lo, i := int64(1), 0; lo <= n; lo, i = lo+size, i+1 {
		ts = append(ts, task{name: name, lo: lo, hi: min(n, lo+size-1), chunk: i, run: run})
	}
	return ts
}

func (p *plan) tasks() []task {
	ts := []task{{name: "django", run: genDjango}, {name: "catalog", run: genCatalog}}
	// Biggest tables first so that the workers finish together.
	ts = append(ts, chunks(tStockMovement, p.movements, chunkRows, genMovements)...)
	ts = append(ts, chunks(tSalesOrder, p.sales, p.salesChunk, genSales)...)
	ts = append(ts, chunks(tAuditLog, p.audits, chunkRows, genAudit)...)
	ts = append(ts, chunks(tPurchaseOrder, p.purchases, p.purchaseChunk, genPurchases)...)
	ts = append(ts, chunks(tProduct, p.products, chunkProducts, genProducts)...)
	ts = append(ts, chunks(tCustomer, p.customers, chunkCustomers, genCustomers)...)
	ts = append(ts, chunks(tSession, p.sessions, chunkRows, genSessions)...)
	ts = append(ts, chunks(tAdminLog, p.adminLogs, chunkRows, genAdminLog)...)
	return ts
}
