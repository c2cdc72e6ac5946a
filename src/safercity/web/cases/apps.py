from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safercity.web.cases"
    label = "cases"
    verbose_name = "Case work"

    def ready(self) -> None:
        from safercity.web.audit.registry import register

        from . import models as m

        # personal records: every view is logged, and a change row gives values only of the
        # fields listed (a status, a date, an owner): names and free text are only "changed"
        register(m.Person, personal=True, shown_values={"synthetic", "merged_into"})
        register(m.PersonName, personal=True, shown_values={"kind"})
        register(m.Address, personal=True, shown_values={"kind"})
        register(
            m.Case,
            personal=True,
            shown_values={
                "status",
                "owner",
                "accepted_on",
                "last_reviewed_on",
                "next_review_on",
                "ended_on",
                "legal_hold",
                "cohort",
                "consent",
                "eligibility",
            },
        )
        register(m.StatusChange, personal=True, shown_values={"from_status", "to_status", "on"})
        register(m.LinkedPerson, personal=True, shown_values={"relationship"})
        register(m.LinkedPlace, personal=True, shown_values={"kind"})
        register(m.AgendaItem, personal=True, shown_values={"reason", "position", "discussed"})
        register(m.Minute, personal=True)
        register(
            m.Action,
            personal=True,
            shown_values={"status", "due_on", "completed_on", "owner", "agency", "reminded_on"},
        )
        register(m.EmergencyAccess, personal=True, shown_values={"expires_at"})
        register(m.PersonMerge, personal=True, shown_values={"undone_at"})
        register(m.PossibleDuplicate, personal=True, shown_values={"resolved", "score"})
        for model in (
            m.Cohort,
            m.CohortMembership,
            m.SharingAgreement,
            m.Meeting,
            m.Attendance,
            m.Erasure,
        ):
            register(model, ignore_fields={"updated_at"})
