module example.invalid/kv/bindings/go

go 1.24
