// Command report turns `go test -bench` output (stdin) into
// bench/results/go.md (stdout).
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

var line = regexp.MustCompile(`^Benchmark(\w+?)(?:/([\w-]+?))?(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+(\d+) B/op\s+(\d+) allocs/op)?`)

type result struct {
	ns            float64
	bytes, allocs string
}

func main() {
	res := map[string]map[string]result{}
	var env []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		t := sc.Text()
		for _, p := range []string{"goos:", "goarch:", "cpu:"} {
			if strings.HasPrefix(t, p) && !contains(env, strings.TrimSpace(t)) {
				env = append(env, strings.TrimSpace(t))
			}
		}
		m := line.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		if res[m[1]] == nil {
			res[m[1]] = map[string]result{}
		}
		res[m[1]][m[2]] = result{ns, m[4], m[5]}
	}
	fmt.Println("# Go binding")
	fmt.Println()
	fmt.Println("Get/Set through bindings/go (cgo over a release libkv.a) against a Go map behind a")
	fmt.Println("sync.RWMutex (the floor), go-redis v9 to a local redis-server on loopback, and go-redis")
	fmt.Println("to miniredis; one goroutine, 10000 keys of 16 bytes, 32-byte values. `kv` is the typed")
	fmt.Println("API (`Get`/`Set`, fast paths), `kv-do` the generic `Do(ctx, \"GET\", k)`.")
	fmt.Println("Command: `make gobench` (`go test -bench . ` in bench/go).")
	fmt.Printf("Machine: %s", strings.Join(env, ", "))
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		// Other work on the machine inflates every figure alike.
		fmt.Printf("; load average when the report was written: %s", strings.Join(strings.Fields(string(la))[:3], " "))
	}
	fmt.Println(".")
	for _, op := range []string{"Get", "Set", "GetParallel"} {
		r := res[op]
		if r == nil {
			continue
		}
		fmt.Printf("\n## %s\n\n| store | ns/op | B/op | allocs/op | vs kv |\n|---|---:|---:|---:|---:|\n", op)
		base := r["kv"].ns
		for _, name := range []string{"map", "kv", "kv-do", "goredis-redis", "goredis-miniredis"} {
			x, ok := r[name]
			if !ok {
				continue
			}
			fmt.Printf("| %s | %.1f | %s | %s | %.2fx |\n", name, x.ns, x.bytes, x.allocs, x.ns/base)
		}
	}
	g := res["Get"]
	if g != nil && g["kv"].ns > 0 {
		fmt.Print("\n## Targets (Get, one goroutine)\n\n")
		fmt.Printf("- go-redis + redis-server / kv: %.0fx (target >= 30x)\n", g["goredis-redis"].ns/g["kv"].ns)
		fmt.Printf("- go-redis + miniredis / kv: %.0fx (target >= 10x)\n", g["goredis-miniredis"].ns/g["kv"].ns)
		fmt.Printf("- kv / map floor: %.1fx (target <= 5x)\n", g["kv"].ns/g["map"].ns)
	}
	in := res["InternalGet"]
	if in != nil && res["InternalNoop"] != nil {
		noop := res["InternalNoop"][""].ns
		fmt.Print("\n## Where a Get's time goes (bindings/go, go test -bench Internal)\n\n")
		fmt.Printf("- GET inside libkv, no crossing (kv_get_into in a C loop, 10000 keys): %.1f ns\n", in["libkv"].ns)
		fmt.Printf("- a cgo call that does nothing: %.1f ns\n", noop)
		fmt.Printf("- the session's GET (one cgo call to kv_get_into, which writes the value straight into the Go string's memory, a slice of a shared 1 KiB chunk): %.1f ns, %s allocs\n", in["session"].ns, in["session"].allocs)
		fmt.Printf("- taking and returning a pooled session (sync.Pool): %.1f ns\n", in["pool"].ns)
		fmt.Printf("- allocating a *StringCmd on the heap (go-redis's result type, with its unbuilt arguments; Client.Get pays it only when the caller keeps the command, since Get(ctx, k).Result() keeps it on the caller's stack): %.1f ns\n", in["cmd-alloc"].ns)
		fmt.Printf("- Client.Get (the session's GET, the pool, the context check; the command on the caller's stack): %.1f ns, %s allocs\n", in["client"].ns, in["client"].allocs)
		if g != nil && g["map"].ns > 0 {
			floor := g["map"].ns
			fmt.Printf("\nWith the map floor at %.1f ns, 5x is %.0f ns. GET inside libkv plus one crossing is already %.0f ns (%.1fx);\n",
				floor, 5*floor, in["libkv"].ns+noop, (in["libkv"].ns+noop)/floor)
			fmt.Printf("Client.Get adds %.0f ns to that: the pool, the Go side of the call and the chunk's amortized allocation.\n",
				in["client"].ns-in["libkv"].ns-noop)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
