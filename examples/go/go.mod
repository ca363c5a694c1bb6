module example.com/atlas-restore-mock-example

go 1.22

require go.mongodb.org/atlas-sdk/v20250312023 v20250312023.0.0
