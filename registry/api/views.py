"""API v1: thin views — parse, call the policy or an action, render. Errors are ``{"error": {code, message}}``."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from registry.access import Perm, visible_documents
from registry.actions.documents import DocumentMetadata, do_void_entry, registration_refusals_logged
from registry.actions.events import View, do_log_list
from registry.actions.guard import require_role, visible_or_refuse
from registry.actions.reading import do_read_document, do_view_document
from registry.audit.context import RequestContext
from registry.constants import Action
from registry.errors import DuplicateError, ErrorCode, NotFoundError, RegistryError
from registry.forms import DocumentFilterForm
from registry.intake.schema import split_values
from registry.models import Document
from registry.views.common import file_response

from .serializers import DocumentSerializer, ErrorSerializer, PurposeSerializer, ReasonSerializer, RegisterInputSerializer

ERROR_STATUS = {
    ErrorCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorCode.DUPLICATE: status.HTTP_409_CONFLICT,
    ErrorCode.PERMISSION_DENIED: status.HTTP_403_FORBIDDEN,
    ErrorCode.SECOND_FACTOR_REQUIRED: status.HTTP_403_FORBIDDEN,
    ErrorCode.INVALID_STATE: status.HTTP_409_CONFLICT,
    ErrorCode.FILE_TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
}


def error_response(error: RegistryError) -> Response:
    return Response(error.as_dict(), status=ERROR_STATUS.get(error.code, status.HTTP_400_BAD_REQUEST))


def api_exception_handler(exc, context):
    """Every error in the registry's shape: ``{"error": {"code": ..., "message": ...}}``."""
    if isinstance(exc, RegistryError):
        return error_response(exc)
    if isinstance(exc, Http404):
        return Response(NotFoundError("tài liệu").as_dict(), status=status.HTTP_404_NOT_FOUND)
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        code = str(ErrorCode.INVALID_METADATA)
        message = "; ".join(f"{k}: {' '.join(map(str, v))}" if isinstance(v, list) else f"{k}: {v}"
                            for k, v in (response.data.items() if isinstance(response.data, dict) else []))
    else:
        message = str(response.data.get("detail", "")) if isinstance(response.data, dict) else str(response.data)
    response.data = {"error": {"code": code, "message": message}}
    return response


def _ctx(request):
    return RequestContext.from_request(request)


class DocumentPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


FILTER_PARAMETERS = [
    OpenApiParameter(name, str, required=False, description=desc)
    for name, desc in (
        ("q", "number/symbol or title: any spelling of a number, with or without diacritics"),
        ("direction", "den | di"), ("secret", "1 | 0"),
        ("year", "register year"), ("level", "thuong | mat | toi_mat | tuyet_mat"), ("doc_type", "type code"),
        ("issuer", "issuer contains"), ("date_from", "YYYY-MM-DD (entry date)"), ("date_to", "YYYY-MM-DD"),
        ("voided", "1 | 0"), ("book", "register book id"),
    )
]


# The list is paginated (LimitOffsetPagination), which drf-spectacular does not infer for a plain APIView.
PAGINATED_DOCUMENTS = inline_serializer("PaginatedDocumentList", fields={
    "count": serializers.IntegerField(), "next": serializers.CharField(allow_null=True),
    "previous": serializers.CharField(allow_null=True), "results": DocumentSerializer(many=True)})


class DocumentListCreateView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: PAGINATED_DOCUMENTS, 400: ErrorSerializer},
                   summary="Visible documents (clearance-trimmed; counts are over visible documents only)")
    def get(self, request):
        form = DocumentFilterForm(request.query_params)
        if not form.is_valid():
            raise RegistryError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
                                code=ErrorCode.INVALID_METADATA)
        qs = form.filter(visible_documents(request.user, Document.objects.select_related(
            "register", "handling_unit", "storage_location", "dossier"))).order_by("-id")
        paginator = DocumentPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        do_log_list(request.user, _ctx(request), query=request.query_params.urlencode(), result_count=paginator.count,
                    view=View.API_DOCUMENTS, extra={"api": "v1"})
        return paginator.get_paginated_response(DocumentSerializer(page, many=True).data)

    @extend_schema(request={"multipart/form-data": RegisterInputSerializer, "application/json": RegisterInputSerializer},
                   responses={201: DocumentSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
                   summary="Register a document (multipart with a file, or JSON for paper-only)")
    def post(self, request):
        from registry.intake import register_file, register_paper

        require_role(Perm.REGISTER, Action.REGISTER, actor=request.user, ctx=_ctx(request))
        # The schema's fields only: metadata for the record, the PDF password for intake (never stored).
        values, options, _file = split_values({k: request.data.get(k) for k in request.data.keys() if k != "file"})
        with registration_refusals_logged(actor=request.user, ctx=_ctx(request)):
            meta = DocumentMetadata.from_mapping(values)
        upload = request.FILES.get("file")
        try:
            if upload is not None:
                document = register_file(upload, filename=upload.name, meta=meta, actor=request.user,
                                         ctx=_ctx(request), **options)
            else:
                document = register_paper(meta, actor=request.user, ctx=_ctx(request))
        except DuplicateError as error:
            return error_response(error)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    @extend_schema(responses={200: DocumentSerializer, 404: ErrorSerializer},
                   summary="One document's record (writes one VIEW entry; hidden answers 404)")
    def get(self, request, pk):
        document = do_view_document(pk, actor=request.user, ctx=_ctx(request))
        return Response(DocumentSerializer(document).data)


class DocumentDownloadView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=PurposeSerializer,
        responses={(200, "application/pdf"): OpenApiResponse(description="The stamped PDF. Encrypted copies "
                   "carry their one-time password in the X-Copy-Password header."),
                   400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="A marked copy (purpose required for toi_mat and tuyet_mat)",
    )
    def post(self, request, pk):
        body = PurposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action = Action.PREVIEW if body.validated_data.get("preview") else Action.DOWNLOAD
        copy = do_read_document(pk, actor=request.user, purpose=body.validated_data.get("purpose", ""),
                                action=action, ctx=_ctx(request))
        response = file_response(copy.content, filename=copy.filename, content_type="application/pdf")
        response["X-Copy-Id"] = copy.copy_id
        response["X-Copy-Number"] = str(copy.copy_number)
        if copy.password:
            response["X-Copy-Password"] = copy.password
        return response


class DocumentVoidView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ReasonSerializer, responses={200: DocumentSerializer, 400: ErrorSerializer,
                                                        404: ErrorSerializer, 409: ErrorSerializer},
                   summary="Void a register entry (it stays in its book with the reason)")
    def post(self, request, pk):
        document = visible_or_refuse(Action.VOID, pk, actor=request.user, ctx=_ctx(request))
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = do_void_entry(document, body.validated_data["reason"], actor=request.user, ctx=_ctx(request))
        return Response(DocumentSerializer(document).data)
