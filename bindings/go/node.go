package kv

import "context"

// node is a reply copied with its exact type, for the conformance tests
// (Do folds statuses and strings together, as go-redis does).
type node struct {
	kind  replyKind
	str   string // string, status, error, verbatim or double text
	vfmt  string // a verbatim's format
	i     int64  // integer, bool
	f     float64
	elems []node // array, set, map (keys and values alternating)
}

func toNode(r reply) node {
	n := node{kind: r.kind()}
	switch n.kind {
	case kindString, kindStatus, kindError, kindDouble, kindVerbatim:
		n.str = r.text()
		if n.kind == kindVerbatim {
			n.vfmt = r.format()
		}
		n.f = r.double()
	case kindInteger, kindBool:
		n.i = r.integer()
	case kindArray, kindSet, kindMap:
		n.elems = make([]node, r.len())
		for i := range n.elems {
			n.elems[i] = toNode(r.at(i))
		}
	}
	return n
}

// nodeCmd is a command whose reply is kept as a node.
type nodeCmd struct {
	baseCmd
	val node
}

func (c *nodeCmd) readReply(r reply) error {
	c.val = toNode(r)
	return nil
}

func (c *nodeCmd) String() string { return c.show(nil) }

// doNode runs a command on the Conn's session, through the same path as
// Do, keeping the reply's exact type.
func (cn *Conn) doNode(ctx context.Context, args ...interface{}) (node, error) {
	cmd := &nodeCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
	err := cn.Process(ctx, cmd)
	return cmd.val, err
}
