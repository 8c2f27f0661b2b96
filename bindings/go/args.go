package kv

import (
	"encoding"
	"fmt"
	"net"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// appendArg writes one argument's bytes as go-redis does: strings and
// []byte as they are, numbers in decimal, bools as 1/0, time.Time in
// RFC 3339, time.Duration in nanoseconds, an encoding.BinaryMarshaler by
// its MarshalBinary, nil as "".
func appendArg(b []byte, v interface{}) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return append(b, v...), nil
	case []byte:
		return append(b, v...), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case float32:
		return strconv.AppendFloat(b, float64(v), 'f', -1, 32), nil
	case float64:
		return strconv.AppendFloat(b, v, 'f', -1, 64), nil
	case bool:
		if v {
			return append(b, '1'), nil
		}
		return append(b, '0'), nil
	case time.Time:
		return v.AppendFormat(b, time.RFC3339Nano), nil
	case time.Duration:
		return strconv.AppendInt(b, v.Nanoseconds(), 10), nil
	case nil:
		return b, nil
	case encoding.BinaryMarshaler:
		data, err := v.MarshalBinary()
		if err != nil {
			return b, err
		}
		return append(b, data...), nil
	case net.IP:
		return append(b, v.String()...), nil
	}
	return b, fmt.Errorf("kv: can't marshal %T (implement encoding.BinaryMarshaler)", v)
}

// appendArgs flattens variadic values as go-redis does: a single
// []string, []interface{}, map or struct (fields tagged `redis:"name"`)
// becomes its elements or field/value pairs.
func appendArgs(dst, src []interface{}) []interface{} {
	if len(src) == 1 {
		return appendFlat(dst, src[0])
	}
	return append(dst, src...)
}

func appendFlat(dst []interface{}, arg interface{}) []interface{} {
	switch arg := arg.(type) {
	case []string:
		for _, s := range arg {
			dst = append(dst, s)
		}
		return dst
	case []interface{}:
		return append(dst, arg...)
	case map[string]interface{}:
		for k, v := range arg {
			dst = append(dst, k, v)
		}
		return dst
	case map[string]string:
		for k, v := range arg {
			dst = append(dst, k, v)
		}
		return dst
	case time.Time, time.Duration, encoding.BinaryMarshaler, net.IP, string, []byte:
		return append(dst, arg)
	case nil:
		return dst
	}
	v := reflect.ValueOf(arg)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return dst
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return append(dst, arg)
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("redis")
		if tag == "" || tag == "-" || !t.Field(i).IsExported() {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		f := v.Field(i)
		if opt == "omitempty" && f.IsZero() {
			continue
		}
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		dst = append(dst, name, f.Interface())
	}
	return dst
}

func stringsToArgs(dst []interface{}, keys []string) []interface{} {
	for _, k := range keys {
		dst = append(dst, k)
	}
	return dst
}

// formatSec and formatMs give a duration as Redis's seconds or
// milliseconds (at least 1 for a positive duration).
func formatSec(d time.Duration) int64 {
	if d > 0 && d < time.Second {
		return 1
	}
	return int64(d / time.Second)
}

func formatMs(d time.Duration) int64 {
	if d > 0 && d < time.Millisecond {
		return 1
	}
	return int64(d / time.Millisecond)
}

// usePrecise tells whether a duration needs milliseconds.
func usePrecise(d time.Duration) bool {
	return d < time.Second || d%time.Second != 0
}

// blockTimeout is a blocking command's timeout in seconds, with
// millisecond precision (Redis accepts decimals since 6.0).
func blockTimeout(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return strconv.FormatFloat(float64(formatMs(d))/1000, 'f', -1, 64)
}
