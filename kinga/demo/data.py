"""The demo scheme: the Centre region of Cameroon (Yaoundé and its surroundings).

Districts are the region's départements, municipalities its communes, villages real quarters
and villages of those communes.  Populations are round plausible figures, not census data.
"""

# (code, name, [(code, name, [(code, name, male, female, families)])])
CENTRE = (
    "CE",
    "Centre",
    [
        (
            "MFD",
            "Mfoundi",
            [
                (
                    "YDE1",
                    "Yaoundé I",
                    [
                        ("NLK", "Nlongkak", 6200, 6500, 2400),
                        ("ETD", "Etoudi", 5100, 5300, 2050),
                        ("EMN", "Emana", 3900, 4100, 1600),
                    ],
                ),
                (
                    "YDE2",
                    "Yaoundé II",
                    [
                        ("TSG", "Tsinga", 7000, 7300, 2800),
                        ("MKL", "Mokolo", 8200, 8400, 3300),
                        ("BRQ", "Briqueterie", 6100, 6000, 2400),
                    ],
                ),
                (
                    "YDE3",
                    "Yaoundé III",
                    [
                        ("EFL", "Efoulan", 5400, 5600, 2200),
                        ("NSY", "Nsimeyong", 6800, 7000, 2750),
                        ("NGE", "Ngoa-Ekellé", 4300, 4100, 1700),
                    ],
                ),
                (
                    "YDE4",
                    "Yaoundé IV",
                    [
                        ("KDG", "Kondengui", 7600, 7900, 3100),
                        ("MMB", "Mimboman", 6900, 7200, 2800),
                        ("EKN", "Ekounou", 8800, 9100, 3550),
                    ],
                ),
                (
                    "YDE5",
                    "Yaoundé V",
                    [("ESS", "Essos", 7300, 7500, 2950), ("NKM", "Nkolmesseng", 5200, 5400, 2100)],
                ),
                (
                    "YDE6",
                    "Yaoundé VI",
                    [("BYA", "Biyem-Assi", 9100, 9400, 3700), ("MDG", "Mendong", 6400, 6700, 2600)],
                ),
                (
                    "YDE7",
                    "Yaoundé VII",
                    [
                        ("NKB", "Nkolbisson", 4200, 4400, 1700),
                        ("OYA", "Oyom-Abang", 3800, 3900, 1500),
                    ],
                ),
            ],
        ),
        (
            "LEK",
            "Lekié",
            [
                (
                    "OBL",
                    "Obala",
                    [
                        ("OBLC", "Obala-Centre", 3100, 3300, 1250),
                        ("NKT", "Nkometou", 1400, 1500, 560),
                        ("BTS", "Batschenga", 1800, 1900, 720),
                    ],
                ),
                (
                    "MNT",
                    "Monatélé",
                    [
                        ("MNTC", "Monatélé-Centre", 2100, 2200, 850),
                        ("EKB", "Ekabita", 900, 950, 360),
                    ],
                ),
                (
                    "OKL",
                    "Okola",
                    [("OKLC", "Okola-Centre", 1700, 1800, 690), ("NKG", "Nkolguet", 800, 850, 320)],
                ),
                (
                    "SAA",
                    "Sa'a",
                    [
                        ("SAAC", "Sa'a-Centre", 2300, 2400, 920),
                        ("NKLB", "Nkol-Bang", 700, 760, 290),
                    ],
                ),
            ],
        ),
        (
            "MEA",
            "Mefou-et-Afamba",
            [
                (
                    "MFU",
                    "Mfou",
                    [
                        ("MFUC", "Mfou-Centre", 2600, 2700, 1050),
                        ("NSM", "Nsimalen", 1200, 1250, 480),
                    ],
                ),
                (
                    "SOA",
                    "Soa",
                    [
                        ("SOAC", "Soa-Centre", 3400, 3500, 1380),
                        ("NKF", "Nkolfoulou", 1100, 1150, 450),
                    ],
                ),
                ("AWA", "Awaé", [("AWAC", "Awaé-Centre", 1300, 1350, 520)]),
                ("ESE", "Esse", [("ESEC", "Esse-Centre", 1500, 1600, 610)]),
            ],
        ),
    ],
)

DEMO_PASSWORD = "Kinga@2026"

# (login, last name, other names, role bit, district codes (empty: all), language, facility code)
USERS = [
    ("admin", "Mballa", "Jeanne", 64, [], "fr", None),
    ("eo.mfoundi", "Ateba", "Paul", 1, ["MFD"], "fr", None),
    ("manager", "Essomba", "Marie", 2, ["MFD", "LEK", "MEA"], "fr", None),
    ("accountant", "Nkodo", "Henri", 4, ["MFD", "LEK", "MEA"], "fr", None),
    ("clerk.mfoundi", "Owona", "Christine", 8, ["MFD"], "fr", "HCY"),
    ("medical.officer", "Fouda", "Bernard", 16, ["MFD", "LEK", "MEA"], "fr", None),
    ("scheme.admin", "Ngono", "Thérèse", 32, ["MFD", "LEK", "MEA"], "fr", None),
    ("receptionist", "Abena", "Sylvie", 128, ["MFD"], "fr", "HCY"),
    ("claim.admin", "Mvondo", "Eric", 256, ["MFD"], "fr", "HCY"),
    ("claim.contributor", "Onana", "Lucie", 512, ["MFD"], "fr", "HCY"),
    ("hf.admin", "Bella", "Joseph", 524288, ["LEK"], "en", "HDO"),
    ("offline.admin", "Zambo", "Agnès", 1048576, ["MEA"], "en", None),
]

# The few facilities the demo users work at; the registers issue brings the full set.
FACILITIES = [
    ("HCY", "Hôpital Central de Yaoundé", "MFD"),
    ("HDO", "Hôpital de District d'Obala", "LEK"),
]
