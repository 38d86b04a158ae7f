"""The scheduled work of the registry (``registry lifecycle run``), idempotent and safe after a crash.

Each step works item by item, each item in its own transaction, and every task it creates has a unique
key: running twice on the same day changes nothing the second time, and a run killed halfway is finished
by the next one. Steps, in order:

1. ``purged``: finish destructions whose content removal did not complete (a crash after commit);
2. ``declassified``: documents whose protection term has ended become ``thuong`` (holders get notices);
3. ``notices_due``: open notices to holders and how many are past their 15-day due date;
4. ``extensions_due``: documents whose extension must be decided within the coming window;
5. ``loan_reminders`` / ``overdue_loans`` / ``recalls``: loans due tomorrow, overdue, meeting papers
   not returned;
6. ``yearly_report``: from 1 December, the reminder that the yearly statistics are due on 20/12.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from registry.access import visible_documents
from registry.actions.lifecycle import do_auto_declassify, purge_destroyed
from registry.audit.context import RequestContext
from registry.constants import SECRET_LEVELS, Role
from registry.models import Destruction, Document, Loan, Task, User
from registry.rules import rules_on

# How far ahead the clerk is told that an extension must be decided.
EXTENSION_LOOKAHEAD_DAYS = 30


def _task(key, **defaults) -> bool:
    _row, created = Task.objects.get_or_create(key=key[:160], defaults=defaults)
    return created


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def run_lifecycle(today: dt.date | None = None, *, ctx: RequestContext | None = None, step_hook=None) -> dict:
    """Do today's scheduled work; returns what was done. ``step_hook(name, item)`` is called before each
    item (tests use it to simulate a crash halfway)."""
    today = today or timezone.localdate()
    ctx = ctx or RequestContext.for_cli("lifecycle run")
    rules = rules_on(today)
    hook = step_hook or (lambda name, item: None)
    report = {"today": today.isoformat(), "rules": rules.effective.isoformat(), "purged": [], "declassified": [],
              "notices_created": 0, "notices_open": 0, "notices_overdue": 0, "extensions_due": [],
              "loan_reminders": [], "overdue_loans": [], "recalls": [], "yearly_report": None, "tasks_created": 0}

    # 1. destructions whose purge did not finish
    for pk in Destruction.objects.filter(purged_at__isnull=True).values_list("document_id", flat=True):
        hook("purge", pk)
        if purge_destroyed(pk):
            report["purged"].append(pk)
    stuck = Document.objects.filter(destroyed_on__isnull=False).filter(~Q(file="") | ~Q(rendition="")) \
        .values_list("pk", flat=True)
    for pk in stuck:
        hook("purge", pk)
        if purge_destroyed(pk) and pk not in report["purged"]:
            report["purged"].append(pk)

    # 2. automatic declassification
    due = Document.objects.filter(level__in=SECRET_LEVELS, destroyed_on__isnull=True, voided=False,
                                  protection_expires_on__isnull=False, protection_expires_on__lte=today)
    for document in due.order_by("pk"):
        hook("declassify", document.pk)
        before = Task.objects.count()
        change = do_auto_declassify(document, today=today, ctx=ctx)
        if change is not None:
            report["declassified"].append(document.pk)
            report["notices_created"] += Task.objects.count() - before

    # 3. notices
    notices = Task.objects.filter(kind=Task.Kind.NOTICE, done_at__isnull=True)
    report["notices_open"] = notices.count()
    report["notices_overdue"] = notices.filter(due_on__lt=today).count()

    created = 0
    # 4. extensions falling due: the decision must be taken by expiry - window
    horizon = today + dt.timedelta(days=rules.extension_window_days + EXTENSION_LOOKAHEAD_DAYS)
    expiring = Document.objects.filter(level__in=SECRET_LEVELS, destroyed_on__isnull=True, voided=False,
                                       protection_expires_on__gt=today, protection_expires_on__lte=horizon)
    for document in expiring.order_by("protection_expires_on", "pk"):
        hook("extension", document.pk)
        decide_by = document.protection_expires_on - dt.timedelta(days=rules.extension_window_days)
        report["extensions_due"].append({"document": document.pk, "expires": document.protection_expires_on.isoformat(),
                                         "decide_by": decide_by.isoformat()})
        created += _task(f"extension:{document.pk}:{document.protection_expires_on.isoformat()}",
                         kind=Task.Kind.EXTENSION_DUE, document=document, due_on=max(decide_by, today),
                         created_on=today,
                         title=f"Xem xét gia hạn tài liệu số {document.number_raw or document.pk} "
                               f"(hết hạn {document.protection_expires_on:%d/%m/%Y})",
                         details={"expires": document.protection_expires_on.isoformat()})

    # 5. loans
    open_loans = Loan.objects.filter(returned_at__isnull=True).select_related("document", "borrower")
    remind_by = _end_of(today + dt.timedelta(days=rules.loan_reminder_days))
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    for loan in open_loans.order_by("pk"):
        hook("loan", loan.pk)
        name = f"tài liệu số {loan.document.number_raw or loan.document_id}"
        if loan.meeting_id and loan.meeting_ends_at and loan.meeting_ends_at < start_of_today:
            report["recalls"].append(loan.pk)
            created += _task(f"recall:{loan.pk}", kind=Task.Kind.RECALL, document=loan.document, created_on=today,
                             due_on=today, title=f"Thu hồi {name} từ {loan.borrower.display_name}",
                             details={"loan": loan.pk, "meeting": loan.meeting_id})
        elif loan.due_at < start_of_today:
            report["overdue_loans"].append(loan.pk)
            created += _task(f"loan:{loan.pk}:overdue", kind=Task.Kind.LOAN_OVERDUE, document=loan.document,
                             assignee=loan.borrower, created_on=today, due_on=today,
                             title=f"Quá hạn trả {name} (hạn {timezone.localtime(loan.due_at):%d/%m/%Y})",
                             details={"loan": loan.pk})
        elif loan.due_at <= remind_by:
            report["loan_reminders"].append(loan.pk)
            created += _task(f"loan:{loan.pk}:reminder", kind=Task.Kind.LOAN_REMINDER, document=loan.document,
                             assignee=loan.borrower, created_on=today,
                             due_on=timezone.localtime(loan.due_at).date(),
                             title=f"Sắp đến hạn trả {name} ({timezone.localtime(loan.due_at):%d/%m/%Y %H:%M})",
                             details={"loan": loan.pk})

    # 6. the yearly statistics (reporting year 15/12–14/12), due 20/12
    month, day = rules.yearly_report_due
    due_on = dt.date(today.year, month, day)
    if dt.date(today.year, month, 1) <= today <= due_on:
        auditor = User.objects.filter(role=Role.AUDITOR, is_active=True).order_by("pk").first()
        report["yearly_report"] = due_on.isoformat()
        created += _task(f"yearly:{today.year}", kind=Task.Kind.YEARLY_REPORT, assignee=auditor, created_on=today,
                         due_on=due_on, title=f"Nộp báo cáo thống kê bảo vệ bí mật nhà nước năm {today.year} "
                                           f"(hạn {due_on:%d/%m/%Y})",
                         details={"year": today.year})
    report["tasks_created"] = created + report["notices_created"]
    return report


def tasks_for(user, today: dt.date | None = None, limit: int = 20):
    """Open tasks a person should see on the dashboard: their own, and for clerks the office's."""
    qs = Task.objects.filter(done_at__isnull=True).select_related("document")
    if getattr(user, "role", "") == Role.CLERK:
        qs = qs.filter(Q(assignee=user) | Q(assignee__isnull=True) | Q(kind=Task.Kind.NOTICE))
    else:
        qs = qs.filter(assignee=user)
    # A task names its document: only documents that exist for this person.
    qs = qs.filter(Q(document__isnull=True) | Q(document__in=visible_documents(user)))
    return list(qs.order_by("due_on", "pk")[:limit])


def do_complete_task(task: Task, *, actor, ctx: RequestContext | None = None) -> Task:
    """Mark a task done (a notice sent, a paper recalled); one log entry naming the task."""
    from registry.audit.log import record
    from registry.constants import Action

    with transaction.atomic():
        changed = Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now())
        if changed:
            record(Action.EDIT, actor=actor, ctx=ctx, document=task.document_id,
                   extra={"task": task.pk, "kind": task.kind, "event": "task_done"})
    return Task.objects.get(pk=task.pk)


__all__ = ["do_complete_task", "run_lifecycle", "tasks_for"]
