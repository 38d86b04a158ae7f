"""Register entries in the admin: register, list, open, edit, void, download a marked copy.

Views parse input, call the policy or an action, and render. Hidden documents answer 404 exactly as
missing ones, and every refused attempt leaves one REFUSED entry in the access log (``actions.guard``).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.access import Perm, can, can_do, get_document_or_404, requires_purpose, visible_documents
from registry.actions.documents import do_edit_document, do_void_entry
from registry.actions.events import View, do_log_list
from registry.actions.guard import require, require_role
from registry.actions.reading import do_view_document
from registry.constants import Action
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError, RegistryError
from registry.forms import DocumentEditForm, DocumentFilterForm, DocumentRegisterForm, PurposeForm, VoidForm
from registry.models import Document, RegisterBook
from registry.views import held_files
from registry.views.common import (
    AdminPage,
    ctx_of,
    file_response,
    not_found,
    outbox_put,
    outbox_take,
    visible_or_404,
)

PAGE_SIZE = 50


def register_document(form: DocumentRegisterForm, *, actor, ctx, held=None) -> Document:
    """Register through intake: ``register_file`` with an upload (or the file ``held`` from a refused
    submission), ``register_paper`` without one. The PDF password only goes to intake."""
    from registry.intake import register_file, register_paper

    meta = form.metadata()
    options = form.intake_options()
    upload = form.cleaned_data.get("file")
    if upload:
        return register_file(upload, filename=upload.name, meta=meta, actor=actor, ctx=ctx, **options)
    if held is not None:
        return register_file(held.path, filename=held.name, meta=meta, actor=actor, ctx=ctx, **options)
    return register_paper(meta, actor=actor, ctx=ctx)


def search_url() -> str | None:
    """The search package's admin page (registered by its own hooks), when installed."""
    try:
        return reverse("registry_search:index")
    except NoReverseMatch:
        return None


class _Breadcrumbs:
    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        items.append({"url": reverse("registry_document_list"), "label": gettext_lazy("Tài liệu đã đăng ký")})
        return items + self.extra_breadcrumbs()

    def extra_breadcrumbs(self):
        return [{"url": "", "label": self.get_page_title()}]


class DocumentListView(AdminPage):
    template_name = "registry/documents/index.html"
    page_title = gettext_lazy("Tài liệu đã đăng ký")

    def get(self, request):
        form = DocumentFilterForm(request.GET or None, user=request.user)
        base = Document.objects.select_related("register", "handling_unit", "storage_location")
        qs = visible_documents(request.user, base)
        if form.is_bound:
            qs = form.filter(qs)
        book = None
        if form.is_bound and form.is_valid() and form.cleaned_data.get("book"):
            book = RegisterBook.objects.filter(pk=form.cleaned_data["book"]).first()
            qs = qs.order_by("serial")
        else:
            qs = qs.order_by("-register__year", "direction", "-register__secret", "-serial")
        paginator = Paginator(qs, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("p"))
        # One LIST entry per page shown: what was asked and how many visible rows matched.
        do_log_list(request.user, ctx_of(request), query=request.GET.urlencode(), result_count=paginator.count,
                    view=View.DOCUMENTS)
        query = request.GET.copy()
        query.pop("p", None)
        return self.render(
            form=form, page=page, paginator=paginator, book=book, querystring=query.urlencode(),
            can_register=can_do(request.user, Perm.REGISTER), search_url=search_url(),
            can_print=can_do(request.user, Perm.PRINT_BOOK),
        )


class DocumentRegisterView(_Breadcrumbs, AdminPage):
    template_name = "registry/documents/register.html"
    page_title = gettext_lazy("Đăng ký tài liệu")
    header_icon = "plus"

    def dispatch(self, request, *args, **kwargs):
        try:
            require_role(Perm.REGISTER, Action.REGISTER, actor=request.user, ctx=ctx_of(request))
        except PermissionDeniedError:
            raise PermissionDenied from None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(form=DocumentRegisterForm())

    def post(self, request):
        form = DocumentRegisterForm(request.POST, request.FILES)
        held = held_files.held_for(request, form)  # a file kept from the refused submission before, if any
        if form.is_valid():
            try:
                document = register_document(form, actor=request.user, ctx=ctx_of(request), held=held)
            except RegistryError as error:
                # A duplicate's ``existing_id`` is set only when the clerk may see that record (the guard).
                form.add_registry_error(error)
                if error.code == ErrorCode.SAME_NUMBER:
                    form.ask_same_number_confirmation()
                held_files.keep_for_resubmission(request, form, held, error)
                return self.render(form=form, error=error, duplicate_id=getattr(error, "existing_id", None),
                                   same_number_ids=getattr(error, "existing_ids", None), error_code=str(error.code))
            if held is not None:
                held_files.release(request, held.token)
            messages.success(request, _("Đã đăng ký: %(book)s, số thứ tự %(serial)s.")
                             % {"book": document.register.title, "serial": document.serial})
            return redirect("registry_document_detail", document.pk)
        held_files.keep_for_resubmission(request, form, held)
        return self.render(form=form)

    def render_to_response(self, context, **kwargs):
        # A refused registration keeps everything the clerk typed (the bound form is re-rendered).
        status = 400 if context.get("form") is not None and context["form"].is_bound else 200
        return super().render_to_response(context, status=status, **kwargs)


class DocumentDetailView(_Breadcrumbs, AdminPage):
    template_name = "registry/documents/detail.html"

    def get_page_title(self):
        return str(self.document) if getattr(self, "document", None) else _("Tài liệu")

    def get(self, request, pk):
        try:
            self.document = do_view_document(pk, actor=request.user, ctx=ctx_of(request))
        except NotFoundError:
            raise not_found() from None
        return self.render(**self.detail_context(request, self.document))

    @staticmethod
    def detail_context(request, document, **extra):
        document = (
            Document.objects.select_related("register", "handling_unit", "storage_location", "dossier",
                                            "uploaded_by_user", "voided_by")
            .prefetch_related("copy_records", "hand_overs", "loans__borrower", "level_changes")
            .get(pk=document.pk)
        )
        user = request.user
        context = {
            "document": document,
            "storage_path": document.storage_location.path if document.storage_location_id else "",
            "can_read": can(user, Perm.READ_CONTENT, document),
            "can_edit": can(user, Perm.EDIT, document),
            "can_void": can(user, Perm.VOID, document),
            "can_lifecycle": can(user, Perm.LIFECYCLE, document),
            "purpose_required": requires_purpose(document),
            "purpose_form": PurposeForm(purpose_required=requires_purpose(document)),
            "void_form": VoidForm(),
            # The reverse one-to-one raises an AttributeError subclass when there is none.
            "destruction": getattr(document, "destruction", None),
        }
        context.update(extra)
        return context


def _require(request, perm, action, document) -> None:
    """The guard's ``require`` for a view: one REFUSED entry, then 403 (the document is visible here)."""
    try:
        require(perm, action, document, actor=request.user, ctx=ctx_of(request))
    except NotFoundError:
        raise not_found() from None
    except PermissionDeniedError:
        raise PermissionDenied from None


class DocumentEditView(_Breadcrumbs, AdminPage):
    template_name = "registry/documents/edit.html"
    page_title = gettext_lazy("Sửa thông tin tài liệu")
    header_icon = "edit"

    def extra_breadcrumbs(self):
        return [
            {"url": reverse("registry_document_detail", args=[self.document.pk]), "label": str(self.document)},
            {"url": "", "label": self.get_page_title()},
        ]

    def _load(self, request, pk):
        self.document = visible_or_404(request, pk, Action.EDIT)
        _require(request, Perm.EDIT, Action.EDIT, self.document)

    def get(self, request, pk):
        # Showing the form shows the record: one VIEW entry, or one refused EDIT entry and 404/403.
        self._load(request, pk)
        try:
            self.document = do_view_document(pk, actor=request.user, ctx=ctx_of(request))
        except NotFoundError:
            raise not_found() from None
        return self.render(form=DocumentEditForm(instance=self.document), document=self.document)

    def post(self, request, pk):
        self._load(request, pk)
        # Bound to a copy so that a refused change leaves the stored row untouched.
        form = DocumentEditForm(request.POST, instance=Document.objects.get(pk=self.document.pk))
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Không có thay đổi nào."))
                return redirect("registry_document_detail", self.document.pk)
            try:
                do_edit_document(self.document, changes, actor=request.user, ctx=ctx_of(request))
            except NotFoundError:
                raise not_found() from None
            except PermissionDeniedError:
                raise PermissionDenied from None
            except RegistryError as error:
                form.add_registry_error(error)
                return self.render_to_response(self.get_context_data(
                    form=form, document=self.document, error=error, error_code=str(error.code)), status=400)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("registry_document_detail", self.document.pk)
        return self.render_to_response(self.get_context_data(form=form, document=self.document), status=400)


def void_view(request, pk):
    if request.method != "POST":
        return redirect("registry_document_detail", pk)
    document = visible_or_404(request, pk, Action.VOID)
    form = VoidForm(request.POST)
    form.is_valid()  # an empty reason is the action's refusal to make (and log)
    try:
        do_void_entry(document, form.cleaned_data.get("reason", ""), actor=request.user, ctx=ctx_of(request))
    except NotFoundError:
        raise not_found() from None
    except PermissionDeniedError:
        raise PermissionDenied from None
    except RegistryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã hủy số; mục vẫn được giữ trong sổ với lý do hủy."))
    return redirect("registry_document_detail", pk)


class DocumentDownloadView(_Breadcrumbs, AdminPage):
    """POST with the purpose → one marked copy. Encrypted copies go through a one-time page (password once)."""

    template_name = "registry/documents/download.html"
    page_title = gettext_lazy("Tải bản sao có dấu")
    header_icon = "download"

    def get(self, request, pk):
        return redirect("registry_document_detail", pk)

    def post(self, request, pk):
        from registry.actions.reading import do_read_document

        form = PurposeForm(request.POST)
        form.is_valid()
        preview = bool(form.cleaned_data.get("preview"))
        purpose = form.cleaned_data.get("purpose", "") or ""
        action = Action.PREVIEW if preview else Action.DOWNLOAD
        try:
            copy = do_read_document(pk, actor=request.user, purpose=purpose, action=action, ctx=ctx_of(request))
        except NotFoundError:
            raise not_found() from None
        except PermissionDeniedError as error:
            messages.error(request, error.message)
            return redirect("registry_document_detail", pk)
        except RegistryError as error:
            document = get_document_or_404(request.user, pk)
            self.document = document
            form = PurposeForm(request.POST, purpose_required=requires_purpose(document))
            form.is_valid()
            if error.code == ErrorCode.PURPOSE_REQUIRED:
                form.add_error("purpose", error.message)
            else:
                form.add_error(None, error.message)
            return self.render_to_response(
                self.get_context_data(document=document, purpose_form=form, preview=preview), status=400
            )
        if copy.password:
            token = outbox_put(request, copy.content, copy.filename)
            response = self.render(password=copy.password, token=token, copy=copy, document_id=pk)
            add_never_cache_headers(response)  # the password is shown once and must not be cached
            response["Cache-Control"] = "no-store, max-age=0"
            return response
        return file_response(copy.content, filename=copy.filename, content_type="application/pdf", inline=preview)

    def extra_breadcrumbs(self):
        return [{"url": "", "label": self.get_page_title()}]


def fetch_copy(request, token):
    """The one-time link of an encrypted copy (same session only; deleted once fetched)."""
    content, filename = outbox_take(request, token)
    return file_response(content, filename=filename, content_type="application/pdf")
