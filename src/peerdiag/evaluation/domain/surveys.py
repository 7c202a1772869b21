"""The evaluation survey (decision 12): the sponsor and the organiser each get a personal link,
10 working days after the written feedback is issued, and answer without an account.

`send_due_surveys` is what the daily command runs; `send_survey_now` lets the PCM send early.
A person who is both sponsor and organiser gets one survey. Nobody gets a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from peerdiag.accounts.models import User
from peerdiag.common import outbox
from peerdiag.common.errors import DomainError
from peerdiag.common.models import MailKind
from peerdiag.common.workdays import add_working_days
from peerdiag.diagnostics.domain import audit
from peerdiag.diagnostics.enums import ENDED, CouncilRoleKind, Stage
from peerdiag.diagnostics.models import CouncilRole, Diagnostic
from peerdiag.directory.models import Person

from ..models import Survey

DUE_AFTER_ISSUE = 10  # working days (decision 12)
RATINGS = ("usefulness", "accuracy", "team_quality", "impact")
RATING_QUESTIONS = {
    "usefulness": "How useful was the diagnostic to your council?",
    "accuracy": "How accurate were the findings?",
    "team_quality": "How would you rate the peer team?",
    "impact": "How much difference do you expect it to make?",
}
RATING_SCALE = {
    1: "1 – Very poor",
    2: "2 – Poor",
    3: "3 – Fair",
    4: "4 – Good",
    5: "5 – Very good",
}
ROLE_LABELS = {
    "sponsor": "Sponsor",
    "organiser": "Organiser",
    "both": "Sponsor and organiser",
}
MAX_TEXT = 5000


@dataclass(frozen=True)
class Respondent:
    role: str  # sponsor, organiser or both
    person: Person

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def surveys_due_on(diagnostic: Diagnostic) -> date | None:
    """The day the surveys go out, or None while the written feedback is not issued."""
    issued = diagnostic.written_feedback_issued_on
    return add_working_days(issued, DUE_AFTER_ISSUE) if issued else None


# Set on a diagnostic by `with_survey_status`: True while the sponsor or the organiser (or
# both) has no survey sent, or there is nobody to send one to.
SURVEY_OUTSTANDING = "survey_outstanding"


def with_survey_status(qs: QuerySet[Diagnostic]) -> QuerySet[Diagnostic]:
    """The same diagnostics, each knowing whether its surveys are still to send, so a list
    (the dashboard, the portfolio) shows overdue surveys without a query per row."""
    holders = CouncilRole.objects.filter(
        diagnostic=OuterRef("pk"), role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
    )
    sent_to_holder = Survey.objects.filter(
        diagnostic_id=OuterRef("diagnostic_id"),
        respondent_id=OuterRef("person_id"),
        sent_at__isnull=False,
    )
    return qs.annotate(
        **{SURVEY_OUTSTANDING: ~Exists(holders) | Exists(holders.filter(~Exists(sent_to_holder)))}
    )


def _survey_outstanding(diagnostic: Diagnostic) -> bool:
    known = getattr(diagnostic, SURVEY_OUTSTANDING, None)
    if known is not None:
        return bool(known)
    who = respondents(diagnostic)
    sent = set(
        Survey.objects.filter(diagnostic=diagnostic, sent_at__isnull=False).values_list(
            "respondent_id", flat=True
        )
    )
    return not who or any(r.person.pk not in sent for r in who)


def survey_overdue_items(diagnostic: Diagnostic, today: date) -> list[str]:
    """The evaluation survey, when its date has passed and it has not gone to the sponsor and
    the organiser (a working day late, as the daily command sends on the day itself).

    Counted only at the 'written feedback issued' stage: moving on to evaluation needs the
    surveys sent, and an ended diagnostic asks nothing more. Costs no query on a diagnostic
    from `with_survey_status`.
    """
    if diagnostic.stage != Stage.WRITTEN_FEEDBACK_ISSUED:
        return []
    due = surveys_due_on(diagnostic)
    if due is None or due >= today or not _survey_outstanding(diagnostic):
        return []
    return [
        f"The evaluation survey was due on {due:%A} {due.day} {due:%B %Y} and has not been sent"
    ]


def respondents(diagnostic: Diagnostic) -> list[Respondent]:
    """The sponsor and the organiser (one entry when the same person holds both roles)."""
    holders = {
        r.role: r.person
        for r in diagnostic.council_roles.filter(
            role__in=[CouncilRoleKind.SPONSOR, CouncilRoleKind.ORGANISER]
        ).select_related("person")
    }
    sponsor = holders.get(CouncilRoleKind.SPONSOR)
    organiser = holders.get(CouncilRoleKind.ORGANISER)
    if sponsor is not None and organiser is not None and sponsor.pk == organiser.pk:
        return [Respondent("both", sponsor)]
    out = []
    if sponsor is not None:
        out.append(Respondent("sponsor", sponsor))
    if organiser is not None:
        out.append(Respondent("organiser", organiser))
    return out


def survey_url(survey: Survey) -> str:
    return settings.SITE_URL + reverse("web:survey", kwargs={"token": survey.token})


def _body(diagnostic: Diagnostic, survey: Survey) -> str:
    return "\n".join(
        [
            f"Dear {survey.respondent.full_name},",
            "",
            f"Thank you for hosting the peer diagnostic ‘{diagnostic.title}’ "
            f"({diagnostic.host_council.name}).",
            "",
            "The Local Government Association would like to know how useful it was. "
            "The survey has four ratings and two short questions, and takes about five minutes.",
            "",
            "Your personal link (no account or password is needed):",
            survey_url(survey),
            "",
            "Please do not forward it: whoever holds the link can answer in your name.",
        ]
    )


def _send(diagnostic: Diagnostic, *, by: User | None, who: list[Respondent]) -> list[Survey]:
    now = timezone.now()
    made = []
    with transaction.atomic():
        for r in who:
            survey = Survey.objects.create(
                diagnostic=diagnostic, respondent=r.person, role=r.role, sent_at=now
            )
            made.append(survey)
            audit.record(
                diagnostic,
                by=by,
                action="evaluation",
                summary=f"Evaluation survey sent to the {r.role_label.lower()} ({r.person})",
            )
    for survey in made:
        outbox.send(
            kind=MailKind.SURVEY_LINK,
            subject=f"{diagnostic.reference}: how did the peer diagnostic go?",
            body=_body(diagnostic, survey),
            to=[survey.respondent.email],
            diagnostic=diagnostic,
            by=by,
        )
    return made


def _unsent(diagnostic: Diagnostic) -> list[Respondent]:
    """Respondents with an e-mail address and no survey yet."""
    sent = set(Survey.objects.filter(diagnostic=diagnostic).values_list("respondent_id", flat=True))
    return [r for r in respondents(diagnostic) if r.person.email and r.person.pk not in sent]


def send_due_surveys(today: date) -> int:
    """Send the surveys of every diagnostic whose surveys fall due by `today` and that has sent
    none yet. Returns the number of surveys sent.

    Side effects: a Survey per respondent; an e-mail with a personal link to each; audit entries.
    """
    candidates = (
        Diagnostic.objects.filter(
            written_feedback_issued_on__isnull=False, written_feedback_issued_on__lte=today
        )
        .exclude(stage__in=sorted(ENDED))
        .exclude(surveys__sent_at__isnull=False)
        .select_related("host_council")
        .distinct()
    )
    sent = 0
    for d in candidates:
        due = surveys_due_on(d)
        if due is None or due > today:
            continue
        sent += len(_send(d, by=None, who=_unsent(d)))
    return sent


def send_survey_now(diagnostic: Diagnostic, *, by: User) -> list[Survey]:
    """Send the surveys before their date (the PCM's choice), to whoever has none yet.

    Refused before the written feedback is issued, and when everyone already has one. Side
    effects: as `send_due_surveys`.
    """
    if diagnostic.written_feedback_issued_on is None:
        raise DomainError("The survey can be sent once the written feedback has been issued")
    if diagnostic.stage in ENDED:
        raise DomainError("This diagnostic has ended")
    who = _unsent(diagnostic)
    if not who:
        if not respondents(diagnostic):
            raise DomainError("Name the sponsor or the organiser first: nobody can be asked")
        if any(not r.person.email for r in respondents(diagnostic)):
            raise DomainError("The sponsor or organiser without a survey has no e-mail address")
        raise DomainError("The survey has already been sent to the sponsor and the organiser")
    return _send(diagnostic, by=by, who=who)


def _rating(name: str, value: int | None) -> int:
    if value is None or not 1 <= int(value) <= 5:
        raise DomainError("Choose a rating from 1 to 5", field=name)
    return int(value)


def answer_survey(
    survey: Survey,
    *,
    usefulness: int | None,
    accuracy: int | None,
    team_quality: int | None,
    impact: int | None,
    comments: str = "",
    further_support: bool | None,
    further_support_what: str = "",
) -> Survey:
    """Record the respondent's answers, once.

    Refused when already answered, for a rating missing or outside 1 to 5, for a missing yes/no
    on further support, or for 'yes' without saying what. Side effects: the answers and
    completed_at; an audit entry (which names no answer).
    """
    if survey.completed_at is not None:
        raise DomainError("This survey has already been answered")
    values = {
        name: _rating(name, value)
        for name, value in zip(RATINGS, (usefulness, accuracy, team_quality, impact), strict=True)
    }
    if further_support is None:
        raise DomainError("Say whether you would like further support", field="further_support")
    what = further_support_what.strip() if further_support else ""
    if further_support and not what:
        raise DomainError("Say what further support you would like", field="further_support_what")
    comments = comments.strip()
    for name, text in (("comments", comments), ("further_support_what", what)):
        if len(text) > MAX_TEXT:
            raise DomainError(f"Write up to {MAX_TEXT:,} characters", field=name)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.completed_at is not None:
            raise DomainError("This survey has already been answered")
        for name, value in values.items():
            setattr(survey, name, value)
        survey.comments = comments
        survey.further_support = further_support
        survey.further_support_what = what
        survey.completed_at = timezone.now()
        survey.save()
        audit.record(
            survey.diagnostic,
            by=None,
            action="evaluation",
            summary=f"The {ROLE_LABELS.get(survey.role, survey.role).lower()} answered the "
            "evaluation survey",
        )
    return survey
