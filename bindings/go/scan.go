package kv

import (
	"fmt"
	"reflect"
	"strings"
)

// scanSlice parses strings into the slice dst points to, one element each.
func scanSlice(data []string, dst interface{}) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("kv: ScanSlice(non-slice %T)", dst)
	}
	s := v.Elem()
	for _, str := range data {
		e := reflect.New(s.Type().Elem())
		if err := scan([]byte(str), e.Interface()); err != nil {
			return fmt.Errorf("kv: ScanSlice index %d: %w", s.Len(), err)
		}
		s.Set(reflect.Append(s, e.Elem()))
	}
	return nil
}

// scanStruct copies fields into the struct dst points to, matching its
// fields' `redis:"name"` tags.
func scanStruct(m map[string]string, dst interface{}) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("kv: Scan(non-struct %T)", dst)
	}
	s := v.Elem()
	t := s.Type()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("redis"), ",")
		if name == "" || name == "-" || !t.Field(i).IsExported() {
			continue
		}
		val, ok := m[name]
		if !ok {
			continue
		}
		if err := scan([]byte(val), s.Field(i).Addr().Interface()); err != nil {
			return fmt.Errorf("kv: Scan field %s: %w", t.Field(i).Name, err)
		}
	}
	return nil
}
