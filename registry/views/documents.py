"""Register entries in the admin: register, list, open, edit, void, download a marked copy.

Views parse input, call the policy or an action, and render. Hidden documents answer 404 exactly as
missing ones, and every refused attempt leaves one REFUSED entry in the access log.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.access import Perm, can, can_do, get_document_or_404, requires_purpose, visible_documents
from registry.actions.documents import do_edit_document, do_void_entry
from registry.audit.log import record
from registry.constants import Action
from registry.errors import DuplicateError, ErrorCode, NotFoundError, PermissionDeniedError, RegistryError
from registry.forms import DocumentEditForm, DocumentFilterForm, DocumentRegisterForm, PurposeForm, VoidForm
from registry.models import Document, RegisterBook
from registry.views.common import AdminPage, ctx_of, file_response, outbox_put, outbox_take, refuse_hidden

PAGE_SIZE = 50


def register_document(form: DocumentRegisterForm, *, actor, ctx) -> Document:
    """Register through intake: ``register_file`` with an upload, ``register_paper`` without one."""
    from registry.intake import register_file, register_paper

    meta = form.metadata()
    upload = form.cleaned_data.get("file")
    if upload:
        return register_file(upload, filename=upload.name, meta=meta, actor=actor, ctx=ctx)
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
        form = DocumentFilterForm(request.GET or None)
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
        record(Action.LIST, actor=request.user, ctx=ctx_of(request), query=request.GET.urlencode()[:2000],
               result_count=paginator.count)
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
        if not can_do(request.user, Perm.REGISTER):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(form=DocumentRegisterForm())

    def post(self, request):
        form = DocumentRegisterForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = register_document(form, actor=request.user, ctx=ctx_of(request))
            except DuplicateError as error:
                form.add_registry_error(error)
                return self.render(form=form, duplicate_id=error.existing_id, error_code=str(error.code))
            except RegistryError as error:
                form.add_registry_error(error)
                return self.render(form=form, error_code=str(error.code))
            messages.success(request, _("Đã đăng ký: %(book)s, số thứ tự %(serial)s.")
                             % {"book": document.register.title, "serial": document.serial})
            return redirect("registry_document_detail", document.pk)
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
        from registry.actions.reading import do_view_record

        try:
            self.document = do_view_record(pk, actor=request.user, ctx=ctx_of(request))
        except NotFoundError:
            raise Http404("Không tìm thấy") from None
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


def _visible_or_refuse(request, pk, action) -> Document:
    """The document if it exists for the user; otherwise a REFUSED entry for ``action`` and 404."""
    try:
        return get_document_or_404(request.user, pk)
    except Http404:
        refuse_hidden(request, action, pk)


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
        self.document = _visible_or_refuse(request, pk, Action.EDIT)
        if not can(request.user, Perm.EDIT, self.document):
            raise PermissionDenied

    def get(self, request, pk):
        from registry.actions.reading import do_view_record

        # Showing the form shows the record: one VIEW entry (or a refused one and 404), as the detail page.
        try:
            self.document = do_view_record(pk, actor=request.user, ctx=ctx_of(request))
        except NotFoundError:
            raise Http404("Không tìm thấy") from None
        if not can(request.user, Perm.EDIT, self.document):
            raise PermissionDenied
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
                raise Http404 from None
            except RegistryError as error:
                form.add_registry_error(error)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("registry_document_detail", self.document.pk)
        return self.render_to_response(self.get_context_data(form=form, document=self.document), status=400)


def void_view(request, pk):
    if request.method != "POST":
        return redirect("registry_document_detail", pk)
    document = _visible_or_refuse(request, pk, Action.VOID)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Phải ghi lý do hủy số."))
        return redirect("registry_document_detail", pk)
    try:
        do_void_entry(document, form.cleaned_data["reason"], actor=request.user, ctx=ctx_of(request))
    except NotFoundError:
        raise Http404 from None
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
            raise Http404("Không tìm thấy") from None
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
