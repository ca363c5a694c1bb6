// go mod tidy && go test ./...   (needs Docker and the image: docker build -t atlas-restore-mock:latest .)
package restorejob_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

const jobs = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/restoreJobs/"

func TestRestoreJob(t *testing.T) {
	ctx := context.Background()
	ctr, err := testcontainers.Run(ctx, "atlas-restore-mock:latest",
		testcontainers.WithExposedPorts("8080/tcp"),
		testcontainers.WithEnv(map[string]string{"ATLAS_MOCK_AUTH": "off", "ATLAS_MOCK_SEED": "42"}),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/health").WithPort("8080/tcp")),
	)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatal(err)
	}
	baseURL, err := ctr.PortEndpoint(ctx, "8080/tcp", "http")
	if err != nil {
		t.Fatal(err)
	}

	get := func(restoreJobID string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+jobs+restoreJobID, nil)
		req.Header.Set("Accept", "application/vnd.atlas.2023-01-01+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, body
	}

	if status, job := get("6a880ef37c2e91d04b380240"); status != 200 || job["id"] != "6a880ef37c2e91d04b380240" {
		t.Fatalf("job: %d %v", status, job)
	}
	if status, apiErr := get("000000000000000000000404"); status != 404 || apiErr["errorCode"] != "RESTORE_JOB_NOT_FOUND" {
		t.Fatalf("error: %d %v", status, apiErr)
	}
}
