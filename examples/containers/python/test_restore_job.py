# pip install testcontainers pytest; pytest   (needs Docker and the image: docker build -t atlas-restore-mock:latest .)
import json
import urllib.error
import urllib.request

import pytest
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import HttpWaitStrategy

JOBS = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/restoreJobs/"
ACCEPT = {"Accept": "application/vnd.atlas.2023-01-01+json"}


@pytest.fixture(scope="module")
def base_url():
    mock = (
        DockerContainer("atlas-restore-mock:latest")
        .with_exposed_ports(8080)
        .with_env("ATLAS_MOCK_AUTH", "off")
        .with_env("ATLAS_MOCK_SEED", "42")
        .waiting_for(HttpWaitStrategy(8080, "/health").for_status_code(200))
    )
    with mock:
        yield f"http://{mock.get_container_host_ip()}:{mock.get_exposed_port(8080)}"


def get(base_url, restore_job_id):
    return urllib.request.urlopen(urllib.request.Request(base_url + JOBS + restore_job_id, headers=ACCEPT))


def test_reads_a_restore_job(base_url):
    with get(base_url, "6a880ef37c2e91d04b380240") as reply:
        assert json.load(reply)["id"] == "6a880ef37c2e91d04b380240"


def test_reads_an_atlas_error(base_url):
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(base_url, "000000000000000000000404")
    assert refused.value.code == 404
    assert json.load(refused.value)["errorCode"] == "RESTORE_JOB_NOT_FOUND"
