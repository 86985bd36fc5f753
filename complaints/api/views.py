"""Complaint API: thin callers of complaints.services and complaints.selectors."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import notices, privacy, selectors, services
from complaints.api import serializers as s
from complaints.filters import ComplaintFilter


def _intake_from(data: dict) -> services.Intake:
    person = data["complainant"]
    source = data["source"] or {}
    return services.Intake(
        channel=data["channel"], complainant_name=person["name"], complainant_phone=person["phone"],
        complainant_gender=person["gender"], complainant_id_number=person["id_number"],
        customer_type=person["customer_type"], complainant_region=person["region"],
        is_vip=person["vip"], sensitive_identity=person["sensitive_identity"],
        difficult_flags=tuple(person["difficult_flags"]), category=data["category"], cause=data["cause"],
        reason=data["reason"], request=data["request"], narrative=data["narrative"],
        issue_tag=data["issue_tag"], claim_amount=data["claim_amount"],
        product_ref=data["product_ref"], org_unit=data["org_unit"], subject_agent=data["agent"],
        major_impact=data["major_impact"], escalated_from_hq=data["escalated_from_hq"],
        group_size=data["group_size"], received_at=data["received_at"],
        source_body=source.get("body", ""), source_reference=source.get("reference", ""),
        reply_due=source.get("reply_due"),
    )


# The intake service names some fields as the record does; the API body as API.md does.
_API_FIELD = {"subject_agent": "agent", "complainant_name": "complainant", "complainant_phone": "complainant",
              "idempotency_key": "Idempotency-Key", "source_body": "source", "source_reference": "source",
              "reply_due": "source"}


def _as_api_fields(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    renamed: dict[str, list] = {}
    for field, messages in exc.message_dict.items():
        renamed.setdefault(_API_FIELD.get(field, field), []).extend(messages)
    return ValidationError(renamed)


def _detail(request: Request, complaint_id: int, status_code=status.HTTP_200_OK, *, complaint=None,
            disclosed: set[int] | None = None) -> Response:
    if complaint is None:
        complaint = selectors.complaint_detail(user=request.user, complaint_id=complaint_id)
    if disclosed is None:
        disclosed = privacy.disclose(user=request.user, complaints=[complaint], channel="api")
    return Response(s.ComplaintDetailOut(complaint, context={"request": request, "disclosed": disclosed}).data,
                    status=status_code)


class ComplaintListCreate(generics.ListAPIView):
    serializer_class = s.ComplaintOut
    filterset_class = ComplaintFilter

    def get_queryset(self):
        return selectors.complaint_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        disclosed = privacy.disclose(user=request.user, complaints=page, channel="api-list")
        data = s.ComplaintOut(page, many=True, context={"request": request, "disclosed": disclosed}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=s.ComplaintIn, responses={201: s.ComplaintDetailOut, 200: s.ComplaintDetailOut},
        parameters=[OpenApiParameter(
            "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
            description="1–64 visible ASCII characters chosen by the client. A repeated intake with the same "
                        "key by the same user answers the complaint the first one created (200), however "
                        "the first answer was lost.")],
    )
    def post(self, request):
        body = s.ComplaintIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            complaint = services.complaint_submit(by=request.user, intake=_intake_from(body.validated_data),
                                                  idempotency_key=request.headers.get("Idempotency-Key", ""),
                                                  shown_on="api")
        except ValidationError as exc:
            raise _as_api_fields(exc) from exc
        if complaint.repeated:
            return _detail(request, complaint.pk, disclosed=complaint.disclosed)
        return _detail(request, complaint.pk, status.HTTP_201_CREATED,
                       complaint=selectors.complaint_just_logged(complaint), disclosed=complaint.disclosed)


class ComplaintDetail(APIView):
    @extend_schema(responses=s.ComplaintDetailOut)
    def get(self, request, pk: int):
        return _detail(request, pk)


def transition_view(name: str, body_serializer):
    service = services.TRANSITION_SERVICES[name]

    class TransitionView(APIView):
        @extend_schema(request=body_serializer, responses=s.ComplaintDetailOut,
                       operation_id=f"complaints_{name}", summary=f"Transition: {name}")
        def post(self, request, pk: int):
            body = body_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            service(complaint_id=pk, by=request.user, **body.validated_data)
            return _detail(request, pk)

    TransitionView.__name__ = f"{name.title().replace('_', '')}View"
    return TransitionView.as_view()


TRANSITION_BODIES = {
    "verify": s.VerifyIn, "invalidate": s.ToldReasonIn, "resolve_on_spot": s.ResolutionIn,
    "propose": s.ProposeIn, "resolve": s.ResolutionIn,
    "revisit": s.RevisitIn, "reopen": s.ReasonIn, "archive": s.ArchiveIn, "extend": s.ExtendIn,
    "pause": s.ToldReasonIn, "resume": s.ToldReasonIn,
}


class CategoryList(APIView):
    @extend_schema(parameters=[OpenApiParameter("q", str, description="Words typed: code, name or search words")],
                   responses=s.CategoryOut(many=True), summary="The categories a clerk may choose (§3)")
    def get(self, request):
        return Response(s.CategoryOut(selectors.categories_matching(request.query_params.get("q", "")),
                                      many=True).data)


class CauseList(APIView):
    @extend_schema(responses=s.CauseOut(many=True), summary="The causes (投诉原因) and sub-causes (§3)")
    def get(self, request):
        active = [c for c in selectors.causes().values() if c.is_active]
        return Response(s.CauseOut(sorted(active, key=lambda c: (c.sort_order, c.code)), many=True).data)


class TakeView(APIView):
    @extend_schema(request=None, responses=s.ComplaintDetailOut)
    def post(self, request, pk: int):
        services.complaint_take(complaint_id=pk, by=request.user)
        return _detail(request, pk)


class ContactListCreate(APIView):
    @extend_schema(responses=s.ContactOut(many=True))
    def get(self, request, pk: int):
        complaint = selectors.get_visible(user=request.user, complaint_id=pk)
        return Response(s.ContactOut(complaint.contacts.select_related("by"), many=True).data)

    @extend_schema(request=s.ContactIn, responses={201: s.ContactOut})
    def post(self, request, pk: int):
        body = s.ContactIn(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = services.contact_record(complaint_id=pk, by=request.user, **body.validated_data)
        return Response(s.ContactOut(attempt).data, status=status.HTTP_201_CREATED)




class ReplyToBodyView(APIView):
    @extend_schema(request=s.ReplyIn, responses=s.ComplaintDetailOut,
                   summary="Record the reply to the forwarding body (409 when the complaint was not forwarded)")
    def post(self, request, pk: int):
        body = s.ReplyIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.complaint_reply_to_body(complaint_id=pk, by=request.user, **body.validated_data)
        return _detail(request, pk)


class NoticeListCreate(APIView):
    @extend_schema(responses=s.NoticeOut(many=True))
    def get(self, request, pk: int):
        complaint = selectors.get_visible(user=request.user, complaint_id=pk)
        disclosed = privacy.disclose(user=request.user, complaints=[complaint], channel="api")
        return Response(s.NoticeOut(complaint.notices.select_related("by"), many=True,
                                    context={"disclosed": disclosed}).data)

    @extend_schema(request=s.NoticeIn, responses={201: s.NoticeOut})
    def post(self, request, pk: int):
        body = s.NoticeIn(data=request.data)
        body.is_valid(raise_exception=True)
        notice = notices.notice_record(complaint_id=pk, by=request.user, **body.validated_data)
        complaint = selectors.get_visible(user=request.user, complaint_id=pk)
        disclosed = privacy.disclose(user=request.user, complaints=[complaint], channel="api")
        return Response(s.NoticeOut(notice, context={"disclosed": disclosed}).data, status=status.HTTP_201_CREATED)


class ReviewCreate(APIView):
    @extend_schema(request=s.ReviewIn, responses={201: s.ReviewOut},
                   summary="Record the customer's request for a review (409 past the 30 days, or a second one)")
    def post(self, request, pk: int):
        body = s.ReviewIn(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.review_request(complaint_id=pk, by=request.user, **body.validated_data)
        return Response(s.ReviewOut(review).data, status=status.HTTP_201_CREATED)


class ReviewList(generics.ListAPIView):
    """The 核查 queue: open reviews the user may decide, earliest due first."""

    serializer_class = s.ReviewOut

    def get_queryset(self):
        return selectors.review_queue(user=self.request.user)


class ReviewDecide(APIView):
    @extend_schema(request=s.DecideIn, responses=s.ReviewOut,
                   summary="Uphold or change the decision (403 for staff of the case's own unit)")
    def post(self, request, pk: int):
        body = s.DecideIn(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.review_decide(review_id=pk, by=request.user, **body.validated_data)
        return Response(s.ReviewOut(review).data)
