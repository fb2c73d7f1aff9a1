"""Fixtures for the reliability proofs: a published survey with a public link and an app token."""

import pytest

from openxm.accounts import services as accounts
from openxm.distribution import services as distribution
from openxm.surveys import services as surveys


@pytest.fixture
def analyst(org_a, make_member):
    return accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")


@pytest.fixture
def csat(analyst):
    survey = surveys.create_from_template(analyst, "transactional-csat")
    surveys.publish_survey(analyst, survey.pk)
    return surveys.get_survey(analyst, survey.pk)


@pytest.fixture
def public_link(analyst, csat):
    """The respondent page's path for a link distribution."""
    dist = distribution.create_distribution(analyst, csat.pk, "link", name="link")
    return distribution.public_link(dist).replace("http://localhost:8000", "")


@pytest.fixture
def app_token(analyst, csat):
    """The token of an app distribution, for the public collection API."""
    dist = distribution.create_distribution(analyst, csat.pk, "app", name="app")
    return distribution.public_link(dist).rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def pg_cluster():
    """On the PostgreSQL pass (OPENXM_TEST_DATABASE_URL set), a throwaway cluster of the test's
    own with an ``openxm`` database, started; None on the SQLite pass."""
    import os

    from .servers import Cluster, cluster_unavailable_reason

    if not os.environ.get("OPENXM_TEST_DATABASE_URL"):
        yield None
        return
    if reason := cluster_unavailable_reason():
        pytest.skip(reason)
    cluster = Cluster()
    cluster.start()
    cluster.create_database()
    yield cluster
    cluster.destroy()


@pytest.fixture
def database(tmp_path, pg_cluster):
    """For tests that run openxm in processes of its own: (DATABASE_URL or None for SQLite in
    ``tmp_path``, a function running one SQL query on that database)."""
    import sqlite3

    if pg_cluster is not None:
        return pg_cluster.url, pg_cluster.query
    path = tmp_path / "openxm.sqlite3"

    def query(sql):
        with sqlite3.connect(path) as conn:
            return conn.execute(sql).fetchall()

    return None, query
