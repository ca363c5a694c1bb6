// A Go program using the official Atlas SDK against the mock, with API keys (Digest) and with a service
// account (OAuth). Not built in CI (no Go toolchain or module proxy there). Run the mock first:
//
//	npx atlas-restore-mock --api-key demo:demo --service-account mdb_sa_id_demo:mdb_sa_sk_demo
//	go mod tidy && go run .
package main

import (
	"context"
	"fmt"
	"log"

	"go.mongodb.org/atlas-sdk/v20250312023/admin"
)

const (
	baseURL = "http://127.0.0.1:8080"
	group   = "32b6e34b3d91647abb20e7b8"
	cluster = "Cluster0"
	job     = "6a880ef37c2e91d04b380240"
)

func main() {
	ctx := context.Background()

	// API key: the SDK's Digest transport answers the mock's challenge as it answers Atlas's.
	digest, err := admin.NewClient(admin.UseBaseURL(baseURL), admin.UseDigestAuth("demo", "demo"))
	if err != nil {
		log.Fatal(err)
	}
	show(ctx, "digest", digest)

	// Service account: UseBaseURL must come before UseOAuthAuth, which reads the base URL to find
	// the token endpoint; in the other order the SDK asks cloud.mongodb.com for tokens.
	oauth, err := admin.NewClient(admin.UseBaseURL(baseURL), admin.UseOAuthAuth(ctx, "mdb_sa_id_demo", "mdb_sa_sk_demo"))
	if err != nil {
		log.Fatal(err)
	}
	show(ctx, "oauth", oauth)

	// Error handling with a well-known id: the mock answers 404 RESTORE_JOB_NOT_FOUND.
	_, _, err = digest.CloudBackupsApi.GetBackupRestoreJob(ctx, group, cluster, "000000000000000000000404").Execute()
	fmt.Println("404 is RESTORE_JOB_NOT_FOUND:", admin.IsErrorCode(err, "RESTORE_JOB_NOT_FOUND"))
}

func show(ctx context.Context, name string, client *admin.APIClient) {
	restore, _, err := client.CloudBackupsApi.GetBackupRestoreJob(ctx, group, cluster, job).Execute()
	if err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	fmt.Println(name, restore.GetDeliveryType(), restore.GetDeliveryUrl(), restore.GetExpiresAt())
}
