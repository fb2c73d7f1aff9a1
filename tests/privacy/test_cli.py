"""``openxm privacy export|erase --org SLUG --email E`` as the issue writes them."""

import json
import zipfile

from openxm.cli import main
from openxm.customers.models import Contact
from openxm.privacy.models import DataSubjectRequest


def test_export_then_erase_from_the_command_line(seed_person, org_a, tmp_path, capsys):
    person = seed_person("delta")
    out = tmp_path / "person.zip"
    assert (
        main(["privacy", "export", "--org", org_a.slug, "--email", person.email, "--output", str(out)]) == 0
    )
    line = capsys.readouterr().out
    assert str(out) in line and "rows exported" in line
    with zipfile.ZipFile(out) as z:
        assert person.email in json.loads(z.read("data.json"))["tables"]["customers.Contact"][0]["email"]

    assert main(["privacy", "erase", "--org", org_a.slug, "--email", person.email]) == 0
    assert "rows erased" in capsys.readouterr().out
    assert not Contact.objects.for_org(org_a).exists()
    kinds = list(DataSubjectRequest.objects.for_org(org_a).values_list("kind", "status"))
    assert sorted(kinds) == [("erase", "completed"), ("export", "completed")]
    log = DataSubjectRequest.objects.for_org(org_a).get(kind="erase")
    assert person.email not in json.dumps(log.subject) and log.subject["email"].startswith("d***@")


def test_a_bad_address_is_one_line_naming_the_field(org_a, capsys):
    assert main(["privacy", "erase", "--org", org_a.slug, "--email", "nope"]) == 1
    err = capsys.readouterr().err
    assert "email" in err and "valid e-mail" in err and len(err.strip().splitlines()) == 1
    assert not DataSubjectRequest.objects.for_org(org_a).exists()
