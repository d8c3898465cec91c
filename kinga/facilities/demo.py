"""Demo health facilities of the Centre region of Cameroon (Mfoundi, Lekié, Mefou-et-Afamba),
their catchment villages and a few claim administrators with logins.  Idempotent: run twice,
the second run changes nothing.  Everything goes through the services."""

from __future__ import annotations

from kinga.core.models import User
from kinga.demo.data import DEMO_PASSWORD
from kinga.facilities.services import claim_admins as claim_admin_services
from kinga.facilities.services import facilities as facility_services
from kinga.locations.models import Location
from kinga.medical.models import ItemsPriceList, ServicesPriceList

from .models import Catchment, ClaimAdmin, HealthFacility

# (code, name, district, legal form, level, sub-level, care type, address, phone,
#  [(village code, percentage)])
FACILITIES = [
    # Mfoundi: the reference hospitals of Yaoundé
    ("HCY", "Hôpital Central de Yaoundé", "MFD", "G", "H", "R", "B", "Rue Henri Dunant, Messa",
     "+237 222 23 40 20", [("NLK", 50), ("BRQ", 100)]),
    ("HGY", "Hôpital Général de Yaoundé", "MFD", "G", "H", "R", "B", "Ngousso",
     "+237 222 21 31 81", [("MKL", 30)]),
    ("HGOPY", "Hôpital Gynéco-Obstétrique et Pédiatrique de Yaoundé", "MFD", "G", "H", "R", "B",
     "Ngousso", "+237 222 21 24 33", []),
    ("CHUY", "Centre Hospitalier Universitaire de Yaoundé", "MFD", "G", "H", "R", "B", "Melen",
     "+237 222 31 25 66", [("NGE", 50)]),
    ("HJY", "Hôpital Jamot de Yaoundé", "MFD", "G", "H", "R", "B", "Mvog-Betsi",
     "+237 222 20 26 61", []),
    ("HCAI", "Hôpital de la Caisse", "MFD", "G", "H", "", "B", "Essos", "+237 222 23 11 10",
     [("ESS", 30)]),
    ("HSMP", "Hôpital Saint-Martin de Porrès", "MFD", "C", "H", "", "B", "Mvog-Betsi",
     "+237 222 31 58 92", [("MMB", 20)]),
    # Mfoundi: district hospitals
    ("HDBA", "Hôpital de District de Biyem-Assi", "MFD", "G", "H", "", "B", "Biyem-Assi",
     "+237 222 31 29 47", [("BYA", 100), ("MDG", 60)]),
    ("HDCV", "Hôpital de District de la Cité Verte", "MFD", "G", "H", "", "B", "Cité Verte",
     "+237 222 22 15 38", [("TSG", 100), ("MKL", 50)]),
    ("HDDJ", "Hôpital de District de Djoungolo", "MFD", "G", "H", "", "B", "Nlongkak",
     "+237 222 21 03 16", [("NLK", 50), ("ESS", 70), ("NKM", 100)]),
    ("HDEF", "Hôpital de District d'Efoulan", "MFD", "G", "H", "", "B", "Efoulan",
     "+237 222 31 18 45", [("EFL", 100), ("NSY", 40)]),
    ("HDNK", "Hôpital de District de Nkolndongo", "MFD", "G", "H", "", "B", "Nkolndongo",
     "+237 222 23 06 52", [("KDG", 100), ("MMB", 40), ("EKN", 50)]),
    # Mfoundi: CMA, CSI, dispensary
    ("CMANK", "CMA de Nkoldongo", "MFD", "G", "C", "R", "B", "Nkoldongo", "+237 699 11 20 31",
     [("MMB", 40)]),
    ("CMAMA", "CMA de Mvog-Ada", "MFD", "G", "C", "R", "B", "Mvog-Ada", "+237 699 11 20 32",
     [("MKL", 20)]),
    ("CMANS", "CMA de Nsimeyong", "MFD", "G", "C", "R", "B", "Nsimeyong", "+237 699 11 20 33",
     [("NSY", 60), ("NGE", 50)]),
    ("CMAOD", "CMA d'Odza", "MFD", "G", "C", "R", "B", "Odza", "+237 699 11 20 34",
     [("EKN", 50)]),
    ("CSIET", "CSI d'Etoudi", "MFD", "G", "C", "I", "O", "Etoudi", "+237 699 11 20 41",
     [("ETD", 100)]),
    ("CSIEM", "CSI d'Emana", "MFD", "G", "C", "I", "O", "Emana", "+237 699 11 20 42",
     [("EMN", 100)]),
    ("CSINB", "CSI de Nkolbisson", "MFD", "G", "C", "I", "O", "Nkolbisson", "+237 699 11 20 43",
     [("NKB", 100), ("OYA", 100)]),
    ("DISMD", "Dispensaire de Mendong", "MFD", "G", "D", "", "O", "Mendong", "+237 699 11 20 51",
     [("MDG", 40)]),
    # Lekié
    ("HDO", "Hôpital de District d'Obala", "LEK", "G", "H", "", "B", "Obala-Centre",
     "+237 222 29 10 12", [("OBLC", 100), ("NKT", 60), ("BTS", 100)]),
    ("HDMO", "Hôpital de District de Monatélé", "LEK", "G", "H", "", "B", "Monatélé-Centre",
     "+237 222 29 21 14", [("MNTC", 100)]),
    ("HDSA", "Hôpital de District de Sa'a", "LEK", "G", "H", "", "B", "Sa'a-Centre",
     "+237 222 29 31 16", [("SAAC", 100), ("NKLB", 100)]),
    ("CSIEK", "CSI d'Ekabita", "LEK", "G", "C", "I", "O", "Ekabita", "+237 699 22 30 41",
     [("EKB", 100)]),
    ("CSINT", "CSI de Nkometou", "LEK", "G", "C", "I", "O", "Nkometou", "+237 699 22 30 42",
     [("NKT", 40)]),
    ("CSICE", "CSI Catholique d'Efok", "LEK", "C", "C", "I", "O", "Efok, Okola",
     "+237 699 22 30 43", [("OKLC", 100), ("NKG", 100)]),
    # Mefou-et-Afamba
    ("HDMF", "Hôpital de District de Mfou", "MEA", "G", "H", "", "B", "Mfou-Centre",
     "+237 222 28 10 21", [("MFUC", 100), ("NSM", 60)]),
    ("HDSO", "Hôpital de District de Soa", "MEA", "G", "H", "", "B", "Soa-Centre",
     "+237 222 28 20 22", [("SOAC", 100)]),
    ("HDES", "Hôpital de District d'Esse", "MEA", "G", "H", "", "B", "Esse-Centre",
     "+237 222 28 30 23", [("ESEC", 100)]),
    ("HDAW", "Hôpital de District d'Awaé", "MEA", "G", "H", "", "B", "Awaé-Centre",
     "+237 222 28 40 24", [("AWAC", 100)]),
    ("CSINF", "CSI de Nkolfoulou", "MEA", "G", "C", "I", "O", "Nkolfoulou", "+237 699 33 40 41",
     [("NKF", 100)]),
    ("CSINM", "CSI de Nsimalen", "MEA", "G", "C", "I", "O", "Nsimalen", "+237 699 33 40 42",
     [("NSM", 40)]),
]  # fmt: skip

# (code = login name, last name, other names, facility code, phone)
CLAIM_ADMINS = [
    ("GPHCY1", "Mbarga", "Solange", "HCY", "+237 677 10 20 01"),
    ("GPHCY2", "Tchoumi", "Alain", "HCY", "+237 677 10 20 02"),
    ("GPHGY1", "Ndzana", "Brigitte", "HGY", "+237 677 10 20 03"),
    ("GPGOP1", "Abessolo", "Martin", "HGOPY", "+237 677 10 20 04"),
    ("GPCHU1", "Eyenga", "Florence", "CHUY", "+237 677 10 20 05"),
    ("GPHDO1", "Manga", "Serge", "HDO", "+237 677 10 20 06"),
    ("GPHMF1", "Owono", "Pauline", "HDMF", "+237 677 10 20 07"),
]


def _national(model):
    """The first current national price list, if the medical registers hold one."""
    return model.objects.current().filter(location__isnull=True).order_by("name").first()


def load(actor) -> int:
    """Create or bring up to date the demo facilities; returns the number of records created."""
    created = 0
    districts = {
        d.code: d
        for d in Location.objects.current().filter(type="D", code__in=["MFD", "LEK", "MEA"])
    }
    villages = {v.code: v for v in Location.objects.current().filter(type="V")}
    services_pl, items_pl = _national(ServicesPriceList), _national(ItemsPriceList)
    facilities: dict[str, HealthFacility] = {}
    for row in FACILITIES:
        code, name, district_code, legal_form, level, sub_level, care_type, address = row[:8]
        phone, catchment = row[8:]
        district = districts.get(district_code)
        if district is None:
            continue
        values = {
            "code": code,
            "name": name,
            "district": district,
            "legal_form": legal_form,
            "level": level,
            "sub_level": sub_level,
            "care_type": care_type,
            "address": address,
            "phone": phone,
        }
        facility = HealthFacility.objects.current().filter(code=code).first()
        if facility is None:
            facility = facility_services.facility_create(
                actor=actor,
                services_price_list=services_pl,
                items_price_list=items_pl,
                **values,
            )
            created += 1
        else:
            full = {f: getattr(facility, f) for f in facility_services.FACILITY_FIELDS}
            wanted = {
                **full,
                **values,
                "services_price_list": full["services_price_list"] or services_pl,
                "items_price_list": full["items_price_list"] or items_pl,
            }
            if wanted != full:
                facility = facility_services.facility_update(
                    actor=actor, facility=facility, **wanted
                )
        facilities[code] = facility
        present = set(
            Catchment.objects.current()
            .filter(health_facility=facility)
            .values_list("village__code", flat=True)
        )
        for village_code, percentage in catchment:
            village = villages.get(village_code)
            if village is None or village_code in present:
                continue
            facility_services.catchment_add(
                actor=actor, facility=facility, village=village, percentage=percentage
            )
            created += 1
    for code, last_name, other_names, hf_code, phone in CLAIM_ADMINS:
        facility = facilities.get(hf_code)
        if facility is None or ClaimAdmin.objects.current().filter(code=code).exists():
            continue
        claim_admin_services.claim_admin_create(
            actor=actor,
            code=code,
            last_name=last_name,
            other_names=other_names,
            health_facility=facility,
            phone=phone,
            with_login=not User.objects.filter(username__iexact=code).exists(),
            password=DEMO_PASSWORD,
        )
        created += 1
    return created
