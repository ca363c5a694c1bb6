module example.com/atlas-mock-it

go 1.24

require github.com/testcontainers/testcontainers-go v0.45.0
