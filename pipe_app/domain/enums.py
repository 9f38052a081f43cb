"""Reference lists from DOMAIN.md. Values are stored as their lowercase names."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a login may do in the app (permissions follow from these)."""

    KEY_WORKER = "key_worker"
    MANAGER = "manager"
    PSYCHOLOGIST = "psychologist"
    ADMINISTRATOR = "administrator"


class StaffRole(StrEnum):
    """A staff member's job; drives mandatory training and supervision requirements."""

    RESIDENTIAL_WORKER = "residential_worker"
    PROBATION_SERVICES_OFFICER = "probation_services_officer"
    DEPUTY_MANAGER = "deputy_manager"
    MANAGER = "manager"
    PSYCHOLOGIST = "psychologist"
    ASSISTANT_PSYCHOLOGIST = "assistant_psychologist"
    ADMINISTRATOR = "administrator"


class APType(StrEnum):
    STANDARD = "standard"
    PIPE = "pipe"
    ENHANCED_SECURITY = "enhanced_security"


class SentenceType(StrEnum):
    STANDARD_DETERMINATE = "standard_determinate"
    LIFE = "life"
    IPP = "ipp"
    EXTENDED_DETERMINATE = "extended_determinate"
    COMMUNITY_ORDER = "community_order"
    BAIL_PLACEMENT = "bail_placement"
    NON_STATUTORY = "non_statutory"


class ReleaseType(StrEnum):
    LICENCE = "licence"
    ROTL = "rotl"
    HDC = "hdc"
    POST_SENTENCE_SUPERVISION = "post_sentence_supervision"
    IN_COMMUNITY = "in_community"
    EXTENDED_DETERMINATE_LICENCE = "extended_determinate_licence"
    PAROLE_DIRECTED_LICENCE = "parole_directed_licence"
    STANDARD_RECALL = "standard_recall"
    FIXED_TERM_RECALL = "fixed_term_recall"
    NOT_APPLICABLE = "not_applicable"


class DepartureReason(StrEnum):
    PLANNED_MOVE_ON = "planned_move_on"
    OWN_VOLITION = "own_volition"
    HOSPITAL = "hospital"
    BED_WITHDRAWN = "bed_withdrawn"
    RECALL_ABSCOND = "recall_abscond"
    RECALL_BEHAVIOUR = "recall_behaviour"
    RECALL_CURFEW = "recall_curfew"
    RECALL_HOUSE_RULES = "recall_house_rules"
    RECALL_CONDITION = "recall_condition"
    RECALL_DRUGS_TEST = "recall_drugs_test"
    RECALL_OTHER = "recall_other"
    DIED = "died"
    OTHER = "other"


class RoshLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class SessionStatus(StrEnum):
    DRAFT = "draft"
    COMPLETE = "complete"


class GroupKind(StrEnum):
    SOCIALLY_CREATIVE = "socially_creative"
    STRUCTURED_GROUP = "structured_group"
    COMMUNITY_MEETING = "community_meeting"
    ENRICHMENT = "enrichment"


class GroupStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class AttendanceCode(StrEnum):
    ATTENDED = "attended"
    REFUSED = "refused"
    ACCEPTABLE_ABSENCE = "acceptable_absence"
    UNACCEPTABLE_ABSENCE = "unacceptable_absence"
    SESSION_CANCELLED = "session_cancelled"
    NOT_REQUIRED = "not_required"
    SUSPENDED = "suspended"


NOTE_REQUIRED_CODES = frozenset(
    {AttendanceCode.REFUSED, AttendanceCode.UNACCEPTABLE_ABSENCE, AttendanceCode.SUSPENDED}
)


class SupervisionKind(StrEnum):
    INDIVIDUAL_CLINICAL = "individual_clinical"
    GROUP = "group"
    REFLECTIVE_PRACTICE = "reflective_practice"
    CASE_CONSULTATION = "case_consultation"
    LINE_MANAGEMENT = "line_management"


class SupervisionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    SIGNED_OFF = "signed_off"
    LOCKED = "locked"


class EvidenceKind(StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"
    MINUTES = "minutes"
    QUESTIONNAIRE = "questionnaire"
    NARRATIVE = "narrative"
    RECORD_DERIVED = "record_derived"


class EvidenceStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class SelfAssessmentRating(StrEnum):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"


class CycleStatus(StrEnum):
    MEMBERSHIP = "membership"
    PORTFOLIO = "portfolio"
    INTERIM_ASSESSMENT = "interim_assessment"
    AWARD_VISIT = "award_visit"
    AWARDED = "awarded"
    LAPSED = "lapsed"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ARCHIVE = "archive"
    RESTORE = "restore"
    DELETE = "delete"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    EXPORT = "export"
    BACKUP = "backup"
    RESTORE_BACKUP = "restore_backup"
