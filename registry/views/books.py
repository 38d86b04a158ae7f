"""Register books: the list of books and their printouts (PDF, CSV). See ``registry.registers.books``."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from registry.access import Perm, can_do, visible_documents
from registry.actions.events import View, do_log_list
from registry.actions.guard import require_role
from registry.constants import Action
from registry.errors import PermissionDeniedError
from registry.models import RegisterBook
from registry.registers.books import FORMATS, print_book
from registry.views.common import AdminPage, ctx_of, file_response


class BookListView(AdminPage):
    template_name = "registry/books/index.html"
    page_title = gettext_lazy("Sổ đăng ký")
    header_icon = "list-ul"

    def get(self, request):
        # Counts and dates come only from the entries this user may see; books with none are not listed.
        stats = {
            row["register"]: row
            for row in visible_documents(request.user)
            .values("register")
            .annotate(n=Count("id"), first=Min("serial"), last=Max("serial"))
        }
        books = []
        for book in RegisterBook.objects.filter(pk__in=stats.keys()).order_by("-year", "direction", "-secret"):
            books.append({"book": book, **stats[book.pk]})
        # One LIST entry for the page: how many visible entries its counts cover.
        do_log_list(request.user, ctx_of(request), result_count=sum(b["n"] for b in books), view=View.BOOKS)
        return self.render(books=books, can_print=can_do(request.user, Perm.PRINT_BOOK),
                           list_url=reverse("registry_document_list"))


def print_view(request, pk, fmt):
    if fmt not in FORMATS:
        raise Http404
    try:
        require_role(Perm.PRINT_BOOK, Action.BOOK_PRINT, actor=request.user, ctx=ctx_of(request),
                     extra={"book_id": str(pk)[:32], "format": fmt})
    except PermissionDeniedError:
        raise PermissionDenied from None
    book = RegisterBook.objects.filter(pk=pk).first()
    if book is None:
        raise Http404
    printed = print_book(book, request.user, fmt=fmt, ctx=ctx_of(request))
    return file_response(printed.content, filename=printed.filename, content_type=printed.content_type)
