// src/test/java/AtlasRestoreMockTest.java; mvn test   (needs Docker and the image: docker build -t atlas-restore-mock:latest .)
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

@Testcontainers
class AtlasRestoreMockTest {
  private static final String JOBS = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/restoreJobs/";

  @Container
  static final GenericContainer<?> MOCK = new GenericContainer<>(DockerImageName.parse("atlas-restore-mock:latest"))
      .withExposedPorts(8080)
      .withEnv("ATLAS_MOCK_AUTH", "off")
      .withEnv("ATLAS_MOCK_SEED", "42")
      .waitingFor(Wait.forHttp("/health").forPort(8080).forStatusCode(200));

  private static HttpResponse<String> get(String restoreJobId) throws Exception {
    String baseUrl = "http://" + MOCK.getHost() + ":" + MOCK.getMappedPort(8080);
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + JOBS + restoreJobId))
        .header("Accept", "application/vnd.atlas.2023-01-01+json")
        .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readsARestoreJob() throws Exception {
    HttpResponse<String> reply = get("6a880ef37c2e91d04b380240");
    assertEquals(200, reply.statusCode());
    assertTrue(reply.body().contains("\"id\":\"6a880ef37c2e91d04b380240\""), reply.body());
  }

  @Test
  void readsAnAtlasError() throws Exception {
    HttpResponse<String> reply = get("000000000000000000000404");
    assertEquals(404, reply.statusCode());
    assertEquals("RESTORE_JOB_NOT_FOUND", reply.headers().firstValue("X-Error-Code").orElse(""));
  }
}
