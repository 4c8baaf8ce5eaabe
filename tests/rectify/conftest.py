import pytest

from tests.rectify.factories import WorkWorld


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    # Uploaded evidence goes to a throwaway folder, never into var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def work(world) -> WorkWorld:
    return WorkWorld.create(world)


@pytest.fixture
def login(world, client):
    def login_as(username):
        client.force_login(world.users[username])
        return client
    return login_as
