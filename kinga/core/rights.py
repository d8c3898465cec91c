"""Rights and system roles, with openIMIS's codes (vb IMIS_EN/Enums.vb, mssql 5_base_data.sql).

A right code reads MMFFAA: module, function, action.  The values are openIMIS's so that
role exports and integrations keep their meaning.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Right(models.IntegerChoices):
    FAMILY_SEARCH = 101001, _("Family: search")
    FAMILY_ADD = 101002, _("Family: add")
    FAMILY_EDIT = 101003, _("Family: edit")
    FAMILY_DELETE = 101004, _("Family: delete")
    INSUREE_SEARCH = 101101, _("Insuree: search")
    INSUREE_ADD = 101102, _("Insuree: add")
    INSUREE_EDIT = 101103, _("Insuree: edit")
    INSUREE_DELETE = 101104, _("Insuree: delete")
    INSUREE_ENQUIRE = 101105, _("Insuree: enquiry")
    POLICY_SEARCH = 101201, _("Policy: search")
    POLICY_ADD = 101202, _("Policy: add")
    POLICY_EDIT = 101203, _("Policy: edit")
    POLICY_DELETE = 101204, _("Policy: delete")
    POLICY_RENEW = 101205, _("Policy: renew")
    CONTRIBUTION_SEARCH = 101301, _("Contribution: search")
    CONTRIBUTION_ADD = 101302, _("Contribution: add")
    CONTRIBUTION_EDIT = 101303, _("Contribution: edit")
    CONTRIBUTION_DELETE = 101304, _("Contribution: delete")
    PAYMENT_SEARCH = 101401, _("Payment: search")
    PAYMENT_ADD = 101402, _("Payment: add")
    PAYMENT_EDIT = 101403, _("Payment: edit")
    PAYMENT_DELETE = 101404, _("Payment: delete")
    # Kinga's own: see who a confidential health programme covers (issue 15).  Never implied by
    # the IMIS Administrator's pass: it must be given by a role on purpose.
    CONFIDENTIAL_PROGRAMMES = 101901, _("Confidential programmes: see their beneficiaries")
    CLAIM_SEARCH = 111001, _("Claim: search")
    CLAIM_ADD = 111002, _("Claim: add")
    CLAIM_DELETE = 111004, _("Claim: delete")
    CLAIM_LOAD = 111005, _("Claim: load")
    CLAIM_PRINT = 111006, _("Claim: print")
    CLAIM_SUBMIT = 111007, _("Claim: submit")
    CLAIM_REVIEW = 111008, _("Claim: review")
    CLAIM_FEEDBACK = 111009, _("Claim: feedback")
    CLAIM_UPDATE = 111010, _("Claim: update")
    CLAIM_PROCESS = 111011, _("Claim: process")
    CLAIM_RESTORE = 111012, _("Claim: restore")
    BATCH_PROCESS = 111101, _("Batch run: process")
    BATCH_FILTER = 111102, _("Batch run: filter")
    BATCH_PREVIEW = 111103, _("Batch run: preview")
    PRODUCT_SEARCH = 121001, _("Product: search")
    PRODUCT_ADD = 121002, _("Product: add")
    PRODUCT_EDIT = 121003, _("Product: edit")
    PRODUCT_DELETE = 121004, _("Product: delete")
    PRODUCT_DUPLICATE = 121005, _("Product: duplicate")
    HF_SEARCH = 121101, _("Health facility: search")
    HF_ADD = 121102, _("Health facility: add")
    HF_EDIT = 121103, _("Health facility: edit")
    HF_DELETE = 121104, _("Health facility: delete")
    PL_SERVICES_SEARCH = 121201, _("Services price list: search")
    PL_SERVICES_ADD = 121202, _("Services price list: add")
    PL_SERVICES_EDIT = 121203, _("Services price list: edit")
    PL_SERVICES_DELETE = 121204, _("Services price list: delete")
    PL_SERVICES_DUPLICATE = 121205, _("Services price list: duplicate")
    PL_ITEMS_SEARCH = 121301, _("Items price list: search")
    PL_ITEMS_ADD = 121302, _("Items price list: add")
    PL_ITEMS_EDIT = 121303, _("Items price list: edit")
    PL_ITEMS_DELETE = 121304, _("Items price list: delete")
    PL_ITEMS_DUPLICATE = 121305, _("Items price list: duplicate")
    SERVICE_SEARCH = 121401, _("Medical service: search")
    SERVICE_ADD = 121402, _("Medical service: add")
    SERVICE_EDIT = 121403, _("Medical service: edit")
    SERVICE_DELETE = 121404, _("Medical service: delete")
    OFFICER_SEARCH = 121501, _("Enrolment officer: search")
    OFFICER_ADD = 121502, _("Enrolment officer: add")
    OFFICER_EDIT = 121503, _("Enrolment officer: edit")
    OFFICER_DELETE = 121504, _("Enrolment officer: delete")
    CLAIM_ADMIN_SEARCH = 121601, _("Claim administrator: search")
    CLAIM_ADMIN_ADD = 121602, _("Claim administrator: add")
    CLAIM_ADMIN_EDIT = 121603, _("Claim administrator: edit")
    CLAIM_ADMIN_DELETE = 121604, _("Claim administrator: delete")
    USER_SEARCH = 121701, _("User: search")
    USER_ADD = 121702, _("User: add")
    USER_EDIT = 121703, _("User: edit")
    USER_DELETE = 121704, _("User: delete")
    PAYER_SEARCH = 121801, _("Payer: search")
    PAYER_ADD = 121802, _("Payer: add")
    PAYER_EDIT = 121803, _("Payer: edit")
    PAYER_DELETE = 121804, _("Payer: delete")
    LOCATION_SEARCH = 121901, _("Location: search")
    LOCATION_ADD = 121902, _("Location: add")
    LOCATION_EDIT = 121903, _("Location: edit")
    LOCATION_DELETE = 121904, _("Location: delete")
    LOCATION_MOVE = 121905, _("Location: move")
    LOCATION_REGION_DISTRICT = 121906, _("Location: create and change regions and districts")
    ROLE = 122000, _("User profile")
    ROLE_SEARCH = 122001, _("User profile: search")
    ROLE_ADD = 122002, _("User profile: add")
    ROLE_EDIT = 122003, _("User profile: edit")
    ROLE_DELETE = 122004, _("User profile: delete")
    ROLE_DUPLICATE = 122005, _("User profile: duplicate")
    ITEM_SEARCH = 122101, _("Medical item: search")
    ITEM_ADD = 122102, _("Medical item: add")
    ITEM_EDIT = 122103, _("Medical item: edit")
    ITEM_DELETE = 122104, _("Medical item: delete")
    DIAGNOSES_UPLOAD = 131001, _("Diagnoses: upload")
    DIAGNOSES_DOWNLOAD = 131002, _("Diagnoses: download")
    HF_UPLOAD = 131003, _("Health facilities: upload")
    HF_DOWNLOAD = 131004, _("Health facilities: download")
    LOCATIONS_UPLOAD = 131005, _("Locations: upload")
    LOCATIONS_DOWNLOAD = 131006, _("Locations: download")
    EXTRACT_MASTER_DATA = 131101, _("Extracts: master data download")
    EXTRACT_PHONE = 131102, _("Extracts: phone extract")
    EXTRACT_OFFLINE = 131103, _("Extracts: offline extract")
    EXTRACT_CLAIMS_UPLOAD = 131104, _("Extracts: upload claims")
    EXTRACT_ENROLMENTS_UPLOAD = 131105, _("Extracts: upload enrolments")
    EXTRACT_FEEDBACK_DOWNLOAD = 131106, _("Extracts: download feedbacks")
    EXTRACT_RENEWALS_DOWNLOAD = 131107, _("Extracts: download renewals")
    REPORTS = 131200, _("Reports")
    REPORT_PRIMARY_OPERATIONAL = 131201, _("Report: primary operational indicators (policies)")
    REPORT_PRIMARY_CLAIMS = 131202, _("Report: primary operational indicators (claims)")
    REPORT_DERIVED = 131203, _("Report: derived operational indicators")
    REPORT_CONTRIBUTION_COLLECTION = 131204, _("Report: contribution collection")
    REPORT_PRODUCT_SALES = 131205, _("Report: product sales")
    REPORT_CONTRIBUTION_DISTRIBUTION = 131206, _("Report: contribution distribution")
    REPORT_USER_ACTIVITY = 131207, _("Report: user activity")
    REPORT_ENROLMENT_PERFORMANCE = 131208, _("Report: enrolment performance indicators")
    REPORT_REGISTER_STATUS = 131209, _("Report: status of registers")
    REPORT_INSUREE_WITHOUT_PHOTOS = 131210, _("Report: insurees without photos")
    REPORT_PAYMENT_CATEGORY = 131211, _("Report: payment category overview")
    REPORT_MATCHING_FUNDS = 131212, _("Report: matching funds")
    REPORT_CLAIM_OVERVIEW = 131213, _("Report: claim overview")
    REPORT_PERCENTAGE_REFERRALS = 131214, _("Report: percentage of referrals")
    REPORT_FAMILIES_INSUREES = 131215, _("Report: families and insurees overview")
    REPORT_PENDING_INSUREES = 131216, _("Report: pending insurees")
    REPORT_RENEWALS = 131217, _("Report: renewals")
    REPORT_CAPITATION_PAYMENT = 131218, _("Report: capitation payment")
    REPORT_REJECTED_PHOTO = 131219, _("Report: rejected photos")
    REPORT_CONTRIBUTION_PAYMENT = 131220, _("Report: contribution payment")
    REPORT_CONTROL_NUMBER = 131221, _("Report: control number assignment")
    REPORT_OVERVIEW_COMMISSIONS = 131222, _("Report: overview of commissions")
    REPORT_CLAIM_HISTORY = 131223, _("Report: claim history")
    UTILITY_BACKUP = 131301, _("Utilities: backup")
    UTILITY_RESTORE = 131302, _("Utilities: restore")
    UTILITY_SCRIPTS = 131303, _("Utilities: execute scripts")
    UTILITY_EMAIL = 131304, _("Utilities: e-mail settings")
    FUNDING = 131401, _("Funding")


R = Right


def _span(first: int, last: int) -> list[int]:
    return [code for code in range(first, last + 1) if code in Right.values]


_UTILITIES = _span(131301, 131304)
_HF_ADMIN = [*_span(121701, 121704), 131101, 131103, *_UTILITIES]

# (name, French name, IsSystem bit, rights) — mssql 5_base_data.sql, spec §3.2.
SYSTEM_ROLES: list[tuple[str, str, int, list[int]]] = [
    (
        "Enrolment Officer",
        "Agent d'affiliation",
        1,
        [
            *_span(101001, 101004),
            *_span(101101, 101105),
            *_span(101201, 101205),
            *_span(101301, 101304),
            111001,
            111009,
            131200,
            131201,
        ],
    ),
    ("Manager", "Responsable", 2, [101105, 131201, 131202, 131203, 131207, 131208]),
    (
        "Accountant",
        "Comptable",
        4,
        [
            101001,
            101101,
            101201,
            101301,
            101105,
            *_span(101401, 101404),
            *_span(111101, 111103),
            *_span(131204, 131206),
            *_span(131210, 131222),
            131401,
        ],
    ),
    (
        "Clerk",
        "Agent de saisie",
        8,
        [
            *_span(101001, 101004),
            *_span(101101, 101105),
            *_span(101201, 101205),
            *_span(101301, 101304),
        ],
    ),
    ("Medical Officer", "Médecin-conseil", 16, [111001, *_span(111008, 111011), 131223]),
    (
        "Scheme Administrator",
        "Administrateur du régime",
        32,
        [
            101105,
            *_span(121001, 121005),
            *_span(121101, 121104),
            *_span(121201, 121205),
            *_span(121301, 121305),
            *_span(121401, 121404),
            *_span(122101, 122104),
            *_span(121501, 121504),
            *_span(121601, 121604),
            *_span(121801, 121804),
            *_span(131001, 131004),
            *_span(131101, 131107),
            131209,
        ],
    ),
    (
        "IMIS Administrator",
        "Administrateur IMIS",
        64,
        [
            101105,
            *_span(121701, 121704),
            *_span(121901, 121906),
            *_span(122000, 122005),
            131005,
            131006,
            131207,
            *_UTILITIES,
        ],
    ),
    ("Receptionist", "Réceptionniste", 128, [101001, 101101, 101201, 101105]),
    (
        "Claim Administrator",
        "Gestionnaire des prestations",
        256,
        [101001, 101101, 101201, 101105, 111001, 111002, *_span(111004, 111007), 111012],
    ),
    ("Claim Contributor", "Contributeur aux prestations", 512, [111001, 111002, 111005]),
    ("HF Administrator", "Administrateur FOSA", 524288, _HF_ADMIN),
    ("Offline Administrator", "Administrateur hors ligne", 1048576, list(_HF_ADMIN)),
]

IMIS_ADMIN_BIT = 64
