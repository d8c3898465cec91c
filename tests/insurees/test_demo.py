from io import StringIO

from django.core.management import call_command

from kinga.core.models import User
from kinga.demo import officers as demo
from kinga.demo.data import DEMO_PASSWORD
from kinga.insurees.models import Officer


def test_the_demo_officers_load_once_through_the_services(db):
    call_command("demo", quiet=True, stdout=StringIO())
    admin = User.objects.get(username="admin")
    # `kinga demo` loaded them; a second load changes nothing.
    assert Officer.objects.count() == 10
    assert demo.load(admin) == 0
    assert set(Officer.objects.values_list("district__code", flat=True)) == {"MFD", "LEK", "MEA"}
    assert Officer.objects.filter(substitute__isnull=False, works_to__isnull=False).count() == 2
    logins = Officer.objects.filter(user__isnull=False)
    assert logins.count() == 3
    assert all(o.user.username == o.code and o.user.check_password(DEMO_PASSWORD) for o in logins)
    for officer in Officer.objects.all():
        assert 2 <= officer.villages.count() <= 4
        assert {v.parent.parent_id for v in officer.villages.all()} == {officer.district_id}
