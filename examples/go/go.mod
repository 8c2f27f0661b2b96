module example.invalid/kv/examples/go

go 1.24

require example.invalid/kv/bindings/go v0.0.0

replace example.invalid/kv/bindings/go => ../../bindings/go
