"""The life of a secret from the record page: copy, hand over, lend, return, change level, extend the term,
declassify, destroy.

Thin views: parse the form, call the action in ``registry.actions.lifecycle``, render. Only a user who may
run lifecycle acts on the document (``Perm.LIFECYCLE``: clerk role, clearance, need-to-know) gets past the
door; anyone else gets the same 404 as for a missing id, after one REFUSED entry naming only the id.
A refused act re-renders the bound form (status 400) with the message next to its field.
"""

from abc import ABCMeta, abstractmethod

from django import forms as _forms
from wagtail.admin.ui.components import Component

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.access import Perm, can, get_document_or_404
from registry.actions import lifecycle as acts
from registry.actions.events import do_log_view
from registry.constants import Action
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError, RegistryError
from registry.forms import (
    CopyRecordForm,
    DeclassifyForm,
    DestroyForm,
    ExtendTermForm,
    HandOverForm,
    LevelChangeForm,
    LoanForm,
)
from registry.actions.approvals import ApprovalInput
from registry.models import Document, Loan, User


def _with_approval(form_class, *, drop=("authorised_by", "approved_by")):
    """The act's form with its approval: the approver (a person with authority, checked by the action),
    the decision reference and date. Free-text "approved by" is gone."""
    from django import forms

    class Form(form_class):
        approver = forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"),
                                          label=gettext_lazy("Người phê duyệt"), empty_label=gettext_lazy("— chọn —"),
                                          required=False)
        approval_ref = forms.CharField(label=gettext_lazy("Số văn bản phê duyệt"), max_length=128, required=False)
        approval_paper = forms.FileField(label=gettext_lazy("Văn bản phê duyệt kèm theo (tệp)"), required=False,
                                         help_text=gettext_lazy("Quyết định, biên bản… được lưu cùng phê duyệt."))

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in drop:
                self.fields.pop(name, None)

    Form.__name__ = form_class.__name__
    return Form


# Attached decision papers are capped: they are scans of a signed decision, not archives.
MAX_PAPER_BYTES = 20 * 1024 * 1024


def _destroy_form():
    """The destruction file: the council, the list of items and the minutes go with the decision."""
    from django import forms

    class Form(_with_approval(DestroyForm)):
        items = forms.CharField(label=gettext_lazy("Danh mục tài liệu tiêu hủy"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))

    return Form


def _approval(d) -> ApprovalInput | None:
    from registry.actions.approvals import Paper

    if not d.get("approver"):
        return None
    papers = ()
    upload = d.get("approval_paper")
    if upload:
        if upload.size > MAX_PAPER_BYTES:
            raise RegistryError("Tệp kèm theo quá lớn (tối đa 20 MB).", code=ErrorCode.FILE_TOO_LARGE)
        papers = (Paper(name=upload.name, content=upload.read()),)
    return ApprovalInput(approver=d["approver"], decision_ref=d.get("decision_ref") or d.get("approval_ref") or "",
                         approved_on=d.get("decided_on") or d.get("destroyed_on"), papers=papers)
from registry.views.common import AdminPage, ctx_of, not_found


def lifecycle_document_or_404(request, pk, action) -> Document:
    """The document if ``request.user`` may run lifecycle acts on it; else a REFUSED entry and 404.

    A visible document the user may not act on answers exactly as a hidden or missing one: same status,
    same log entry (only the requested id), nothing of the document in the response.
    """
    from registry.actions.guard import refuse
    from registry.errors import ErrorCode

    try:
        document = get_document_or_404(request.user, pk)
        if not can(request.user, Perm.LIFECYCLE, document):
            raise Http404
    except Http404:
        try:
            refuse(action, actor=request.user, ctx=ctx_of(request), reason=ErrorCode.NOT_FOUND, requested_id=pk)
        except NotFoundError:
            raise not_found() from None
    return document


class LifecycleActView(AdminPage, metaclass=ABCMeta):
    """GET: the form (one VIEW entry: the page shows the record's title). POST: the act, then the record page."""

    template_name = "registry/lifecycle/form.html"
    action: str = ""
    form_class = None
    submit_label = gettext_lazy("Ghi sổ")
    intro = ""
    danger = False

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("registry_document_list"), "label": gettext_lazy("Tài liệu đã đăng ký")},
            {"url": reverse("registry_document_detail", args=[self.document.pk]), "label": str(self.document)},
            {"url": "", "label": self.get_page_title()},
        ]

    def make_form(self, data=None):
        files = self.request.FILES if data is not None else None
        return self.form_class(data, files)

    @abstractmethod
    def perform(self, form, *, actor, ctx):
        """Call the action with the cleaned data; return the success message."""

    def default_error_field(self, error: RegistryError) -> str | None:
        return None

    def get(self, request, pk):
        self.document = lifecycle_document_or_404(request, pk, self.action)
        do_log_view(self.document, actor=request.user, ctx=ctx_of(request))
        return self.render(form=self.make_form(), document=self.document, view=self)

    def post(self, request, pk):
        self.document = lifecycle_document_or_404(request, pk, self.action)
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                message = self.perform(form, actor=request.user, ctx=ctx_of(request))
            except NotFoundError:
                raise Http404("Không tìm thấy") from None
            except RegistryError as error:
                form.add_registry_error(error, self.default_error_field(error))
            else:
                messages.success(request, message)
                return redirect("registry_document_detail", self.document.pk)
        # Re-read: a refused act must show the stored state, not what the failed attempt held in memory.
        self.document = Document.objects.get(pk=self.document.pk)
        return self.render_to_response(self.get_context_data(form=form, document=self.document, view=self),
                                       status=400)


class CopyView(LifecycleActView):
    action = Action.COPY
    form_class = _with_approval(CopyRecordForm)
    page_title = gettext_lazy("Ghi sao, chụp tài liệu")
    header_icon = "copy"
    intro = gettext_lazy("Ghi vào Sổ quản lý sao, chụp. Số bản sao được đánh tiếp theo các lần sao trước.")

    def perform(self, form, *, actor, ctx):
        d = form.cleaned_data
        copy = acts.do_record_copy(self.document, form=d["form"], quantity=d["quantity"],
                                   approval=_approval(d), recipients=d["recipients"], notes=d["notes"],
                                   actor=actor, ctx=ctx)
        return _("Đã ghi %(quantity)s bản %(form)s (bản số %(first)s–%(last)s).") % {
            "quantity": copy.quantity, "form": copy.get_form_display().lower(), "first": copy.first_copy_number,
            "last": copy.first_copy_number + copy.quantity - 1,
        }


class HandOverView(LifecycleActView):
    action = Action.HAND_OVER
    form_class = _with_approval(HandOverForm)
    page_title = gettext_lazy("Ghi chuyển giao tài liệu")
    header_icon = "arrow-right"
    intro = gettext_lazy("Ghi vào Sổ chuyển giao tài liệu bí mật.")

    def default_error_field(self, error):
        return "recipient_user" if isinstance(error, PermissionDeniedError) else None

    def perform(self, form, *, actor, ctx):
        d = form.cleaned_data
        hand_over = acts.do_hand_over(self.document, recipient=d["recipient"], recipient_user=d["recipient_user"],
                                      acknowledged=d["acknowledged"], approval=_approval(d), notes=d["notes"], actor=actor, ctx=ctx)
        return _("Đã ghi chuyển giao cho %(recipient)s.") % {"recipient": hand_over.recipient}


class LendView(LifecycleActView):
    action = Action.LOAN
    form_class = _with_approval(LoanForm)
    page_title = gettext_lazy("Cho mượn tài liệu")
    header_icon = "user"
    intro = gettext_lazy("Người mượn phải đủ điều kiện tiếp cận tài liệu (độ mật và phạm vi được phép).")

    def make_form(self, data=None):
        files = self.request.FILES if data is not None else None
        return self.form_class(data, files, recall=bool(self.document.recall))

    def default_error_field(self, error):
        return "borrower" if isinstance(error, PermissionDeniedError) else None

    def perform(self, form, *, actor, ctx):
        d = form.cleaned_data
        loan = acts.do_lend(self.document, borrower=d["borrower"], due_at=d["due_at"], purpose=d["purpose"],
                            meeting_ends_at=d.get("meeting_ends_at"), approval=_approval(d),
                            actor=actor, ctx=ctx)
        return _("Đã ghi cho %(borrower)s mượn tài liệu.") % {"borrower": loan.borrower.display_name}


class LevelChangeView(LifecycleActView):
    action = Action.LEVEL_CHANGE
    form_class = _with_approval(LevelChangeForm)
    page_title = gettext_lazy("Điều chỉnh độ mật")
    header_icon = "lock"
    intro = gettext_lazy("Thời hạn bảo vệ được tính lại từ ngày quyết định theo độ mật mới. "
                         "Giải mật dùng thao tác riêng.")

    def perform(self, form, *, actor, ctx):
        d = form.cleaned_data
        change = acts.do_change_level(self.document, to_level=d["to_level"], approval=_approval(d), decided_on=d["decided_on"], reason=d["reason"],
                                      actor=actor, ctx=ctx)
        return _("Đã điều chỉnh độ mật: %(from)s → %(to)s.") % {
            "from": change.get_from_level_display(), "to": change.get_to_level_display()}


class ExtendTermView(LifecycleActView):
    action = Action.LEVEL_CHANGE
    form_class = _with_approval(ExtendTermForm)
    page_title = gettext_lazy("Gia hạn thời hạn bảo vệ")
    header_icon = "date"
    intro = gettext_lazy("Mỗi lần gia hạn không quá thời hạn cơ bản của độ mật; quyết định phải có trước khi "
                         "hết hạn ít nhất 60 ngày.")

    def perform(self, form, *, actor, ctx):
        d = form.cleaned_data
        acts.do_extend_term(self.document, years=d["years"], approval=_approval(d), decided_on=d["decided_on"], reason=d["reason"],
                            actor=actor, ctx=ctx)
        expires = Document.objects.values_list("protection_expires_on", flat=True).get(pk=self.document.pk)
        return _("Đã gia hạn thời hạn bảo vệ đến %(date)s.") % {"date": expires.strftime("%d/%m/%Y")}


class DeclassifyView(LifecycleActView):
    action = Action.DECLASSIFY
    form_class = _with_approval(DeclassifyForm)
    page_title = gettext_lazy("Giải mật tài liệu")
    header_icon = "lock-open"
    intro = gettext_lazy("Sau khi giải mật, tài liệu mang độ Thường; lịch sử độ mật vẫn được lưu.")
    danger = True

    def perform(self, form, *, actor, ctx):
        d = form.cleaned_data
        acts.do_declassify(self.document, approval=_approval(d),
                           decided_on=d["decided_on"], reason=d["reason"], actor=actor, ctx=ctx)
        return _("Đã giải mật tài liệu.")


class DestroyView(LifecycleActView):
    action = Action.DESTROY
    form_class = _destroy_form()
    page_title = gettext_lazy("Ghi tiêu hủy tài liệu")
    header_icon = "bin"
    intro = gettext_lazy("Mục trong sổ và lịch sử của tài liệu vẫn được giữ. Tài liệu đang cho mượn chưa thể "
                         "tiêu hủy.")
    submit_label = gettext_lazy("Ghi tiêu hủy")
    danger = True

    def perform(self, form, *, actor, ctx):
        d = form.cleaned_data
        acts.do_destroy(self.document, council=d["council"], items=d.get("items", ""),
                        approval=_approval(d), minutes_ref=d["minutes_ref"], destroyed_on=d["destroyed_on"],
                        actor=actor, ctx=ctx)
        return _("Đã ghi tiêu hủy tài liệu.")


def return_view(request, pk, loan_pk):
    """POST only: the return of one open loan of the document (the "Trả lại" button on the record page)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    document = lifecycle_document_or_404(request, pk, Action.RETURN)
    loan = Loan.objects.filter(pk=loan_pk, document=document).first()
    if loan is None:
        raise Http404("Không tìm thấy")
    try:
        acts.do_return(loan, actor=request.user, ctx=ctx_of(request))
    except NotFoundError:
        raise Http404("Không tìm thấy") from None
    except RegistryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã ghi trả lại tài liệu."))
    return redirect("registry_document_detail", document.pk)


# --- Approval authority (administrator) and the lifecycle task list ---------------------------------------


class _LifecycleFormBase(_forms.Form):
    def add_registry_error(self, error: RegistryError, default_field=None):
        field = getattr(error, "field", None) or default_field
        self.add_error(field if field in self.fields else None, error.message)


def _approval_forms(data=None):
    from django import forms

    from registry.constants import Level as Lv
    from registry.models import ApprovalAct, Unit

    users = User.objects.filter(is_active=True).order_by("username")
    units = Unit.objects.order_by("code")
    date = forms.DateInput(attrs={"type": "date"})

    class AuthorityForm(_LifecycleFormBase):
        act = forms.ChoiceField(label=gettext_lazy("Việc"), choices=ApprovalAct.choices)
        max_level = forms.ChoiceField(label=gettext_lazy("Đến độ mật"), choices=Lv.choices)
        position = forms.CharField(label=gettext_lazy("Chức vụ"), max_length=128)
        unit = forms.ModelChoiceField(units, label=gettext_lazy("Đơn vị"), required=False,
                                      empty_label=gettext_lazy("— mọi đơn vị —"))
        valid_from = forms.DateField(label=gettext_lazy("Hiệu lực từ"), widget=date)
        valid_until = forms.DateField(label=gettext_lazy("Hiệu lực đến"), widget=date, required=False)
        basis = forms.CharField(label=gettext_lazy("Căn cứ"), max_length=255, required=False)
        previous = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class PositionForm(_LifecycleFormBase):
        user = forms.ModelChoiceField(users, label=gettext_lazy("Người giữ chức vụ"))
        position = forms.CharField(label=gettext_lazy("Chức vụ"), max_length=128)
        unit = forms.ModelChoiceField(units, label=gettext_lazy("Đơn vị"), required=False)
        valid_from = forms.DateField(label=gettext_lazy("Hiệu lực từ"), widget=date)
        valid_until = forms.DateField(label=gettext_lazy("Hiệu lực đến"), widget=date, required=False)

    class DelegationForm(_LifecycleFormBase):
        delegator = forms.ModelChoiceField(users, label=gettext_lazy("Người ủy quyền"))
        delegate = forms.ModelChoiceField(users, label=gettext_lazy("Người được ủy quyền"))
        acts = forms.MultipleChoiceField(label=gettext_lazy("Phạm vi"), choices=ApprovalAct.choices,
                                         widget=forms.CheckboxSelectMultiple)
        max_level = forms.ChoiceField(label=gettext_lazy("Đến độ mật"), choices=Lv.choices)
        reference = forms.CharField(label=gettext_lazy("Số văn bản ủy quyền"), max_length=128)
        valid_from = forms.DateField(label=gettext_lazy("Hiệu lực từ"), widget=date)
        valid_until = forms.DateField(label=gettext_lazy("Hiệu lực đến"), widget=date, required=False)

    kind = (data or {}).get("kind")
    return {
        "authority": AuthorityForm(data if kind == "authority" else None, prefix="authority"),
        "position": PositionForm(data if kind == "position" else None, prefix="position"),
        "delegation": DelegationForm(data if kind == "delegation" else None, prefix="delegation"),
    }


def _require_admin(request):
    from registry.access import can_do
    from registry.actions.guard import refuse
    from registry.errors import ErrorCode

    if not can_do(request.user, Perm.MANAGE_USERS):
        try:
            refuse(Action.USER_ADMIN, actor=request.user, ctx=ctx_of(request), reason=ErrorCode.PERMISSION_DENIED,
                   extra={"what": "approval_authority"})
        except RegistryError:
            raise Http404("Không tìm thấy") from None


class ApprovalAuthorityView(AdminPage):
    """The administrator's screen: positions, what each may approve up to which level, written delegations.
    Nothing is edited in place: a change writes a new version and retires the old one (history kept)."""

    template_name = "registry/lifecycle/approvals.html"
    page_title = gettext_lazy("Thẩm quyền phê duyệt")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        _require_admin(request)
        return super().dispatch(request, *args, **kwargs)

    def _context(self, forms):
        from registry.models import ApprovalAuthority, Delegation, PositionHolder

        return {"forms": forms,
                "authorities": ApprovalAuthority.objects.select_related("unit").order_by("act", "position", "-pk"),
                "positions": PositionHolder.objects.select_related("user", "unit").order_by("position", "-pk"),
                "delegations": Delegation.objects.select_related("delegator", "delegate").order_by("-pk")}

    def get(self, request):
        forms = _approval_forms()
        edit = request.GET.get("edit")
        if edit and edit.isdigit():
            from registry.models import ApprovalAuthority

            row = ApprovalAuthority.objects.filter(pk=edit, retired_at__isnull=True).first()
            if row is not None:
                forms["authority"].initial = {"act": row.act, "max_level": row.max_level, "position": row.position,
                                              "unit": row.unit_id, "valid_from": row.valid_from,
                                              "valid_until": row.valid_until, "basis": row.basis, "previous": row.pk}
        return self.render(**self._context(forms))

    def post(self, request):
        from registry.actions import approvals as acts_approvals
        from registry.models import ApprovalAuthority, Delegation, PositionHolder

        ctx = ctx_of(request)
        if request.POST.get("kind") == "retire":
            model = {"authority": ApprovalAuthority, "position": PositionHolder, "delegation": Delegation}.get(
                request.POST.get("model"))
            row = model.objects.filter(pk=request.POST.get("id") or 0).first() if model else None
            if row is None:
                raise Http404("Không tìm thấy")
            acts_approvals.do_retire_authority(row, actor=request.user, ctx=ctx)
            messages.success(request, _("Đã thôi hiệu lực."))
            return redirect("registry_approvals")
        forms = _approval_forms(request.POST)
        kind = request.POST.get("kind")
        form = forms.get(kind)
        if form is not None and form.is_valid():
            d = form.cleaned_data
            try:
                if kind == "authority":
                    previous = ApprovalAuthority.objects.filter(pk=d["previous"]).first() if d["previous"] else None
                    acts_approvals.do_add_authority(act=d["act"], max_level=d["max_level"], position=d["position"],
                                                    unit=d["unit"], valid_from=d["valid_from"],
                                                    valid_until=d["valid_until"], basis=d["basis"],
                                                    previous=previous, actor=request.user, ctx=ctx)
                elif kind == "position":
                    acts_approvals.do_add_position(d["user"], position=d["position"], unit=d["unit"],
                                                   valid_from=d["valid_from"], valid_until=d["valid_until"],
                                                   actor=request.user, ctx=ctx)
                else:
                    acts_approvals.do_add_delegation(delegator=d["delegator"], delegate=d["delegate"],
                                                     acts=d["acts"], max_level=d["max_level"],
                                                     reference=d["reference"], valid_from=d["valid_from"],
                                                     valid_until=d["valid_until"], actor=request.user, ctx=ctx)
            except RegistryError as error:
                form.add_registry_error(error)
            else:
                messages.success(request, _("Đã ghi thẩm quyền phê duyệt."))
                return redirect("registry_approvals")
        return self.render_to_response(self.get_context_data(**self._context(forms)), status=400)


class LifecycleTaskView(AdminPage):
    """Notices to holders, reminders, recalls and reports due: the person's open tasks, soonest first."""

    template_name = "registry/lifecycle/tasks.html"
    page_title = gettext_lazy("Việc cần làm về tài liệu mật")
    header_icon = "tasks"

    def get(self, request):
        from registry.actions.events import View, do_log_list
        from registry.actions.secrecy import tasks_for

        tasks = tasks_for(request.user, limit=200)
        # The task titles name documents: one LIST entry, like every screen that shows them.
        do_log_list(request.user, ctx_of(request), result_count=len(tasks), view="lifecycle_tasks")
        return self.render(tasks=tasks, today=timezone.localdate(), can_complete=True)

    def post(self, request):
        from registry.actions.secrecy import do_complete_task, tasks_for

        pk = request.POST.get("task", "")
        task = next((t for t in tasks_for(request.user, limit=1000) if str(t.pk) == pk), None)
        if task is None:
            raise Http404("Không tìm thấy")
        from registry.models import HandOver, Task

        if task.kind == Task.Kind.ACKNOWLEDGE:
            hand_over = HandOver.objects.select_related("document").get(pk=task.details["hand_over"])
            try:
                acts.do_acknowledge_hand_over(hand_over, actor=request.user, ctx=ctx_of(request))
            except NotFoundError:
                raise Http404("Không tìm thấy") from None
            except RegistryError as error:
                messages.error(request, error.message)
                return redirect("registry_lifecycle_tasks")
            messages.success(request, _("Đã ký nhận."))
            return redirect("registry_lifecycle_tasks")
        do_complete_task(task, actor=request.user, ctx=ctx_of(request))
        messages.success(request, _("Đã ghi hoàn thành."))
        return redirect("registry_lifecycle_tasks")


class LifecycleTasksPanel(Component):
    """Dashboard: the person's open lifecycle tasks with due dates (kinds and dates; titles on the task page)."""

    name = "registry_lifecycle_tasks"
    order = 20
    template_name = "registry/lifecycle/_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from registry.actions.secrecy import tasks_for

        return {"tasks": tasks_for(self.request.user, limit=10), "today": timezone.localdate()}
