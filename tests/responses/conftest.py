"""Fixtures: an organization with members, a published CSAT survey, files written as real tools
write them (Chinese Excel's GBK, Western Excel's cp1252, BOMs, semicolons)."""

import pytest

from openxm.accounts import services as accounts
from openxm.surveys import services as surveys


@pytest.fixture(autouse=True)
def _inline_jobs(settings, tmp_path):
    settings.OPENXM_JOBS_INLINE = True
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def actor_for(org_a, make_member):
    def make(role: str, org=None):
        org = org or org_a
        return accounts.actor_for_user(make_member(org, role), org, via="web")

    return make


@pytest.fixture
def admin(actor_for):
    return actor_for("admin")


@pytest.fixture
def analyst(actor_for):
    return actor_for("analyst")


@pytest.fixture
def survey(admin):
    s = surveys.create_from_template(admin, "transactional-csat")
    surveys.publish_survey(admin, s.pk)
    return surveys.get_survey(admin, s.pk)


@pytest.fixture
def write(tmp_path):
    def make(name: str, text: str, encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return make
