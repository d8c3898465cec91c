"""The claims' codes, with openIMIS's values (spec claims §1.1, §1.2, §2.2, §3.1) so that data and
integrations port both ways; labels in the glossary's words.

No ORM here: the pure rules (kinga.claims.rules) import these enums (an `IntegerChoices` is an
enum, not database access), and so do the models, the services and the pages."""

from django.db.models import IntegerChoices, TextChoices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClaimStatus(IntegerChoices):
    """tblClaim.ClaimStatus."""

    REJECTED = 1, pgettext_lazy("claim status", "Rejected")
    ENTERED = 2, pgettext_lazy("claim status", "Entered")
    CHECKED = 4, pgettext_lazy("claim status", "Checked")
    PROCESSED = 8, pgettext_lazy("claim status", "Processed")
    VALUATED = 16, pgettext_lazy("claim status", "Valuated")


class ReviewStatus(IntegerChoices):
    """tblClaim.ReviewStatus and FeedbackStatus share these codes (§3.1)."""

    IDLE = 1, pgettext_lazy("review status", "Idle")
    NOT_SELECTED = 2, pgettext_lazy("review status", "Not selected")
    SELECTED = 4, pgettext_lazy("review status", "Selected")
    DELIVERED = 8, pgettext_lazy("review status", "Delivered")
    BYPASSED = 16, pgettext_lazy("review status", "Bypassed")


FeedbackStatus = ReviewStatus


class VisitType(TextChoices):
    """tblClaim.VisitType: selects the product's limitation columns (§4.1)."""

    ORDINARY = "O", _("Ordinary")
    REFERRAL = "R", _("Referral")
    EMERGENCY = "E", _("Emergency")


class LineKind(TextChoices):
    """A claim line is a service (tblClaimServices) or an item (tblClaimItems)."""

    SERVICE = "S", _("Medical service")
    ITEM = "I", _("Medical item")


class LineStatus(IntegerChoices):
    """tblClaimItems.ClaimItemStatus / tblClaimServices.ClaimServiceStatus."""

    PASSED = 1, pgettext_lazy("claim line status", "Passed")
    REJECTED = 2, pgettext_lazy("claim line status", "Rejected")


class ClaimCategory(TextChoices):
    """tblClaim.ClaimCategory, computed at submission (§2.4; never O, Q13)."""

    SURGERY = "S", _("Surgery")
    DELIVERY = "D", _("Delivery")
    ANTENATAL = "A", _("Antenatal care")
    HOSPITALISATION = "H", _("Hospitalisation")
    CONSULTATION = "C", _("Consultation")
    VISIT = "V", _("Visit")


class AttachmentType(TextChoices):
    REFERRAL_LETTER = "referral", _("Referral letter")
    PRESCRIPTION = "prescription", _("Prescription")
    INVOICE = "invoice", _("Invoice")
    REPORT = "report", _("Medical report")
    OTHER = "other", _("Other document")


class Rejection(IntegerChoices):
    """tblClaimItems/tblClaimServices.RejectionReason (§2.2).  0: not rejected; −1: rejected by
    the medical officer at review; 7, 9, 11–15 and 19 are claim-level (written on every line)."""

    NONE = 0, _("Not rejected")
    REVIEW = -1, _("Rejected by the medical officer")
    NOT_IN_REGISTER = 1, _("The service or item is not in the register on the date of care")
    NOT_IN_PRICE_LIST = 2, _("The service or item is not in the facility's price list")
    NOT_COVERED = 3, _("The service or item is not covered by an active policy of the insuree")
    PATIENT_CATEGORY = 4, _("The service or item is not for this patient's sex or age")
    FREQUENCY = 5, _("The service or item was already given to the insuree too recently")
    DUPLICATED = 6, _("Duplicated")
    INSUREE_INVALID = 7, _("The insuree or his family is not valid")
    DIAGNOSIS_INVALID = 8, _("The diagnosis is not in the list")
    DATE_INVALID = 9, _("The dates of care are not valid")
    CARE_TYPE = 10, _("The care type of the service or item does not match the facility or stay")
    MAX_HOSPITALISATIONS = 11, _("Maximum number of hospital admissions reached")
    MAX_VISITS = 12, _("Maximum number of visits reached")
    MAX_CONSULTATIONS = 13, _("Maximum number of consultations reached")
    MAX_SURGERIES = 14, _("Maximum number of surgeries reached")
    MAX_DELIVERIES = 15, _("Maximum number of deliveries reached")
    MAX_PROVISIONS = 16, _("Maximum number of provisions of this service or item reached")
    WAITING_PERIOD = 17, _("The waiting period has not elapsed")
    MAX_ANTENATAL = 19, _("Maximum number of antenatal care visits reached")


CLAIM_LEVEL = frozenset(
    {
        Rejection.INSUREE_INVALID,
        Rejection.DATE_INVALID,
        Rejection.MAX_HOSPITALISATIONS,
        Rejection.MAX_VISITS,
        Rejection.MAX_CONSULTATIONS,
        Rejection.MAX_SURGERIES,
        Rejection.MAX_DELIVERIES,
        Rejection.MAX_ANTENATAL,
    }
)

# The claim-count limit of each claim category: (product field, rejection code) (§2.3 8c).
CATEGORY_LIMITS: dict[str, tuple[str, int]] = {
    ClaimCategory.CONSULTATION: ("max_no_consultation", Rejection.MAX_CONSULTATIONS),
    ClaimCategory.SURGERY: ("max_no_surgery", Rejection.MAX_SURGERIES),
    ClaimCategory.DELIVERY: ("max_no_delivery", Rejection.MAX_DELIVERIES),
    ClaimCategory.ANTENATAL: ("max_no_antenatal", Rejection.MAX_ANTENATAL),
    ClaimCategory.HOSPITALISATION: ("max_no_hospitalisation", Rejection.MAX_HOSPITALISATIONS),
    ClaimCategory.VISIT: ("max_no_visits", Rejection.MAX_VISITS),
}

# Claims whose passed lines count for frequency and limits: openIMIS's "status > 2".
COUNTED = (ClaimStatus.CHECKED, ClaimStatus.PROCESSED, ClaimStatus.VALUATED)
