package kv

// Runs the shared conformance vectors (tests/conformance/*.kvt, format in
// tests/conformance/README.md) through the Do path, with the reply's exact
// type kept. The notation follows core/tests/support/notation.rs.

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ---------------------------------------------------------------- arguments

// splitArgs splits a command line as redis-cli does.
func splitArgs(line string) ([]string, error) {
	b := []byte(line)
	i := 0
	var out []string
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return out, nil
		}
		var cur []byte
		for i < len(b) && !isSpace(b[i]) {
			switch b[i] {
			case '"':
				q, next, err := quoted(b, i)
				if err != nil {
					return nil, err
				}
				cur = append(cur, q...)
				i = next
				if i < len(b) && !isSpace(b[i]) {
					return nil, fmt.Errorf("closing quote must be followed by a space")
				}
			case '\'':
				i++
				for {
					if i >= len(b) {
						return nil, fmt.Errorf("unbalanced single quote")
					}
					if b[i] == '\\' && i+1 < len(b) && b[i+1] == '\'' {
						cur = append(cur, '\'')
						i += 2
						continue
					}
					if b[i] == '\'' {
						i++
						break
					}
					cur = append(cur, b[i])
					i++
				}
				if i < len(b) && !isSpace(b[i]) {
					return nil, fmt.Errorf("closing quote must be followed by a space")
				}
			default:
				cur = append(cur, b[i])
				i++
			}
		}
		out = append(out, string(cur))
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// quoted reads "..." at b[start]; returns the bytes and the index past it.
func quoted(b []byte, start int) ([]byte, int, error) {
	i := start + 1
	var out []byte
	for {
		if i >= len(b) {
			return nil, 0, fmt.Errorf("unbalanced double quote")
		}
		switch c := b[i]; c {
		case '"':
			return out, i + 1, nil
		case '\\':
			if i+1 >= len(b) {
				return nil, 0, fmt.Errorf("unbalanced double quote")
			}
			e := b[i+1]
			if e == 'x' && i+3 < len(b) {
				if v, err := strconv.ParseUint(string(b[i+2:i+4]), 16, 8); err == nil {
					out = append(out, byte(v))
					i += 4
					continue
				}
			}
			switch e {
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 't':
				e = '\t'
			case 'a':
				e = 7
			case 'b':
				e = 8
			}
			out = append(out, e)
			i += 2
		default:
			out = append(out, c)
			i++
		}
	}
}

// ---------------------------------------------------------------- patterns

type patKind int

const (
	pAny patKind = iota
	pAnyInt
	pAnyBulk
	pNil
	pInt
	pDouble
	pBool
	pBulk
	pStatus
	pError
	pErrorPrefix
	pVerbatim
	pArray
	pSet
	pMap
)

type pat struct {
	kind      patKind
	s         string // bulk, status, error, verbatim text; double as written
	vfmt      string
	i         int64
	b         bool
	items     []pat // map: keys and values alternating
	unordered bool
}

type parser struct {
	b []byte
	i int
}

func parseReply(line string) (pat, error) {
	p := &parser{b: []byte(strings.TrimLeft(line, " \t"))}
	r, err := p.item(true)
	if err == nil && p.i != len(p.b) {
		err = fmt.Errorf("unexpected text after the reply at column %d", p.i+1)
	}
	return r, err
}

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *parser) eat(c byte) bool {
	if p.peek() == c && p.i < len(p.b) {
		p.i++
		return true
	}
	return false
}

func (p *parser) word(top bool) string {
	start := p.i
	for p.i < len(p.b) {
		if !top && (p.b[p.i] == ' ' || p.b[p.i] == ']') {
			break
		}
		p.i++
	}
	return string(p.b[start:p.i])
}

func (p *parser) text(top bool) (string, error) {
	if p.peek() == '"' {
		q, next, err := quoted(p.b, p.i)
		if err != nil {
			return "", err
		}
		if top && next != len(p.b) {
			return "", fmt.Errorf("text after a quoted status or error")
		}
		p.i = next
		return string(q), nil
	}
	return p.word(top), nil
}

func (p *parser) item(top bool) (pat, error) {
	if p.i >= len(p.b) {
		return pat{}, fmt.Errorf("expected a reply")
	}
	c := p.b[p.i]
	p.i++
	switch c {
	case '+':
		s, err := p.text(top)
		return pat{kind: pStatus, s: s}, err
	case '-':
		k := pError
		if p.eat('~') {
			k = pErrorPrefix
		}
		s, err := p.text(top)
		return pat{kind: k, s: s}, err
	case ':':
		if p.eat('~') {
			return pat{kind: pAnyInt}, nil
		}
		w := p.word(false)
		n, err := strconv.ParseInt(w, 10, 64)
		return pat{kind: pInt, i: n}, err
	case ',':
		w := p.word(false)
		if _, err := parseDouble(w); err != nil {
			return pat{}, err
		}
		return pat{kind: pDouble, s: w}, nil
	case '#':
		switch w := p.word(false); w {
		case "t", "f":
			return pat{kind: pBool, b: w == "t"}, nil
		default:
			return pat{}, fmt.Errorf("bad boolean %q", w)
		}
	case '"':
		start := p.i - 1
		q, next, err := quoted(p.b, start)
		if err != nil {
			return pat{}, err
		}
		p.i = next
		if string(p.b[start:next]) == `"~"` {
			return pat{kind: pAnyBulk}, nil
		}
		return pat{kind: pBulk, s: string(q)}, nil
	case '_':
		return pat{kind: pNil}, nil
	case '.':
		if strings.HasPrefix(string(p.b[p.i:]), "..") {
			p.i += 2
			return pat{kind: pAny}, nil
		}
	case '=':
		if p.i+4 > len(p.b) || p.b[p.i+3] != ':' {
			return pat{}, fmt.Errorf("verbatim is written =fmt:\"...\"")
		}
		f := string(p.b[p.i : p.i+3])
		p.i += 4
		q, next, err := quoted(p.b, p.i)
		if err != nil {
			return pat{}, err
		}
		p.i = next
		return pat{kind: pVerbatim, vfmt: f, s: string(q)}, nil
	case '*':
		un := p.eat('?')
		items, err := p.list()
		return pat{kind: pArray, items: items, unordered: un}, err
	case '~':
		items, err := p.list()
		return pat{kind: pSet, items: items, unordered: true}, err
	case '%':
		un := p.eat('?')
		items, err := p.list()
		if err == nil && len(items)%2 != 0 {
			err = fmt.Errorf("a map needs an even number of elements")
		}
		return pat{kind: pMap, items: items, unordered: un}, err
	}
	return pat{}, fmt.Errorf("unknown reply notation %q", c)
}

func (p *parser) list() ([]pat, error) {
	if !p.eat('[') {
		return nil, fmt.Errorf("expected '['")
	}
	var items []pat
	for {
		for p.eat(' ') {
		}
		if p.eat(']') {
			return items, nil
		}
		if p.i >= len(p.b) {
			return nil, fmt.Errorf("unclosed '['")
		}
		it, err := p.item(false)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if c := p.peek(); c != ' ' && c != ']' {
			return nil, fmt.Errorf("expected a space or ']' at column %d", p.i+1)
		}
	}
}

// parseDouble reads a double as the vectors write it (inf, -inf, nan).
func parseDouble(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "inf", "+inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "nan", "-nan":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// ---------------------------------------------------------------- matching

func matches(p pat, n node) bool {
	switch p.kind {
	case pAny:
		return true
	case pAnyInt:
		return n.kind == kindInteger
	case pAnyBulk:
		return n.kind == kindString
	case pNil:
		return n.kind == kindNil
	case pInt:
		return n.kind == kindInteger && n.i == p.i
	case pDouble:
		want, _ := parseDouble(p.s)
		return n.kind == kindDouble && (n.f == want || math.IsNaN(want) && math.IsNaN(n.f))
	case pBool:
		return n.kind == kindBool && (n.i != 0) == p.b
	case pBulk:
		return n.kind == kindString && n.str == p.s
	case pStatus:
		return n.kind == kindStatus && n.str == p.s
	case pError:
		return n.kind == kindError && n.str == p.s
	case pErrorPrefix:
		return n.kind == kindError && strings.HasPrefix(n.str, p.s)
	case pVerbatim:
		return n.kind == kindVerbatim && n.vfmt == p.vfmt && n.str == p.s
	case pArray, pSet:
		want := kindArray
		if p.kind == pSet {
			want = kindSet
		}
		if n.kind != want || len(n.elems) != len(p.items) {
			return false
		}
		if p.unordered {
			return multiset(p.items, n.elems, 1)
		}
		for i := range p.items {
			if !matches(p.items[i], n.elems[i]) {
				return false
			}
		}
		return true
	case pMap:
		if n.kind != kindMap || len(n.elems) != len(p.items) {
			return false
		}
		if p.unordered {
			return multiset(p.items, n.elems, 2)
		}
		for i := range p.items {
			if !matches(p.items[i], n.elems[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// multiset matches groups of `width` patterns (1, or 2 for map pairs) to
// distinct groups of elements, backtracking.
func multiset(pats []pat, elems []node, width int) bool {
	used := make([]bool, len(elems)/width)
	var try func(k int) bool
	try = func(k int) bool {
		if k*width == len(pats) {
			return true
		}
		for j := range used {
			if used[j] {
				continue
			}
			ok := true
			for w := 0; w < width; w++ {
				if !matches(pats[k*width+w], elems[j*width+w]) {
					ok = false
					break
				}
			}
			if ok {
				used[j] = true
				if try(k + 1) {
					return true
				}
				used[j] = false
			}
		}
		return false
	}
	return try(0)
}

func (n node) String() string {
	switch n.kind {
	case kindNil:
		return "_"
	case kindInteger:
		return ":" + strconv.FormatInt(n.i, 10)
	case kindDouble:
		return "," + n.str
	case kindBool:
		if n.i != 0 {
			return "#t"
		}
		return "#f"
	case kindString:
		return strconv.Quote(n.str)
	case kindStatus:
		return "+" + n.str
	case kindError:
		return "-" + n.str
	case kindVerbatim:
		return "=" + n.vfmt + ":" + strconv.Quote(n.str)
	}
	open := map[replyKind]string{kindArray: "*[", kindSet: "~[", kindMap: "%["}[n.kind]
	parts := make([]string, len(n.elems))
	for i, e := range n.elems {
		parts[i] = e.String()
	}
	return open + strings.Join(parts, " ") + "]"
}

// ---------------------------------------------------------------- files

type step struct {
	line    int
	advance int64  // @advance
	session string // @session
	text    string
	args    []string
	expect  pat
	want    string
}

type vcase struct {
	name  string
	line  int
	steps []step
}

func parseVectors(path string) ([]vcase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	next := func() (int, string, bool) {
		for sc.Scan() {
			n++
			l := strings.TrimRight(sc.Text(), "\r")
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
				return n, l, true
			}
		}
		return n, "", false
	}
	var cases []vcase
	for {
		ln, line, ok := next()
		if !ok {
			return cases, sc.Err()
		}
		line = strings.TrimSpace(line)
		bad := func(format string, a ...interface{}) error {
			return fmt.Errorf("%s:%d: %s", path, ln, fmt.Sprintf(format, a...))
		}
		if name, ok := directive(line, "@test"); ok {
			cases = append(cases, vcase{name: name, line: ln})
			continue
		}
		if len(cases) == 0 {
			return nil, bad("expected @test first")
		}
		c := &cases[len(cases)-1]
		if ms, ok := directive(line, "@advance"); ok {
			v, err := strconv.ParseInt(ms, 10, 64)
			if err != nil {
				return nil, bad("bad @advance %q", ms)
			}
			c.steps = append(c.steps, step{line: ln, advance: v})
		} else if name, ok := directive(line, "@session"); ok {
			c.steps = append(c.steps, step{line: ln, session: name})
		} else if cmd, ok := strings.CutPrefix(line, ">"); ok {
			cmd = strings.TrimSpace(cmd)
			args, err := splitArgs(cmd)
			if err != nil || len(args) == 0 {
				return nil, bad("bad arguments: %v", err)
			}
			rn, rl, ok := next()
			if !ok {
				return nil, bad("command without an expected reply")
			}
			p, err := parseReply(rl)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: bad expected reply: %v", path, rn, err)
			}
			c.steps = append(c.steps, step{line: ln, text: cmd, args: args, expect: p, want: strings.TrimSpace(rl)})
		} else {
			return nil, bad("unexpected line %q", line)
		}
	}
}

func directive(line, name string) (string, bool) {
	rest, ok := strings.CutPrefix(line, name)
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	return rest, rest != ""
}

// runCase runs one case on a new store; it returns the failures.
func runCase(t *testing.T, file string, c vcase) []string {
	cl, err := Open(&Options{ManualClock: time.UnixMilli(1700000000000)})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	conns := map[string]*Conn{}
	conn := func(name string) *Conn {
		if conns[name] == nil {
			conns[name] = cl.Conn()
		}
		return conns[name]
	}
	defer func() {
		for _, cn := range conns {
			cn.Close()
		}
	}()
	cur := conn("main")
	var fails []string
	for _, s := range c.steps {
		switch {
		case s.advance != 0:
			if err := cl.AdvanceClock(time.Duration(s.advance) * time.Millisecond); err != nil {
				t.Fatal(err)
			}
		case s.session != "":
			cur = conn(s.session)
		default:
			args := make([]interface{}, len(s.args))
			for i, a := range s.args {
				args[i] = a
			}
			got, err := cur.doNode(ctx, args...)
			if err != nil {
				fails = append(fails, fmt.Sprintf("%s:%d: %s: %v", file, s.line, s.text, err))
				continue
			}
			if !matches(s.expect, got) {
				fails = append(fails, fmt.Sprintf("%s:%d: %s\n    expected %s\n    got      %s", file, s.line, s.text, s.want, got))
			}
		}
	}
	return fails
}

func TestConformance(t *testing.T) {
	files, err := filepath.Glob("../../tests/conformance/*.kvt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors found: %v", err)
	}
	total := 0
	for _, f := range files {
		cases, err := parseVectors(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			for _, c := range cases {
				for _, s := range c.steps {
					if s.args != nil {
						total++
					}
				}
				for _, fail := range runCase(t, name, c) {
					t.Errorf("%s (case %q)", fail, c.name)
				}
			}
		})
	}
	t.Logf("%d commands in %d files", total, len(files))
}

func TestNotation(t *testing.T) {
	args, err := splitArgs(`SET "a b" 'c\'d' "\x41\n" x"y z"`)
	if err != nil || len(args) != 5 || args[4] != "xy z" || args[0] != "SET" || args[1] != "a b" || args[2] != "c'd" || args[3] != "A\n" {
		t.Fatalf("splitArgs: %q %v", args, err)
	}
	p, err := parseReply(`*?[:1 "a" ~[#t] %[+OK -"ERR x y"] ,1.50 _]`)
	if err != nil {
		t.Fatal(err)
	}
	n := node{kind: kindArray, elems: []node{
		{kind: kindString, str: "a"}, {kind: kindInteger, i: 1},
		{kind: kindSet, elems: []node{{kind: kindBool, i: 1}}},
		{kind: kindMap, elems: []node{{kind: kindStatus, str: "OK"}, {kind: kindError, str: "ERR x y"}}},
		{kind: kindDouble, f: 1.5, str: "1.5"}, {kind: kindNil},
	}}
	if !matches(p, n) {
		t.Fatalf("no match: %s", n)
	}
	n.elems[1].i = 2
	if matches(p, n) {
		t.Fatal("matched a wrong integer")
	}
	if _, err := parseReply(`*[:1`); err == nil {
		t.Fatal("accepted an unclosed array")
	}
}

// A wrong expectation must be reported.
func TestConformanceCanFail(t *testing.T) {
	p, _ := parseReply(`"2"`)
	c := vcase{name: "wrong", steps: []step{
		{line: 1, text: "SET k 1", args: []string{"SET", "k", "1"}, expect: pat{kind: pStatus, s: "OK"}},
		{line: 2, text: "GET k", args: []string{"GET", "k"}, expect: p, want: `"2"`},
	}}
	fails := runCase(t, "synthetic", c)
	if len(fails) != 1 || !strings.Contains(fails[0], `got      "1"`) {
		t.Fatalf("failures: %q", fails)
	}
}
